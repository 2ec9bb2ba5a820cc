"""A short check that a running network works: Put through one peer, Get through another.

    python hack/cluster_smoke.py PUT_ADDR GET_ADDR [--timeout 60]

Both addresses are peers' gRPC `host:port`. Checks that the first peer has routing-table
entries, stores a fresh key there (acknowledged by at least one replica), and reads the
same value back through the second peer; retries until `--timeout` while the network
settles. Prints one JSON line; exit 0 on success. It needs only grpcio and p2pnet's stubs,
so it also runs inside a peer pod (the kind-e2e workflow pipes it to `python -`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import grpc

from p2pnet.v1 import control_pb2, control_pb2_grpc

OPTIONS = [("grpc.enable_http_proxy", 0)]


def check(put_addr: str, get_addr: str, key: bytes, value: bytes) -> dict[str, object]:
    with (
        grpc.insecure_channel(put_addr, options=OPTIONS) as a,
        grpc.insecure_channel(get_addr, options=OPTIONS) as b,
    ):
        put_peer, get_peer = control_pb2_grpc.ControlStub(a), control_pb2_grpc.ControlStub(b)
        status = put_peer.Status(control_pb2.StatusRequest(), timeout=10)
        if status.routing_table_peers < 1:
            raise RuntimeError(f"{put_addr} has an empty routing table")
        put = put_peer.Put(control_pb2.PutRequest(key=key, value=value), timeout=30)
        if put.replicas < 1:
            raise RuntimeError(f"Put through {put_addr}: no replica acknowledged")
        got = get_peer.Get(control_pb2.GetRequest(key=key), timeout=30)
        if not got.found or got.value != value:
            raise RuntimeError(f"Get through {get_addr}: value not found")
        return {
            "routing_table_peers": status.routing_table_peers,
            "replicas": put.replicas,
            "get_hops": got.stats.hops,
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("put_addr")
    parser.add_argument("get_addr")
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args(argv)
    key, value = b"smoke-" + os.urandom(8).hex().encode(), os.urandom(32)
    deadline = time.monotonic() + args.timeout
    while True:
        try:
            result = check(args.put_addr, args.get_addr, key, value)
        except (grpc.RpcError, RuntimeError) as e:
            if time.monotonic() > deadline:
                print(json.dumps({"ok": False, "error": str(e)}))
                return 1
            time.sleep(2)
            continue
        print(json.dumps({"ok": True, **result}))
        return 0


if __name__ == "__main__":
    sys.exit(main())
