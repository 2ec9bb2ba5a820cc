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
    g = spec.gossip
    swim: dict[str, Any] = {"preset": g.preset}
    for knob, value in (
        ("probe_interval", g.protocol_period_s),
        ("gossip_interval", g.gossip_interval_s),
        ("gossip_nodes", g.fanout),
        ("indirect_checks", g.indirect_checks),
        ("retransmit_mult", g.retransmit_mult),
        ("suspicion_mult", g.suspicion_mult),
    ):
        if value is not None:
            swim[knob] = value
    t = spec.transfer
    swarm: dict[str, Any] = {
        "preset": "local",
        "piece_size": t.piece_size_bytes,
        "regular_slots": t.unchoke_slots,
        "upload_rate": float(t.upload_limit_bytes_per_s),
    }
    return {"dht": dht, "swim": swim, "swarm": swarm}


def peer_config_json(spec: P2PNetworkSpec) -> str:
    return json.dumps(peer_sections(spec))
