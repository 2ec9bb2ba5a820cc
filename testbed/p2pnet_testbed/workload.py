"""Drives the spec's workload against live peers through their Control API.

Every operation becomes one event in the run log. A lookup succeeds when the closest peer
it returns is the true closest among the peers that were up for the whole lookup (churn
makes any stricter "truth" ill-defined); a get succeeds when it returns the value put.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from p2pnet.v1 import control_pb2
from p2pnet_operator.planner import FileAssignment
from p2pnet_peer.transport.base import PeerUnreachable
from p2pnet_peer.transport.grpc_channels import ChannelPool, GrpcTransport
from p2pnet_testbed.events import EventLog
from p2pnet_testbed.local.network import LocalNetwork, PeerSlot
from p2pnet_testbed.workload_files import distribute
from p2pnet_testbed.workload_gossip import broadcast_and_measure

CONTROL = "p2pnet.v1.Control"
MAX_IN_FLIGHT = 64
GET_DELAY_S = 1.0  # a key is read back no sooner than this after its put


def closest_distance(ids: list[str], target: bytes) -> int:
    t = int.from_bytes(target, "big")
    return min(int(i, 16) ^ t for i in ids)


class Workload:
    def __init__(
        self,
        network: LocalNetwork,
        log: EventLog,
        *,
        lookups_per_s: float,
        puts_per_s: float,
        seed: int,
        rumours_per_min: float = 0.0,
        files: tuple[FileAssignment, ...] = (),
        run_dir: Path | None = None,
        rumour_timeout_s: float = 30.0,
        rpc_timeout: float = 30.0,
    ) -> None:
        self.network = network
        self.log = log
        self.lookups_per_s = lookups_per_s
        self.puts_per_s = puts_per_s
        self.rng = random.Random(seed)
        self.seed = seed
        self.rumours_per_min = rumours_per_min
        self.files = files
        self.run_dir = run_dir
        self.rumour_timeout_s = rumour_timeout_s
        self.timeout = rpc_timeout
        self.pool = ChannelPool()
        self.transport = GrpcTransport(self.pool)
        self._in_flight = asyncio.Semaphore(MAX_IN_FLIGHT)
        self._stored: list[tuple[float, bytes, bytes]] = []
        self.skipped = 0

    async def call(self, slot: PeerSlot, method: str, request: Any) -> Any:
        address = slot.control or slot.address  # netns mode: a unix socket
        return await self.transport.call(address, CONTROL, method, request, self.timeout)

    def pick(self) -> PeerSlot | None:
        live = self.network.live()
        return self.rng.choice(live) if live else None

    def failed(self, op: str, slot: PeerSlot, exc: PeerUnreachable) -> None:
        """Log a failed call; if the peer itself left meanwhile, the call was aborted by
        churn, not failed by the protocol, and the report leaves it out of the rates."""
        left = not any(s.id == slot.id for s in self.network.live())
        self.log.write(op, ok=False, peer=slot.index, error=exc.reason, aborted=left)

    async def run(self) -> None:
        """Until cancelled: issue operations at the configured rates."""
        try:
            async with asyncio.TaskGroup() as group:
                if self.lookups_per_s > 0:
                    group.create_task(self._every(1 / self.lookups_per_s, self.lookup, group))
                if self.puts_per_s > 0:
                    group.create_task(self._every(1 / self.puts_per_s, self.put, group))
                    group.create_task(self._every(1 / self.puts_per_s, self.get, group))
                if self.rumours_per_min > 0:
                    group.create_task(self._every(60 / self.rumours_per_min, self.rumour, group))
                for f in self.files:
                    assert self.run_dir is not None
                    group.create_task(distribute(self, f, self.run_dir, self.seed))
        finally:
            await self.pool.close()

    async def _every(
        self, interval: float, op: Callable[[], Awaitable[None]], group: asyncio.TaskGroup
    ) -> None:
        next_at = time.monotonic() + self.rng.random() * interval
        while True:
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))
            next_at += interval
            if self._in_flight.locked():
                self.skipped += 1  # the peers cannot keep up; counted, not queued
                continue
            group.create_task(self._bounded(op))

    async def _bounded(self, op: Callable[[], Awaitable[None]]) -> None:
        async with self._in_flight:
            await op()

    async def lookup(self) -> None:
        slot = self.pick()
        if slot is None:
            return
        target = self.rng.randbytes(32)
        # peers behind NAT are DHT clients, in no routing table: never a lookup's answer
        before = {s.id for s in self.network.live() if s.id != slot.id and s.nat == "public"}
        started = time.monotonic()
        try:
            res = await self.call(slot, "Lookup", control_pb2.LookupRequest(target=target))
        except PeerUnreachable as exc:
            self.failed("lookup", slot, exc)
            return
        ms = (time.monotonic() - started) * 1000
        stayed = [i for i in before if i in {s.id for s in self.network.live()}]
        ok = bool(res.closest) and bool(stayed)
        if ok:
            found = int.from_bytes(res.closest[0].id, "big") ^ int.from_bytes(target, "big")
            ok = found <= closest_distance(stayed, target)
        self.log.write(
            "lookup",
            ok=ok,
            peer=slot.index,
            hops=res.stats.hops,
            rpcs=res.stats.rpcs,
            ms=round(ms, 2),
        )

    async def rumour(self) -> None:
        await broadcast_and_measure(self, self.rumour_timeout_s)

    async def put(self) -> None:
        slot = self.pick()
        if slot is None:
            return
        key, value = os.urandom(16), os.urandom(64)
        try:
            res = await self.call(slot, "Put", control_pb2.PutRequest(key=key, value=value))
        except PeerUnreachable as exc:
            self.failed("put", slot, exc)
            return
        ok = res.replicas > 0
        if ok:
            self._stored.append((time.monotonic(), key, value))
        self.log.write("put", ok=ok, peer=slot.index, replicas=res.replicas)

    async def get(self) -> None:
        ready = [s for s in self._stored if time.monotonic() - s[0] >= GET_DELAY_S]
        slot = self.pick()
        if not ready or slot is None:
            return
        _, key, value = self.rng.choice(ready)
        try:
            res = await self.call(slot, "Get", control_pb2.GetRequest(key=key))
        except PeerUnreachable as exc:
            self.failed("get", slot, exc)
            return
        ok = res.found and res.value == value
        self.log.write("get", ok=ok, peer=slot.index, hops=res.stats.hops)
