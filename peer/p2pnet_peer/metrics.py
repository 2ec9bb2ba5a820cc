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

ROUND_BUCKETS = tuple(float(i) for i in range(0, 31))
GOSSIP_MESSAGE_TYPES = (
    "ping",  # probes sent
    "ack",  # acks sent
    "gossip",  # pings sent only to spread what is queued (memberlist's gossip)
    "ping_req",  # indirect probe requests sent
    "ping_req_ack",  # answers to indirect probe requests sent
    "push_pull",  # full-state exchanges sent, requests and answers
    "member_update",  # member updates piggybacked on the above
    "rumour",  # rumour copies piggybacked on the above
)
MEMBER_STATES = ("alive", "suspect", "dead", "left")
TRANSFER_DIRECTIONS = ("upload", "download")
NAT_PATHS = ("direct", "holepunch", "relay")
NAT_OUTCOMES = ("success", "failure")
PIECE_OUTCOMES = ("verified", "bad", "duplicate", "unexpected")
DOWNLOAD_BUCKETS = (1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0)


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
        self.dht_records_handed_off = Counter(
            "p2pnet_dht_records_handed_off",
            "Records stored on a newly seen peer that is among the k closest to their key.",
            registry=r,
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
        self.transfer_bytes = Counter(
            "p2pnet_transfer_bytes",
            "Piece payload bytes sent and received, by direction (upload, download).",
            ["direction"],
            registry=r,
        )
        self.transfer_pieces = Counter(
            "p2pnet_transfer_pieces",
            "Pieces received, by outcome (verified, bad, duplicate, unexpected).",
            ["outcome"],
            registry=r,
        )
        self.transfer_download_duration = Histogram(
            "p2pnet_transfer_download_duration_seconds",
            "Time from the start of a fetch to its last verified piece.",
            buckets=DOWNLOAD_BUCKETS,
            registry=r,
        )
        self.transfer_unchoked_peers = Gauge(
            "p2pnet_transfer_unchoked_peers",
            "Neighbours this peer uploads to now, over all content.",
            registry=r,
        )
        for direction in TRANSFER_DIRECTIONS:
            self.transfer_bytes.labels(direction)
        for piece_outcome in PIECE_OUTCOMES:
            self.transfer_pieces.labels(piece_outcome)
        self.gossip_rounds_to_learn = Histogram(
            "p2pnet_gossip_rounds_to_learn",
            "Protocol periods from a rumour's origin until this peer learned it (its round "
            "counter on first receipt).",
            buckets=ROUND_BUCKETS,
            registry=r,
        )
        self.gossip_messages = Counter(
            "p2pnet_gossip_messages",
            "SWIM messages this peer sent by type; member_update and rumour count items "
            "piggybacked on them.",
            ["type"],
            registry=r,
        )
        self.membership_members = Gauge(
            "p2pnet_membership_members",
            "Members this peer knows, by SWIM state (itself excluded).",
            ["state"],
            registry=r,
        )
        self.membership_suspicions = Counter(
            "p2pnet_membership_suspicions",
            "Probes by this peer that got no ack, direct or indirect: suspicions it raised.",
            registry=r,
        )
        self.membership_false_suspicions = Counter(
            "p2pnet_membership_false_suspicions",
            "Suspicions this peer raised whose member refuted them: it was alive.",
            registry=r,
        )
        for kind in LOOKUP_KINDS:
            for outcome in LOOKUP_OUTCOMES:
                self.dht_lookups.labels(kind, outcome)
        self.nat_connections = Counter(
            "p2pnet_nat_connections",
            "Connections this peer opened, by path (direct, holepunch, relay) and outcome "
            "(success, failure): a direct or relayed connection counts when it comes up or "
            "fails, every hole-punch attempt counts.",
            ["path", "outcome"],
            registry=r,
        )
        for path in NAT_PATHS:
            for nat_outcome in NAT_OUTCOMES:
                self.nat_connections.labels(path, nat_outcome)
        for kind in GOSSIP_MESSAGE_TYPES:
            self.gossip_messages.labels(kind)
