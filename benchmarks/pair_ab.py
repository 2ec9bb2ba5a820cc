"""Paired A/B of the pair download between git revisions of the peer code.

    python benchmarks/pair_ab.py REV_A REV_B [--rounds 10] [--runs 2] [--threads]

``swarm.py``'s pair figure is a median over runs on a noisy machine; a change worth a few
per cent hides in its spread. This runs the same measurement for two (or more) revisions
side by side: each round starts, for every revision in turn (the order alternating from
round to round), a new seed and downloader peer process running that revision's ``peer``
and ``proto`` packages (``git archive`` into a temporary directory, put first on
PYTHONPATH), times ``--runs`` downloads of fresh 32 MiB content after an untimed one, as
``swarm_grpc.pair_seconds`` does, and removes their data. It prints each revision's median
Mbit/s and CPU, and per round and run the ratio of each revision's rate to the first's,
with their median: the figure to compare, since both sides of a ratio ran moments apart.
Its bootstrap 95% interval says whether the difference is more than this machine's
noise: on a 2-core VM, three runs of 28 paired downloads of identical code (``HEAD
HEAD~0``) gave median ratios 0.944, 1.005 and 0.990, intervals 0.90..1.03, 0.91..1.11
and 0.95..1.11; a change whose interval holds 1 has not been shown to matter.

``--threads`` also prints, per timed download, each thread's CPU time and time spent
waiting for a core (``/proc/<pid>/task/*/schedstat``), which shows the critical path.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import statistics
import subprocess
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

from swarm import MIB
from swarm_grpc import drive, publish_fresh, swarm_env, thread_times

from p2pnet_testbed.local.processes import PeerProcess, stop_all

REPO = Path(__file__).resolve().parent.parent


def export(rev: str, into: Path) -> Path:
    """``rev``'s peer and proto packages under ``into``/<rev>."""
    tree = into / rev.replace("/", "_")
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", rev, "peer", "proto"],
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(tree, filter="data")
    return tree


def peer_env(args: argparse.Namespace, tree: Path, data: Path) -> dict[str, str]:
    """``swarm_grpc``'s unthrottled pair peer, running ``tree``'s code."""
    path = os.pathsep.join([str(tree / "peer"), str(tree / "proto")])
    return swarm_env(args, 0, P2PNET_DATA_DIR=str(data), PYTHONPATH=path)


def one_pair(args: argparse.Namespace, tree: Path, workdir: Path, size: int) -> list[tuple]:
    """(Mbit/s, seed CPU s, downloader CPU s) of ``runs`` timed downloads by a new pair."""
    workdir.mkdir(parents=True)
    procs = [
        PeerProcess(workdir, "a", metrics_port=-1, extra_env=peer_env(args, tree, workdir / "a"))
    ]
    try:
        seed = procs[0].wait_ready(timeout=120)[0].address
        env = peer_env(args, tree, workdir / "b")
        procs.append(PeerProcess(workdir, "b", bootstrap=[seed], metrics_port=-1, extra_env=env))
        for p in procs:
            p.wait_ready(timeout=120, joined=True)
        timed = []
        for index in range(1 + args.runs):  # the first is untimed, as in swarm_grpc.pair_seconds
            published = publish_fresh(seed, workdir, size)
            threads_before = [thread_times(p.pid) for p in procs]
            pids = tuple(p.pid for p in procs)
            run = asyncio.run(drive(seed, [procs[1].peers[0].address], None, published, pids))
            seconds = run.completions[0]
            if index == 0:
                continue
            timed.append((size * 8 / 1e6 / seconds, *(run.cpu_ms[pid] / 1000 for pid in pids)))
            if args.threads:
                for p, before in zip(procs, threads_before, strict=True):
                    after = thread_times(p.pid)
                    used = {
                        k: (
                            round(r - before.get(k, (0, 0))[0], 1),
                            round(w - before.get(k, (0, 0))[1], 1),
                        )
                        for k, (r, w) in after.items()
                    }
                    busy = {k: v for k, v in used.items() if v[0] + v[1] >= 0.5}
                    print(f"  {p.name} ({seconds * 1000:.1f} ms) ms (on a core, waiting):", busy)
        return timed
    finally:
        stop_all(procs)
        shutil.rmtree(workdir)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("revs", nargs="+", help="git revisions; ratios are to the first")
    p.add_argument("--rounds", type=int, default=10)
    p.add_argument("--runs", type=int, default=2, help="timed downloads per pair")
    p.add_argument("--file-mib", type=float, default=32.0)
    p.add_argument("--piece-kib", type=int, default=256)
    p.add_argument("--threads", action="store_true", help="per-thread CPU and core waits")
    args = p.parse_args()
    size = int(args.file_mib * MIB)
    results: dict[str, list[tuple]] = {rev: [] for rev in args.revs}
    with tempfile.TemporaryDirectory(prefix="p2pnet-pair-ab-") as tmp:
        trees = {rev: export(rev, Path(tmp)) for rev in args.revs}
        for round_index in range(args.rounds):
            order = args.revs if round_index % 2 == 0 else args.revs[::-1]
            for rev in order:
                workdir = Path(tmp) / f"run-{round_index}-{args.revs.index(rev)}"
                results[rev] += one_pair(args, trees[rev], workdir, size)
            rates = {rev: [round(r[0]) for r in results[rev][-args.runs :]] for rev in args.revs}
            print(f"round {round_index + 1}/{args.rounds}, Mbit/s:", rates, flush=True)
    first = args.revs[0]
    for rev in args.revs:
        rates = [r[0] for r in results[rev]]
        seed_ms = statistics.median(r[1] for r in results[rev]) * 1000
        downloader_ms = statistics.median(r[2] for r in results[rev]) * 1000
        print(
            f"{rev}: median {statistics.median(rates):.0f} Mbit/s over {len(rates)} downloads, "
            f"CPU per download: seed {seed_ms:.0f} ms, downloader {downloader_ms:.0f} ms"
        )
        if rev != first:
            ratios = [r[0] / base[0] for r, base in zip(results[rev], results[first], strict=True)]
            low, high = median_interval(ratios)
            print(
                f"  {rev} / {first}: median ratio {statistics.median(ratios):.3f}, "
                f"95% interval {low:.3f}..{high:.3f} (single ratios "
                f"{min(ratios):.2f}..{max(ratios):.2f})"
            )


def median_interval(xs: list[float], draws: int = 4000) -> tuple[float, float]:
    """A bootstrap 95% interval for the median of ``xs``: where the median of as many
    values drawn from ``xs`` with replacement falls 95% of the time (seeded, so the same
    ratios print the same interval)."""
    rng = random.Random(0)
    medians = sorted(statistics.median(rng.choices(xs, k=len(xs))) for _ in range(draws))
    return medians[int(0.025 * draws)], medians[int(0.975 * draws) - 1]


if __name__ == "__main__":
    main()
