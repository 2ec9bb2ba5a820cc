"""Peer configuration as JSON sections, one per protocol, as the operator and the local
supervisor hand it to peers (``P2PNET_PEER_CONFIG``):

    {"dht": {"preset": "local", "k": 20, "alpha": 3}, "swim": {"preset": "local"}}

Each section starts from its config class's named preset (``lan`` or ``local``; default:
the base preset) and replaces the named knobs; a protocol left out keeps the base preset's
config. An unknown protocol, preset or knob, or a bad value, is a ValueError naming it.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from p2pnet_peer.peer import PeerConfig

PRESETS = ("lan", "local")


def peer_config(sections: dict[str, dict[str, Any]], base: str = "local") -> PeerConfig:
    if base not in PRESETS:
        raise ValueError(f"preset: must be one of {PRESETS}, got {base!r}")
    start_from = PeerConfig.local() if base == "local" else PeerConfig.lan()
    changes: dict[str, Any] = {}
    for protocol, given in sections.items():
        knobs = dict(given)
        current = getattr(start_from, protocol, None)
        if current is None or not dataclasses.is_dataclass(current):
            raise ValueError(f"unknown protocol config {protocol!r}")
        preset = knobs.pop("preset", base)
        if preset not in PRESETS:
            raise ValueError(f"{protocol}.preset: must be one of {PRESETS}, got {preset!r}")
        names = {f.name for f in dataclasses.fields(current)}
        unknown = set(knobs) - names
        if unknown:
            raise ValueError(f"{protocol}: unknown knobs {sorted(unknown)}")
        try:
            changes[protocol] = dataclasses.replace(getattr(type(current), preset)(), **knobs)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{protocol}: {exc}") from None
    return dataclasses.replace(start_from, **changes)


def peer_config_from_json(text: str, base: str = "local") -> PeerConfig:
    try:
        sections = json.loads(text or "{}")
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON: {exc}") from None
    if not isinstance(sections, dict) or not all(isinstance(v, dict) for v in sections.values()):
        raise ValueError('must be a JSON object of sections, e.g. {"dht": {"k": 20}}')
    return peer_config(sections, base)
