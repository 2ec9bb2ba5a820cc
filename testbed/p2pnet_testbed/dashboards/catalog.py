"""The five p2pnet dashboards: overview, DHT, gossip, transfer and NAT.

Every query aggregates over peers (sum/avg/min/max/count/histogram_quantile by bounded
labels): no panel shows a per-peer series, and none names a peer ID. Metric names are
DESIGN.md's metrics contract; ``p2pnet_network_target_peers`` is the target size the
testbed (locally) or the operator (on a cluster) exports.
"""

from __future__ import annotations

from p2pnet_testbed.dashboards.model import Annotation, Dashboard, Panel, Query, sel

RI = "[$__rate_interval]"
PEERS = "count(p2pnet_dht_routing_table_peers" + sel() + ")"
ALIVE = 'state="alive"'
NOT_OK = 'code!="OK"'
LOOKUP = 'kind="lookup"'
SUCCESS = 'outcome="success"'


def rate(metric: str, *matchers: str) -> str:
    return f"rate({metric}{sel(*matchers)}{RI})"


def sum_rate(metric: str, *matchers: str, by: str = "") -> str:
    grouping = f" by ({by}) " if by else ""
    return f"sum{grouping}({rate(metric, *matchers)})"


def quantile(q: float, histogram: str, *matchers: str, by: str = "") -> str:
    labels = f"le, {by}" if by else "le"
    return f"histogram_quantile({q}, {sum_rate(histogram + '_bucket', *matchers, by=labels)})"


def ratio(counter: str, good: str, *matchers: str, by: str = "") -> str:
    return f"{sum_rate(counter, good, *matchers, by=by)} / {sum_rate(counter, *matchers, by=by)}"


def peers_stat(metric: str, *matchers: str) -> tuple[Query, ...]:
    """avg, min and max of a per-peer gauge over all peers."""
    return tuple(Query(f"{f}({metric}{sel(*matchers)})", f) for f in ("avg", "min", "max"))


LOG2_N = Query(f"log2({PEERS})", "log2(N)")

CHURN = Annotation(
    name="Churn",
    expr=f"sum by (action) (increase(p2pnet_churn_events_total{sel()}{RI})) > 0",
    title="churn: {{action}}",
    color="#C4162A",
)

OVERVIEW = Dashboard(
    uid="p2pnet-overview",
    title="p2pnet / Overview",
    description="Peers up against the target, churn, and the health of each protocol.",
    annotations=(CHURN,),
    panels=(
        Panel(
            "Peers up vs target",
            (Query(PEERS, "up"), Query(f"max(p2pnet_network_target_peers{sel()})", "target")),
            unit="none",
            feature="core",
            description="Peers exporting metrics now, and the network's target size.",
        ),
        Panel(
            "Churn events",
            (
                Query(
                    f"sum by (action) (increase(p2pnet_churn_events_total{sel()}{RI}))",
                    "{{action}}",
                ),
            ),
            unit="short",
            feature="churn",
            description="Peers leaving and joining per interval (also marked as annotations).",
        ),
        Panel(
            "DHT lookup success rate",
            (Query(ratio("p2pnet_dht_lookups_total", SUCCESS, LOOKUP), "lookups"),),
            unit="percentunit",
            feature="dht",
            max=1.0,
        ),
        Panel(
            "Gossip convergence rounds (p99)",
            (Query(quantile(0.99, "p2pnet_gossip_rounds_to_learn"), "p99"), LOG2_N),
            unit="none",
            feature="gossip",
        ),
        Panel(
            "Membership view vs peers up",
            (
                Query(f"avg(p2pnet_membership_members{sel(ALIVE)}) + 1", "members alive (avg)"),
                Query(f"min(p2pnet_membership_members{sel(ALIVE)}) + 1", "members alive (min)"),
                Query(PEERS, "peers up"),
            ),
            unit="none",
            feature="gossip",
            description="Members each peer believes alive (itself included) against the "
            "peers actually up: SWIM's view lags churn by its detection time.",
        ),
        Panel(
            "Transfer throughput",
            (Query(sum_rate("p2pnet_transfer_bytes_total", by="direction"), "{{direction}}"),),
            unit="Bps",
            feature="transfer",
        ),
        Panel(
            "RPCs served by service",
            (Query(sum_rate("p2pnet_rpc_server_requests_total", by="service"), "{{service}}"),),
            unit="reqps",
            feature="core",
        ),
        Panel(
            "RPC error ratio",
            (
                Query(
                    f"(sum({rate('p2pnet_rpc_server_requests_total', NOT_OK)}) or vector(0))"
                    f" / {sum_rate('p2pnet_rpc_server_requests_total')}",
                    "errors",
                ),
            ),
            unit="percentunit",
            feature="core",
            description="Served RPCs that ended with a status other than OK.",
        ),
    ),
)

DHT = Dashboard(
    uid="p2pnet-dht",
    title="p2pnet / DHT",
    description="Kademlia lookups: success, hops against log2(N), latency, routing tables.",
    annotations=(CHURN,),
    panels=(
        Panel(
            "Lookup success rate by kind",
            (Query(ratio("p2pnet_dht_lookups_total", SUCCESS, by="kind"), "{{kind}}"),),
            unit="percentunit",
            feature="dht",
            max=1.0,
        ),
        Panel(
            "Lookups by outcome",
            (Query(sum_rate("p2pnet_dht_lookups_total", LOOKUP, by="outcome"), "{{outcome}}"),),
            unit="ops",
            feature="dht",
        ),
        Panel(
            "Lookup hops (p50, p99) and log2(N)",
            (
                Query(quantile(0.5, "p2pnet_dht_lookup_hops"), "p50"),
                Query(quantile(0.99, "p2pnet_dht_lookup_hops"), "p99"),
                LOG2_N,
            ),
            unit="none",
            feature="dht",
            description="Referral depth of the closest peer found; Kademlia needs about "
            "log2(N) hops at most.",
        ),
        Panel(
            "Lookup latency (p50, p99)",
            (
                Query(quantile(0.5, "p2pnet_dht_lookup_duration_seconds", LOOKUP), "p50"),
                Query(quantile(0.99, "p2pnet_dht_lookup_duration_seconds", LOOKUP), "p99"),
            ),
            unit="s",
            feature="dht",
        ),
        Panel(
            "Routing table size (contacts per peer)",
            peers_stat("p2pnet_dht_routing_table_peers"),
            unit="none",
            feature="dht",
        ),
        Panel(
            "Records held",
            (Query(f"sum by (type) (p2pnet_dht_records{sel()})", "{{type}}"),),
            unit="short",
            feature="dht",
        ),
        Panel(
            "DHT RPC latency p99 by method",
            (
                Query(
                    quantile(
                        0.99, "p2pnet_rpc_server_duration_seconds", 'service="Dht"', by="method"
                    ),
                    "{{method}}",
                ),
            ),
            unit="s",
            feature="dht",
        ),
        Panel(
            "DHT RPCs served by method",
            (
                Query(
                    sum_rate("p2pnet_rpc_server_requests_total", 'service="Dht"', by="method"),
                    "{{method}}",
                ),
            ),
            unit="reqps",
            feature="dht",
        ),
    ),
)

GOSSIP = Dashboard(
    uid="p2pnet-gossip",
    title="p2pnet / Gossip",
    description="SWIM membership and rumour dissemination: convergence, members, suspicions.",
    annotations=(CHURN,),
    panels=(
        Panel(
            "Convergence rounds (p50, max) and log2(N)",
            (
                Query(quantile(0.5, "p2pnet_gossip_rounds_to_learn"), "p50"),
                Query(quantile(1.0, "p2pnet_gossip_rounds_to_learn"), "max"),
                LOG2_N,
            ),
            unit="none",
            feature="gossip",
            description="Protocol periods from a rumour's origin until a peer learned it "
            "(max: the highest integer bucket with rumours in the interval).",
        ),
        Panel(
            "Members by state (average per peer)",
            (Query(f"avg by (state) (p2pnet_membership_members{sel()})", "{{state}}"),),
            unit="short",
            feature="gossip",
        ),
        Panel(
            "Suspicions and false suspicions",
            (
                Query(sum_rate("p2pnet_membership_suspicions_total"), "suspicions"),
                Query(sum_rate("p2pnet_membership_false_suspicions_total"), "false suspicions"),
            ),
            unit="ops",
            feature="gossip",
        ),
        Panel(
            "Messages sent by type",
            (Query(sum_rate("p2pnet_gossip_messages_total", by="type"), "{{type}}"),),
            unit="ops",
            feature="gossip",
        ),
        Panel(
            "Rumours learned",
            (Query(f"sum({rate('p2pnet_gossip_rounds_to_learn_count')})", "rumour receipts"),),
            unit="ops",
            feature="gossip",
        ),
        Panel(
            "Membership RPC latency p99 by method",
            (
                Query(
                    quantile(
                        0.99,
                        "p2pnet_rpc_server_duration_seconds",
                        'service="Membership"',
                        by="method",
                    ),
                    "{{method}}",
                ),
            ),
            unit="s",
            feature="gossip",
        ),
    ),
)

TRANSFER = Dashboard(
    uid="p2pnet-transfer",
    title="p2pnet / Transfer",
    description="Swarm file transfer: throughput, pieces, choking and download times.",
    annotations=(CHURN,),
    panels=(
        Panel(
            "Throughput up / down",
            (Query(sum_rate("p2pnet_transfer_bytes_total", by="direction"), "{{direction}}"),),
            unit="Bps",
            feature="transfer",
        ),
        Panel(
            "Pieces received by outcome",
            (Query(sum_rate("p2pnet_transfer_pieces_total", by="outcome"), "{{outcome}}"),),
            unit="cps",
            feature="transfer",
        ),
        Panel(
            "Unchoked peers",
            (
                Query(f"sum(p2pnet_transfer_unchoked_peers{sel()})", "total"),
                Query(f"max(p2pnet_transfer_unchoked_peers{sel()})", "max per peer"),
            ),
            unit="short",
            feature="transfer",
        ),
        Panel(
            "Download duration (p50, p99)",
            (
                Query(quantile(0.5, "p2pnet_transfer_download_duration_seconds"), "p50"),
                Query(quantile(0.99, "p2pnet_transfer_download_duration_seconds"), "p99"),
            ),
            unit="s",
            feature="transfer",
        ),
        Panel(
            "Downloads completed",
            (
                Query(
                    f"sum({rate('p2pnet_transfer_download_duration_seconds_count')})", "downloads"
                ),
            ),
            unit="ops",
            feature="transfer",
        ),
    ),
)

NAT = Dashboard(
    uid="p2pnet-nat",
    title="p2pnet / NAT",
    description="Connections by path (direct, hole punch, relay) and outcome.",
    annotations=(CHURN,),
    panels=(
        Panel(
            "Connections by path and outcome",
            (
                Query(
                    sum_rate("p2pnet_nat_connections_total", by="path, outcome"),
                    "{{path}} {{outcome}}",
                ),
            ),
            unit="ops",
            feature="nat",
        ),
        Panel(
            "Connection success rate by path",
            (Query(ratio("p2pnet_nat_connections_total", SUCCESS, by="path"), "{{path}}"),),
            unit="percentunit",
            feature="nat",
            max=1.0,
        ),
        Panel(
            "Share of connections by path",
            (
                Query(
                    f"{sum_rate('p2pnet_nat_connections_total', by='path')}"
                    f" / ignoring(path) group_left {sum_rate('p2pnet_nat_connections_total')}",
                    "{{path}}",
                ),
            ),
            unit="percentunit",
            feature="nat",
            max=1.0,
        ),
    ),
)

DASHBOARDS: tuple[Dashboard, ...] = (OVERVIEW, DHT, GOSSIP, TRANSFER, NAT)
