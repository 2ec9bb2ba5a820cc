"""The grpc backend of swarm.py: p2pnet-peer processes on loopback, driven by Control.

Also the pair figures: one unthrottled download between two peer processes, and raw
gRPC streaming of the same bytes between two processes (``--raw-server`` mode of this
file), both in the same run, each with the CPU its two processes spent on it.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import grpc
from swarm import MIB, SwarmRun

from p2pnet.v1 import control_pb2, control_pb2_grpc
from p2pnet_testbed.local.processes import PeerProcess, stop_all

RPC_TIMEOUT = 600.0  # generous: a busy 2-core machine
RAW_PATH = "/bench.Raw/Stream"
SAMPLE_INTERVAL = 0.1  # seconds between questions to the free rider


def swarm_env(args: argparse.Namespace, rate: float, **extra: str) -> dict[str, str]:
    return {
        "P2PNET_UPLOAD_RATE": str(int(rate)),
        "P2PNET_PIECE_SIZE": str(args.piece_kib * 1024),
        "P2PNET_LOG_LEVEL": "warning",
        **extra,
    }


def start_network(
    workdir: Path, args: argparse.Namespace, free_rider: bool
) -> tuple[list[PeerProcess], list[str], str | None]:
    """The seed's process first, then downloaders ``--per-process`` to a process; returns
    the processes, the downloaders' addresses and the free rider's."""
    rate = args.upload_mibps * MIB
    procs = [PeerProcess(workdir, "seed", metrics_port=-1, extra_env=swarm_env(args, rate))]
    boot = [procs[0].wait_ready(timeout=120)[0].address]
    left, index = args.downloaders, 0
    while left:
        count = min(left, args.per_process)
        env = swarm_env(args, rate, P2PNET_DATA_DIR=str(workdir / f"d{index}"))
        name = f"d{index}"
        procs.append(
            PeerProcess(workdir, name, count=count, bootstrap=boot, metrics_port=-1, extra_env=env)
        )
        left, index = left - count, index + 1
    if free_rider:
        env = swarm_env(args, rate, P2PNET_UNCHOKE_SLOTS="0", P2PNET_OPTIMISTIC_SLOTS="0")
        procs.append(PeerProcess(workdir, "rider", bootstrap=boot, metrics_port=-1, extra_env=env))
    for p in procs:
        p.wait_ready(timeout=300, joined=True)
    downloaders = [i.address for p in procs if p.name.startswith("d") for i in p.peers]
    rider = procs[-1].peers[0].address if free_rider else None
    return procs, downloaders, rider


async def fetch_done(channel: grpc.aio.Channel, cid: bytes) -> control_pb2.FetchResponse:
    """Fetch ``cid`` through ``channel``: returns on the done response, without waiting
    for the stream's close."""
    stub = control_pb2_grpc.ControlStub(channel)
    call = stub.Fetch(control_pb2.FetchRequest(cid=cid), timeout=RPC_TIMEOUT)
    async for response in call:
        if response.done:
            call.cancel()  # nothing follows the done response but the stream's close
            return response
    raise AssertionError("Fetch ended without a done response")


async def transferred(address: str, cid: bytes) -> tuple[int, int]:
    """(downloaded, uploaded) bytes of the peer's transfer of ``cid``."""
    async with grpc.aio.insecure_channel(address) as channel:
        status = await control_pb2_grpc.ControlStub(channel).Status(
            control_pb2.StatusRequest(), timeout=30
        )
    (t,) = (t for t in status.transfers if t.cid == cid)
    return t.downloaded_bytes, t.uploaded_bytes


async def publish(seed: str, source: Path) -> control_pb2.PublishResponse:
    async with grpc.aio.insecure_channel(seed) as channel:
        return await control_pb2_grpc.ControlStub(channel).Publish(
            control_pb2.PublishRequest(path=str(source)), timeout=RPC_TIMEOUT
        )


async def drive(
    seed: str,
    downloaders: list[str],
    rider: str | None,
    published: control_pb2.PublishResponse,
    cpu_of: tuple[int, ...] = (),
) -> SwarmRun:
    """Fetch ``published`` on every downloader (and the free rider) at once. Completion
    times run from the Fetch calls, made on channels already connected, to each done
    response: neither the channels' setup nor their close counts, as for raw streaming
    (``_raw_client``). Over that same span, the CPU each of the ``cpu_of`` processes
    spends goes in the run's ``cpu_ms``."""
    fetchers = [*downloaders, *([rider] if rider else [])]
    channels = {a: grpc.aio.insecure_channel(a) for a in fetchers}
    try:
        await asyncio.gather(*(c.channel_ready() for c in channels.values()))
        loop = asyncio.get_running_loop()
        cpu_before = {pid: cpu_ms(pid) for pid in cpu_of}
        start = loop.time()
        finishes: list[float] = []

        async def fetch(address: str) -> None:
            await fetch_done(channels[address], published.cid)
            finishes.append(loop.time() - start)

        riding = sampling = None
        if rider is not None:
            riding = asyncio.ensure_future(fetch_done(channels[rider], published.cid))
            sampling = asyncio.ensure_future(sample(rider, published.cid, start))
        await asyncio.gather(*map(fetch, downloaders))
        cpu = {pid: cpu_ms(pid) - before for pid, before in cpu_before.items()}
        fraction = None
        if sampling is not None and riding is not None:
            samples = await stop(sampling)
            await stop(riding)
            finishes.sort()
            fraction = rider_bytes_at(samples, finishes[len(finishes) // 2]) / published.size
    finally:
        await asyncio.gather(*(c.close() for c in channels.values()))
    seed_up = (await transferred(seed, published.cid))[1]
    return SwarmRun(sorted(finishes), seed_up, published.size, fraction, cpu_ms=cpu)


async def stop(task: asyncio.Future) -> object:
    task.cancel()
    (result,) = await asyncio.gather(task, return_exceptions=True)
    return result


async def sample(address: str, cid: bytes, start: float) -> list[tuple[float, int]]:
    """The peer's downloaded bytes of ``cid``, asked every SAMPLE_INTERVAL on one channel
    without waiting for earlier answers (a busy peer answers late): (seconds from ``start``
    when the question was sent, bytes in the answer), until cancelled; returns them."""
    loop = asyncio.get_running_loop()
    samples: list[tuple[float, int]] = []
    async with grpc.aio.insecure_channel(address) as channel:
        stub = control_pb2_grpc.ControlStub(channel)

        async def one() -> None:
            sent = loop.time() - start
            status = await stub.Status(control_pb2.StatusRequest(), timeout=30)
            got = [t.downloaded_bytes for t in status.transfers if t.cid == cid]
            samples.append((sent, got[0] if got else 0))

        pending: set[asyncio.Task] = set()
        try:
            while True:
                task = asyncio.ensure_future(one())
                pending.add(task)
                task.add_done_callback(pending.discard)
                await asyncio.sleep(SAMPLE_INTERVAL)
        except asyncio.CancelledError:
            await asyncio.gather(*pending, return_exceptions=True)  # the late answers count
            return samples


def rider_bytes_at(samples: list[tuple[float, int]], when: float) -> int:
    """The free rider's bytes at ``when``, read pessimistically: the last answer to a
    question sent at or before ``when`` (the peer answered then or later, so the figure
    is at least what it held at ``when``)."""
    before = [got for sent, got in sorted(samples) if sent <= when]
    if not before:
        raise RuntimeError(f"no sample of the free rider before {when:.1f} s")
    return before[-1]


def run_grpc(args: argparse.Namespace, free_rider: bool) -> SwarmRun:
    with tempfile.TemporaryDirectory(prefix="p2pnet-swarm-") as tmp:
        workdir = Path(tmp)
        source = workdir / "content.bin"
        source.write_bytes(os.urandom(int(args.file_mib * MIB)))
        wall = time.monotonic()
        procs, downloaders, rider = start_network(workdir, args, free_rider)
        try:
            joined = time.monotonic() - wall
            seed = procs[0].peers[0].address
            published = asyncio.run(publish(seed, source))
            run = asyncio.run(drive(seed, downloaders, rider, published))
        finally:
            stop_all(procs)
        want = hashlib.sha256(source.read_bytes()).digest()
        contents = list(workdir.glob("d*/peer-*/*/content"))
        assert len(contents) == args.downloaders, contents
        for path in contents:  # every downloader's copy is byte-identical
            assert hashlib.sha256(path.read_bytes()).digest() == want, path
        run.notes = {"join_wall_s": joined}
        return run


@dataclass(frozen=True)
class Timed:
    """One timed pair download or raw stream."""

    seconds: float
    cpu_ms: float  # both processes' threads, on a core


@dataclass(frozen=True)
class PairFigures:
    """Medians over the pair runs: Mbit/s, and CPU ms both processes spent per download."""

    mbps: float
    limit_mbps: float
    cpu_ms: float  # the seed's and the downloader's
    limit_cpu_ms: float  # the raw server's and its client's


def pair_figures(args: argparse.Namespace) -> PairFigures:
    """The unthrottled pair download and raw gRPC streaming of the same bytes: the
    medians of ``args.pair_runs`` runs of each, alternating. Each pair run has a fresh
    seed and downloader with empty data dirs, removed after it, so no run depends on the
    content earlier ones left behind (see the module docstring of ``swarm.py``)."""
    size = int(args.file_mib * MIB)
    mbits = size * 8 / 1e6
    pairs: list[Timed] = []
    raws: list[Timed] = []
    with tempfile.TemporaryDirectory(prefix="p2pnet-pair-") as tmp:
        workdir = Path(tmp)
        for run_index in range(args.pair_runs):
            pairs.append(pair_seconds(args, workdir / f"pair-{run_index}", size))
            os.sync()
            raws.append(raw_stream_seconds(workdir, size, args.piece_kib * 1024))
    print(
        "pair runs, Mbit/s: p2pnet",
        [round(mbits / p.seconds) for p in pairs],
        "raw",
        [round(mbits / r.seconds) for r in raws],
    )
    print(
        "pair runs, CPU ms per download: p2pnet",
        [round(p.cpu_ms, 1) for p in pairs],
        "raw",
        [round(r.cpu_ms, 1) for r in raws],
    )
    return PairFigures(
        statistics.median(mbits / p.seconds for p in pairs),
        statistics.median(mbits / r.seconds for r in raws),
        statistics.median(p.cpu_ms for p in pairs),
        statistics.median(r.cpu_ms for r in raws),
    )


def thread_times(pid: int) -> dict[str, tuple[float, float]]:
    """Per thread ("name/tid"): (ms on a core, ms waiting for one) so far. A thread that
    ended is gone from the count (gRPC's and asyncio's threads live as long as the
    process)."""
    times = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            name = Path(f"/proc/{pid}/task/{tid}/comm").read_text().strip()
            run, wait, _ = Path(f"/proc/{pid}/task/{tid}/schedstat").read_text().split()
        except OSError:
            continue  # the thread ended
        times[f"{name}/{tid}"] = (int(run) / 1e6, int(wait) / 1e6)
    return times


def cpu_ms(*pids: int) -> float:
    """CPU time of the processes' live threads so far, to the nanosecond (schedstat; the
    tick counts in /proc/<pid>/stat are 10 ms steps, as long as a quarter download)."""
    return sum(run for pid in pids for run, _ in thread_times(pid).values())


def pair_seconds(
    args: argparse.Namespace, workdir: Path, size: int, own_sessions: bool = True
) -> Timed:
    """One download of ``size`` fresh bytes between two new peer processes, timed after
    an untimed one of the same size: a new pair's first download also pays for its
    connection's flow-control window growing and its code's first runs. Each peer in a
    session of its own unless ``own_sessions`` is False (see :func:`raw_stream_seconds`)."""
    workdir.mkdir()
    env = pair_env(args, workdir, "a")
    procs = [PeerProcess(workdir, "a", metrics_port=-1, extra_env=env, own_session=own_sessions)]
    try:
        seed = procs[0].wait_ready(timeout=120)[0].address
        env = pair_env(args, workdir, "b")
        procs.append(
            PeerProcess(
                workdir,
                "b",
                bootstrap=[seed],
                metrics_port=-1,
                extra_env=env,
                own_session=own_sessions,
            )
        )
        for p in procs:
            p.wait_ready(timeout=120, joined=True)
        pids = tuple(p.pid for p in procs)
        for _warm_up_first in (True, False):
            published = publish_fresh(seed, workdir, size)
            run = asyncio.run(drive(seed, [procs[1].peers[0].address], None, published, pids))
        return Timed(run.completions[0], sum(run.cpu_ms.values()))
    finally:
        stop_all(procs)
        shutil.rmtree(workdir)


def publish_fresh(seed: str, workdir: Path, size: int) -> control_pb2.PublishResponse:
    """Publish ``size`` new random bytes on ``seed``, then flush dirty pages and warm free
    memory, so the timed download that follows neither reuses content, nor waits on
    earlier writes, nor writes into pages the host has taken back."""
    source = workdir / "content.bin"
    source.write_bytes(os.urandom(size))
    try:
        return asyncio.run(publish(seed, source))
    finally:
        source.unlink()  # the seed has its copy
        os.sync()
        warm_free_memory(workdir, 4 * size)


def warm_free_memory(directory: Path, size: int) -> None:
    """Write, then delete, ``size`` bytes of scratch file in ``directory``.

    These VMs give free memory back to their host (free page reporting: about 2 s after a
    page is freed), and the next write to such a page faults on the host: writing 32 MiB
    of new page cache took 76 ms instead of 5 (``benchmarks/first_touch.py``).
    Pages freed moments ago are handed out first, so a transfer started right after this
    writes its page cache, and allocates its buffers, as on a machine that keeps its
    memory. Dirty pages of a deleted file are dropped, never written back: no disk I/O."""
    chunk = os.urandom(MIB)
    scratch = directory / "warm.scratch"
    with scratch.open("wb") as f:
        for _ in range(-(-size // MIB)):
            f.write(chunk)
    scratch.unlink()


def pair_env(args: argparse.Namespace, workdir: Path, name: str) -> dict[str, str]:
    """An unthrottled peer that keeps pieces on disk, as the swarm's downloaders do."""
    return swarm_env(args, 0, P2PNET_DATA_DIR=str(workdir / f"pair-{name}"))


def raw_stream_seconds(workdir: Path, size: int, chunk: int, own_session: bool = True) -> Timed:
    """One timed raw stream. Its server runs in a session of its own, as every peer
    process does (``PeerProcess``), so both transfers are timed with each side in its own
    scheduling group: with autogroup on (Linux's default), the kernel shares CPU between
    sessions before threads, and where the processes sit moves both figures
    (``benchmarks/pair_sessions.py``). ``own_session`` False: in this process's session."""
    port_file = workdir / "raw.port"
    port_file.unlink(missing_ok=True)  # a previous run's port is not this server's
    server = subprocess.Popen(
        [sys.executable, __file__, "--raw-server", str(port_file), str(size), str(chunk)],
        start_new_session=own_session,
    )
    try:
        deadline = time.monotonic() + 60
        while not port_file.exists() or not port_file.read_text():
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("raw gRPC server did not start")
            time.sleep(0.05)
        warm_free_memory(workdir, 4 * size)  # as before a pair download (publish_fresh)
        address = f"127.0.0.1:{port_file.read_text()}"
        return asyncio.run(_raw_client(address, size, server.pid))
    finally:
        server.terminate()
        server.wait(10)


async def _raw_client(address: str, size: int, server: int) -> Timed:
    """The second of two streams on one channel (the first grows the connection's
    flow-control window, as the pair's untimed first download does): its seconds, and
    the CPU it took in the ``server`` process and in this one."""
    options = [("grpc.max_receive_message_length", 8 * MIB)]
    async with grpc.aio.insecure_channel(address, options=options) as channel:
        stream = channel.unary_stream(RAW_PATH)
        await channel.channel_ready()
        for _warm_up_first in (True, False):
            before = cpu_ms(server, os.getpid())
            started, got = time.perf_counter(), 0
            async for chunk in stream(b""):
                got += len(chunk)
            seconds = time.perf_counter() - started
            used = cpu_ms(server, os.getpid()) - before
            assert got == size, got
        return Timed(seconds, used)


async def _raw_server(port_file: Path, size: int, chunk: int) -> None:
    data = os.urandom(size)

    async def stream(request: bytes, context: grpc.aio.ServicerContext) -> object:
        for offset in range(0, size, chunk):
            yield data[offset : offset + chunk]

    handler = grpc.method_handlers_generic_handler(
        "bench.Raw", {"Stream": grpc.unary_stream_rpc_method_handler(stream)}
    )
    server = grpc.aio.server(options=[("grpc.max_send_message_length", 8 * MIB)])
    server.add_generic_rpc_handlers((handler,))
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    port_file.write_text(str(port))
    await server.wait_for_termination()


if __name__ == "__main__" and sys.argv[1:2] == ["--raw-server"]:
    asyncio.run(_raw_server(Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])))
