"""The report's PNG plots (matplotlib, no display needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

BIN_S = 2.0


def hops_histogram(report: dict[str, Any], out: Path) -> Path:
    hist = report["lookups"]["hops_histogram"]
    fig, ax = plt.subplots(figsize=(6, 3.5))
    if hist:
        ax.bar([int(h) for h in hist], list(hist.values()), color="#4c72b0", width=0.8)
    else:
        ax.text(0.5, 0.5, "no successful lookups", ha="center", transform=ax.transAxes)
    ax.axvline(
        report["log2_peers"],
        color="#c44e52",
        linestyle="--",
        label=f"log2(N) = {report['log2_peers']}",
    )
    ax.set_xlabel("hops (referral depth of the closest peer found)")
    ax.set_ylabel("lookups")
    ax.set_title(f"Lookup hops, {report['peers']} peers")
    ax.legend()
    return _save(fig, out / "lookup_hops.png")


def convergence_rounds(report: dict[str, Any], out: Path) -> Path:
    rounds = report["gossip"]["per_rumour"]
    fig, ax = plt.subplots(figsize=(6, 3.5))
    if rounds:
        ax.plot(
            range(1, len(rounds) + 1),
            [r if r is not None else float("nan") for r in rounds],
            marker="o",
            color="#55a868",
        )
        ax.set_xlabel("rumour")
    else:
        ax.text(0.5, 0.5, "no rumours in this run", ha="center", transform=ax.transAxes)
    ax.set_ylabel("convergence rounds (max over live peers)")
    ax.set_title("Gossip convergence per rumour")
    return _save(fig, out / "convergence_rounds.png")


def timeline(report: dict[str, Any], events: list[dict[str, Any]], out: Path) -> Path:
    ready = next((e["t"] for e in events if e["type"] == "network_ready"), 0.0)
    samples = [(e["t"] - ready, e["up"]) for e in events if e["type"] == "sample"]
    ops: dict[int, int] = {}
    volume: dict[int, int] = {}
    for e in events:
        if e["type"] in ("lookup", "get", "put") and e.get("ok"):
            b = int((e["t"] - ready) // BIN_S)
            ops[b] = ops.get(b, 0) + 1
        if e["type"] == "fetch" and e.get("ok"):
            b = int((e["t"] - ready) // BIN_S)
            volume[b] = volume.get(b, 0) + int(e.get("bytes", 0))
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(7, 5), sharex=True)
    if samples:
        top.plot([s[0] for s in samples], [s[1] for s in samples], color="#4c72b0")
    top.axhline(report["peers"], color="grey", linestyle=":", label="target")
    top.set_ylabel("live peers")
    top.legend(loc="lower right")
    if ops:
        xs = sorted(ops)
        bottom.step(
            [x * BIN_S for x in xs],
            [ops[x] / BIN_S for x in xs],
            where="post",
            label="DHT ops/s",
            color="#8172b2",
        )
    if volume:
        xs = sorted(volume)
        bottom.step(
            [x * BIN_S for x in xs],
            [volume[x] / BIN_S / 1e6 for x in xs],
            where="post",
            label="transfer MB/s",
            color="#dd8452",
        )
    bottom.set_ylabel("throughput")
    bottom.set_ylim(bottom=0)
    bottom.set_xlabel("seconds since the network was ready")
    if ops or volume:
        bottom.legend(loc="upper right")
    for e in events:
        if e["type"] == "churn":
            color = "#c44e52" if e["action"] == "leave" else "#55a868"
            for ax in (top, bottom):
                ax.axvline(e["t"] - ready, color=color, alpha=0.25, linewidth=0.8)
    top.set_title("Live peers and throughput (red: leave, green: join)")
    return _save(fig, out / "timeline.png")


def _save(fig: Any, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
