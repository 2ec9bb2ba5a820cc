"""Peers behind emulated NATs on one in-memory network (fallback mode), for tests and the
simulation backend: each peer gets its real address ``127.<i>.<j>.<k>:7000``, an
:class:`~p2pnet_peer.nat.emulation.EmulatedNat` (NAT group g shows the external host
198.19.0.1 + g), and, behind NAT, a circuit address through a relay.

    async with NatSimulation(MemoryNetwork(), PeerConfig.local()) as sim:
        boot = [sim.add("public") for _ in range(3)]
        relay = sim.add("public", relay=True)
        a = sim.add("symmetric", via=relay)
        await sim.join_all()
"""

from __future__ import annotations

import asyncio
import hashlib
import random

from p2pnet_peer.identity import Identity
from p2pnet_peer.nat.addresses import circuit_address
from p2pnet_peer.nat.emulation import EmulatedNat, external_host
from p2pnet_peer.nat.node import NatSetup
from p2pnet_peer.peer import Peer, PeerConfig
from p2pnet_peer.transport.memory import MemoryNetwork


class NatSimulation:
    def __init__(self, network: MemoryNetwork, config: PeerConfig, *, seed: int = 0) -> None:
        self.network = network
        self.config = config
        self.seed = seed
        self.peers: list[Peer] = []
        self.listen: dict[bytes, str] = {}
        self._groups = 0
        self._tasks: list[asyncio.Task[None]] = []

    async def __aenter__(self) -> NatSimulation:
        return self

    async def __aexit__(self, *exc: object) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def add(
        self,
        nat_type: str = "public",
        *,
        relay: bool = False,
        via: Peer | None = None,
        group: int | None = None,
    ) -> Peer:
        """A peer; behind NAT in its own group (or ``group``), reached through ``via``."""
        index = len(self.peers)
        identity = Identity.from_seed(
            hashlib.sha256(f"natsim:{self.seed}:{index}".encode()).digest()
        )
        listen = f"127.{(index >> 16) & 255}.{(index >> 8) & 255}.{index & 255}:7000"
        if nat_type == "public":
            ext = listen.rpartition(":")[0]
        else:
            if group is None:
                group, self._groups = self._groups, self._groups + 1
            ext = external_host(group)
        address = circuit_address(self.listen[via.id], identity.id) if via else listen
        setup = NatSetup(listen, relay=relay, emulation=EmulatedNat(nat_type, ext), label=nat_type)
        peer = Peer(
            identity,
            address,
            self.config,
            self.network.transport(listen),
            rng=random.Random(f"{self.seed}:{index}"),
            nat=setup,
        )
        self.network.bind(listen, peer.nat.inbound(peer.services))
        self.peers.append(peer)
        self.listen[peer.id] = listen
        return peer

    def rebind(self, peer: Peer) -> None:
        """Serve ``peer.services`` again (after a test swapped one of them)."""
        self.network.unbind(self.listen[peer.id])
        self.network.bind(self.listen[peer.id], peer.nat.inbound(peer.services))

    def public_addresses(self, limit: int = 3) -> list[str]:
        public = [p for p in self.peers if p.nat.setup.label == "public"]
        return [self.listen[p.id] for p in public[:limit]]

    async def join(self, peer: Peer, bootstrap: list[str]) -> None:
        await peer.join(bootstrap)
        self._tasks.append(asyncio.create_task(peer.maintain()))

    async def join_all(self, bootstrap: int = 3) -> None:
        """The first public peer alone, then the bootstrap peers, then everyone."""
        seeds = self.public_addresses(bootstrap)
        first, rest = self.peers[0], self.peers[1:]
        await self.join(first, [])
        await asyncio.gather(*(self.join(p, seeds) for p in rest))
        await asyncio.sleep(1.0)  # reservations come up
