"""``p2pnet-peer`` as a pod would run it: env configuration, health, /metrics, SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from p2pnet.v1 import control_pb2, control_pb2_grpc


def start_peer(tmp_path: Path, env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "p2pnet_peer.cli", *args],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=tmp_path,
    )


def wait_ready(path: Path, proc: subprocess.Popen[str], timeout: float = 60) -> dict:  # type: ignore[type-arg]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()[0]
        if path.exists():
            body = json.loads(path.read_text())
            if body["joined"]:
                return body  # type: ignore[no-any-return]
        time.sleep(0.1)
    raise AssertionError("peer never became ready")


def test_env_configured_peer_serves_health_metrics_and_stops_on_sigterm(tmp_path: Path) -> None:
    ready = tmp_path / "ready.json"
    seed = "ab" * 32
    proc = start_peer(
        tmp_path,
        {
            "P2PNET_LISTEN": "127.0.0.1:0",
            "P2PNET_METRICS_PORT": "0",
            "P2PNET_IDENTITY_SEED": seed,
            "P2PNET_READY_FILE": str(ready),
            "P2PNET_PRESET": "local",
            "P2PNET_DHT_K": "8",
        },
    )
    try:
        body = wait_ready(ready, proc)
        peer = body["peers"][0]
        channel = grpc.insecure_channel(peer["address"])
        health = health_pb2_grpc.HealthStub(channel).Check(
            health_pb2.HealthCheckRequest(), timeout=10
        )
        assert health.status == health_pb2.HealthCheckResponse.SERVING
        status = control_pb2_grpc.ControlStub(channel).Status(
            control_pb2.StatusRequest(), timeout=10
        )
        assert status.self.id.hex() == peer["id"]
        from p2pnet_peer.identity import Identity

        assert status.self.id == Identity.from_seed(bytes.fromhex(seed)).id  # env seed used
        url = f"http://127.0.0.1:{peer['metrics_port']}/metrics"
        text = urllib.request.urlopen(url, timeout=10).read().decode()
        for name in (
            "p2pnet_dht_lookup_hops_bucket",
            "p2pnet_dht_lookups_total",
            "p2pnet_dht_routing_table_peers",
            "p2pnet_dht_records",
            "p2pnet_rpc_server_requests_total",
        ):
            assert name in text, name
        assert 'method="Status"' in text  # the Status call above was counted
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
        assert proc.returncode == 0, out
        lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
        assert any(entry["msg"] == "shutting down" for entry in lines)  # structured logs
    finally:
        if proc.poll() is None:
            proc.kill()


def test_flag_wins_over_env_and_bad_values_name_their_source(tmp_path: Path) -> None:
    bad = start_peer(tmp_path, {"P2PNET_METRICS_PORT": "99999"})
    out, _ = bad.communicate(timeout=60)
    assert bad.returncode != 0
    assert "P2PNET_METRICS_PORT" in out
    flag = start_peer(tmp_path, {"P2PNET_COUNT": "zero"}, "--count", "0")
    out, _ = flag.communicate(timeout=60)
    assert flag.returncode != 0 and "--count" in out


def test_port_in_use_is_reported_not_hung(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = start_peer(tmp_path, {}, "--listen", f"127.0.0.1:{port}", "--metrics-port", "-1")
        out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 2, out
    assert f"127.0.0.1:{port}" in out
