"""Metrics the testbed itself exports for a run, declared once (DESIGN.md's metrics contract).

Served by the supervisor of a local run (``p2pnet run --prometheus``) as a scrape target
of its own, next to the peers; on a cluster the operator exports the same names.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge

CHURN_ACTIONS = ("leave", "join")


class TestbedMetrics:
    def __init__(self, target_peers: int) -> None:
        self.registry = CollectorRegistry()
        self.network_target_peers = Gauge(
            "p2pnet_network_target_peers",
            "Peers the network should have up (the spec's peers).",
            registry=self.registry,
        )
        self.churn_events = Counter(
            "p2pnet_churn_events",
            "Churn events applied, by action (leave, join).",
            ["action"],
            registry=self.registry,
        )
        self.network_target_peers.set(target_peers)
        for action in CHURN_ACTIONS:
            self.churn_events.labels(action)
