"""Locust gRPC users for p2pnet peers (sync stubs under gevent).

    locust -f loadtests/locustfile.py --host runs/quickstart-20261125-101500
    locust -f loadtests/locustfile.py --host quickstart-peers.default.svc:7000

Tasks, weighted: Put then Get of the same key, Lookup of a random target, Broadcast of a
small rumour, Fetch of content the user published at start (Publish is reported too).
Every call is reported through Locust's request event, named by its method, with its gRPC
status code in the context and, unless OK, in the exception. Environment:
P2PNET_LOAD_RATE (calls per second over all users; 0 or unset: as fast as they go),
P2PNET_LOAD_USERS (to split that rate), P2PNET_LOAD_WEIGHTS (e.g. "put_get=3,lookup=3,
broadcast=1,fetch=1"), P2PNET_LOAD_CONTENT_BYTES (published content size, 64 KiB).
"""

from __future__ import annotations

import os
import random
import threading
import time
from collections.abc import Callable
from typing import Any

import grpc
import grpc.experimental.gevent as grpc_gevent
from locust import User, constant, constant_throughput, task

from p2pnet.v1 import control_pb2, control_pb2_grpc
from p2pnet_testbed.load.targets import resolve

grpc_gevent.init_gevent()  # before any channel exists

RATE = float(os.environ.get("P2PNET_LOAD_RATE", "0") or 0)
USERS = max(1, int(os.environ.get("P2PNET_LOAD_USERS", "1") or 1))
CONTENT_BYTES = int(os.environ.get("P2PNET_LOAD_CONTENT_BYTES", str(64 * 1024)))
TIMEOUT_S = 60.0
DEFAULT_WEIGHTS = {"put_get": 3, "lookup": 3, "broadcast": 1, "fetch": 1}


def _weights() -> dict[str, int]:
    weights = dict(DEFAULT_WEIGHTS)
    for item in os.environ.get("P2PNET_LOAD_WEIGHTS", "").split(","):
        name, sep, value = item.partition("=")
        if sep and name.strip() in weights:
            weights[name.strip()] = int(value)
    return weights


WEIGHTS = _weights()


class Peers:
    """The target addresses and one shared channel per address (channels are safe to share
    between greenlets)."""

    _lock = threading.Lock()
    addresses: list[str] = []
    stubs: dict[str, control_pb2_grpc.ControlStub] = {}

    @classmethod
    def load(cls, host: str) -> list[str]:
        with cls._lock:
            if not cls.addresses:
                cls.addresses = resolve(host)
            return cls.addresses

    @classmethod
    def stub(cls, address: str) -> control_pb2_grpc.ControlStub:
        stub = cls.stubs.get(address)
        if stub is None:
            stub = control_pb2_grpc.ControlStub(grpc.insecure_channel(address))
            cls.stubs[address] = stub
        return stub


class PeerUser(User):
    """One client driving random peers through their Control service."""

    wait_time = constant_throughput(RATE / USERS) if RATE > 0 else constant(0)

    def on_start(self) -> None:
        self.addresses = Peers.load(self.host or "")
        self.rng = random.Random()
        self.cid: bytes | None = None
        self.publisher = ""
        content = os.urandom(CONTENT_BYTES)
        self.publisher = self.rng.choice(self.addresses)
        reply = self.call(
            "Publish",
            lambda stub: stub.Publish(control_pb2.PublishRequest(data=content), timeout=TIMEOUT_S),
            self.publisher,
        )
        if reply is not None:
            self.cid = reply.cid

    def call(self, name: str, fn: Callable[[Any], Any], address: str | None = None) -> Any:
        """Run one call, report it to Locust with its gRPC status; its reply or None."""
        address = address or self.rng.choice(self.addresses)
        started = time.perf_counter()
        reply, exc, code, size = None, None, "OK", 0
        try:
            reply = fn(Peers.stub(address))
            size = reply.ByteSize() if hasattr(reply, "ByteSize") else 0
        except grpc.RpcError as error:
            code = error.code().name if hasattr(error, "code") else "UNKNOWN"
            exc = RuntimeError(f"{code}: {error.details() if hasattr(error, 'details') else ''}")
        self.environment.events.request.fire(
            request_type="grpc",
            name=name,
            response_time=(time.perf_counter() - started) * 1000,
            response_length=size,
            exception=exc,
            context={"grpc_code": code, "peer": address},
        )
        return reply

    @task(WEIGHTS["put_get"])
    def put_get(self) -> None:
        key, value = os.urandom(16), os.urandom(64)
        put = self.call(
            "Put", lambda s: s.Put(control_pb2.PutRequest(key=key, value=value), timeout=TIMEOUT_S)
        )
        if put is None:
            return
        got = self.call("Get", lambda s: s.Get(control_pb2.GetRequest(key=key), timeout=TIMEOUT_S))
        if got is not None and not (got.found and got.value == value):
            self._fail("Get", "value not found")

    @task(WEIGHTS["lookup"])
    def lookup(self) -> None:
        target = os.urandom(32)
        self.call(
            "Lookup",
            lambda s: s.Lookup(control_pb2.LookupRequest(target=target), timeout=TIMEOUT_S),
        )

    @task(WEIGHTS["broadcast"])
    def broadcast(self) -> None:
        payload = os.urandom(32)
        self.call(
            "Broadcast",
            lambda s: s.Broadcast(control_pb2.BroadcastRequest(payload=payload), timeout=TIMEOUT_S),
        )

    @task(WEIGHTS["fetch"])
    def fetch(self) -> None:
        if self.cid is None:
            return
        cid = self.cid

        def run(stub: Any) -> Any:
            last = None
            for reply in stub.Fetch(control_pb2.FetchRequest(cid=cid), timeout=TIMEOUT_S):
                last = reply
            return last

        reply = self.call("Fetch", run)
        if reply is not None and not reply.done:
            self._fail("Fetch", "stream ended before done")

    def _fail(self, name: str, reason: str) -> None:
        """A call that returned OK but the wrong result: one failure, reported apart."""
        self.environment.events.request.fire(
            request_type="check",
            name=name,
            response_time=0,
            response_length=0,
            exception=RuntimeError(reason),
            context={},
        )
