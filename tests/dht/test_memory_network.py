"""The DHT driver on the in-memory network under virtual time: many peers, no sockets."""

from __future__ import annotations

import asyncio
import dataclasses
import random

import pytest

from p2pnet_peer.kademlia.config import DhtConfig
from p2pnet_peer.kademlia.ids import as_int
from p2pnet_peer.peer import PeerConfig
from p2pnet_peer.simulation import SimulatedNetwork
from p2pnet_peer.transport.memory import MemoryNetwork
from p2pnet_peer.virtual_time import run_virtual


def true_closest(ids: list[bytes], target: bytes, k: int, exclude: bytes) -> list[bytes]:
    t = as_int(target)
    return sorted((i for i in ids if i != exclude), key=lambda i: as_int(i) ^ t)[:k]


@pytest.mark.slow
def test_1000_peers_lookups_find_the_true_k_closest() -> None:
    """On 1,000 peers, >= 99.9% of 1,000 random-key lookups return exactly the k closest."""

    async def main() -> tuple[int, int]:
        net = MemoryNetwork(latency=0.01)
        async with SimulatedNetwork(net, PeerConfig.local(), seed=11) as sim:
            await sim.grow(1000)
            peers = list(sim)
            ids = [p.id for p in peers]
            rng = random.Random(2)
            exact = 0
            for _ in range(1000):
                src, target = rng.choice(peers), rng.randbytes(32)
                out = await src.dht.find_node(target)
                want = true_closest(ids, target, 20, src.id)
                exact += [c.id for c in out.closest] == want
            return exact, 1000

    exact, total = run_virtual(main())
    assert exact / total >= 0.999, f"{exact}/{total} lookups found the true k closest"


def test_put_then_get_from_every_peer_and_after_a_fifth_crash() -> None:
    async def main() -> None:
        net = MemoryNetwork(latency=0.005)
        async with SimulatedNetwork(net, PeerConfig.local(), seed=3) as sim:
            await sim.grow(120)
            peers = list(sim)
            key, value = b"k" * 32, b"hello"
            replicas, _ = await peers[0].dht.put(key, value)
            assert replicas == 20
            for p in peers[1:]:
                got = await p.dht.find_value(key)
                assert got.record is not None and got.record.value == value
            rng = random.Random(4)
            for victim in rng.sample(peers[1:], 24):
                await sim.stop(victim.address)
            live = list(sim)
            for p in live:
                got = await p.dht.find_value(key)
                assert got.record is not None and got.record.value == value
                out = await p.dht.find_node(rng.randbytes(32))
                assert out.closest and all(net.is_bound(c.address) for c in out.closest)

    run_virtual(main())


def test_lookup_survives_unknown_and_unreachable_contacts() -> None:
    """Contacts that never answer only cost a timeout each; the lookup still completes."""

    async def main() -> None:
        net = MemoryNetwork(latency=0.005)
        async with SimulatedNetwork(net, PeerConfig.local(), seed=5) as sim:
            await sim.grow(40)
            peers = list(sim)
            for victim in peers[20:]:
                await sim.stop(victim.address)
            alive = peers[:20]
            start = asyncio.get_running_loop().time()
            out = await alive[0].dht.find_node(alive[5].id)
            assert out.closest[0].id == alive[5].id
            assert out.failed_rpcs > 0
            assert (
                asyncio.get_running_loop().time() - start < 20 * alive[0].dht.config.request_timeout
            )
            assert await alive[0].dht.ping("nowhere:1") is None

    run_virtual(main())


def test_records_expire_without_publisher_and_live_on_with_republish() -> None:
    cfg = PeerConfig(
        dht=DhtConfig(k=5, refresh_interval=600, republish_interval=100, record_ttl=300)
    )

    async def main() -> None:
        net = MemoryNetwork(latency=0.005)
        async with SimulatedNetwork(net, cfg, seed=8, maintain=True) as sim:
            await sim.grow(30)
            peers = list(sim)
            kept, dropped = b"a" * 32, b"b" * 32
            await peers[0].dht.put(kept, b"kept")
            await peers[1].dht.put(dropped, b"dropped")
            await sim.stop(peers[1].address)  # the publisher of `dropped` leaves
            await asyncio.sleep(1000)  # > 3 TTLs of virtual time
            reader = peers[2].dht
            assert (await reader.find_value(kept)).record is not None
            assert (await reader.find_value(dropped)).record is None

    run_virtual(main())


def test_buckets_are_refreshed_by_the_maintenance_loop() -> None:
    cfg = PeerConfig(
        dht=DhtConfig(k=5, refresh_interval=60, republish_interval=100, record_ttl=300)
    )

    async def main() -> None:
        net = MemoryNetwork(latency=0.005)
        async with SimulatedNetwork(net, cfg, seed=9, maintain=True) as sim:
            await sim.grow(20)
            peer = next(iter(sim))
            refreshes = peer.metrics.dht_lookups.labels("refresh", "success")
            before = refreshes._value.get()
            await asyncio.sleep(200)
            assert refreshes._value.get() > before

    run_virtual(main())


def test_a_record_outlives_every_holder_restarting_with_an_empty_store() -> None:
    """Each of the k peers holding a record restarts in turn (same identity, new address,
    store lost), and its publisher is gone: the holders still up hand the record to each
    peer that comes back, so every peer can still read it. Without the hand-off the
    record would be lost with the last original holder."""
    cfg = PeerConfig(dht=DhtConfig(k=6, refresh_interval=600, republish_interval=3000))

    async def main() -> None:
        net = MemoryNetwork(latency=0.005)
        async with SimulatedNetwork(net, cfg, seed=21, maintain=True) as sim:
            await sim.grow(40, bootstrap=2)
            peers = list(sim)
            seeds = [p.address for p in peers[:2]]
            key = b"r" * 32
            publisher = peers[-1]
            await publisher.dht.put(key, b"value", republish=False)
            await sim.stop(publisher.address)
            holders = [p for p in sim if p.dht.records.get(key, p.dht.now()) is not None]
            assert len(holders) >= 5
            for old in holders:
                await sim.stop(old.address)
                await asyncio.sleep(5)
                back = sim.add(old.identity)
                assert back.dht.records.get(key, back.dht.now()) is None
                await back.join(seeds)
                await asyncio.sleep(5)  # the hand-offs
            handed = sum(p.metrics.dht_records_handed_off._value.get() for p in sim)
            assert handed >= len(holders)
            for p in list(sim):
                got = await p.dht.find_value(key)
                assert got.record is not None and got.record.value == b"value"

    run_virtual(main())


def test_resilient_lookups_send_fewer_requests_and_still_find_the_closest_and_records() -> None:
    """beta = 3 (libp2p's resilient termination) on 300 peers: each lookup still returns the
    true 3 closest first, records put through it are found from every peer, and lookups
    send well under the paper rule's requests."""

    async def main() -> dict[object, float]:
        net = MemoryNetwork(latency=0.01)
        rpcs: dict[object, float] = {}
        for beta in (None, 3):
            base = PeerConfig.local()
            config = dataclasses.replace(base, dht=base.dht.with_overrides(beta=beta))
            async with SimulatedNetwork(net, config, seed=8) as sim:
                await sim.grow(300)
                peers = list(sim)
                ids = [p.id for p in peers]
                rng = random.Random(9)
                sent = 0
                for _ in range(100):
                    src, target = rng.choice(peers), rng.randbytes(32)
                    out = await src.dht.find_node(target)
                    assert [c.id for c in out.closest[:3]] == true_closest(ids, target, 3, src.id)
                    sent += out.rpcs
                rpcs[beta] = sent / 100
                key = rng.randbytes(32)
                replicas, _ = await peers[0].dht.put(key, b"v")
                assert replicas == 20
                for p in peers[1:]:
                    got = await p.dht.find_value(key)
                    assert got.record is not None and got.record.value == b"v"
        return rpcs

    rpcs = run_virtual(main())
    assert rpcs[3] < 0.6 * rpcs[None], rpcs
