"""Evaluate every query of a dashboard over a time range, as Grafana would.

Template variables get what Grafana would give them: ``$network`` the run's network,
``$namespace`` all (``.*``), ``$__rate_interval`` max(step + scrape, 4 x scrape).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from p2pnet_testbed.dashboards.model import Dashboard, Panel, expand
from p2pnet_testbed.observe.replay import PrometheusApi, ReplayError

MAX_POINTS = 300
LEGEND_LABEL = re.compile(r"\{\{\s*(\w+)\s*\}\}")


@dataclass
class Series:
    name: str
    labels: dict[str, str]
    times: list[float]
    values: list[float]

    @property
    def finite(self) -> int:
        return sum(1 for v in self.values if math.isfinite(v))


@dataclass
class QueryResult:
    expr: str
    legend: str
    series: list[Series] = field(default_factory=list)
    error: str | None = None

    @property
    def has_data(self) -> bool:
        return any(s.finite for s in self.series)


@dataclass
class PanelResult:
    panel: Panel
    queries: list[QueryResult]

    @property
    def has_data(self) -> bool:
        return all(q.has_data for q in self.queries)


@dataclass
class DashboardResult:
    dashboard: Dashboard
    panels: list[PanelResult]
    annotations: list[tuple[float, str]]  # (time, text)


@dataclass(frozen=True)
class Window:
    start: float
    end: float
    scrape_s: float

    @property
    def step(self) -> float:
        return max(self.scrape_s, math.ceil((self.end - self.start) / MAX_POINTS))

    @property
    def rate_interval(self) -> str:
        return f"{math.ceil(max(self.step + self.scrape_s, 4 * self.scrape_s))}s"


def legend_of(template: str, labels: dict[str, str]) -> str:
    return LEGEND_LABEL.sub(lambda m: labels.get(m.group(1), ""), template) or "value"


def run_query(api: PrometheusApi, expr: str, legend: str, window: Window) -> QueryResult:
    result = QueryResult(expr, legend)
    try:
        raw = api.query_range(expr, window.start, window.end, window.step)
    except ReplayError as exc:
        result.error = str(exc)
        return result
    for item in raw:
        labels: dict[str, str] = dict(item.get("metric", {}))
        points: list[Any] = item.get("values", [])
        result.series.append(
            Series(
                legend_of(legend, labels),
                labels,
                [float(t) for t, _ in points],
                [float(v) for _, v in points],
            )
        )
    return result


def evaluate(
    api: PrometheusApi, dashboard: Dashboard, network: str, window: Window
) -> DashboardResult:
    def q(expr: str, legend: str) -> QueryResult:
        full = expand(expr, network=network, rate_interval=window.rate_interval)
        return run_query(api, full, legend, window)

    panels = [
        PanelResult(p, [q(query.expr, query.legend) for query in p.queries])
        for p in dashboard.panels
    ]
    marks = [  # Grafana marks every step at which an annotation query returns a value
        (t, s.name)
        for a in dashboard.annotations
        for s in q(a.expr, a.title).series
        for t, v in zip(s.times, s.values, strict=True)
        if math.isfinite(v) and v > 0
    ]
    return DashboardResult(dashboard, panels, sorted(marks))
