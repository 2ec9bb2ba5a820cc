"""The local backend's peer host: one process hosting many peers, driven over stdin/stdout.

The supervisor starts a few of these and sends JSON-line commands; each answers with
JSON-line events. Starting and stopping a peer inside a host is how the local backend
applies churn without paying a process start per event:

    {"op": "start", "slot": 3, "seed": "<64 hex>", "listen": "127.0.0.4:0",
     "bootstrap": ["127.0.0.2:40001"], "metrics": "127.0.0.4:0", "nat": "public"}
    -> {"event": "started", "slot": 3, "id": ..., "address": ..., "metrics_port": ...,
        "control": ...}
    (NAT runs add "nat_mode", "relay", "via", "ext_host", "control_path": see
    p2pnet_testbed.nat.peer_options; the peer's NAT events come as {"event": "nat", ...})
    -> {"event": "joined", "slot": 3, "routing_table_peers": 17}
    {"op": "stop", "slot": 3}             # a crash: the server closes at once
    -> {"event": "stopped", "slot": 3}
    {"op": "exit"}                         # stop everything and exit 0

The host exits when its stdin closes (the supervisor died), so it never outlives a run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from typing import Any

from p2pnet_peer import logs
from p2pnet_peer.config_sections import peer_config_from_json
from p2pnet_peer.daemon import HostedPeer, PeerHost, StartError
from p2pnet_peer.identity import Identity
from p2pnet_testbed.nat.peer_options import nat_options, serve_metrics_outside

log = logging.getLogger("p2pnet.agent")


def emit(event: str, **fields: Any) -> None:
    sys.stdout.write(json.dumps({"event": event, **fields}) + "\n")
    sys.stdout.flush()


class Agent:
    def __init__(self, host: PeerHost) -> None:
        self.host = host
        self.slots: dict[int, HostedPeer] = {}
        self.joins: dict[int, asyncio.Task[None]] = {}

    async def start(self, cmd: dict[str, Any]) -> None:
        slot = int(cmd["slot"])
        if slot in self.slots:
            emit("error", slot=slot, reason="slot already running")
            return
        try:
            identity = Identity.from_seed(bytes.fromhex(cmd["seed"]))
            nat = nat_options(cmd, identity)
            hosted = await self.host.start_peer(
                identity,
                cmd["listen"],
                metrics_listen=cmd.get("metrics"),
                advertise=nat.advertise,
                nat=nat.setup,
                control_listen=nat.control,
            )
        except (StartError, ValueError) as exc:
            emit("error", slot=slot, reason=str(exc))
            return
        hosted.labels["nat"] = str(cmd.get("nat", "public"))
        hosted.peer.nat.listeners.append(lambda e: emit("nat", slot=slot, **e))
        try:
            metrics_host = await serve_metrics_outside(hosted, cmd)
        except StartError as exc:
            await self.host.stop_peer(hosted, grace=0.0)
            emit("error", slot=slot, reason=str(exc))
            return
        self.slots[slot] = hosted
        control = nat.control or hosted.peer.nat.setup.listen  # never a circuit address
        emit("started", slot=slot, control=control, metrics_host=metrics_host, **hosted.describe())
        self.joins[slot] = asyncio.create_task(self._join(slot, hosted, cmd.get("bootstrap", [])))

    async def _join(self, slot: int, hosted: HostedPeer, bootstrap: list[str]) -> None:
        try:
            await self.host.run_peer(hosted, bootstrap)
        except Exception as exc:  # reported, never fatal to the other peers
            emit("error", slot=slot, reason=f"join failed: {exc}")
            return
        emit("joined", slot=slot, routing_table_peers=len(hosted.peer.dht.table))

    async def stop(self, slot: int, grace: float = 0.0) -> None:
        hosted = self.slots.pop(slot, None)
        join = self.joins.pop(slot, None)
        if join is not None:
            join.cancel()
            await asyncio.gather(join, return_exceptions=True)
        if hosted is None:
            emit("error", slot=slot, reason="slot not running")
            return
        await self.host.stop_peer(hosted, grace=grace)
        emit("stopped", slot=slot)

    async def run(self) -> None:
        reader = asyncio.StreamReader()
        loop = asyncio.get_running_loop()
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
        while line := await reader.readline():
            try:
                cmd = json.loads(line)
                op = cmd["op"]
            except (ValueError, KeyError, TypeError):
                emit("error", reason=f"bad command: {line[:200]!r}")
                continue
            if op == "start":
                await self.start(cmd)
            elif op == "stop":
                await self.stop(int(cmd["slot"]), float(cmd.get("grace", 0.0)))
            elif op == "exit":
                break
            else:
                emit("error", reason=f"unknown op {op!r}")
        for slot in list(self.slots):
            await self.stop(slot, grace=1.0)


async def main_async(config_json: str) -> None:
    async with PeerHost(peer_config_from_json(config_json)) as host:
        emit("ready")
        await Agent(host).run()


def main() -> None:
    p = argparse.ArgumentParser(description="p2pnet local backend peer host")
    p.add_argument("--config", default="{}", help="peer configuration as JSON")
    p.add_argument("--log-level", default="warning")
    args = p.parse_args()
    logs.configure(args.log_level)
    asyncio.run(main_async(args.config))
    emit("exited")


if __name__ == "__main__":
    main()
