"""The memory backend of swarm.py: every peer in this process, in virtual time."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import random
import time

from swarm import MIB, SwarmRun

from p2pnet_peer.peer import Peer, PeerConfig
from p2pnet_peer.simulation import SimulatedNetwork
from p2pnet_peer.swarm.manifest import split
from p2pnet_peer.transport.memory import MemoryNetwork
from p2pnet_peer.virtual_time import run_virtual


def peer_config(args: argparse.Namespace, **swarm: object) -> PeerConfig:
    base = PeerConfig.local()
    knobs = {"piece_size": args.piece_kib * 1024, "upload_rate": args.upload_mibps * MIB}
    return dataclasses.replace(base, swarm=base.swarm.with_overrides(**{**knobs, **swarm}))


def run_memory(args: argparse.Namespace, free_rider: bool) -> SwarmRun:
    return run_virtual(_run(args, free_rider))


async def _run(args: argparse.Namespace, free_rider: bool) -> SwarmRun:
    network = MemoryNetwork(latency=args.latency_ms / 1000)
    wall = time.monotonic()
    async with SimulatedNetwork(network, peer_config(args), seed=args.seed, maintain=True) as sim:
        await sim.grow(args.downloaders + 1, concurrency=64)
        joined = time.monotonic() - wall
        seed, *downloaders = list(sim)
        rider: Peer | None = None
        if free_rider:
            rider = sim.add(config=peer_config(args, regular_slots=0, optimistic_slots=0))
            await rider.join([seed.address])
        data = random.Random(args.seed).randbytes(int(args.file_mib * MIB))
        manifest, _ = await seed.transfer.publish(split(data, args.piece_kib * 1024))
        loop = asyncio.get_running_loop()
        start = loop.time()
        finishes: list[tuple[float, int]] = []

        async def fetch(peer: Peer) -> None:
            await peer.transfer.fetch(manifest.cid)
            got = rider.transfer.sessions[manifest.cid].downloaded if rider else 0
            finishes.append((loop.time() - start, got))

        riding = asyncio.ensure_future(rider.transfer.fetch(manifest.cid)) if rider else None
        await asyncio.gather(*map(fetch, downloaders))
        if riding is not None:
            riding.cancel()
            await asyncio.gather(riding, return_exceptions=True)
        for peer in downloaders:
            store = peer.transfer.stores[manifest.cid]
            assert store.verified() == (1 << manifest.count) - 1
        finishes.sort()
        fraction = finishes[len(finishes) // 2][1] / manifest.size if rider else None
        seed_up = seed.transfer.sessions[manifest.cid].uploaded
        notes = {"join_wall_s": joined, "transfer_wall_s": time.monotonic() - wall - joined}
        return SwarmRun([t for t, _ in finishes], seed_up, manifest.size, fraction, notes)
