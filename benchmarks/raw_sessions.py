"""Raw gRPC streaming with its server in the client's session, and in a session of its own.

    python benchmarks/raw_sessions.py [--runs 20] [--file-mib 32]

``swarm.py``'s pair figure compares a download between two peer processes with raw gRPC
streaming between two processes. Peer processes are started in sessions of their own
(``PeerProcess`` uses ``start_new_session``, so a terminal's Ctrl-C and process-group
signals reach the testbed, not each peer). With autogroup on (Linux's default,
``/proc/sys/kernel/sched_autogroup_enabled``), each session is a scheduling group and
the kernel shares CPU between groups before threads, which changes how a transfer's
threads meet on few cores. This times the same raw stream (``swarm_grpc``'s raw server
and client, the second stream on a connected channel, after ``warm_free_memory``) with
the server started both ways, alternating, and prints each way's median Mbit/s and their
ratio: why ``swarm_grpc`` starts its raw server in a session of its own.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import swarm_grpc
from swarm import MIB

CHUNK = 256 * 1024


def stream_seconds(workdir: Path, size: int, own_session: bool) -> float:
    port_file = workdir / "raw.port"
    port_file.unlink(missing_ok=True)
    command = [sys.executable, swarm_grpc.__file__, "--raw-server", str(port_file)]
    server = subprocess.Popen([*command, str(size), str(CHUNK)], start_new_session=own_session)
    try:
        deadline = time.monotonic() + 60
        while not port_file.exists() or not port_file.read_text():
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("raw gRPC server did not start")
            time.sleep(0.05)
        swarm_grpc.warm_free_memory(workdir, 4 * size)
        address = f"127.0.0.1:{port_file.read_text()}"
        return asyncio.run(swarm_grpc._raw_client(address, size, server.pid)).seconds
    finally:
        server.terminate()
        server.wait(10)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=20)
    p.add_argument("--file-mib", type=float, default=32.0)
    args = p.parse_args()
    size = int(args.file_mib * MIB)
    mbits = size * 8 / 1e6
    rates: dict[bool, list[float]] = {False: [], True: []}
    with tempfile.TemporaryDirectory(prefix="p2pnet-sessions-") as tmp:
        for run in range(args.runs):
            for own in (False, True) if run % 2 else (True, False):
                rates[own].append(mbits / stream_seconds(Path(tmp), size, own))
    shared, own = statistics.median(rates[False]), statistics.median(rates[True])
    print("server in the client's session, Mbit/s:", [round(r) for r in rates[False]])
    print("server in a session of its own, Mbit/s:", [round(r) for r in rates[True]])
    print(f"medians: {shared:.0f} shared, {own:.0f} own; own / shared = {own / shared:.3f}")


if __name__ == "__main__":
    main()
