"""The slowest lookup's trace as a waterfall: one bar per span, coloured by peer.

Spans come from the JSON-lines files the peer hosts write with ``p2pnet run --traces``
(``RUN_DIR/traces/*.jsonl``, one object per span: trace_id, span_id, parent_id, name,
kind, start, end, attributes). A lookup's trace is the one whose root span is a
``/p2pnet.v1.Control/Lookup`` call.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

TRACES_DIR = "traces"
LOOKUP = "/p2pnet.v1.Control/Lookup"
PEER = "p2pnet.peer"
MAX_BARS = 60


def read_spans(run_dir: Path) -> list[dict[str, Any]]:
    spans = []
    for path in sorted((run_dir / TRACES_DIR).glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                spans.append(json.loads(line))
            except ValueError:
                continue  # a torn last line from a killed host
    return spans


def traces(spans: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    by_trace: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for s in spans:
        by_trace[s["trace_id"]].append(s)
    return dict(by_trace)


def root_of(trace: list[dict[str, Any]]) -> dict[str, Any] | None:
    ids = {s["span_id"] for s in trace}
    roots = [s for s in trace if s["parent_id"] is None or s["parent_id"] not in ids]
    return min(roots, key=lambda s: s["start"]) if roots else None


def slowest_lookup(spans: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
    best: tuple[float, list[dict[str, Any]]] | None = None
    for trace in traces(spans).values():
        root = root_of(trace)
        if root is None or root["name"] != LOOKUP:
            continue
        duration = root["end"] - root["start"]
        if best is None or duration > best[0]:
            best = (duration, trace)
    return best[1] if best else None


def tree_order(trace: list[dict[str, Any]], root: dict[str, Any]) -> list[dict[str, Any]]:
    """Depth first from the root, children by start time: a call sits above its callee."""
    children: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for s in trace:
        if s is not root and s["parent_id"] is not None:
            children[s["parent_id"]].append(s)
    out: list[dict[str, Any]] = []
    stack = [root]
    while stack:
        span = stack.pop()
        out.append(span)
        stack.extend(sorted(children[span["span_id"]], key=lambda c: c["start"], reverse=True))
    return out


def summary(run_dir: Path) -> dict[str, Any] | None:
    """For report.json: span and trace counts, and the slowest lookup's figures."""
    spans = read_spans(run_dir)
    if not spans:
        return None
    trace = slowest_lookup(spans)
    root = root_of(trace) if trace else None
    return {
        "spans": len(spans),
        "traces": len(traces(spans)),
        "slowest_lookup": None
        if trace is None or root is None
        else {
            "trace_id": root["trace_id"],
            "ms": round((root["end"] - root["start"]) * 1000, 2),
            "spans": len(trace),
            "peers": len({s["attributes"].get(PEER) for s in trace} - {None}),
        },
    }


def waterfall(run_dir: Path) -> Path | None:
    """Draw ``trace_waterfall.png`` for the slowest lookup; None when there are no traces."""
    trace = slowest_lookup(read_spans(run_dir))
    if not trace:
        return None
    root = root_of(trace)
    assert root is not None
    trace = tree_order(trace, root)[:MAX_BARS]
    t0, total = root["start"], (root["end"] - root["start"]) * 1000
    peers = sorted({str(s["attributes"].get(PEER, "?")) for s in trace})
    cmap = plt.get_cmap("tab20")
    colours = {p: cmap(i % 20) for i, p in enumerate(peers)}
    fig, ax = plt.subplots(figsize=(10, 0.28 * len(trace) + 1.5))
    for row, s in enumerate(trace):
        peer = str(s["attributes"].get(PEER, "?"))
        start_ms = (s["start"] - t0) * 1000
        width_ms = max((s["end"] - s["start"]) * 1000, total / 250)  # visible, however short
        ax.barh(row, width_ms, left=start_ms, color=colours[peer], edgecolor="black", lw=0.3)
        method = s["name"].rsplit("/", 1)[-1]
        ax.text(
            start_ms + width_ms,
            row,
            f" {s['kind'].lower()} {method} @ {peer}",
            va="center",
            fontsize=7,
        )
    ax.invert_yaxis()
    ax.set_yticks([])
    ax.set_xlabel("ms since the lookup started")
    ax.set_title(
        f"Slowest lookup: {total:.1f} ms, {len(trace)} spans across {len(peers)} peers "
        f"(trace {root['trace_id'][:12]})"
    )
    ax.margins(x=0.35)
    fig.tight_layout()
    path = run_dir / "trace_waterfall.png"
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path
