"""Dashboards and alert rules are generated from Python: no drift, every query parses,
units and template variables are set, nothing is grouped by peer."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import promql_parser
import pytest

from p2pnet_testbed.dashboards import DASHBOARDS
from p2pnet_testbed.dashboards.alerts import rules
from p2pnet_testbed.dashboards.model import UNITS, expand

REPO = Path(__file__).resolve().parents[2]
CHART = REPO / "deploy" / "helm" / "p2pnet"
METRICS = {
    # DESIGN.md's metrics contract, the RPC metrics and the testbed's target size.
    "p2pnet_dht_lookup_hops_bucket",
    "p2pnet_dht_lookup_duration_seconds_bucket",
    "p2pnet_dht_lookups_total",
    "p2pnet_dht_routing_table_peers",
    "p2pnet_dht_records",
    "p2pnet_gossip_rounds_to_learn_bucket",
    "p2pnet_gossip_rounds_to_learn_count",
    "p2pnet_gossip_messages_total",
    "p2pnet_membership_members",
    "p2pnet_membership_suspicions_total",
    "p2pnet_membership_false_suspicions_total",
    "p2pnet_transfer_bytes_total",
    "p2pnet_transfer_pieces_total",
    "p2pnet_transfer_download_duration_seconds_bucket",
    "p2pnet_transfer_download_duration_seconds_count",
    "p2pnet_transfer_unchoked_peers",
    "p2pnet_nat_connections_total",
    "p2pnet_churn_events_total",
    "p2pnet_network_target_peers",
    "p2pnet_rpc_server_requests_total",
    "p2pnet_rpc_server_duration_seconds_bucket",
}
PER_PEER_LABELS = {"instance", "pod", "peer", "id", "peer_id", "address"}


def walk(expr: object) -> list[object]:
    """Every node of a parsed PromQL expression."""
    nodes, stack = [], [expr]
    while stack:
        node = stack.pop()
        nodes.append(node)
        for attr in ("lhs", "rhs", "expr", "vector_selector", "param"):
            child = getattr(node, attr, None)
            if child is not None and not isinstance(child, str | int | float):
                stack.append(child)
        stack.extend(getattr(node, "args", None) or [])
    return nodes


def all_queries() -> list[tuple[str, str]]:
    out = []
    for d in DASHBOARDS:
        out += [(f"{d.title} / {p.title}", q.expr) for p in d.panels for q in p.queries]
        out += [(f"{d.title} / annotation {a.name}", a.expr) for a in d.annotations]
    return out


def test_generated_files_have_not_drifted(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, str(REPO / "hack" / "gen_dashboards.py"), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    generated = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert generated, "the generator wrote nothing"
    for rel in generated:
        committed = REPO / rel
        assert committed.exists(), f"{rel} is not committed: run python hack/gen_dashboards.py"
        assert committed.read_text() == (tmp_path / rel).read_text(), (
            f"{rel} drifted from its Python source: run python hack/gen_dashboards.py"
        )
    for folder in (REPO / "dashboards", CHART / "dashboards"):
        on_disk = {p.name for p in folder.glob("*.json")}
        assert on_disk == {d.file_name for d in DASHBOARDS}, f"stray dashboards in {folder}"


def test_the_five_dashboards_exist() -> None:
    assert [d.file_name for d in DASHBOARDS] == [
        "overview.json",
        "dht.json",
        "gossip.json",
        "transfer.json",
        "nat.json",
    ]


@pytest.mark.parametrize("name", [d.file_name for d in DASHBOARDS])
def test_variables_units_and_datasource(name: str) -> None:
    model = json.loads((REPO / "dashboards" / name).read_text())
    variables = {v["name"]: v for v in model["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"
    for var in ("network", "namespace"):
        assert variables[var]["type"] == "query"
        assert variables[var]["includeAll"] and variables[var]["allValue"] == ".*"
    assert model["panels"]
    for panel in model["panels"]:
        assert panel["datasource"]["uid"] == "${datasource}", panel["title"]
        assert panel["fieldConfig"]["defaults"]["unit"] in UNITS, panel["title"]
        for target in panel["targets"]:
            assert 'network=~"$network"' in target["expr"], (panel["title"], target["expr"])
            assert 'namespace=~"$namespace"' in target["expr"], (panel["title"], target["expr"])


@pytest.mark.parametrize(("where", "expr"), all_queries())
def test_every_query_parses_and_names_no_peer(where: str, expr: str) -> None:
    parsed = promql_parser.parse(expand(expr, network="quickstart", rate_interval="8s"))
    for node in walk(parsed):
        if isinstance(node, promql_parser.VectorSelector) and node.name:
            assert node.name in METRICS, f"{where}: unknown metric {node.name}"
        modifier = getattr(node, "modifier", None)
        labels = set(getattr(modifier, "labels", None) or [])
        if isinstance(node, promql_parser.AggregateExpr) and labels:
            assert not labels & PER_PEER_LABELS, f"{where}: grouped by peer: {labels}"
    outer = parsed
    while isinstance(outer, promql_parser.ParenExpr):
        outer = outer.expr
    # Every query aggregates over peers: its outermost operation is an aggregation, a
    # function of one (histogram_quantile, log2) or arithmetic between such.
    assert not isinstance(outer, promql_parser.VectorSelector), f"{where}: not aggregated"


def test_hops_panel_shows_the_log2_reference() -> None:
    dht = next(d for d in DASHBOARDS if d.uid == "p2pnet-dht")
    hops = next(p for p in dht.panels if "hops" in p.title.lower())
    exprs = [q.expr for q in hops.queries]
    assert any("histogram_quantile(0.5," in e for e in exprs)
    assert any("histogram_quantile(0.99," in e for e in exprs)
    assert any(e.startswith("log2(") for e in exprs)


def test_alert_rules_cover_the_issue() -> None:
    names = {r["alert"] for r in rules()}
    assert names == {
        "P2pnetLookupSuccessLow",
        "P2pnetGossipConvergenceSlow",
        "P2pnetPeersDown",
        "P2pnetFalseSuspicionsHigh",
        "P2pnetTransferStalled",
    }
    for r in rules():
        promql_parser.parse(r["expr"])
        assert "network" in r["expr"], r["alert"]
