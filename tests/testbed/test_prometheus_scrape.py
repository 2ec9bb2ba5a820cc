"""``p2pnet run --prometheus``: Debian's Prometheus really scrapes every peer of the run."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

PEERS = 24


def query(url: str, promql: str) -> list[dict[str, object]]:
    with urllib.request.urlopen(
        f"{url}/api/v1/query?query={urllib.parse.quote(promql)}", timeout=5
    ) as response:
        body = json.loads(response.read())
    assert body["status"] == "success", body
    return body["data"]["result"]  # type: ignore[no-any-return]


def prometheus_url(events: Path) -> str | None:
    if not events.exists():
        return None
    for line in events.read_text().splitlines():
        event = json.loads(line)
        if event["type"] == "prometheus":
            return str(event["url"])
    return None


@pytest.mark.slow
def test_every_peer_is_scraped(tmp_path: Path, repo: Path, host_pids, assert_gone) -> None:  # type: ignore[no-untyped-def]
    if shutil.which("prometheus") is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install Debian's prometheus (hack/ci-system-packages.sh)")
        pytest.skip("prometheus is not installed (apt-get install prometheus)")
    run_dir = tmp_path / "run"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "p2pnet_testbed.cli",
            "run",
            str(repo / "examples" / "quickstart.yaml"),
            "--peers",
            str(PEERS),
            "--duration",
            "40s",
            "--out",
            str(run_dir),
            "--quiet",
            "--prometheus",
        ],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 150
        up: list[dict[str, object]] = []
        lookups: list[dict[str, object]] = []
        while time.monotonic() < deadline and proc.poll() is None:
            url = prometheus_url(run_dir / "events.jsonl")
            if url:
                try:
                    up = query(url, 'count(up{job="p2pnet-peer"} == 1)')
                    lookups = query(url, 'sum(p2pnet_dht_lookups_total{kind="lookup"})')
                except OSError:
                    pass
                counted = lookups and float(lookups[0]["value"][1]) > 0  # type: ignore[index]
                if up and float(up[0]["value"][1]) == PEERS and counted:  # type: ignore[index]
                    break
            time.sleep(1)
        assert up and float(up[0]["value"][1]) == PEERS, up  # type: ignore[index]
        assert lookups and float(lookups[0]["value"][1]) > 0, lookups  # type: ignore[index]
        targets = json.loads((run_dir / "targets.json").read_text())
        assert len(targets) == PEERS
    finally:
        if proc.poll() is None:
            proc.wait(timeout=120)
    assert proc.returncode == 0, proc.stderr.read() if proc.stderr else ""  # type: ignore[union-attr]
    assert (run_dir / "prometheus" / "data").is_dir()
    assert_gone(host_pids(run_dir))
