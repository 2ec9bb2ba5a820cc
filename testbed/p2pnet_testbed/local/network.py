"""The local backend's network: the plan's peers hosted in a few processes on 127.0.0.x.

Peer i listens on 127.0.0.(2 + i mod 250) with an OS-assigned port. Leaving is a crash
(the peer's server closes at once, no goodbye); joining starts the peer again with the
identity of its generation (restart mode: the same; replace mode: a new one).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from p2pnet_operator.planner import Plan
from p2pnet_testbed.local.hosts import HostError, HostProcess
from p2pnet_testbed.nat.placement import NatPlacement
from p2pnet_testbed.nat.run_events import run_event


class RunError(RuntimeError):
    """The run cannot go on (a peer failed to start, a host died); says which and why."""


@dataclass
class PeerSlot:
    index: int
    host: HostProcess
    listen_host: str
    nat: str
    generation: int = 0
    up: bool = False
    joined: bool = False
    id: str = ""
    address: str = ""
    control: str = ""  # where the supervisor calls Control (a unix socket in netns mode)
    metrics_host: str = ""  # where /metrics is served, when not on listen_host (netns mode)
    metrics_port: int | None = None
    error: str = ""


def listen_host(index: int) -> str:
    return f"127.0.0.{2 + index % 250}"


class LocalNetwork:
    def __init__(
        self,
        plan: Plan,
        run_dir: Path,
        peer_config_json: str,
        *,
        peers_per_host: int = 16,
        emit: Callable[..., object] = lambda kind, **fields: None,
        host_env: dict[str, str] | None = None,
        nat: NatPlacement | None = None,
    ) -> None:
        self.plan = plan
        self.run_dir = run_dir
        self.config_json = peer_config_json
        self.peers_per_host = peers_per_host
        self.emit = emit  # emit(kind, **fields): into the run's event log
        self.host_env = host_env or {}  # extra environment for the host processes
        self.nat = nat  # NAT emulation: where peers run (netns mode) and what hosts are told
        self.hosts: list[HostProcess] = []
        self.slots: list[PeerSlot] = []
        self._changed = asyncio.Condition()

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self, join_timeout: float = 120.0) -> None:
        """Start the hosts, then the bootstrap peers, then everyone else; wait for joins."""
        n_hosts = math.ceil(len(self.plan.peers) / self.peers_per_host)
        logs = self.run_dir / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        self.hosts = [
            HostProcess(f"host-{h}", logs / f"host-{h}.log", self._host_event, self.host_env)
            for h in range(n_hosts)
        ]
        if self.nat is not None:
            self.hosts = [
                HostProcess(
                    h.name, logs / f"{h.name}.log", self._host_event, self.host_env, h.netns
                )
                for h in self.nat.hosts
            ]
        try:
            await asyncio.gather(*(h.start(self.config_json) for h in self.hosts))
        except HostError as exc:
            raise RunError(str(exc)) from None
        finally:
            pids = [h.proc.pid for h in self.hosts if h.proc is not None]
            self.emit("hosts", pids=pids)
        self.slots = [
            PeerSlot(p.index, self.hosts[p.index % len(self.hosts)], listen_host(p.index), p.nat)
            for p in self.plan.peers
        ]
        if self.nat is not None:
            for slot in self.slots:
                slot.host = self.hosts[self.nat.host_index(slot.index)]
                slot.listen_host = self.nat.listen_host(slot.index)
        first, *others = [self.slots[i] for i in self.plan.bootstrap]
        self._start(first, bootstrap=[])
        await self._wait(lambda: first.joined, join_timeout, "the first bootstrap peer")
        for slot in others:
            self._start(slot, bootstrap=[first.address])
        await self._wait(lambda: all(s.joined for s in others), join_timeout, "bootstrap peers")
        seeds = self.bootstrap_addresses()
        relays = [self.slots[i] for i in self.plan.relays]  # up before the peers they serve
        for slot in relays:
            self._start(slot, bootstrap=seeds)
        await self._wait(lambda: all(s.joined for s in relays), join_timeout, "relays")
        for slot in self.slots:
            if not slot.up:
                self._start(slot, bootstrap=seeds)
        await self._wait(lambda: all(s.joined for s in self.slots), join_timeout, "peers to join")

    async def stop(self) -> None:
        await asyncio.gather(*(h.stop() for h in self.hosts))

    # -- churn -----------------------------------------------------------------------------

    def bootstrap_addresses(self) -> list[str]:
        return [self.slots[i].address for i in self.plan.bootstrap if self.slots[i].up]

    def _start(self, slot: PeerSlot, bootstrap: list[str]) -> None:
        seed = self.plan.identity_seed(slot.index, slot.generation)
        slot.error = ""
        try:
            slot.host.send(
                op="start",
                slot=slot.index,
                seed=seed.hex(),
                listen=f"{slot.listen_host}:0",
                metrics=f"{slot.listen_host}:0",
                bootstrap=bootstrap,
                nat=slot.nat,
                **(self.nat.start_fields(slot.index, self._relays()) if self.nat else {}),
            )
        except HostError as exc:
            raise RunError(str(exc)) from None

    def _relays(self) -> list[str]:
        return [self.slots[i].address for i in self.plan.relays if self.slots[i].address]

    def _resolve(self, peer_id: str | None, address: str | None) -> int | None:
        for s in self.slots:
            if (peer_id and s.id == peer_id) or (address and s.address == address):
                return s.index
        return None

    def leave(self, index: int) -> None:
        slot = self.slots[index]
        slot.up = slot.joined = False
        slot.host.send(op="stop", slot=index)

    def join(self, index: int, generation: int) -> None:
        slot = self.slots[index]
        slot.generation = generation
        self._start(slot, self.bootstrap_addresses())

    def live(self) -> list[PeerSlot]:
        return [s for s in self.slots if s.up and s.joined]

    # -- events from the hosts --------------------------------------------------------------

    def _host_event(self, host: HostProcess, event: dict[str, Any]) -> None:
        kind = event.get("event")
        slot = self.slots[event["slot"]] if "slot" in event and self.slots else None
        if kind == "started" and slot is not None:
            slot.up = True
            slot.id, slot.address = event["id"], event["address"]
            slot.control = event.get("control") or event["address"]
            slot.metrics_host = event.get("metrics_host") or slot.listen_host
            slot.metrics_port = event.get("metrics_port")
        elif kind == "joined" and slot is not None:
            slot.joined = True
        elif kind == "stopped" and slot is not None:
            slot.up = slot.joined = False
        elif kind == "nat" and slot is not None and self.nat is not None:
            found = run_event(self.plan, self.nat.group_of, slot.index, event, self._resolve)
            if found is not None:
                self.emit(found[0], **found[1])
        elif kind == "error":
            if slot is not None:
                slot.error = str(event.get("reason"))
            self.emit("error", host=host.name, slot=event.get("slot"), reason=event.get("reason"))
        asyncio.get_running_loop().create_task(self._notify())

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def _wait(self, done: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        async with self._changed:
            while not done():
                failed = [s for s in self.slots if s.error]
                if failed:
                    s = failed[0]
                    raise RunError(f"peer {s.index} failed: {s.error}\n{s.host.log_tail()}")
                dead = [h for h in self.hosts if h.exited.is_set()]
                if dead:
                    raise RunError(f"{dead[0].name} exited:\n{dead[0].log_tail()}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise RunError(f"timed out after {timeout:.0f} s waiting for {what}")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), min(left, 1.0))

    def targets(self, network: str) -> list[dict[str, Any]]:
        """Prometheus file_sd targets of every peer up now."""
        return [
            {
                "targets": [f"{s.metrics_host or s.listen_host}:{s.metrics_port}"],
                "labels": {"network": network, "nat": s.nat},
            }
            for s in self.slots
            if s.up and s.metrics_port
        ]

    def peers(self) -> list[dict[str, Any]]:
        """Every joined peer's gRPC and metrics address (peers.json: what ``p2pnet load``
        and Locust drive)."""
        return [
            {
                "index": s.index,
                "id": s.id,
                "address": s.address,
                "metrics": f"{s.metrics_host or s.listen_host}:{s.metrics_port}"
                if s.metrics_port
                else None,
                "nat": s.nat,
            }
            for s in self.live()
        ]

    def write_targets(self, network: str) -> None:
        """targets.json (Prometheus file_sd) and peers.json, each replaced atomically."""
        for name, body in (("targets.json", self.targets(network)), ("peers.json", self.peers())):
            path = self.run_dir / name
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(body, indent=1))
            tmp.replace(path)
