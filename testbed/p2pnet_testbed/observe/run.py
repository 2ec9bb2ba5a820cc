"""Evaluate every dashboard of the catalog against a run's Prometheus data and render it."""

from __future__ import annotations

import json
import time
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from p2pnet_testbed.dashboards import DASHBOARDS
from p2pnet_testbed.events import read_events
from p2pnet_testbed.observe.evaluate import DashboardResult, Window, evaluate
from p2pnet_testbed.observe.render import render_dashboard
from p2pnet_testbed.observe.replay import PrometheusApi, ReplayError, ReplayPrometheus

OUT_DIR = "dashboards"
DEFAULT_SCRAPE_S = 2.0


class ObserveError(RuntimeError):
    pass


@dataclass
class ObserveResult:
    images: list[Path]
    panels_file: Path
    without_data: list[str]  # "dashboard / panel" for panels with a query that had no data


def _scrape_seconds(run_dir: Path) -> float:
    config = run_dir / "prometheus" / "prometheus.yml"
    try:
        interval = str(yaml.safe_load(config.read_text())["global"]["scrape_interval"])
    except (OSError, KeyError, TypeError, yaml.YAMLError):
        return DEFAULT_SCRAPE_S
    return float(interval.removesuffix("s")) if interval.endswith("s") else DEFAULT_SCRAPE_S


def _time_range(events: list[dict[str, Any]], api: PrometheusApi) -> tuple[float, float]:
    """Wall-clock start and end of the run: from its events, else the TSDB's head."""
    start = next((e["wall"] for e in events if e["type"] == "run_start" and "wall" in e), None)
    end = next((e["wall"] for e in events if e["type"] == "run_end" and "wall" in e), time.time())
    if start is not None and end > start:
        return float(start), float(end)
    head = api.get("/api/v1/status/tsdb")["headStats"]
    return head["minTime"] / 1000.0, head["maxTime"] / 1000.0


def _live_api(events: list[dict[str, Any]]) -> PrometheusApi | None:
    """The run's own Prometheus when it still serves (observing a run in progress)."""
    if any(e["type"] == "run_end" for e in events):
        return None
    url = next((e["url"] for e in reversed(events) if e["type"] == "prometheus"), None)
    api = PrometheusApi(url) if url else None
    return api if api is not None and api.ready() else None


def _summary(result: DashboardResult) -> dict[str, Any]:
    return {
        "uid": result.dashboard.uid,
        "title": result.dashboard.title,
        "annotations": len(result.annotations),
        "panels": [
            {
                "title": p.panel.title,
                "feature": p.panel.feature,
                "has_data": p.has_data,
                "queries": [
                    {
                        "expr": q.expr,
                        "series": len(q.series),
                        "finite_points": sum(s.finite for s in q.series),
                        "labels": sorted({k for s in q.series for k in s.labels}),
                        "error": q.error,
                    }
                    for q in p.queries
                ],
            }
            for p in result.panels
        ],
    }


def observe(run_dir: Path) -> ObserveResult:
    plan_file = run_dir / "plan.json"
    if not plan_file.exists():
        raise ObserveError(f"{run_dir} is not a run directory (no plan.json)")
    network = str(json.loads(plan_file.read_text())["network"])
    events = read_events(run_dir)
    live = _live_api(events)
    server: AbstractContextManager[PrometheusApi] = (
        nullcontext(live)
        if live is not None
        else ReplayPrometheus(run_dir / "prometheus" / "data", run_dir / OUT_DIR)
    )
    out = run_dir / OUT_DIR
    try:
        with server as api:
            start, end = _time_range(events, api)
            window = Window(start, end, _scrape_seconds(run_dir))
            results = [evaluate(api, d, network, window) for d in DASHBOARDS]
    except ReplayError as exc:
        raise ObserveError(str(exc)) from None
    images = [
        render_dashboard(r, start, end, out / f"{r.dashboard.file_name[:-5]}.png") for r in results
    ]
    panels_file = out / "panels.json"
    panels_file.write_text(
        json.dumps(
            {
                "network": network,
                "start": start,
                "end": end,
                "step_s": window.step,
                "rate_interval": window.rate_interval,
                "dashboards": [_summary(r) for r in results],
            },
            indent=1,
        )
    )
    without = [
        f"{r.dashboard.title} / {p.panel.title}"
        for r in results
        for p in r.panels
        if not p.has_data
    ]
    return ObserveResult(images, panels_file, without)
