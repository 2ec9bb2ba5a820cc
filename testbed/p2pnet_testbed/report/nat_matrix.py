"""The NAT section of report.json, from the run's ``nat_*`` events.

- ``paths`` / ``outcomes``: connections by path, and by path and outcome, from the start
  to the end of the planned duration (not while the network is being stopped);
- ``matrix``: ``"<caller type>-><callee type>"`` -> path -> {success, failure};
- ``holepunch_success_rate``: hole-punch attempts that succeeded, over the pairs whose
  types allow it (:func:`p2pnet_peer.nat.behaviour.holepunch_possible`);
  ``symmetric_pair_holepunches`` must be 0;
- ``connect_success_rate``: (caller, callee) pairs that got connected by any path, over
  all pairs that tried; ``relayed_fraction``: connected pairs with a callee behind NAT
  that stayed relayed (never hole-punched);
- ``reachability``: AutoNAT verdicts by planned NAT type.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from p2pnet_peer.nat.behaviour import holepunch_possible

PATHS = ("direct", "holepunch", "relay")


def _rate(ok: int, total: int) -> float | None:
    return round(ok / total, 4) if total else None


def nat_summary(events: list[dict[str, Any]], plan: dict[str, Any]) -> dict[str, Any]:
    start = next((e for e in events if e["type"] == "run_start"), {})
    ready = next((e for e in events if e["type"] == "network_ready"), None)
    window_end = ready["t"] + float(plan.get("duration_s", 0.0)) if ready else float("inf")
    # connections count from the start up to the end of the planned run, not while it stops
    conns = [e for e in events if e["type"] == "nat_connection" and e["t"] <= window_end]
    paths = Counter(dict.fromkeys(PATHS, 0))
    outcomes = {p: {"success": 0, "failure": 0} for p in PATHS}
    matrix: dict[str, dict[str, dict[str, int]]] = defaultdict(
        lambda: defaultdict(lambda: {"success": 0, "failure": 0})
    )
    pairs: dict[tuple[Any, Any], set[str]] = defaultdict(set)
    for e in conns:
        path, outcome = e["path"], e["outcome"]
        paths[path] += 1
        outcomes.setdefault(path, {"success": 0, "failure": 0})[outcome] += 1
        local, remote = e.get("local_nat", "unknown"), e.get("remote_nat", "unknown")
        matrix[f"{local}->{remote}"][path][outcome] += 1
        key = (e.get("peer"), e.get("remote_peer"))
        if outcome == "success":
            pairs[key].add(path)
        else:
            pairs.setdefault(key, set())
    punches = [
        e
        for e in conns
        if e["path"] == "holepunch"
        and e.get("remote_nat", "unknown") != "unknown"
        and holepunch_possible(e["local_nat"], e["remote_nat"], same_nat=bool(e.get("same_nat")))
    ]
    natted_remote = {
        key: got
        for key, got in pairs.items()
        if got
        and any(
            e.get("remote_nat") not in ("public", "unknown")
            for e in conns
            if (e.get("peer"), e.get("remote_peer")) == key
        )
    }
    statuses: dict[str, Counter[str]] = defaultdict(Counter)
    for e in events:
        if e["type"] == "nat_status":
            statuses[e.get("nat", "unknown")][e.get("status", "unknown")] += 1
    return {
        "mode": start.get("nat_mode", "none"),
        "reason": start.get("nat_reason"),
        "paths": dict(paths),
        "outcomes": outcomes,
        "peers_behind_nat": sum(1 for p in plan.get("peers", []) if p.get("nat") != "public"),
        "matrix": {pair: dict(by_path) for pair, by_path in sorted(matrix.items())},
        "holepunch_attempts": len(punches),
        "holepunch_success_rate": _rate(
            sum(1 for e in punches if e["outcome"] == "success"), len(punches)
        ),
        "symmetric_pair_holepunches": sum(
            1
            for e in conns
            if e["path"] == "holepunch"
            and e["outcome"] == "success"
            and e.get("local_nat") == e.get("remote_nat") == "symmetric"
        ),
        "holepunch_refused": sum(1 for e in events if e["type"] == "nat_holepunch_refused"),
        "connect_success_rate": _rate(sum(1 for got in pairs.values() if got), len(pairs)),
        "relayed_fraction": _rate(
            sum(1 for got in natted_remote.values() if "holepunch" not in got),
            len(natted_remote),
        ),
        "reachability": {nat: dict(c) for nat, c in sorted(statuses.items())},
        "setup_s": next((e["seconds"] for e in events if e["type"] == "nat_setup"), None),
        "teardown_s": next((e["seconds"] for e in events if e["type"] == "nat_teardown"), None),
    }
