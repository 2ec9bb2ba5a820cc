"""Rebuild a run's report from what the run saved."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from p2pnet_operator.planner import Plan
from p2pnet_testbed.events import read_events
from p2pnet_testbed.report import plots, trace_waterfall
from p2pnet_testbed.report.page import write_page
from p2pnet_testbed.report.summary import summarize


def render_report(run_dir: Path) -> dict[str, Any]:
    """Write report.json, the plots and report.html into ``run_dir``; return the report."""
    if not (run_dir / "plan.json").exists():
        raise FileNotFoundError(f"{run_dir} is not a run directory (no plan.json)")
    spec_file = run_dir / "spec.yaml"
    spec = yaml.safe_load(spec_file.read_text()) if spec_file.exists() else {}
    plan = json.loads((run_dir / "plan.json").read_text())
    plan["summary"] = Plan.from_dict(plan).summary()
    events = read_events(run_dir)
    report = summarize(spec, plan, events)
    report["traces"] = trace_waterfall.summary(run_dir)  # None unless run with --traces
    (run_dir / "report.json").write_text(json.dumps(report, indent=2))
    images = [
        plots.hops_histogram(report, run_dir),
        plots.convergence_rounds(report, run_dir),
        plots.timeline(report, events, run_dir),
    ]
    waterfall = trace_waterfall.waterfall(run_dir)
    if waterfall is not None:
        images.append(waterfall)
    images += sorted((run_dir / "dashboards").glob("*.png"))  # p2pnet observe
    write_page(report, images, run_dir)
    return report
