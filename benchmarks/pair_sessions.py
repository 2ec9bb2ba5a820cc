"""The pair figure with every process in a session of its own, and with all in one.

    python benchmarks/pair_sessions.py [--rounds 21] [--file-mib 32]

``swarm.py`` compares one download between two peer processes (``pair_mbps``) with raw
gRPC streaming between two processes (``pair_limit_mbps``). Peer processes run in
sessions of their own (``PeerProcess``; on Kubernetes, in pods of their own). With
autogroup on (Linux's default, ``/proc/sys/kernel/sched_autogroup_enabled``) each
session is a scheduling group and the kernel shares CPU between groups before threads,
so where the processes sit changes how a transfer's threads meet on few cores.

Each round times, in alternating order, a pair download and a raw stream (exactly as
``swarm_grpc.pair_seconds`` and ``swarm_grpc.raw_stream_seconds`` do) twice: with the
seed, the downloader and the raw server each in a session of its own (what ``swarm.py``
measures: both transfers then have their two ends in two groups), and with all of them
in this process's session. It prints each arrangement's medians and pair / raw ratio,
and how much faster each transfer was in one session.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
from pathlib import Path

from swarm import MIB
from swarm_grpc import pair_seconds, raw_stream_seconds

ARRANGEMENTS = {"own sessions": True, "one session": False}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=21)
    p.add_argument("--file-mib", type=float, default=32.0)
    p.add_argument("--piece-kib", type=int, default=256)
    args = p.parse_args()
    size = int(args.file_mib * MIB)
    mbits = size * 8 / 1e6
    pair: dict[str, list[float]] = {name: [] for name in ARRANGEMENTS}
    raw: dict[str, list[float]] = {name: [] for name in ARRANGEMENTS}
    with tempfile.TemporaryDirectory(prefix="p2pnet-sessions-") as tmp:
        workdir = Path(tmp)
        for round_index in range(args.rounds):
            names = list(ARRANGEMENTS)
            for name in names if round_index % 2 == 0 else names[::-1]:
                own = ARRANGEMENTS[name]
                run = workdir / f"pair-{round_index}-{own}"
                pair[name].append(mbits / pair_seconds(args, run, size, own).seconds)
                os.sync()
                chunk = args.piece_kib * 1024
                raw[name].append(mbits / raw_stream_seconds(workdir, size, chunk, own).seconds)
    for name in ARRANGEMENTS:
        p_mbps, r_mbps = statistics.median(pair[name]), statistics.median(raw[name])
        print(
            f"{name}: pair {p_mbps:.0f} Mbit/s, raw {r_mbps:.0f} Mbit/s, "
            f"pair / raw {p_mbps / r_mbps:.3f}"
        )
    own, shared = ARRANGEMENTS
    for what, rates in (("pair", pair), ("raw", raw)):
        gain = statistics.median(rates[shared]) / statistics.median(rates[own])
        print(f"{what}: one session / own sessions = {gain:.3f}")


if __name__ == "__main__":
    main()
