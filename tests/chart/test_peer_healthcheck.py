"""The peer image's HEALTHCHECK script against a real `p2pnet-peer` on loopback."""

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
SCRIPT = REPO / "deploy" / "docker" / "peer_healthcheck.py"

pytestmark = pytest.mark.slow


def _check(target: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), target], capture_output=True, text=True, timeout=60
    )


def test_serving_once_joined_and_failing_once_gone(tmp_path: Path) -> None:
    ready = tmp_path / "ready.json"
    peer = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "p2pnet_peer.cli",
            "--listen",
            "127.0.0.1:0",
            "--metrics-port",
            "0",
            "--preset",
            "local",
            "--ready-file",
            str(ready),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 180
        info: dict[str, object] = {}
        while not info.get("joined"):
            assert peer.poll() is None, peer.stderr.read() if peer.stderr else ""
            assert time.monotonic() < deadline, "the peer did not join within 180 s"
            time.sleep(0.1)
            if ready.exists():
                info = json.loads(ready.read_text())
        peers = info["peers"]
        assert isinstance(peers, list) and len(peers) == 1
        address = str(peers[0]["address"])
        ok = _check(address)
        assert ok.returncode == 0, ok.stdout + ok.stderr
        assert "SERVING" in ok.stdout
    finally:
        os.kill(peer.pid, signal.SIGTERM)
        peer.wait(30)
    gone = _check(address)
    assert gone.returncode == 1
    assert "not serving" in gone.stdout


def test_default_target_is_the_listen_port() -> None:
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        import peer_healthcheck as hc
    finally:
        sys.path.pop(0)
    assert hc.default_target({}) == "127.0.0.1:7000"
    assert hc.default_target({"P2PNET_LISTEN": "0.0.0.0:7100"}) == "127.0.0.1:7100"
