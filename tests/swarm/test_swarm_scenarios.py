"""Swarm transfer on an in-memory network in virtual time: what the protocol promises.

Every peer uploads through a 64 KiB/s token bucket (4 pieces of 16 KiB a second), so the
times below are protocol time; a run costs a second or two of real time.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import random
from pathlib import Path

import pytest

from p2pnet.v1 import transfer_pb2
from p2pnet_peer.peer import Peer, PeerConfig
from p2pnet_peer.simulation import SimulatedNetwork
from p2pnet_peer.swarm.bitfield import full
from p2pnet_peer.swarm.config import KIB
from p2pnet_peer.swarm.manifest import Manifest, split
from p2pnet_peer.swarm.session import SwarmSession
from p2pnet_peer.transfer.disk_storage import DiskStorage
from p2pnet_peer.transfer.download import FetchResult
from p2pnet_peer.transfer.service import TransferService
from p2pnet_peer.transport.memory import MemoryNetwork
from p2pnet_peer.virtual_time import run_virtual

PIECE = 16 * KIB
RATE = 64 * KIB


def config(**swarm: object) -> PeerConfig:
    """The local preset with small pieces and an emulated upload link."""
    base = PeerConfig.local()
    overrides = {"piece_size": PIECE, "upload_rate": RATE, **swarm}
    return dataclasses.replace(base, swarm=base.swarm.with_overrides(**overrides))


def content(pieces: int, seed: int = 0) -> bytes:
    return random.Random(seed).randbytes(pieces * PIECE - 123)  # a short last piece


async def publish(peer: Peer, data: bytes) -> Manifest:
    manifest, _ = await peer.transfer.publish(split(data, PIECE))
    return manifest


def held(peer: Peer, manifest: Manifest) -> bytes:
    store = peer.transfer.stores[manifest.cid]
    return b"".join(store.read(i) for i in range(manifest.count))


async def fetch_all(peers: list[Peer], cid: bytes) -> list[FetchResult]:
    async with asyncio.timeout(3600):  # virtual seconds
        return await asyncio.gather(*(p.transfer.fetch(cid) for p in peers))


def pieces_counted(peer: Peer, outcome: str) -> float:
    return peer.metrics.transfer_pieces.labels(outcome)._value.get()


class CorruptingTransferService(TransferService):
    """Serves like an honest peer but flips the first byte of every piece it sends."""

    corrupted = 0

    async def GetPieces(self, request):  # type: ignore[no-untyped-def]
        async for reply in super().GetPieces(request):
            if reply.data:
                CorruptingTransferService.corrupted += 1
                data = bytes([reply.data[0] ^ 0xFF]) + reply.data[1:]
                reply = transfer_pb2.GetPiecesResponse(index=reply.index, data=data)
            yield reply


def test_corrupting_peer_is_caught_on_every_bad_piece_and_the_file_still_completes() -> None:
    async def main() -> None:
        network = MemoryNetwork()
        async with SimulatedNetwork(network, config(), seed=1, maintain=True) as sim:
            await sim.grow(8)
            seed, liar, *downloaders = list(sim)
            network.unbind(liar.address)
            liar.services[TransferService.name] = CorruptingTransferService(liar.transfer)
            network.bind(liar.address, liar.services)
            data = content(40)
            manifest = await publish(seed, data)
            await publish(liar, data)  # it holds the real bytes and lies on the wire
            await fetch_all(downloaders, manifest.cid)

            assert CorruptingTransferService.corrupted > 0
            bad = sum(pieces_counted(d, "bad") for d in downloaders)
            assert bad == CorruptingTransferService.corrupted  # every bad piece detected
            for d in downloaders:
                assert held(d, manifest) == data
                session = d.transfer.sessions[manifest.cid]
                strikes = session.penalties.bad_pieces(liar.id)
                assert strikes <= session.config.max_bad_pieces
                if strikes == session.config.max_bad_pieces:  # dropped and banned
                    assert session.penalties.is_banned(liar.id)
                    assert liar.id not in session.neighbours

    CorruptingTransferService.corrupted = 0
    run_virtual(main())


def test_swarm_completes_after_the_only_seed_leaves() -> None:
    async def main() -> None:
        async with SimulatedNetwork(MemoryNetwork(), config(), seed=2, maintain=True) as sim:
            await sim.grow(7)
            seed, *downloaders = list(sim)
            data = content(48)
            manifest = await publish(seed, data)
            fetches = asyncio.ensure_future(fetch_all(downloaders, manifest.cid))
            sessions = []
            while True:  # until the downloaders together hold every piece
                await asyncio.sleep(0.1)
                sessions = [d.transfer.sessions.get(manifest.cid) for d in downloaders]
                union = 0
                for s in sessions:
                    union |= s.have if s is not None else 0
                if union == full(manifest.count):
                    break
            assert not any(s.complete for s in sessions)  # nobody can finish alone
            seed_uploaded = seed.metrics.transfer_bytes.labels("upload")._value.get()
            await sim.stop(seed.address)
            await fetches
            for d in downloaders:
                assert held(d, manifest) == data
                m = d.metrics  # the DESIGN.md transfer metrics
                assert m.transfer_bytes.labels("download")._value.get() >= manifest.size
                assert pieces_counted(d, "verified") == manifest.count
                assert m.transfer_download_duration._sum.get() > 0
            # Every byte the seed did not send came from the downloaders' uploads.
            uploaded = sum(
                d.metrics.transfer_bytes.labels("upload")._value.get() for d in downloaders
            )
            assert uploaded >= len(downloaders) * manifest.size - seed_uploaded
            exported = downloaders[0].metrics.registry.get_sample_value
            assert exported("p2pnet_transfer_pieces_total", {"outcome": "verified"}) == 48
            assert exported("p2pnet_transfer_download_duration_seconds_count") == 1
            assert exported("p2pnet_transfer_unchoked_peers") is not None

    run_virtual(main())


def test_peers_part_once_everyone_holds_everything_so_no_keep_alives_flow() -> None:
    """Seeds keep no connections to seeds: once a swarm has finished, every peer has told
    its neighbours so and dropped them, and no Have (keep-alive) is sent afterwards."""

    async def main() -> None:
        async with SimulatedNetwork(MemoryNetwork(), config(), seed=4, maintain=True) as sim:
            await sim.grow(6)
            seed, *downloaders = list(sim)
            manifest = await publish(seed, content(12))
            await fetch_all(downloaders, manifest.cid)
            await asyncio.sleep(5.0)  # the last Haves (have_interval) go out
            sessions = [p.transfer.sessions[manifest.cid] for p in sim]
            assert all(s.complete for s in sessions)
            assert [len(s.neighbours) for s in sessions] == [0] * len(sessions)
            # with no neighbour left, no Have or keep-alive is ever due
            assert [s.next_announcement() for s in sessions] == [None] * len(sessions)

    run_virtual(main())


def test_a_one_piece_file_is_fetched_with_two_handshakes_not_one_per_provider() -> None:
    """Small files: a downloader shakes hands with at most twice as many providers as it
    lacks pieces (one spare in case the first chokes it), not with ``max_neighbours / 2``."""

    async def main() -> None:
        async with SimulatedNetwork(MemoryNetwork(), config(), seed=5, maintain=True) as sim:
            await sim.grow(12)
            *providers, downloader = list(sim)
            data = content(1)
            handshakes = []
            for p in providers:
                manifest = await publish(p, data)
                shake = p.transfer.handshake

                def counted(sender, *args, shake=shake):  # type: ignore[no-untyped-def]
                    handshakes.append(sender.id)
                    return shake(sender, *args)

                p.transfer.handshake = counted  # type: ignore[method-assign]
            found = await downloader.transfer.dht.find_providers(manifest.cid)
            assert len(found.providers) >= 6  # enough for six handshakes before
            await fetch_all([downloader], manifest.cid)
            assert held(downloader, manifest) == data
            assert 1 <= len(handshakes) <= 2, handshakes

    run_virtual(main())


def test_a_fetch_looks_providers_up_once_to_start() -> None:
    """The lookup that finds the manifest also names the first neighbours, so a fetch
    starts with one provider lookup, not two back to back; short of neighbours, it looks
    again after FIRST_RETRY (1 s)."""

    async def main() -> None:
        async with SimulatedNetwork(MemoryNetwork(), config(), seed=6, maintain=True) as sim:
            await sim.grow(8)
            seed, *_, downloader = list(sim)
            data = content(8)
            manifest = await publish(seed, data)
            lookups: list[float] = []
            find, loop = downloader.transfer.dht.find_providers, asyncio.get_running_loop()

            async def timed(*args, find=find):  # type: ignore[no-untyped-def]
                lookups.append(loop.time())
                return await find(*args)

            downloader.transfer.dht.find_providers = timed  # type: ignore[method-assign]
            await fetch_all([downloader], manifest.cid)
            assert held(downloader, manifest) == data
            assert all(b - a >= 0.9 for a, b in itertools.pairwise(lookups)), lookups

    run_virtual(main())


def test_the_handshake_tells_each_side_whether_the_others_upload_is_rate_limited(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A peer with no upload limit says so in its Bitfield (request or response), so its
    neighbours size their requests to it by its rate from the first piece; a peer with a
    token bucket does not, so its first burst is not taken for its rate. Each session's
    handshakes are recorded as it takes them: two peers that are both done part, so the
    neighbour entries do not outlive the fetch."""
    told: list[tuple[SwarmSession, bytes, bool]] = []
    take = SwarmSession.on_bitfield

    def recorded(session: SwarmSession, peer: bytes, *args: bool, **kwargs: bool) -> None:
        take(session, peer, *args, **kwargs)
        told.append((session, peer, session.neighbours[peer].upload_unlimited))

    monkeypatch.setattr(SwarmSession, "on_bitfield", recorded)

    async def main() -> None:
        async with SimulatedNetwork(MemoryNetwork(), config(), seed=8, maintain=True) as sim:
            await sim.grow(2)
            limited, downloader = list(sim)
            unlimited = sim.add(config=config(upload_rate=0))
            await unlimited.join([limited.address])
            data = content(8)
            manifest = await publish(limited, data)
            await publish(unlimited, data)

            def heard(node: Peer, peer: Peer) -> set[bool]:
                session = node.transfer.sessions[manifest.cid]
                return {flag for s, p, flag in told if s is session and p == peer.id}

            await fetch_all([downloader], manifest.cid)
            assert held(downloader, manifest) == data
            assert heard(downloader, unlimited) == {True}  # told in its Bitfield response
            assert heard(downloader, limited) == {False}
            for seed in (limited, unlimited):  # the downloader's link is limited
                assert heard(seed, downloader) <= {False}
            # ...and an unlimited downloader says so in its Bitfield request.
            fast = sim.add(config=config(upload_rate=0))
            await fast.join([limited.address])
            await fetch_all([fast], manifest.cid)
            assert heard(limited, fast) == {True}

    run_virtual(main())


def test_free_rider_gets_a_clearly_lower_rate_than_compliant_peers() -> None:
    """Tit-for-tat in a contended swarm: every compliant peer holds a random half of the
    file, so all upload capacity has reciprocating demand, and a peer that never uploads
    gets only what optimistic unchokes give it. (In a flash crowd the swarm has idle
    capacity, which a free rider can soak up: the benchmark measures that case.)"""

    async def main() -> None:
        async with SimulatedNetwork(MemoryNetwork(), config(), seed=3, maintain=True) as sim:
            await sim.grow(12)
            compliant = list(sim)
            rider = sim.add(config=config(regular_slots=0, optimistic_slots=0))
            await rider.join([compliant[0].address])
            data = content(64)
            pieces = split(data, PIECE)
            manifest = Manifest.of_pieces(pieces, PIECE)
            rng = random.Random(3)
            for peer in compliant:
                store = peer.transfer.storage.open(manifest)
                for i in rng.sample(range(manifest.count), manifest.count // 2):
                    store.write(i, pieces[i])
                peer.transfer.open(manifest)
                await peer.transfer.dht.provide(manifest.cid)
            riding = asyncio.ensure_future(rider.transfer.fetch(manifest.cid))
            rider_session = rider.transfer.sessions
            finishes: list[tuple[int, int]] = []  # (its bytes, the rider's bytes) at the time

            async def compliant_fetch(peer: Peer) -> None:
                result = await peer.transfer.fetch(manifest.cid)
                finishes.append((result.downloaded, rider_session[manifest.cid].downloaded))

            await asyncio.wait_for(asyncio.gather(*map(compliant_fetch, compliant)), 3600)
            # Over the same time window: until the median compliant peer is done.
            compliant_bytes, rider_bytes = finishes[len(finishes) // 2]
            assert rider_bytes < 0.5 * compliant_bytes, (rider_bytes, compliant_bytes)
            assert rider_session[manifest.cid].uploaded == 0  # it never uploads
            await riding  # and it still finishes, from the peers that became seeds
            assert held(rider, manifest) == data

    run_virtual(main())


def test_restarted_downloader_resumes_from_verified_pieces_on_disk(tmp_path: Path) -> None:
    async def main() -> None:
        async with SimulatedNetwork(MemoryNetwork(), config(), seed=4, maintain=True) as sim:
            await sim.grow(3)
            seed = next(iter(sim))
            data = content(32)
            manifest = await publish(seed, data)
            first = sim.add(storage=DiskStorage(tmp_path / "peer"))
            await first.join([seed.address])
            fetch = asyncio.ensure_future(first.transfer.fetch(manifest.cid))
            while first.transfer.sessions.get(manifest.cid) is None or (
                first.transfer.sessions[manifest.cid].have.bit_count() < manifest.count // 2
            ):
                await asyncio.sleep(0.1)
            before = first.transfer.sessions[manifest.cid].have.bit_count()
            await sim.stop(first.address)  # crash mid-download
            fetch.cancel()
            await asyncio.gather(fetch, return_exceptions=True)

            again = sim.add(first.identity, storage=DiskStorage(tmp_path / "peer"))
            await again.join([seed.address])
            (result,) = await fetch_all([again], manifest.cid)
            assert result.resumed >= before
            fetched = manifest.count - result.resumed
            assert result.downloaded <= fetched * PIECE
            assert (tmp_path / "peer" / manifest.cid.hex() / "content").read_bytes() == data

    run_virtual(main())


def test_a_simulated_swarm_replays_exactly_from_its_seed() -> None:
    """The simulation promises replay: the same seed gives the same run, every finish time
    identical, however objects happen to land in memory (the DHT once handled lookup
    answers that arrived together in task-address order, so two runs drifted apart)."""

    async def once() -> list[float]:
        network = MemoryNetwork(latency=0.005)
        async with SimulatedNetwork(network, config(), seed=3, maintain=True) as sim:
            await sim.grow(12)
            seed, *downloaders = list(sim)
            manifest = await publish(seed, content(24))
            loop = asyncio.get_running_loop()
            start, finished = loop.time(), []

            async def fetch(peer: Peer) -> None:
                await peer.transfer.fetch(manifest.cid)
                finished.append(round(loop.time() - start, 9))

            await asyncio.gather(*map(fetch, downloaders))
            return finished

    first = run_virtual(once())
    clutter = [object() for _ in range(5000)]  # shift where the second run's objects land
    assert run_virtual(once()) == first
    del clutter
