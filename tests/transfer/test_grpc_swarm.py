"""Real gRPC on loopback: one seed, eight peers fetch the same file through the swarm."""

from __future__ import annotations

import asyncio
import dataclasses
import os
from pathlib import Path

import grpc

from p2pnet.v1 import control_pb2, control_pb2_grpc
from p2pnet_peer.daemon import PeerHost
from p2pnet_peer.identity import Identity
from p2pnet_peer.peer import PeerConfig
from p2pnet_peer.swarm.config import KIB

DOWNLOADERS = 8
PIECE = 64 * KIB


async def fetch(address: str, cid: bytes, output: Path) -> control_pb2.FetchResponse:
    async with grpc.aio.insecure_channel(address) as channel:
        stream = control_pb2_grpc.ControlStub(channel).Fetch(
            control_pb2.FetchRequest(cid=cid, output_path=str(output)), timeout=120
        )
        last = None
        async for response in stream:
            last = response
        assert last is not None
        return last


async def test_eight_peers_fetch_one_file_from_one_seed_all_byte_identical(
    tmp_path: Path,
) -> None:
    base = PeerConfig.local()
    config = dataclasses.replace(base, swarm=base.swarm.with_overrides(piece_size=PIECE))
    source = tmp_path / "source.bin"
    source.write_bytes(os.urandom(3 * 1024 * 1024 + 4321))  # 49 pieces, a short last one
    async with asyncio.timeout(180), PeerHost(config) as host:
        hosted = [
            await host.start_peer(
                Identity.generate(), "127.0.0.1:0", data_dir=tmp_path / f"peer-{i}"
            )
            for i in range(DOWNLOADERS + 1)
        ]
        seeds = [hosted[0].address]
        await asyncio.gather(*(host.run_peer(h, seeds) for h in hosted))
        async with grpc.aio.insecure_channel(hosted[0].address) as channel:
            control = control_pb2_grpc.ControlStub(channel)
            published = await control.Publish(
                control_pb2.PublishRequest(path=str(source)), timeout=30
            )
            assert published.pieces == 49 and published.size == source.stat().st_size
            results = await asyncio.gather(
                *(
                    fetch(h.address, published.cid, tmp_path / f"out-{i}.bin")
                    for i, h in enumerate(hosted[1:])
                )
            )
            for i, result in enumerate(results):
                assert result.done and result.progress.complete
                assert Path(result.path) == tmp_path / f"out-{i}.bin"
                assert Path(result.path).read_bytes() == source.read_bytes()
            status = await control.Status(control_pb2.StatusRequest(), timeout=10)
            (seeding,) = status.transfers
            assert seeding.cid == published.cid and seeding.complete
            # The swarm carried the load: the seed sent far fewer than eight copies.
            assert seeding.uploaded_bytes < DOWNLOADERS * published.size
