"""The peer configuration a P2PNetwork spec asks for, as JSON for the peer hosts."""

from __future__ import annotations

import json
from typing import Any

from p2pnet_operator.spec import P2PNetworkSpec
from p2pnet_operator.spec.units import parse_duration


def peer_sections(spec: P2PNetworkSpec) -> dict[str, dict[str, Any]]:
    dht: dict[str, Any] = {"preset": spec.dht.preset, "k": spec.dht.k, "alpha": spec.dht.alpha}
    if spec.dht.request_timeout:
        dht["request_timeout"] = parse_duration(spec.dht.request_timeout)
    return {"dht": dht}


def peer_config_json(spec: P2PNetworkSpec) -> str:
    return json.dumps(peer_sections(spec))
