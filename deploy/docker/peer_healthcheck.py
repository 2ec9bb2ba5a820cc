"""The peer image's HEALTHCHECK: ask the peer's standard grpc.health.v1 service.

    python peer_healthcheck.py [HOST:PORT]

Exit 0 when the peer answers SERVING (it has joined its network), 1 otherwise. The target
defaults to 127.0.0.1 and the port of P2PNET_LISTEN (7000). Kubernetes does not use this:
the operator gives peer pods a native `grpc` readiness probe on the same service.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

DEFAULT_LISTEN = "0.0.0.0:7000"


def default_target(env: Mapping[str, str]) -> str:
    port = env.get("P2PNET_LISTEN", DEFAULT_LISTEN).rsplit(":", 1)[-1]
    return f"127.0.0.1:{port}"


def serving(target: str, timeout: float = 3.0) -> bool:
    # Never through a proxy: the peer is on loopback.
    with grpc.insecure_channel(target, options=[("grpc.enable_http_proxy", 0)]) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        try:
            reply = stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=timeout)
        except grpc.RpcError:
            return False
    return bool(reply.status == health_pb2.HealthCheckResponse.SERVING)


def main(argv: list[str]) -> int:
    target = argv[0] if argv else default_target(os.environ)
    ok = serving(target)
    print(f"{target}: {'SERVING' if ok else 'not serving'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
