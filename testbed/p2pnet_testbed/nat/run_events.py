"""A peer's NAT events (forwarded by its host) as run events the report aggregates:
``nat_connection`` (path and outcome, with both sides' NAT types from the plan),
``nat_status`` (AutoNAT verdict), ``nat_holepunch_refused`` and ``nat_reservation``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from p2pnet_operator.planner import Plan
from p2pnet_peer.nat.addresses import parse_circuit

Resolve = Callable[[str | None, str | None], int | None]  # (peer id hex, address) -> index


def remote_of(remote: str, resolve: Resolve) -> int | None:
    circuit = parse_circuit(remote)
    if circuit is not None:
        return resolve(circuit[1].hex(), None)
    return resolve(None, remote)


def run_event(
    plan: Plan,
    group_of: dict[int, int],
    peer: int,
    event: dict[str, Any],
    resolve: Resolve,
) -> tuple[str, dict[str, Any]] | None:
    kind = event.get("kind")
    local = plan.peers[peer].nat
    if kind in ("connection", "holepunch_refused"):
        other = remote_of(str(event.get("remote", "")), resolve)
        pair = {
            "peer": peer,
            "remote_peer": other,
            "local_nat": local,
            "remote_nat": plan.peers[other].nat if other is not None else "unknown",
            "same_nat": other is not None
            and peer in group_of
            and group_of.get(other) == group_of[peer],
        }
        if kind == "connection":
            found = {**pair, "path": event["path"], "outcome": event["outcome"]}
            if event.get("reason"):
                found["reason"] = event["reason"]
            return "nat_connection", found
        return "nat_holepunch_refused", {**pair, "reason": event.get("reason", "")}
    if kind == "reachability":
        fields = {k: event.get(k) for k in ("status", "observed_host", "mapping", "answers")}
        return "nat_status", {"peer": peer, "nat": local, **fields}
    if kind == "reservation":
        return "nat_reservation", {
            "peer": peer,
            "active": event.get("active"),
            "reason": event.get("reason"),
        }
    return None
