"""What a pair download could reach: bare gRPC clients doing only what the protocol must.

    python benchmarks/pair_floor.py [--file-mib 32] [--runs 7]

``benchmarks/swarm.py`` compares one p2pnet peer-to-peer download (``pair_mbps``) with raw
gRPC streaming of the same bytes (``pair_limit_mbps``). This script splits that gap. One
server process, in a session of its own as ``swarm.py``'s raw server and every peer
process are, holds the file in memory; a client in this process downloads it, one
variant after another, ``--runs`` rounds, and reports medians:

- ``raw``: one stream of bare 256 KiB byte messages (the benchmark's limit);
- ``proto``: GetPiecesResponse messages, in GetPieces streams of 4 pieces, two streams at
  once (p2pnet's default ``request_batch`` and ``streams_per_peer``);
- ``proto_sha``: the same, and every piece is SHA-256 checked and kept in memory, as a
  downloader must;
- ``proto_sha_16``, ``proto_sha_64``: the same with streams of 16 and of 64 pieces (64 is
  what a fast link gets, ``SwarmConfig.stream_seconds``);
- ``wire_sha_64_disk``: streams of 64, read with p2pnet's own codec (``piece_wire``: the
  piece is a view of the received bytes, not a copy), SHA-256 checked and written to a
  content file allocated up front, as a p2pnet downloader keeps it.

Each timed download is the second on its channel (the first, untimed, grows the
connection's flow-control window), right after ``swarm_grpc.warm_free_memory``, as
``swarm.py`` times its pair and raw runs.

No p2pnet code runs in either process beyond the generated messages and that codec, so
``wire_sha_64_disk`` is a floor for a p2pnet downloader: what is left between it and
``pair_mbps`` is p2pnet's own overhead. The last line is one JSON object: Mbit/s per variant,
and each variant's server and client CPU milliseconds per download.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import grpc
from swarm_grpc import cpu_ms, warm_free_memory

from p2pnet.v1 import transfer_pb2
from p2pnet_peer.transfer import piece_wire

MIB = 1 << 20
PIECE = 256 * 1024
OPTIONS = [("grpc.max_send_message_length", 8 * MIB), ("grpc.max_receive_message_length", 8 * MIB)]
VARIANTS = {  # name: (pieces per stream, streams at once, what is done with each piece)
    "raw": (0, 1, ""),
    "proto": (4, 2, ""),
    "proto_sha": (4, 2, "keep"),
    "proto_sha_16": (16, 2, "keep"),
    "proto_sha_64": (64, 2, "keep"),
    "wire_sha_64_disk": (64, 2, "disk"),
}


async def serve(port_file: Path, size: int) -> None:
    data = os.urandom(size)
    pieces = [data[i : i + PIECE] for i in range(0, size, PIECE)]

    async def raw(request: bytes, context: object) -> object:
        for piece in pieces:
            yield piece

    async def get_pieces(request: bytes, context: object) -> object:
        for index in transfer_pb2.GetPiecesRequest.FromString(request).pieces:
            yield transfer_pb2.GetPiecesResponse(
                index=index, data=pieces[index]
            ).SerializeToString()

    handler = grpc.method_handlers_generic_handler(
        "floor.Pieces",
        {
            "Raw": grpc.unary_stream_rpc_method_handler(raw),
            "GetPieces": grpc.unary_stream_rpc_method_handler(get_pieces),
        },
    )
    server = grpc.aio.server(options=OPTIONS)
    server.add_generic_rpc_handlers((handler,))
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    port_file.write_text(str(port))
    await server.wait_for_termination()


async def download(
    address: str, size: int, variant: str, workdir: Path, server: int
) -> tuple[float, float, float]:
    """(seconds, server CPU ms, client CPU ms) of the second of two downloads of
    ``variant`` on one new channel."""
    async with grpc.aio.insecure_channel(address, options=OPTIONS) as channel:
        await channel.channel_ready()
        await fetch(channel, size, variant, workdir / "untimed")
        warm_free_memory(workdir, 4 * size)
        s0, c0 = cpu_ms(server), cpu_ms(os.getpid())
        started = time.perf_counter()
        await fetch(channel, size, variant, workdir / "timed")
        seconds = time.perf_counter() - started
        return seconds, cpu_ms(server) - s0, cpu_ms(os.getpid()) - c0


async def fetch(channel: grpc.aio.Channel, size: int, variant: str, path: Path) -> None:
    batch, streams, done_with = VARIANTS[variant]
    count = -(-size // PIECE)
    digests, kept, got = [b""] * count, [], 0
    if not batch:
        async for chunk in channel.unary_stream("/floor.Pieces/Raw")(b""):
            got += len(chunk)
        assert got == size, got
        return
    disk = done_with == "disk"
    decode = piece_wire.decode if disk else transfer_pb2.GetPiecesResponse.FromString
    call = channel.unary_stream(
        "/floor.Pieces/GetPieces",
        request_serializer=transfer_pb2.GetPiecesRequest.SerializeToString,
        response_deserializer=decode,
    )
    todo = list(range(count))
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644) if disk else -1
    try:
        if disk:
            os.posix_fallocate(fd, 0, size)

        async def lane() -> None:
            nonlocal got
            while todo:
                mine = todo[:batch]
                del todo[:batch]
                async for reply in call(transfer_pb2.GetPiecesRequest(pieces=mine)):
                    data = reply.data
                    got += len(data)
                    if done_with:
                        digests[reply.index] = hashlib.sha256(data).digest()
                    if disk:
                        os.pwrite(fd, data, reply.index * PIECE)
                    elif done_with:
                        kept.append(data)

        await asyncio.gather(*(lane() for _ in range(streams)))
    finally:
        if disk:
            os.close(fd)
            path.unlink()
    assert got == size, got


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--file-mib", type=float, default=32.0)
    p.add_argument("--runs", type=int, default=7)
    args = p.parse_args()
    size = int(args.file_mib * MIB)
    mbits = size * 8 / 1e6
    with tempfile.TemporaryDirectory(prefix="p2pnet-floor-") as tmp:
        port_file = Path(tmp) / "port"
        server = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(port_file), str(size)],
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 60
            while not port_file.exists() or not port_file.read_text():
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("server did not start")
                time.sleep(0.05)
            address = f"127.0.0.1:{port_file.read_text()}"
            rates: dict[str, list[float]] = {v: [] for v in VARIANTS}
            cpus: dict[str, list[tuple[float, float]]] = {v: [] for v in VARIANTS}
            for _ in range(args.runs):
                for variant in VARIANTS:  # alternating, so drift hits every variant alike
                    seconds, server_ms, client_ms = asyncio.run(
                        download(address, size, variant, Path(tmp), server.pid)
                    )
                    cpus[variant].append((server_ms, client_ms))
                    rates[variant].append(mbits / seconds)
        finally:
            server.terminate()
            server.wait(10)
    result: dict[str, object] = {"file_mib": args.file_mib, "runs": args.runs}
    for variant, xs in rates.items():
        server_ms = statistics.median(c[0] for c in cpus[variant])
        client_ms = statistics.median(c[1] for c in cpus[variant])
        median = statistics.median(xs)
        print(
            f"{variant:13} {median:6.0f} Mbit/s  ({median / statistics.median(rates['raw']):.2f} "
            f"of raw)  CPU per download: server {server_ms:.0f} ms, client {client_ms:.0f} ms"
        )
        result[f"{variant}_mbps"] = round(median)
        result[f"{variant}_cpu_ms"] = [round(server_ms), round(client_ms)]
    print(json.dumps(result))


if __name__ == "__main__" and sys.argv[1:2] == ["--serve"]:
    asyncio.run(serve(Path(sys.argv[2]), int(sys.argv[3])))
elif __name__ == "__main__":
    main()
