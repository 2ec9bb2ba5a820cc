"""Every Prometheus metric a peer exports, declared once (DESIGN.md, "Metrics contract").

Each peer owns a :class:`PeerMetrics` with its own ``CollectorRegistry``, so hundreds of
peers can share one process and still be scraped as separate targets. Labels are bounded:
never a peer ID, key or hash.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

HOP_BUCKETS = tuple(float(i) for i in range(0, 11))
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

LOOKUP_KINDS = ("lookup", "get", "put", "provide", "find_providers", "refresh", "bootstrap")
LOOKUP_OUTCOMES = ("success", "not_found", "failure")


class PeerMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        r = self.registry
        self.dht_lookup_hops = Histogram(
            "p2pnet_dht_lookup_hops",
            "Referral depth of the closest peer a lookup found (1 = from the own routing table).",
            buckets=HOP_BUCKETS,
            registry=r,
        )
        self.dht_lookup_duration = Histogram(
            "p2pnet_dht_lookup_duration_seconds",
            "Wall time of one iterative lookup.",
            ["kind"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.dht_lookups = Counter(
            "p2pnet_dht_lookups",
            "Iterative lookups by kind and outcome.",
            ["kind", "outcome"],
            registry=r,
        )
        self.dht_routing_table_peers = Gauge(
            "p2pnet_dht_routing_table_peers", "Contacts in the routing table.", registry=r
        )
        self.dht_records = Gauge(
            "p2pnet_dht_records", "Records and provider records held.", ["type"], registry=r
        )
        self.rpc_server_requests = Counter(
            "p2pnet_rpc_server_requests",
            "RPCs this peer served, by service, method and gRPC status code.",
            ["service", "method", "code"],
            registry=r,
        )
        self.rpc_server_duration = Histogram(
            "p2pnet_rpc_server_duration_seconds",
            "Time to serve one RPC.",
            ["service", "method"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        for kind in LOOKUP_KINDS:
            for outcome in LOOKUP_OUTCOMES:
                self.dht_lookups.labels(kind, outcome)
