"""Tracing is configured by the standard OTEL_* variables, and off (at no cost) without them."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from p2pnet_peer.tracing.config import from_env


def test_off_by_default() -> None:
    assert not from_env({}).enabled
    assert not from_env({"OTEL_SERVICE_NAME": "x"}).enabled


def test_otlp_when_an_endpoint_is_set() -> None:
    config = from_env({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4317"})
    assert config.exporters == ("otlp",) and config.otlp_protocol == "grpc"
    config = from_env(
        {
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://127.0.0.1:4318/v1/traces",
            "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "http/protobuf",
        }
    )
    assert config.exporters == ("otlp",) and config.otlp_protocol == "http/protobuf"


def test_jsonl_file_for_local_runs() -> None:
    config = from_env({"P2PNET_TRACES_FILE": "/tmp/t/host-{pid}.jsonl"})
    assert config.exporters == ("jsonl",)
    assert config.traces_file == f"/tmp/t/host-{os.getpid()}.jsonl"
    both = from_env({"P2PNET_TRACES_FILE": "/tmp/t.jsonl", "OTEL_EXPORTER_OTLP_ENDPOINT": "x"})
    assert both.exporters == ("otlp", "jsonl")


def test_explicit_exporters_and_disabling() -> None:
    assert from_env({"OTEL_TRACES_EXPORTER": "console,none"}).exporters == ("console",)
    assert not from_env({"OTEL_TRACES_EXPORTER": "none", "P2PNET_TRACES_FILE": "f"}).enabled
    off = {"OTEL_SDK_DISABLED": "true", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://x:4317"}
    assert not from_env(off).enabled
    assert from_env(
        {"OTEL_TRACES_SAMPLER": "always_on", "P2PNET_TRACES_FILE": "f"}
    ).sampler_from_env
    with pytest.raises(ValueError, match="unknown exporter 'zipkin'"):
        from_env({"OTEL_TRACES_EXPORTER": "zipkin"})
    with pytest.raises(ValueError, match="P2PNET_TRACES_FILE"):
        from_env({"OTEL_TRACES_EXPORTER": "jsonl"})


PROBE = """
import asyncio, sys
from p2pnet_peer import tracing
from p2pnet_peer.metrics import PeerMetrics
from p2pnet_peer.rpc_server import build_server
from p2pnet_peer.transport.grpc_channels import ChannelPool

async def main():
    server, _ = build_server(PeerMetrics(), peer_tag=tracing.PeerTag("127.0.0.1:1"))
    pool = ChannelPool()
    pool.get("127.0.0.1:1")
    await pool.close()
    print(tracing.enabled(), len(tracing.server_interceptors(tracing.PeerTag())),
          any(m.startswith("opentelemetry") for m in sys.modules))

asyncio.run(main())
"""


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "False 0 False"),  # off: no interceptor, the SDK never imported
        ({"OTEL_TRACES_EXPORTER": "console"}, "True 2 True"),
    ],
)
def test_servers_and_channels_get_interceptors_only_when_on(
    env: dict[str, str], expected: str
) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "P2PNET_TRACES"))}
    out = subprocess.run(
        [sys.executable, "-c", PROBE], env={**clean, **env}, capture_output=True, text=True,
        check=True, timeout=60,
    )  # fmt: skip
    assert out.stdout.split("\n")[-2] == expected, out.stdout + out.stderr
