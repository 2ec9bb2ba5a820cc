"""Swarm transfer benchmark: one seed, N downloaders, every peer's upload rate limited.

    python benchmarks/swarm.py --backend grpc --downloaders 32 --file-mib 32 --upload-mibps 2
    python benchmarks/swarm.py --backend memory --downloaders 256

memory: every peer in this process on the in-memory network under virtual time (seconds
are protocol seconds). grpc: real p2pnet-peer processes on loopback (--per-process peers
each), driven through Control.Publish / Fetch / Status; seconds are wall seconds.

Three runs: the swarm (all downloaders start at once, a flash crowd); the same swarm plus
one free rider (a peer with no unchoke slots: it downloads, never uploads); and, over
gRPC, one unthrottled peer-to-peer download next to raw gRPC streaming of the same bytes.

- completion_s_max: until the last downloader has every piece verified.
- ideal_s = file size / per-peer upload rate: the seed must send the file once, and N
  downloaders with N + 1 uploaders can do no better (client-server would take N times).
- seed_upload_copies: bytes the seed uploaded / file size.
- freerider_rate_ratio: the free rider's bytes / the file size at the moment the median
  compliant downloader finishes, i.e. its rate over the contended phase / the median
  compliant rate. Over gRPC the rider is asked for its bytes every 0.1 s; the answer to
  the last question sent by that moment counts (given then or later, it can only
  overstate the rider).
- pair_mbps, pair_limit_mbps: megabits per second of the unthrottled pair download and
  of raw gRPC streaming (same bytes, same chunk size, two processes each, every
  process in a session of its own as peer processes are: with autogroup on, Linux's
  default, the kernel shares CPU between sessions first, and raw streaming was 7-35%
  faster with its server in its client's session: ``benchmarks/pair_sessions.py``);
  the medians of --pair-runs runs of each, alternating. The pair's two peers keep
  pieces on disk, as the swarm's downloaders do; a fetch is timed from the Fetch call
  to its done response, raw streaming from the call to its last chunk, each on a
  channel already connected, and each after a ``sync``. Each pair run starts a new
  seed and downloader, times their second download of a fresh file (the first grows
  the connection's flow-control window and runs the code once), then stops them and
  removes their data; each raw run times the second of two streams on one channel, for
  the same reason (the first is about 9% slower). On a VM whose free memory goes back
  to its host (these CI machines), a page written for the first time since costs a
  fault on the host: writing 32 MiB of new page cache took 76 ms instead of 5
  (``benchmarks/first_touch.py``), longer than a whole warm download; so right before
  each timed run of either, a scratch file of 4 times the content is written and
  deleted (``swarm_grpc.warm_free_memory``): the run then gets pages freed moments
  ago, which the host has not taken back. One run of either takes under 0.1 s, so
  single runs still scatter (raw streaming from 4,900 to 10,400 Mbit/s within one
  minute on a 2-core VM): hence 21 runs by default, which cost about 40 s.
- pair_cpu_ms, pair_limit_cpu_ms: CPU milliseconds per timed download, on a core, of
  both processes' threads (the seed and the downloader; the raw server and its client),
  medians; cores: the machine's. When the processes' threads keep every core busy, as on
  a 2-core machine, the time of a pair download follows its CPU, so the CPU ratio says
  how much of the gap to raw streaming is work done (a downloader's SHA-256 of every
  piece and its write, the seed's read from disk) rather than waiting.

The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from dataclasses import dataclass, field

MIB = 1024 * 1024


@dataclass
class SwarmRun:
    completions: list[float]  # seconds from the common start, one per compliant downloader
    seed_uploaded: int
    file_bytes: int
    rider_fraction: float | None = None  # the free rider's share of the file at the median
    notes: dict[str, float] = field(default_factory=dict)
    cpu_ms: dict[int, float] = field(default_factory=dict)  # per process asked to be measured


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--backend", choices=["memory", "grpc"], default="memory")
    p.add_argument("--downloaders", type=int, default=32)
    p.add_argument("--file-mib", type=float, default=32.0)
    p.add_argument("--upload-mibps", type=float, default=2.0)
    p.add_argument("--piece-kib", type=int, default=256)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--latency-ms", type=float, default=5.0, help="memory: one-way latency")
    p.add_argument("--per-process", type=int, default=8, help="grpc: peers per process")
    p.add_argument("--no-freerider", action="store_true", help="skip the free-rider run")
    p.add_argument("--no-pair", action="store_true", help="skip the pair measurement")
    p.add_argument("--pair-runs", type=int, default=21, help="pair downloads (median reported)")
    return p


def summarise(args: argparse.Namespace, main: SwarmRun) -> dict[str, object]:
    rate = args.upload_mibps * MIB
    ideal = main.file_bytes / rate
    worst = max(main.completions)
    return {
        "backend": args.backend,
        "downloaders": args.downloaders,
        "file_mib": args.file_mib,
        "upload_mibps": args.upload_mibps,
        "piece_kib": args.piece_kib,
        "completion_s_max": round(worst, 3),
        "completion_s_median": round(statistics.median(main.completions), 3),
        "ideal_s": round(ideal, 3),
        "ratio_to_ideal": round(worst / ideal, 3),
        "seed_upload_copies": round(main.seed_uploaded / main.file_bytes, 3),
        **{k: round(v, 3) for k, v in main.notes.items()},
    }


def main() -> None:
    args = parser().parse_args()
    started = time.monotonic()
    if args.backend == "memory":
        from swarm_memory import run_memory as run
    else:
        from swarm_grpc import run_grpc as run
    main_run = run(args, free_rider=False)
    result = summarise(args, main_run)
    print(
        f"{args.backend}: {args.downloaders} downloaders, {args.file_mib:g} MiB, "
        f"{args.upload_mibps:g} MiB/s per peer: last done after "
        f"{result['completion_s_max']} s, ideal {result['ideal_s']} s "
        f"(x{result['ratio_to_ideal']}); the seed uploaded "
        f"{result['seed_upload_copies']} copies",
        flush=True,
    )
    if not args.no_freerider:
        rider_run = run(args, free_rider=True)
        result["freerider_rate_ratio"] = round(rider_run.rider_fraction or 0.0, 3)
        print(
            f"free rider: {result['freerider_rate_ratio']} of the median compliant rate "
            f"(compliant last done after {max(rider_run.completions):.1f} s)",
            flush=True,
        )
    if not args.no_pair:
        from swarm_grpc import pair_figures

        pair = pair_figures(args)
        result["pair_mbps"] = round(pair.mbps, 1)
        result["pair_limit_mbps"] = round(pair.limit_mbps, 1)
        result["pair_cpu_ms"] = round(pair.cpu_ms, 1)
        result["pair_limit_cpu_ms"] = round(pair.limit_cpu_ms, 1)
        result["cores"] = os.cpu_count()
        print(
            f"pair: {pair.mbps:.0f} Mbit/s unthrottled, raw gRPC streaming "
            f"{pair.limit_mbps:.0f} Mbit/s (x{pair.mbps / pair.limit_mbps:.3f}); CPU per "
            f"download, both processes: {pair.cpu_ms:.0f} ms against {pair.limit_cpu_ms:.0f} "
            f"(x{pair.cpu_ms / pair.limit_cpu_ms:.2f}) on {os.cpu_count()} cores"
        )
    result["wall_s"] = round(time.monotonic() - started, 1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
