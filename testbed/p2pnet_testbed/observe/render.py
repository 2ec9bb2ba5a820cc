"""One PNG per dashboard: its panels in Grafana's two-column grid, units applied, the
dashboard's annotations (churn) as vertical lines, reference series (log2(N)) dashed."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from p2pnet_testbed.observe.evaluate import DashboardResult, PanelResult

COLUMNS = 2
REFERENCE = "log2(N)"
BYTE_SCALES = ((1e9, "GB/s"), (1e6, "MB/s"), (1e3, "kB/s"), (1.0, "B/s"))


def unit_scale(unit: str, peak: float) -> tuple[float, str]:
    """(divisor, axis label) for a Grafana unit and the largest value shown."""
    if unit == "percentunit":
        return 0.01, "%"
    if unit == "s":
        return (0.001, "ms") if peak < 1.0 else (1.0, "s")
    if unit == "Bps":
        return next((d, name) for d, name in BYTE_SCALES if peak >= d or d == 1.0)
    if unit in ("ops", "reqps", "cps"):
        return 1.0, "per second"
    return 1.0, ""


def _peak(result: PanelResult) -> float:
    values = [abs(v) for q in result.queries for s in q.series for v in s.values]
    finite = [v for v in values if math.isfinite(v)]
    return max(finite, default=0.0)


def _panel(
    ax: Any, result: PanelResult, t0: float, t1: float, marks: list[tuple[float, str]]
) -> None:
    panel = result.panel
    divisor, label = unit_scale(panel.unit, _peak(result))
    drawn = 0
    for query in result.queries:
        for s in query.series:
            if not s.finite:
                continue
            xs = [t - t0 for t in s.times]
            ys = [v / divisor for v in s.values]
            style = {"linestyle": "--", "color": "grey"} if s.name == REFERENCE else {}
            ax.plot(xs, ys, label=s.name, linewidth=1.2, **style)
            drawn += 1
    for t, text in marks:
        color = "#c44e52" if "leave" in text else "#55a868"
        ax.axvline(t - t0, color=color, alpha=0.15, linewidth=0.8)
    if drawn == 0:
        errors = [q.error for q in result.queries if q.error]
        ax.text(
            0.5,
            0.5,
            errors[0][:80] if errors else "no data",
            ha="center",
            va="center",
            transform=ax.transAxes,
            color="grey",
        )
    elif drawn <= 8:
        ax.legend(fontsize=7, loc="upper left")
    if panel.min is not None and drawn:
        ax.set_ylim(bottom=panel.min / divisor)
    ax.set_xlim(0, max(t1 - t0, 1.0))
    ax.set_title(panel.title, fontsize=10)
    ax.set_ylabel(label, fontsize=8)
    ax.tick_params(labelsize=7)
    ax.grid(alpha=0.3)


def render_dashboard(result: DashboardResult, t0: float, t1: float, out: Path) -> Path:
    panels = result.panels
    rows = max(1, math.ceil(len(panels) / COLUMNS))
    fig, axes = plt.subplots(rows, COLUMNS, figsize=(14, 3.0 * rows + 0.8), squeeze=False)
    for i, ax in enumerate(axes.flat):
        if i < len(panels):
            _panel(ax, panels[i], t0, t1, result.annotations)
            if i >= len(panels) - COLUMNS:
                ax.set_xlabel("seconds since the run started", fontsize=8)
        else:
            ax.axis("off")
    fig.suptitle(result.dashboard.title, fontsize=13)
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=80)
    plt.close(fig)
    return out
