"""Membership feeds the DHT: members learned by gossip enter routing tables, and a member
declared dead leaves every routing table, under virtual time."""

from __future__ import annotations

import asyncio
from typing import Any

from p2pnet_peer.peer import PeerConfig
from p2pnet_peer.swim.member import State
from p2pnet_peer.transport.memory import MemoryNetwork
from p2pnet_peer.virtual_time import run_virtual


def test_routing_tables_follow_membership(cluster: Any) -> None:
    config = PeerConfig.lan()

    async def main() -> None:
        async with cluster(MemoryNetwork(), config, seed=41) as c:
            peers = await c.grow(12)  # joined by SWIM push-pull only: no DHT bootstrap
            for p in peers:
                assert len(p.dht.table) == 11
            victim = peers[4]
            await c.crash(victim)
            live = [p for p in peers if p is not victim]
            for _ in range(200):
                await asyncio.sleep(config.swim.probe_interval)
                if all(victim.id not in p.dht.table for p in live):
                    break
            for p in live:
                assert p.membership.core.table.get(victim.id).state is State.DEAD  # type: ignore[union-attr]
                assert victim.id not in p.dht.table
                assert len(p.dht.table) == 10

    run_virtual(main())
