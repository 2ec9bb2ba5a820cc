"""A real local run (24 gRPC peers, churn, DHT, gossip and file transfer workloads),
scraped by Debian's Prometheus: ``p2pnet run --prometheus`` ends by evaluating every query
of every dashboard panel over the run (``p2pnet observe``). Every query parses, returns
data and names no peer; panels of features that are off in the run (NAT) are listed and
skipped by name. The run also records traces (``--traces``): the report has the slowest
lookup's waterfall."""

from __future__ import annotations

import json
from pathlib import Path

import promql_parser
import pytest

from p2pnet_testbed.dashboards import DASHBOARDS

from .conftest import require_prometheus, start_run, write_spec

PEERS = 24
SPEC = {
    "peers": PEERS,
    "bootstrapPeers": 2,
    "seed": 5,
    "duration": "40s",
    "dht": {"preset": "local"},
    "gossip": {"preset": "local"},
    "transfer": {"pieceSize": "64KiB"},
    "churn": {
        "enabled": True,
        "sessionTime": {"mean": "20s"},
        "downtime": {"mean": "5s"},
        "maxUnavailable": 3,
    },
    "workload": {
        "lookupsPerSecond": 4,
        "putsPerSecond": 1,
        "rumoursPerMinute": 12,
        "files": [{"name": "f.bin", "size": "1MiB", "seeders": 1, "downloaders": 8}],
    },
}
OFF_IN_THIS_RUN = {"nat"}  # spec.nat is absent: no peer is behind a NAT
PER_PEER_LABELS = {"instance", "pod", "peer", "id", "address", "job"}


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_prometheus()
    base = tmp_path_factory.mktemp("observe")
    spec = write_spec(base / "spec.yaml", "observed", SPEC)
    run = base / "run"
    proc = start_run(spec, run, "--prometheus", "--traces")
    _, err = proc.communicate(timeout=420)
    assert proc.returncode == 0, err[-3000:]
    return run


@pytest.mark.slow
def test_every_panel_query_returns_data(run_dir: Path) -> None:
    panels = json.loads((run_dir / "dashboards" / "panels.json").read_text())
    assert panels["network"] == "observed"
    assert [d["uid"] for d in panels["dashboards"]] == [d.uid for d in DASHBOARDS]
    skipped, empty = [], []
    for dashboard in panels["dashboards"]:
        for panel in dashboard["panels"]:
            where = f"{dashboard['title']} / {panel['title']}"
            for query in panel["queries"]:
                promql_parser.parse(query["expr"])  # exactly what was sent to Prometheus
                assert query["error"] is None, (where, query)
                assert not set(query["labels"]) & PER_PEER_LABELS, (where, query["labels"])
            if panel["feature"] in OFF_IN_THIS_RUN:
                skipped.append(where)
                continue
            empty += [f"{where}: {q['expr']}" for q in panel["queries"] if q["finite_points"] == 0]
    print("skipped (feature off in this run):", *skipped, sep="\n  ")
    assert skipped == [
        f"{d.title} / {p.title}" for d in DASHBOARDS for p in d.panels
        if p.feature in OFF_IN_THIS_RUN
    ]  # fmt: skip
    assert not empty, "queries without data:\n" + "\n".join(empty)
    overview = panels["dashboards"][0]
    assert overview["annotations"] > 0, "churn happened: the overview marks it"


@pytest.mark.slow
def test_one_png_per_dashboard_and_the_trace_waterfall(run_dir: Path) -> None:
    for d in DASHBOARDS:
        image = run_dir / "dashboards" / d.file_name.replace(".json", ".png")
        assert image.stat().st_size > 20_000, image
    report = json.loads((run_dir / "report.json").read_text())
    slowest = report["traces"]["slowest_lookup"]
    assert slowest is not None and slowest["spans"] >= 3 and slowest["peers"] >= 2, slowest
    assert (run_dir / "trace_waterfall.png").stat().st_size > 10_000
    page = (run_dir / "report.html").read_text()
    assert 'src="trace_waterfall.png"' in page and 'src="dashboards/dht.png"' in page
