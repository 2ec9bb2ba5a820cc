"""``p2pnet``: run a P2PNetwork spec and report on it.

p2pnet run examples/quickstart.yaml [--duration 30s] [--seed 7] [--peers 32] [--out DIR]
p2pnet report runs/quickstart-20261125-101500
p2pnet observe runs/quickstart-20261125-101500      # dashboards as PNGs from its Prometheus data
p2pnet load runs/quickstart-20261125-101500 --users 20 --rate 200 --duration 30s
p2pnet validate examples/churn-nat.yaml
p2pnet plan examples/churn-nat.yaml
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

from p2pnet_operator.planner import plan as make_plan
from p2pnet_operator.spec import NetworkSpec, SpecError, load_spec_file
from p2pnet_testbed.report import render_report


def _load(path: str, args: argparse.Namespace | None = None) -> NetworkSpec:
    try:
        network = load_spec_file(path)
        if args is not None and (args.peers or args.duration or args.seed is not None):
            network = network.with_overrides(
                peers=args.peers, duration=args.duration, seed=args.seed
            )
    except SpecError as exc:
        print(f"p2pnet: invalid spec, nothing was started:\n{exc}", file=sys.stderr)
        raise SystemExit(2) from None
    except OSError as exc:
        print(f"p2pnet: cannot read {path}: {exc.strerror or exc}", file=sys.stderr)
        raise SystemExit(2) from None
    return network


def cmd_run(args: argparse.Namespace) -> int:
    from p2pnet_testbed.local.run import run_local  # heavy imports only when running

    network = _load(args.spec, args)
    plan = make_plan(network)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    run_dir = Path(args.out) if args.out else Path("runs") / f"{network.name}-{stamp}"
    print(
        f"p2pnet: {network.name}: {len(plan.peers)} peers for {plan.duration_s:.0f} s, "
        f"{len(plan.events)} churn events planned; run directory {run_dir}",
        file=sys.stderr,
    )
    outcome = asyncio.run(
        run_local(
            network,
            plan,
            run_dir,
            show=not args.quiet,
            peers_per_host=args.peers_per_host,
            prometheus=args.prometheus,
            traces=args.traces,
        )
    )
    if args.prometheus:
        _observe(run_dir)
    report = render_report(run_dir)
    lk = report["lookups"]
    print(
        f"p2pnet: {'finished' if outcome.complete else 'stopped: ' + outcome.reason}. "
        f"lookups {lk['count']} (success {lk['success_rate']}), hops p50 {lk['hops_p50']}, "
        f"churn {report['churn']['events']}/{report['churn']['planned']}. "
        f"Report: {run_dir / 'report.html'}",
        file=sys.stderr,
    )
    return 0 if outcome.complete else 1


def cmd_report(args: argparse.Namespace) -> int:
    try:
        report = render_report(Path(args.run_dir))
    except FileNotFoundError as exc:
        print(f"p2pnet: {exc}", file=sys.stderr)
        return 2
    print(json.dumps({k: report[k] for k in ("network", "complete", "peers", "duration_s")}))
    return 0


def _observe(run_dir: Path) -> int:
    from p2pnet_testbed.observe import ObserveError, observe

    try:
        result = observe(run_dir)
    except ObserveError as exc:
        print(f"p2pnet: observe: {exc}", file=sys.stderr)
        return 2
    print(f"p2pnet: dashboards: {', '.join(str(p) for p in result.images)}", file=sys.stderr)
    for panel in result.without_data:
        print(f"p2pnet: no data: {panel}", file=sys.stderr)
    return 0


def cmd_observe(args: argparse.Namespace) -> int:
    code = _observe(Path(args.run_dir))
    if code == 0:
        render_report(Path(args.run_dir))  # the page shows the dashboards too
    return code


def cmd_load(args: argparse.Namespace) -> int:
    from p2pnet_operator.spec.units import parse_duration
    from p2pnet_testbed.load.runner import run_load
    from p2pnet_testbed.load.targets import NoTargets

    try:
        result = run_load(
            Path(args.run_dir),
            users=args.users,
            rate=args.rate,
            duration_s=parse_duration(args.duration),
            processes=args.processes,
        )
    except (NoTargets, ValueError) as exc:
        print(f"p2pnet: load: {exc}", file=sys.stderr)
        return 2
    print(json.dumps({name: vars(st) for name, st in result.stats.items()}))
    print(f"p2pnet: load: {result.failures} failures; {result.html}", file=sys.stderr)
    return 0 if result.stats and result.failures == 0 else 1


def cmd_validate(args: argparse.Namespace) -> int:
    network = _load(args.spec)
    print(f"{args.spec}: valid P2PNetwork {network.name!r} ({network.spec.peers} peers)")
    return 0


def cmd_plan(args: argparse.Namespace) -> int:
    network = _load(args.spec, args)
    print(json.dumps(make_plan(network).summary(), indent=2))
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="p2pnet", description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="command", required=True)

    def overrides(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--peers", type=int, help="override spec.peers")
        sp.add_argument("--duration", help="override spec.duration, e.g. 30s or 5m")
        sp.add_argument("--seed", type=int, help="override spec.seed (the planner's seed)")

    run = sub.add_parser("run", help="run a network on this machine and write a report")
    run.add_argument("spec", help="P2PNetwork spec file (YAML)")
    overrides(run)
    run.add_argument("--out", help="run directory (default runs/<name>-<timestamp>)")
    run.add_argument("--quiet", action="store_true", help="no live progress")
    run.add_argument(
        "--prometheus",
        action="store_true",
        help="start a local Prometheus (Debian's prometheus) scraping every peer",
    )
    run.add_argument(
        "--peers-per-host", type=int, default=16, help="peers hosted per process (default 16)"
    )
    run.add_argument(
        "--traces", action="store_true", help="record OpenTelemetry traces in RUN_DIR/traces/"
    )
    run.set_defaults(fn=cmd_run)

    observe = sub.add_parser(
        "observe", help="render every dashboard from a run's Prometheus data (--prometheus)"
    )
    observe.add_argument("run_dir")
    observe.set_defaults(fn=cmd_observe)

    load = sub.add_parser("load", help="run Locust headless against a running local network")
    load.add_argument("run_dir")
    load.add_argument("--users", type=int, default=10, help="concurrent users (default 10)")
    load.add_argument("--rate", type=float, default=0.0, help="calls/s in total (0: unpaced)")
    load.add_argument("--duration", default="30s", help="e.g. 30s or 2m (default 30s)")
    load.add_argument("--processes", type=int, default=1, help="Locust processes (default 1)")
    load.set_defaults(fn=cmd_load)

    report = sub.add_parser("report", help="re-render a run's report from its saved data")
    report.add_argument("run_dir")
    report.set_defaults(fn=cmd_report)

    validate = sub.add_parser("validate", help="check a spec file")
    validate.add_argument("spec")
    validate.set_defaults(fn=cmd_validate)

    plan = sub.add_parser("plan", help="print the plan a spec and seed give")
    plan.add_argument("spec")
    overrides(plan)
    plan.set_defaults(fn=cmd_plan)
    return p


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    sys.exit(args.fn(args))


if __name__ == "__main__":
    main()
