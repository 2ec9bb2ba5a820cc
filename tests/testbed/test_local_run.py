"""``p2pnet run`` on the local backend, end to end, with real processes and real gRPC."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

CHURN_SPEC = """\
name: churn32
spec:
  peers: 32
  bootstrapPeers: 2
  seed: 5
  duration: 30s
  dht: {{preset: local, k: 8, alpha: 3, requestTimeout: 3s}}
  churn:
    enabled: true
    mode: {mode}
    sessionTime: {{distribution: exponential, mean: 15s}}
    downtime: {{distribution: exponential, mean: 4s}}
    maxUnavailable: 4
  workload:
    lookupsPerSecond: 8
    putsPerSecond: 1
    rumoursPerMinute: 6
    files:
      - {{name: one.bin, size: 1MiB, seeders: 1, downloaders: 6}}
"""


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["restart", "replace"])
def test_32_peers_with_churn(tmp_path: Path, mode: str, p2pnet, host_pids, assert_gone) -> None:  # type: ignore[no-untyped-def]
    spec = tmp_path / "churn.yaml"
    spec.write_text(CHURN_SPEC.format(mode=mode))
    run_dir = tmp_path / "run"
    result = p2pnet("run", str(spec), "--out", str(run_dir), "--quiet", cwd=tmp_path, timeout=240)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads((run_dir / "report.json").read_text())
    assert report["complete"] is True
    assert report["peers"] == 32
    churn = report["churn"]
    assert churn["planned"] > 5, "the spec should schedule real churn"
    assert churn["all_applied"] and churn["events"] == churn["planned"]
    assert report["live_peers"]["min"] < 32  # peers really went down
    lookups = report["lookups"]
    assert lookups["count"] >= 100
    assert lookups["success_rate"] >= 0.99, lookups
    assert report["gets"]["success_rate"] >= 0.99, report["gets"]
    gossip = report["gossip"]
    assert gossip["rumours"] >= 2
    assert gossip["all_informed"], gossip  # every peer up from broadcast to end learned it
    transfer = report["transfer"]
    down_at_end = {e["peer"] for e in churn["log"]} - {  # last churn action was a leave
        p
        for p in {e["peer"] for e in churn["log"]}
        if [e for e in churn["log"] if e["peer"] == p][-1]["action"] == "join"
    }
    assert transfer["downloaders"] == 6
    assert transfer["downloaders_completed"] >= 6 - len(down_at_end), transfer
    assert transfer["downloaders_completed"] >= 1
    for name in ("report.html", "lookup_hops.png", "timeline.png", "convergence_rounds.png"):
        assert (run_dir / name).stat().st_size > 0
    assert_gone(host_pids(run_dir))


@pytest.mark.slow
def test_ctrl_c_mid_run_leaves_nothing_and_a_partial_report(
    tmp_path: Path,
    repo: Path,
    host_pids,
    assert_gone,  # type: ignore[no-untyped-def]
) -> None:
    run_dir = tmp_path / "run"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "p2pnet_testbed.cli",
            "run",
            str(repo / "examples" / "quickstart.yaml"),
            "--peers",
            "24",
            "--duration",
            "10m",
            "--out",
            str(run_dir),
            "--quiet",
        ],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        events = run_dir / "events.jsonl"
        while time.monotonic() < deadline:
            if events.exists() and '"lookup"' in events.read_text():
                break
            assert proc.poll() is None, proc.communicate()[1]
            time.sleep(0.5)
        else:
            pytest.fail("the run never got going")
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 1, err
    report = json.loads((run_dir / "report.json").read_text())
    assert report["complete"] is False
    assert report["end_reason"] == "interrupted"
    assert report["lookups"]["count"] > 0
    assert (run_dir / "report.html").exists()
    assert_gone(host_pids(run_dir))


@pytest.mark.slow
def test_report_is_rebuilt_from_saved_data(tmp_path: Path, repo: Path, p2pnet) -> None:  # type: ignore[no-untyped-def]
    run_dir = tmp_path / "run"
    result = p2pnet(
        "run",
        str(repo / "examples" / "quickstart.yaml"),
        "--peers",
        "24",
        "--duration",
        "5s",
        "--out",
        str(run_dir),
        "--quiet",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    first = json.loads((run_dir / "report.json").read_text())
    (run_dir / "report.json").unlink()
    (run_dir / "report.html").unlink()
    again = p2pnet("report", str(run_dir), cwd=tmp_path, timeout=60)
    assert again.returncode == 0, again.stderr
    assert json.loads((run_dir / "report.json").read_text()) == first
    assert (run_dir / "report.html").exists()
