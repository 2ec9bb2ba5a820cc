"""Gossip benchmark: SWIM rumour convergence rounds, reach, cost and failure detection.

    python benchmarks/gossip_convergence.py --backend memory --peers 1000 --rumours 50 --seed 1
    python benchmarks/gossip_convergence.py --backend memory --peers 1000 --rumours 50 --loss 0.1
    python benchmarks/gossip_convergence.py --backend grpc --peers 64
    python benchmarks/gossip_convergence.py --backend grpc --peers 128 --measure-cpu

memory: every peer in this process on the in-memory network under virtual time, running
its full maintenance (SWIM, DHT, transfer); by default each starts from the full member
list (--join roster: a converged group, no join storm), or joins through one seed by
push-pull (--join push-pull); --loss applies once the member lists have converged.
grpc: real p2pnet-peer processes on loopback (--per-process peers each; every crash
victim alone in its own process), joined through a seed, driven through Control
(Broadcast, Rumours, Members); no loss is injected. Then --rumours rumours from random
origins, one every --gap periods; then --crashes peers crash (memory: all at once; grpc:
one after the other).

Figures: a rumour's convergence rounds is the largest round counter on first receipt over
the live peers it reached (rounds_p50/rounds_max over rumours); informed_fraction is the
mean fraction of live peers reached; messages_per_rumour counts the rumour copies
piggybacked (push-pull exchanges excluded); detection_periods_mean is protocol periods
from a crash until the first peer suspects the victim, dead_everywhere_periods_mean until
every live peer holds it dead; false_dead counts live peers that any peer declared dead.
--measure-cpu (grpc) samples the peer processes' CPU over --cpu-window seconds once
membership has converged. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import time

# the script's own folder is on sys.path: its two backends live beside it
from gossip_bench_grpc import run_grpc
from gossip_bench_memory import run_memory


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--backend", choices=["memory", "grpc"], default="memory")
    p.add_argument("--peers", type=int, default=1000)
    p.add_argument("--rumours", type=int, default=50)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--loss", type=float, default=0.0, help="memory: message loss probability")
    p.add_argument("--latency-ms", type=float, default=5.0, help="memory: one-way delay")
    p.add_argument(
        "--preset",
        choices=["lan", "local"],
        default=None,
        help="SWIM timing preset (default: lan for memory, local for grpc)",
    )
    p.add_argument("--gap", type=float, default=0.1, help="periods between rumour injections")
    p.add_argument("--crashes", type=int, default=5)
    p.add_argument("--payload-bytes", type=int, default=64)
    p.add_argument(
        "--join",
        choices=["roster", "push-pull"],
        default="roster",
        help="memory: start from the full member list (roster), or join through "
        "one seed and gossip every newcomer (N^2 log N updates: slow beyond ~300)",
    )
    p.add_argument("--per-process", type=int, default=16, help="grpc: peers per process")
    p.add_argument("--measure-cpu", action="store_true", help="grpc: sample the peers' CPU")
    p.add_argument("--cpu-window", type=float, default=30.0, help="grpc: seconds sampled")
    args = p.parse_args()
    args.preset = args.preset or ("lan" if args.backend == "memory" else "local")
    if args.backend == "grpc" and args.loss:
        p.error("--loss is only modelled by the memory backend")
    started = time.perf_counter()
    out = run_memory(args) if args.backend == "memory" else run_grpc(args)
    rounds = [float(r) for r in out["rounds"]]
    summary = {
        "backend": args.backend,
        "peers": args.peers,
        "loss": args.loss,
        "rumours": args.rumours,
        "preset": args.preset,
        "rounds_p50": percentile(rounds, 0.5),
        "rounds_max": max(rounds, default=float("nan")),
        "informed_fraction": round(sum(out["informed"]) / max(1, len(out["informed"])), 6),
        "messages_per_rumour": round(out["rumour_copies"] / max(1, args.rumours), 1),
        "detection_periods_mean": _mean(out["detection_periods"]),
        "dead_everywhere_periods_mean": _mean(out["dead_everywhere_periods"]),
        "false_dead": out["false_dead"],
        "false_suspicions": out["false_suspicions"],
        "membership_converged_periods": out["converged_periods"],
        **{k: v for k, v in out.items() if k.startswith("cpu_")},
        "wall_s": round(time.perf_counter() - started, 1),
    }
    print(
        f"{args.rumours} rumours on {args.peers} {args.backend} peers (loss {args.loss}): "
        f"convergence rounds p50/max {summary['rounds_p50']:.0f}/{summary['rounds_max']:.0f}, "
        f"informed {summary['informed_fraction']:.4f}, "
        f"{summary['messages_per_rumour']} copies/rumour; {args.crashes} crashes detected in "
        f"{summary['detection_periods_mean']} periods (dead everywhere in "
        f"{summary['dead_everywhere_periods_mean']}); false dead {summary['false_dead']}"
    )
    if "cpu_percent_of_one_core" in out:
        print(
            f"CPU for {args.peers} peers: {out['cpu_percent_of_one_core']}% of one core "
            f"({out['cpu_percent_of_machine']}% of the machine) over {args.cpu_window:.0f} s"
        )
    print(json.dumps(summary))


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


if __name__ == "__main__":
    main()
