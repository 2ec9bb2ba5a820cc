"""Peer configuration as JSON, so the supervisor can hand it to peer hosts.

    {"dht": {"preset": "local", "k": 20, "alpha": 3}, "swim": {"preset": "local"}}

Each protocol section starts from its config class's named preset (``lan`` or ``local``,
default ``local``) and replaces the named knobs; an unknown protocol, preset or knob is an
error that names it.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from p2pnet_peer.peer import PeerConfig

PRESETS = ("lan", "local")


def peer_config(sections: dict[str, dict[str, Any]]) -> PeerConfig:
    base = PeerConfig.local()
    changes: dict[str, Any] = {}
    for protocol, given in sections.items():
        knobs = dict(given)
        current = getattr(base, protocol, None)
        if current is None or not dataclasses.is_dataclass(current):
            raise ValueError(f"unknown protocol config {protocol!r}")
        preset = knobs.pop("preset", "local")
        if preset not in PRESETS:
            raise ValueError(f"{protocol}.preset: must be one of {PRESETS}, got {preset!r}")
        start = getattr(type(current), preset)()
        names = {f.name for f in dataclasses.fields(current)}
        unknown = set(knobs) - names
        if unknown:
            raise ValueError(f"{protocol}: unknown knobs {sorted(unknown)}")
        changes[protocol] = dataclasses.replace(start, **knobs)
    return dataclasses.replace(base, **changes)


def peer_config_from_json(text: str) -> PeerConfig:
    return peer_config(json.loads(text or "{}"))
