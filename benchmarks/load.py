"""Load benchmark: a local network of real gRPC peers, and Locust against it.

    python benchmarks/load.py --peers 64 --users 50 --duration 60

Starts ``p2pnet run`` (no workload of its own) with --peers peers, waits until every peer
has joined, runs ``p2pnet load``'s Locust (headless, in its own process, unpaced unless
--rate) for --duration seconds, then stops the network. Peer CPU is the peer-host
processes' user + system time over the load (and, before it, over 10 s of no load: the
background protocol work). The last line printed is one JSON object:
peers, users, rps, failures, get_ms_p50, get_ms_p99, lookup_ms_p99,
peer_cpu_s_per_1k_requests, peer_rpcs_per_request (peer-to-peer RPCs the peers served, from
their own counters, per Locust request), peer_cpu_us_per_peer_rpc, and more.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path

import yaml
from prometheus_client.parser import text_string_to_metric_families

from p2pnet_testbed.events import read_events
from p2pnet_testbed.load.runner import run_load

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
IDLE_S = 10.0


def cpu_seconds(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime
    return total


def served_rpcs(run_dir: Path) -> Counter[str]:
    """RPCs served, by "Service/Method", summed over every peer's own counter."""
    counts: Counter[str] = Counter()
    for peer in json.loads((run_dir / "peers.json").read_text()):
        with urllib.request.urlopen(f"http://{peer['metrics']}/metrics", timeout=30) as r:
            text = r.read().decode()
        for family in text_string_to_metric_families(text):
            if family.name == "p2pnet_rpc_server_requests":
                for sample in family.samples:
                    if sample.name.endswith("_total"):
                        labels = sample.labels
                        counts[f"{labels['service']}/{labels['method']}"] += int(sample.value)
    return counts


def spec(peers: int, beta: int | None) -> dict[str, object]:
    dht: dict[str, object] = {"preset": "local", "k": min(20, peers)}
    if beta:
        dht["beta"] = beta
    return {
        "apiVersion": "p2pnet.io/v1alpha1",
        "kind": "P2PNetwork",
        "metadata": {"name": "loadbench"},
        "spec": {
            "peers": peers,
            "bootstrapPeers": 2,
            "duration": "2h",  # stopped once measured
            "dht": dht,
            "gossip": {"preset": "local"},
            "workload": {"lookupsPerSecond": 0, "putsPerSecond": 0, "rumoursPerMinute": 0},
        },
    }


def wait_joined(run_dir: Path, proc: subprocess.Popen[bytes], peers: int) -> list[int]:
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"p2pnet run exited ({proc.returncode}); see {run_dir}")
        events = read_events(run_dir)
        try:
            joined = len(json.loads((run_dir / "peers.json").read_text()))
        except (OSError, ValueError):
            joined = 0
        if any(e["type"] == "network_ready" for e in events) and joined == peers:
            return [pid for e in events if e["type"] == "hosts" for pid in e["pids"]]
        time.sleep(1)
    sys.exit("the network did not come up in 10 minutes")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--peers", type=int, default=64)
    p.add_argument("--users", type=int, default=50)
    p.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    p.add_argument("--rate", type=float, default=0.0, help="calls/s over all users (0: unpaced)")
    p.add_argument("--locust-processes", type=int, default=1)
    p.add_argument("--beta", type=int, help="spec.dht.beta: resilient lookups (default: off)")
    p.add_argument(
        "--peers-per-host",
        type=int,
        default=0,
        help="peers per host process (default: peers / CPU cores, one host per core: the "
        "fastest layout measured)",
    )
    p.add_argument("--out", type=Path, help="run directory (default: a temporary one)")
    args = p.parse_args()
    if args.peers_per_host <= 0:
        args.peers_per_host = math.ceil(args.peers / (os.cpu_count() or 1))

    base = args.out or Path(tempfile.mkdtemp(prefix="p2pnet-load-"))
    base.mkdir(parents=True, exist_ok=True)
    spec_file = base / "loadbench.yaml"
    spec_file.write_text(yaml.safe_dump(spec(args.peers, args.beta)))
    run_dir = base / "run"
    proc = subprocess.Popen(
        [sys.executable, "-m", "p2pnet_testbed.cli", "run", str(spec_file), "--out", str(run_dir),
         "--quiet", "--peers-per-host", str(args.peers_per_host)],
        stdout=subprocess.DEVNULL, stderr=(base / "run.log").open("wb"),
    )  # fmt: skip
    try:
        pids = wait_joined(run_dir, proc, args.peers)
        print(f"{args.peers} peers joined in {len(pids)} host processes", flush=True)
        idle_before = cpu_seconds(pids)
        time.sleep(IDLE_S)  # background work alone (SWIM probes, DHT refreshes)
        idle = (cpu_seconds(pids) - idle_before) / IDLE_S
        print(f"idle: {idle:.2f} CPU-s/s; loading...", flush=True)
        rpcs_before = served_rpcs(run_dir)
        cpu_before = cpu_seconds(pids)
        result = run_load(
            run_dir,
            users=args.users,
            rate=args.rate,
            duration_s=args.duration,
            processes=args.locust_processes,
        )
        cpu = cpu_seconds(pids) - cpu_before
        rpcs = served_rpcs(run_dir) - rpcs_before
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
        proc.wait(timeout=180)

    total = result.stats["Aggregated"]
    print(f"{'method':<10} {'requests':>9} {'fails':>6} {'rps':>8} {'p50 ms':>8} {'p99 ms':>8}")
    for name, st in result.stats.items():
        print(
            f"{name:<10} {st.requests:>9} {st.failures:>6} {st.rps:>8.1f} "
            f"{st.ms_p50:>8.0f} {st.ms_p99:>8.0f}"
        )
    peer_rpcs = sum(n for name, n in rpcs.items() if not name.startswith("Control/"))
    print("peer-to-peer RPCs served during the load:", dict(rpcs.most_common()))
    get, lookup, put = (result.stats.get(m) for m in ("Get", "Lookup", "Put"))
    figures = {
        "peers": args.peers,
        "users": args.users,
        "beta": args.beta,
        "duration_s": args.duration,
        "locust_processes": args.locust_processes,
        "peers_per_host": args.peers_per_host,
        "requests": total.requests,
        "rps": round(total.rps, 1),
        "failures": result.failures,
        "get_ms_p50": get.ms_p50 if get else None,
        "get_ms_p99": get.ms_p99 if get else None,
        "put_ms_p99": put.ms_p99 if put else None,
        "lookup_ms_p50": lookup.ms_p50 if lookup else None,
        "lookup_ms_p99": lookup.ms_p99 if lookup else None,
        "peer_cpu_s": round(cpu, 1),
        "peer_idle_cpu_s_per_s": round(idle, 2),
        "peer_cpu_s_per_1k_requests": round(cpu / total.requests * 1000, 2)
        if total.requests
        else None,
        "peer_rpcs_per_request": round(peer_rpcs / total.requests, 2) if total.requests else None,
        "peer_cpu_us_per_peer_rpc": round(cpu / peer_rpcs * 1e6) if peer_rpcs else None,
        "load_avg_1m": round(os.getloadavg()[0], 1),
        "report": str(result.html),
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
