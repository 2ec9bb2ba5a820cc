"""NAT traversal benchmark: a local run with part of the peers behind emulated NATs.

    python benchmarks/nat.py --peers 64 --nat-fraction 0.5
    P2PNET_NAT_MODE=fallback python benchmarks/nat.py --peers 64 --nat-fraction 0.5

Runs ``p2pnet run`` (local backend; netns mode as root with iproute2 and nftables, else
the transport-filtering fallback) with every NAT type, relays, no churn and a lookup
workload, then reads the run's report. Figures:

- connect_success_rate: (caller, callee) pairs that got connected by any path, over the
  pairs that tried (SWIM probes, DHT and relay traffic decide who talks to whom);
- holepunch_success_rate: hole-punch attempts that succeeded, over the pairs whose NAT
  types allow it (symmetric <-> symmetric and symmetric <-> port-restricted do not);
- relayed_fraction: connected pairs with a callee behind NAT that stayed relayed;
- lookup_success_rate: lookups whose closest result is the true closest DHT server;
- setup_s / teardown_s: building and removing the namespaces, routers and veths (0 in
  fallback mode).

The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

TYPES = ["full-cone", "address-restricted", "port-restricted", "symmetric"]


def spec(args: argparse.Namespace) -> dict[str, object]:
    return {
        "apiVersion": "p2pnet.io/v1alpha1",
        "kind": "P2PNetwork",
        "metadata": {"name": f"nat-bench-{args.peers}"},
        "spec": {
            "peers": args.peers,
            "bootstrapPeers": 3,
            "seed": args.seed,
            "duration": f"{args.duration}s",
            "dht": {"preset": "local", "k": 8, "alpha": 3, "requestTimeout": "2s"},
            "churn": {"enabled": False},
            "nat": {
                "fraction": args.nat_fraction,
                "types": TYPES,
                "relays": args.relays or max(2, args.peers // 16),
                "peersPerGroup": args.peers_per_group,
            },
            "workload": {
                "lookupsPerSecond": args.lookups_per_second,
                "putsPerSecond": 0,
                "rumoursPerMinute": 0,
                "files": [],
            },
        },
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--peers", type=int, default=64)
    p.add_argument("--nat-fraction", type=float, default=0.5)
    p.add_argument("--duration", type=int, default=60, help="seconds of workload")
    p.add_argument("--seed", type=int, default=3)
    p.add_argument("--relays", type=int, default=0, help="default: max(2, peers / 16)")
    p.add_argument("--peers-per-group", type=int, default=2, help="peers behind one NAT")
    p.add_argument("--lookups-per-second", type=float, default=8.0)
    p.add_argument("--peers-per-host", type=int, default=16)
    p.add_argument("--out", help="keep the run directory here (default: a temp dir)")
    args = p.parse_args()

    work = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="p2pnet-natbench-"))
    work.mkdir(parents=True, exist_ok=True)
    spec_file = work / "nat-bench.yaml"
    spec_file.write_text(yaml.safe_dump(spec(args), sort_keys=False))
    run_dir = work / "run"
    command = [
        sys.executable, "-m", "p2pnet_testbed.cli", "run", str(spec_file), "--out",
        str(run_dir), "--quiet", "--peers-per-host", str(args.peers_per_host),
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=os.environ)
    for line in done.stderr.splitlines():
        if line.startswith("p2pnet:"):
            print(line, file=sys.stderr)
    report_file = run_dir / "report.json"
    if not report_file.exists():
        print(done.stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"no report: the run failed (exit {done.returncode})")
    report = json.loads(report_file.read_text())
    nat, lookups = report["nat"], report["lookups"]
    types = report["plan"]["nat"]["types"]
    print(f"mode {nat['mode']} ({nat['reason']}); NAT types {types}", file=sys.stderr)
    print(f"paths {nat['outcomes']}", file=sys.stderr)
    for pair, by_path in nat["matrix"].items():
        cells = ", ".join(f"{path} {c['success']}/{c['success'] + c['failure']}"
                          for path, c in sorted(by_path.items()))  # fmt: skip
        print(f"  {pair:42s} {cells}", file=sys.stderr)
    result = {
        "mode": nat["mode"],
        "peers": report["peers"],
        "nat_fraction": args.nat_fraction,
        "connect_success_rate": nat["connect_success_rate"],
        "holepunch_success_rate": nat["holepunch_success_rate"],
        "relayed_fraction": nat["relayed_fraction"],
        "lookup_success_rate": lookups["success_rate"],
        "setup_s": nat["setup_s"] or 0.0,
        "teardown_s": nat["teardown_s"] or 0.0,
        "holepunch_attempts": nat["holepunch_attempts"],
        "symmetric_pair_holepunches": nat["symmetric_pair_holepunches"],
        "lookups": lookups["count"],
        "network_ready_s": report["setup_s"],
        "complete": report["complete"],
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
