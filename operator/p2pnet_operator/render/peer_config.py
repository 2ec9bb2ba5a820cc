"""The peer configuration a P2PNetwork spec asks for, as the JSON sections every peer
reads from ``P2PNET_PEER_CONFIG`` (see ``p2pnet_peer.config_sections``): the same on
Kubernetes and on the local backend, so no spec knob is dropped on the way to a peer."""

from __future__ import annotations

import json
from typing import Any

from p2pnet_operator.spec import P2PNetworkSpec
from p2pnet_operator.spec.units import parse_duration


def peer_sections(spec: P2PNetworkSpec, swarm_preset: str = "local") -> dict[str, dict[str, Any]]:
    d = spec.dht
    dht: dict[str, Any] = {"preset": d.preset, "k": d.k, "alpha": d.alpha, "beta": d.beta}
    if d.request_timeout:
        dht["request_timeout"] = parse_duration(d.request_timeout)
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
    if g.protocol_period_s is not None:  # the preset's timeout may not fit a shorter period
        swim["probe_timeout"] = g.protocol_period_s / 2
    t = spec.transfer
    swarm: dict[str, Any] = {
        "preset": swarm_preset,
        "piece_size": t.piece_size_bytes,
        "regular_slots": t.unchoke_slots,
        "upload_rate": float(t.upload_limit_bytes_per_s),
    }
    return {"dht": dht, "swim": swim, "swarm": swarm}


def peer_config_json(spec: P2PNetworkSpec, swarm_preset: str = "local") -> str:
    return json.dumps(peer_sections(spec, swarm_preset), sort_keys=True)
