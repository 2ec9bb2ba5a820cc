"""report.json: the run's figures, computed from its event log and plan."""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from p2pnet_testbed.report.nat_matrix import nat_summary

REPORT_FORMAT = 1


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..1); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q * len(ordered)))
    return ordered[rank - 1]


def _rate(ok: int, total: int) -> float | None:
    return round(ok / total, 4) if total else None


def _ops(events: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    """Operations of one kind. Those whose own peer left mid-call (aborted by churn) are
    counted apart and left out of the success rate."""
    every = [e for e in events if e["type"] == kind]
    ops = [e for e in every if not e.get("aborted")]
    ok = [e for e in ops if e.get("ok")]
    hops = [float(e["hops"]) for e in ok if "hops" in e]
    ms = [float(e["ms"]) for e in ok if "ms" in e]
    rpcs = [float(e["rpcs"]) for e in ok if "rpcs" in e]
    errors = Counter(str(e.get("error", "wrong or missing result")) for e in ops if not e.get("ok"))
    return {
        "count": len(ops),
        "aborted_by_churn": len(every) - len(ops),
        "succeeded": len(ok),
        "success_rate": _rate(len(ok), len(ops)),
        "hops_p50": percentile(hops, 0.5),
        "hops_p90": percentile(hops, 0.9),
        "hops_p99": percentile(hops, 0.99),
        "hops_histogram": dict(sorted(Counter(int(h) for h in hops).items())),
        "ms_p50": percentile(ms, 0.5),
        "ms_p99": percentile(ms, 0.99),
        "rpcs_mean": round(sum(rpcs) / len(rpcs), 2) if rpcs else None,
        "failures": dict(errors.most_common(5)),
    }


def _churn(events: list[dict[str, Any]], plan: dict[str, Any]) -> dict[str, Any]:
    done = [e for e in events if e["type"] == "churn"]
    planned = plan.get("churn", {}).get("events", [])
    applied = [[e["planned_t"], e["peer"], e["action"], e["generation"]] for e in done]
    lateness = [e["t"] - e["planned_t"] for e in done]
    return {
        "planned": len(planned),
        "events": len(done),
        "matches_plan": applied == planned[: len(applied)],
        "all_applied": applied == planned,
        "lateness_s_max": round(max(lateness), 3) if lateness else None,
        "log": [{"t": e["t"], "action": e["action"], "peer": e["peer"]} for e in done],
    }


def _rumours(events: list[dict[str, Any]]) -> dict[str, Any]:
    rumours = [e for e in events if e["type"] == "rumour"]
    rounds = [float(e["rounds_max"]) for e in rumours if e.get("rounds_max") is not None]
    informed = [float(e["informed_fraction"]) for e in rumours if "informed_fraction" in e]
    return {
        "rumours": len(rumours),
        "rounds_p50": percentile(rounds, 0.5),
        "rounds_max": max(rounds) if rounds else None,
        "informed_fraction_min": min(informed) if informed else None,
        "all_informed": bool(informed) and min(informed) >= 1.0,
        "per_rumour": [e.get("rounds_max") for e in rumours],
    }


def _transfer(
    events: list[dict[str, Any]], plan: dict[str, Any], duration_s: float
) -> dict[str, Any]:
    fetches = [e for e in events if e["type"] == "fetch"]
    ok = [e for e in fetches if e.get("ok")]
    wanted = {(f["name"], d) for f in plan.get("files", []) for d in f["downloaders"]}
    got = {(e["file"], e["peer"]) for e in ok}
    total_bytes = sum(int(e.get("bytes", 0)) for e in ok)
    busy = sum(float(e.get("seconds", 0.0)) for e in ok)
    return {
        "downloaders": len(wanted),
        "downloaders_completed": len(wanted & got),
        "all_downloaded": wanted <= got,
        "fetch_attempts": len(fetches),
        "completed": len(ok),
        "success_rate": _rate(len(ok), len(fetches)),
        "bytes": total_bytes,
        "mbps": round(total_bytes * 8 / 1e6 / duration_s, 3) if duration_s > 0 else 0.0,
        "per_download_mbps_mean": round(total_bytes * 8 / 1e6 / busy, 3) if busy > 0 else None,
    }


def _nat(events: list[dict[str, Any]], plan: dict[str, Any]) -> dict[str, Any]:
    return nat_summary(events, plan)  # mode, paths, type-pair matrix, hole-punch rates


def summarize(
    spec: dict[str, Any], plan: dict[str, Any], events: list[dict[str, Any]]
) -> dict[str, Any]:
    start = next((e for e in events if e["type"] == "run_start"), {"t": 0.0})
    ready = next((e for e in events if e["type"] == "network_ready"), None)
    end = next((e for e in reversed(events) if e["type"] == "run_end"), None)
    last_t = events[-1]["t"] if events else 0.0
    duration = (end["t"] if end else last_t) - (ready["t"] if ready else last_t)
    samples = [e["up"] for e in events if e["type"] == "sample" and ready and e["t"] >= ready["t"]]
    return {
        "format": REPORT_FORMAT,
        "network": plan.get("network"),
        "backend": start.get("backend", "local"),
        "complete": bool(end and end.get("complete")),
        "end_reason": end.get("reason") if end else "crashed (no run_end event)",
        "peers": len(plan.get("peers", [])),
        "seed": plan.get("seed"),
        "duration_s": round(max(0.0, duration), 2),
        "setup_s": round(ready["t"] - start["t"], 2) if ready else None,
        "live_peers": {"min": min(samples), "max": max(samples)} if samples else None,
        "log2_peers": round(math.log2(max(2, len(plan.get("peers", [])))), 2),
        "lookups": _ops(events, "lookup"),
        "puts": _ops(events, "put"),
        "gets": _ops(events, "get"),
        "gossip": _rumours(events),
        "transfer": _transfer(events, plan, max(duration, 0.0)),
        "churn": _churn(events, plan),
        "nat": _nat(events, plan),
        "errors": [e.get("reason") for e in events if e["type"] == "error"][:20],
        "spec": spec,
        "plan": plan.get("summary", {}),
    }
