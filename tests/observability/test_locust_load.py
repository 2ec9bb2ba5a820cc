"""Locust headless for 20 s against a 16-peer local network (``p2pnet load``): zero
failures, every task type recorded, and the peers' own request counters
(``p2pnet_rpc_server_requests_total``, scraped from every peer) agree with Locust's
counts within 1%. The network runs no workload of its own, so every Control call the
peers count came from Locust."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from .conftest import start_run, wait_ready, write_spec

PEERS = 16
SPEC = {
    "peers": PEERS,
    "bootstrapPeers": 2,
    "duration": "10m",  # stopped by the test once it has measured
    "dht": {"preset": "local", "k": 8},
    "gossip": {"preset": "local"},
    "workload": {"lookupsPerSecond": 0, "putsPerSecond": 0, "rumoursPerMinute": 0},
}
METHODS = ("Put", "Get", "Lookup", "Broadcast", "Fetch", "Publish")


@pytest.fixture
def network(tmp_path: Path) -> Iterator[Path]:
    spec = write_spec(tmp_path / "spec.yaml", "loaded", SPEC)
    run_dir = tmp_path / "run"
    proc = start_run(spec, run_dir)
    try:
        wait_ready(proc, run_dir)
        deadline = time.monotonic() + 30
        while len(peers(run_dir)) < PEERS and time.monotonic() < deadline:
            time.sleep(0.5)  # peers.json is rewritten every second
        assert len(peers(run_dir)) == PEERS
        yield run_dir
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)  # Ctrl-C: stops everything in order
        proc.communicate(timeout=120)


def peers(run_dir: Path) -> list[dict[str, str]]:
    try:
        return list(json.loads((run_dir / "peers.json").read_text()))
    except (OSError, ValueError):
        return []


def control_requests(run_dir: Path) -> Counter[str]:
    """Control RPCs served, by method, summed over every peer's own counter."""
    counts: Counter[str] = Counter()
    for peer in peers(run_dir):
        with urllib.request.urlopen(f"http://{peer['metrics']}/metrics", timeout=10) as r:
            text = r.read().decode()
        for family in text_string_to_metric_families(text):
            if family.name != "p2pnet_rpc_server_requests":
                continue
            for sample in family.samples:
                if sample.name.endswith("_total") and sample.labels["service"] == "Control":
                    counts[sample.labels["method"]] += int(sample.value)
    return counts


@pytest.mark.slow
def test_locust_counts_match_the_peers_counters(network: Path) -> None:
    before = control_requests(network)
    out = subprocess.run(
        [sys.executable, "-m", "p2pnet_testbed.cli", "load", str(network), "--users", "8",
         "--duration", "20s"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-3000:] + (network / "load" / "locust.log").read_text()
    stats = json.loads(out.stdout.strip().splitlines()[-1])
    after = control_requests(network)
    served = after - before

    for method in METHODS:
        assert stats[method]["requests"] > 0, f"{method} never ran: {stats}"
        assert stats[method]["failures"] == 0, stats[method]
    for method in METHODS:
        locust = stats[method]["requests"]
        assert abs(served[method] - locust) <= 0.01 * locust, (method, served[method], locust)
    for name in ("locust_stats.csv", "locust.html", "locust.json"):
        assert (network / "load" / name).stat().st_size > 0, name
