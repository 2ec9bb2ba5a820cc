"""hack/cluster_smoke.py (the kind-e2e workflow's check) against real local peers."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "hack" / "cluster_smoke.py"

pytestmark = pytest.mark.slow


def _smoke(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=300
    )


def test_put_through_one_peer_get_through_another(tmp_path: Path) -> None:
    ready = tmp_path / "ready.json"
    host = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "p2pnet_peer.cli",
            "--listen",
            "127.0.0.1:0",
            "--count",
            "4",
            "--metrics-port",
            "-1",
            "--preset",
            "local",
            "--ready-file",
            str(ready),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 180
        info: dict[str, object] = {}
        while not info.get("joined"):
            assert host.poll() is None, "p2pnet-peer exited"
            assert time.monotonic() < deadline, "peers did not join within 180 s"
            time.sleep(0.1)
            if ready.exists():
                info = json.loads(ready.read_text())
        addresses = [str(p["address"]) for p in info["peers"]]  # type: ignore[attr-defined]
        result = _smoke(addresses[0], addresses[-1], "--timeout", "120")
        assert result.returncode == 0, result.stdout + result.stderr
        summary = json.loads(result.stdout.splitlines()[-1])
        assert summary["ok"] is True and summary["replicas"] >= 1
    finally:
        os.kill(host.pid, signal.SIGTERM)
        host.wait(30)


def test_fails_with_a_reason_when_no_peer_answers() -> None:
    result = _smoke("127.0.0.1:1", "127.0.0.1:1", "--timeout", "0")
    assert result.returncode == 1
    assert json.loads(result.stdout)["ok"] is False
