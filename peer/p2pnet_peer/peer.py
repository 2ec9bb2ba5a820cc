"""A Peer: one identity with its protocol nodes and the services it serves.

Transport-agnostic: give it a transport (gRPC or in-memory) and bind ``peer.services`` to
a gRPC server (:mod:`p2pnet_peer.daemon`) or a :class:`MemoryNetwork`.
"""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass, field

from p2pnet_peer.control_service import ControlService
from p2pnet_peer.dht.node import DhtNode
from p2pnet_peer.dht.service import DhtService
from p2pnet_peer.identity import Identity
from p2pnet_peer.kademlia.config import DhtConfig
from p2pnet_peer.membership.dht_bridge import feed_routing_table
from p2pnet_peer.membership.node import MembershipNode
from p2pnet_peer.membership.service import MembershipService
from p2pnet_peer.metrics import PeerMetrics
from p2pnet_peer.nat.config import NatConfig
from p2pnet_peer.nat.node import NatNode, NatSetup
from p2pnet_peer.nat.reachability import PRIVATE
from p2pnet_peer.nat.service import NatService
from p2pnet_peer.swarm.config import SwarmConfig
from p2pnet_peer.swim.config import SwimConfig
from p2pnet_peer.transfer.node import TransferNode
from p2pnet_peer.transfer.service import TransferService
from p2pnet_peer.transfer.storage import MemoryStorage, Storage
from p2pnet_peer.transport.base import Transport

log = logging.getLogger("p2pnet.peer")


@dataclass(frozen=True)
class PeerConfig:
    """Every protocol's knobs for one peer. ``local()`` suits many peers on one machine."""

    dht: DhtConfig = field(default_factory=DhtConfig.lan)
    swim: SwimConfig = field(default_factory=SwimConfig.lan)
    swarm: SwarmConfig = field(default_factory=SwarmConfig.lan)
    nat: NatConfig = field(default_factory=NatConfig.lan)

    @classmethod
    def lan(cls) -> PeerConfig:
        return cls(
            dht=DhtConfig.lan(), swim=SwimConfig.lan(), swarm=SwarmConfig.lan(), nat=NatConfig.lan()
        )

    @classmethod
    def local(cls) -> PeerConfig:
        return cls(
            dht=DhtConfig.local(),
            swim=SwimConfig.local(),
            swarm=SwarmConfig.local(),
            nat=NatConfig.local(),
        )


class Peer:
    def __init__(
        self,
        identity: Identity,
        address: str,
        config: PeerConfig,
        transport: Transport,
        *,
        metrics: PeerMetrics | None = None,
        rng: random.Random | None = None,
        storage: Storage | None = None,
        nat: NatSetup | None = None,
    ) -> None:
        self.identity = identity
        self.address = address
        self.config = config
        self.metrics = metrics or PeerMetrics()
        self.rng = rng or random.Random(identity.id)
        self.started_at = asyncio.get_running_loop().time()
        # NAT traversal routes every protocol's calls (relay, hole punch); off: pass-through
        self.nat = NatNode(
            identity, address, config.nat, transport, metrics=self.metrics, setup=nat
        )
        transport = self.nat.transport
        self.dht = DhtNode(
            identity, address, config.dht, transport, metrics=self.metrics, rng=self.rng
        )
        self.membership = MembershipNode(
            identity,
            address,
            config.swim,
            transport,
            metrics=self.metrics,
            rng=random.Random(b"swim:" + identity.id),  # leaves the DHT's stream alone
        )
        feed_routing_table(self.membership, self.dht)
        self.transfer = TransferNode(
            identity,
            address,
            config.swarm,
            transport,
            self.dht,
            storage if storage is not None else MemoryStorage(),
            metrics=self.metrics,
            rng=random.Random(b"transfer:" + identity.id),
        )
        self.services: dict[str, object] = {
            DhtService.name: DhtService(self.dht),
            MembershipService.name: MembershipService(self.membership),
            TransferService.name: TransferService(self.transfer),
            ControlService.name: ControlService(self),
            NatService.name: NatService(self.nat),
        }
        self.nat.bind(self.services, servers=self._autonat_servers)
        self.nat.on_reachability.append(lambda status: self.dht.set_client(status == PRIVATE))

    def _autonat_servers(self) -> list[str]:
        return [c.address for c in self.dht.closest_to(self.id)]

    @property
    def id(self) -> bytes:
        return self.identity.id

    async def join(self, bootstrap: list[str]) -> int:
        """Bootstrap into the network; returns the routing table size afterwards. NAT
        reachability is checked first, so a peer behind NAT joins as a DHT client."""
        await self.nat.start(bootstrap)
        try:
            members = await self.membership.join(bootstrap)
            size = await self.dht.bootstrap(bootstrap)
        except BaseException:
            self.nat.abort()
            raise
        log.info(
            "joined",
            extra={"peer": self.id[:4].hex(), "routing_table_peers": size, "members": members},
        )
        return size

    async def maintain(self) -> None:
        """Background protocol work, forever (cancel to stop)."""
        async with asyncio.TaskGroup() as group:
            group.create_task(self.dht.maintain())
            group.create_task(self.membership.maintain())
            group.create_task(self.transfer.maintain())
            group.create_task(self.nat.maintain())
