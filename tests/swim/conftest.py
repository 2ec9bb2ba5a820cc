"""SWIM scenarios on the in-memory network under virtual time: peers that run only their
membership protocol (no DHT or transfer background work), so a scenario costs little."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from p2pnet_peer.peer import Peer, PeerConfig
from p2pnet_peer.simulation import SimulatedNetwork
from p2pnet_peer.swim.member import State
from p2pnet_peer.transport.memory import MemoryNetwork


class SwimCluster:
    """Owns the peers and their membership tasks; use as ``async with``."""

    def __init__(self, net: MemoryNetwork, config: PeerConfig, seed: int) -> None:
        self.net = net
        self.config = config
        self.sim = SimulatedNetwork(net, config, seed=seed)
        self._tasks: dict[str, asyncio.Task[None]] = {}

    async def __aenter__(self) -> SwimCluster:
        return self

    async def __aexit__(self, *exc: object) -> None:
        for address in list(self._tasks):
            await self.crash(self.sim.peers[address])
        await self.sim.__aexit__(*exc)

    async def grow(self, count: int) -> list[Peer]:
        """``count`` peers that join by push-pull through the first; returns once every
        peer knows every other one alive."""
        peers = [self.sim.add() for _ in range(count)]
        for peer in peers:
            self._tasks[peer.address] = asyncio.create_task(peer.membership.maintain())
        seeds = [peers[0].address]
        await asyncio.gather(*(p.membership.join(seeds) for p in peers[1:]))
        for _ in range(100):
            if all(p.membership.core.table.count(State.ALIVE) == count - 1 for p in peers):
                return peers
            await asyncio.sleep(self.config.swim.probe_interval)
        raise AssertionError("member lists did not converge in 100 periods")

    async def crash(self, peer: Peer) -> None:
        """It stops answering at once and its tasks are cancelled."""
        task = self._tasks.pop(peer.address)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await self.sim.stop(peer.address)


@pytest.fixture
def cluster() -> Any:
    return SwimCluster
