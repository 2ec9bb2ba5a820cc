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
from p2pnet_peer.swim.config import SwimConfig
from p2pnet_peer.transport.base import Transport

log = logging.getLogger("p2pnet.peer")


@dataclass(frozen=True)
class PeerConfig:
    """Every protocol's knobs for one peer. ``local()`` suits many peers on one machine."""

    dht: DhtConfig = field(default_factory=DhtConfig.lan)
    swim: SwimConfig = field(default_factory=SwimConfig.lan)

    @classmethod
    def lan(cls) -> PeerConfig:
        return cls(dht=DhtConfig.lan(), swim=SwimConfig.lan())

    @classmethod
    def local(cls) -> PeerConfig:
        return cls(dht=DhtConfig.local(), swim=SwimConfig.local())


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
    ) -> None:
        self.identity = identity
        self.address = address
        self.config = config
        self.metrics = metrics or PeerMetrics()
        self.rng = rng or random.Random(identity.id)
        self.started_at = asyncio.get_running_loop().time()
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
        self.services: dict[str, object] = {
            DhtService.name: DhtService(self.dht),
            MembershipService.name: MembershipService(self.membership),
            ControlService.name: ControlService(self),
        }

    @property
    def id(self) -> bytes:
        return self.identity.id

    async def join(self, bootstrap: list[str]) -> int:
        """Bootstrap into the network; returns the routing table size afterwards."""
        members = await self.membership.join(bootstrap)
        size = await self.dht.bootstrap(bootstrap)
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
