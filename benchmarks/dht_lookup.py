"""DHT lookup benchmark: accuracy, hops, RPCs and latency of iterative FIND_NODE.

    python benchmarks/dht_lookup.py --backend memory --peers 1000 --lookups 2000 --seed 1
    python benchmarks/dht_lookup.py --backend grpc --peers 64 --lookups 500
    python benchmarks/dht_lookup.py --backend memory --beta 3   # libp2p's resilient lookups

memory: every peer in this process on the in-memory network under virtual time (latency
is the modelled one-way delay, --latency-ms). grpc: real p2pnet-peer processes on
loopback (--per-process peers each), driven through Control.Lookup; latency is the peer's
own lookup duration. A lookup succeeds when the closest peer it returns is the true
closest peer to the key (brute force over every peer's ID, the caller excluded).
The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import grpc

from p2pnet.v1 import control_pb2, control_pb2_grpc
from p2pnet_peer.kademlia.config import DhtConfig
from p2pnet_peer.kademlia.ids import as_int
from p2pnet_peer.peer import PeerConfig
from p2pnet_peer.simulation import SimulatedNetwork
from p2pnet_peer.transport.memory import MemoryNetwork
from p2pnet_peer.virtual_time import run_virtual
from p2pnet_testbed.local.processes import PeerProcess, stop_all


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def closest_id(ids: list[bytes], target: bytes, exclude: bytes) -> bytes:
    t = as_int(target)
    return min((i for i in ids if i != exclude), key=lambda i: as_int(i) ^ t)


def run_memory(args: argparse.Namespace) -> list[tuple[bool, int, int, float]]:
    config = PeerConfig(
        dht=DhtConfig.local().with_overrides(k=args.k, alpha=args.alpha, beta=args.beta)
    )

    async def main() -> list[tuple[bool, int, int, float]]:
        net = MemoryNetwork(latency=args.latency_ms / 1000, rng=random.Random(args.seed))
        async with SimulatedNetwork(net, config, seed=args.seed) as sim:
            started = time.perf_counter()
            await sim.grow(args.peers)
            print(
                f"joined {args.peers} peers in {time.perf_counter() - started:.1f} s",
                file=sys.stderr,
            )
            peers = list(sim)
            ids = [p.id for p in peers]
            rng = random.Random(args.seed)
            out = []
            for _ in range(args.lookups):
                src, target = rng.choice(peers), rng.randbytes(32)
                res = await src.dht.find_node(target)
                ok = bool(res.closest) and res.closest[0].id == closest_id(ids, target, src.id)
                out.append((ok, res.hops, res.rpcs, res.duration))
            return out

    return run_virtual(main())


def grpc_env(args: argparse.Namespace) -> dict[str, str]:
    env = {"P2PNET_DHT_K": str(args.k), "P2PNET_DHT_ALPHA": str(args.alpha)}
    return env | ({"P2PNET_DHT_BETA": str(args.beta)} if args.beta else {})


def run_grpc(args: argparse.Namespace) -> list[tuple[bool, int, int, float]]:
    workdir = Path(tempfile.mkdtemp(prefix="p2pnet-bench-"))
    procs: list[PeerProcess] = []
    try:
        seed = PeerProcess(workdir, "p0", metrics_port=-1, extra_env=grpc_env(args))
        procs.append(seed)
        seed_addr = seed.wait_ready(timeout=120)[0].address
        remaining = args.peers - 1
        i = 1
        while remaining > 0:
            n = min(args.per_process, remaining)
            procs.append(
                PeerProcess(
                    workdir,
                    f"p{i}",
                    count=n,
                    bootstrap=[seed_addr],
                    metrics_port=-1,
                    extra_env=grpc_env(args),
                )
            )
            remaining -= n
            i += 1
        peers = [info for p in procs for info in p.wait_ready(timeout=300, joined=True)]
        print(f"{len(peers)} peers in {len(procs)} processes joined", file=sys.stderr)
        ids = [bytes.fromhex(p.id) for p in peers]
        stubs = {
            p.address: control_pb2_grpc.ControlStub(grpc.insecure_channel(p.address)) for p in peers
        }
        rng = random.Random(args.seed)
        out = []
        for _ in range(args.lookups):
            src = rng.choice(peers)
            target = rng.randbytes(32)
            res = stubs[src.address].Lookup(control_pb2.LookupRequest(target=target), timeout=60)
            ok = bool(res.closest) and res.closest[0].id == closest_id(
                ids, target, bytes.fromhex(src.id)
            )
            out.append((ok, res.stats.hops, res.stats.rpcs, res.stats.duration_seconds))
        return out
    finally:
        stop_all(procs)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--backend", choices=["memory", "grpc"], default="memory")
    p.add_argument("--peers", type=int, default=1000)
    p.add_argument("--lookups", type=int, default=2000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--k", type=int, default=20)
    p.add_argument("--alpha", type=int, default=3)
    p.add_argument("--beta", type=int, help="resilient termination (default: the paper's)")
    p.add_argument("--latency-ms", type=float, default=10.0, help="memory: one-way delay")
    p.add_argument("--per-process", type=int, default=16, help="grpc: peers per process")
    args = p.parse_args()
    started = time.perf_counter()
    results = run_memory(args) if args.backend == "memory" else run_grpc(args)
    hops = [float(h) for _, h, _, _ in results]
    latency_ms = [d * 1000 for _, _, _, d in results]
    summary = {
        "backend": args.backend,
        "peers": args.peers,
        "k": args.k,
        "alpha": args.alpha,
        "beta": args.beta,
        "lookups": len(results),
        "success_rate": round(sum(ok for ok, *_ in results) / len(results), 4),
        "hops_p50": percentile(hops, 0.5),
        "hops_p99": percentile(hops, 0.99),
        "rpcs_per_lookup_mean": round(statistics.mean(r for _, _, r, _ in results), 2),
        "latency_ms_p50": round(percentile(latency_ms, 0.5), 2),
        "latency_ms_p99": round(percentile(latency_ms, 0.99), 2),
        "latency_model": "virtual" if args.backend == "memory" else "wall",
        "wall_s": round(time.perf_counter() - started, 1),
    }
    print(
        f"{summary['lookups']} lookups on {args.peers} {args.backend} peers (k={args.k}, "
        f"alpha={args.alpha}, beta={args.beta}): success {summary['success_rate']:.2%}, "
        f"hops p50/p99 {summary['hops_p50']:.0f}/{summary['hops_p99']:.0f}, "
        f"{summary['rpcs_per_lookup_mean']} RPCs/lookup, latency p50/p99 "
        f"{summary['latency_ms_p50']}/{summary['latency_ms_p99']} ms ({summary['latency_model']})"
    )
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
