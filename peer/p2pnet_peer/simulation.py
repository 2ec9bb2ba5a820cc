"""N peers in one process on an in-memory network: the core of the simulation backend.

Run under :func:`p2pnet_peer.virtual_time.run_virtual` (or looptime in tests) so that
protocol timers and network latency cost no real time.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
from collections.abc import Iterator

from p2pnet_peer.identity import Identity
from p2pnet_peer.metrics import PeerMetrics
from p2pnet_peer.peer import Peer, PeerConfig
from p2pnet_peer.swarm.manifest import PieceData
from p2pnet_peer.transfer.storage import MemoryStorage, Storage
from p2pnet_peer.transport.memory import MemoryNetwork


def sim_identity(seed: int, index: int) -> Identity:
    return Identity.from_seed(hashlib.sha256(f"sim:{seed}:{index}".encode()).digest())


class SimulatedNetwork:
    """Owns the peers and their background tasks; use as ``async with``."""

    def __init__(
        self,
        network: MemoryNetwork,
        config: PeerConfig,
        *,
        seed: int = 0,
        maintain: bool = False,
    ) -> None:
        self.network = network
        self.config = config
        self.seed = seed
        self.peers: dict[str, Peer] = {}
        self._maintain = maintain
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._next_index = 0
        # verified pieces, shared by all peers
        self.piece_pool: dict[bytes, PieceData] = {}

    async def __aenter__(self) -> SimulatedNetwork:
        return self

    async def __aexit__(self, *exc: object) -> None:
        for address in list(self.peers):
            await self.stop(address)

    def __iter__(self) -> Iterator[Peer]:
        return iter(self.peers.values())

    def __len__(self) -> int:
        return len(self.peers)

    def add(
        self,
        identity: Identity | None = None,
        *,
        config: PeerConfig | None = None,
        storage: Storage | None = None,
    ) -> Peer:
        """Add a peer (``config`` overrides the network's; ``storage`` defaults to memory
        backed by :attr:`piece_pool`)."""
        index = self._next_index
        self._next_index += 1
        address = f"sim-{index}:7000"
        identity = identity or sim_identity(self.seed, index)
        peer = Peer(
            identity,
            address,
            config or self.config,
            self.network.transport(address),
            metrics=PeerMetrics(),
            rng=random.Random(f"{self.seed}:{index}"),
            storage=storage if storage is not None else MemoryStorage(self.piece_pool),
        )
        self.network.bind(address, peer.services)
        self.peers[address] = peer
        if self._maintain:
            self._tasks[address] = asyncio.create_task(peer.maintain())
        return peer

    async def stop(self, address: str) -> None:
        """Crash a peer: it stops answering at once; its tasks are cancelled."""
        self.network.unbind(address)
        peer = self.peers.pop(address, None)
        task = self._tasks.pop(address, None)
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        if peer is not None:
            peer.transfer.close()

    async def grow(self, count: int, *, bootstrap: int = 1, concurrency: int = 32) -> None:
        """Add ``count`` peers; the first ``bootstrap`` join through each other, the rest
        through them, ``concurrency`` joins at a time."""
        first = [self.add() for _ in range(min(bootstrap, count))]
        seeds = [p.address for p in first]
        for p in first:
            await p.join(seeds)
        rest = [self.add() for _ in range(count - len(first))]
        for i in range(0, len(rest), concurrency):
            batch = rest[i : i + concurrency]
            await asyncio.gather(*(p.join(seeds) for p in batch))
