"""The P2PNetwork's status, computed from what one reconcile saw and did (pure).

phase: Invalid (the spec fails validation), Pending (peers not all ready yet), Running
(every peer that should be up is Ready), Degraded (API errors, or failed / crash-looping
peer pods), Completed (the run's duration has passed; the peers are left running).
readyPeers counts Ready pods; on a control plane without kubelets it stays 0.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from p2pnet_operator.reconcile import Changes, pod_ready
from p2pnet_operator.status.conditions import (
    DEGRADED,
    PROGRESSING,
    READY,
    Condition,
    merge_conditions,
)

Obj = dict[str, Any]
BAD_WAITING_REASONS = frozenset(
    {"CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "CreateContainerConfigError"}
)


def pod_failed(pod: Obj) -> bool:
    status = pod.get("status") or {}
    if status.get("phase") == "Failed":
        return True
    for c in status.get("containerStatuses") or []:
        if ((c.get("state") or {}).get("waiting") or {}).get("reason") in BAD_WAITING_REASONS:
            return True
    return False


@dataclass
class PeerCounts:
    expected: int = 0  # pods that should exist now
    ready: int = 0
    failed: int = 0

    @classmethod
    def of(cls, desired: Sequence[Obj], observed: Sequence[Obj], changes: Changes) -> PeerCounts:
        names = {p["metadata"]["name"] for p in desired}
        going = {a.name for a in changes.deletes if a.kind == "Pod"}
        live = [
            p
            for p in observed
            if p["metadata"]["name"] in names
            and p["metadata"]["name"] not in going
            and not p["metadata"].get("deletionTimestamp")
        ]
        return cls(
            expected=len(names),
            ready=sum(1 for p in live if pod_ready(p)),
            failed=sum(1 for p in live if pod_failed(p)),
        )


@dataclass
class Outcome:
    """What a reconcile of a valid spec saw and did."""

    generation: int
    peers: PeerCounts
    changes: Changes
    errors: list[str] = field(default_factory=list)
    completed: bool = False  # the run's duration has passed


def _progress_message(changes: Changes) -> str:
    parts = [f"{verb}d {n}" for verb in ("create", "delete", "patch") if (n := changes.count(verb))]
    if changes.outdated:
        parts.append(f"{changes.outdated} peers outdated")
    if changes.waiting:
        parts.append(f"waiting for {changes.waiting}")
    return ", ".join(parts)


def network_status(old: Obj | None, outcome: Outcome, now: dt.datetime) -> Obj:
    peers, changes = outcome.peers, outcome.changes
    all_ready = peers.expected > 0 and peers.ready == peers.expected
    ready = Condition(
        READY,
        all_ready,
        "AllPeersReady" if all_ready else "PeersNotReady",
        f"{peers.ready}/{peers.expected} peers ready",
    )
    if changes.in_sync:
        progressing = Condition(PROGRESSING, False, "UpToDate", "children match the spec")
    else:
        progressing = Condition(PROGRESSING, True, "Reconciling", _progress_message(changes))
    if outcome.errors:
        degraded = Condition(DEGRADED, True, "ReconcileError", "; ".join(outcome.errors)[:4000])
    elif peers.failed:
        degraded = Condition(DEGRADED, True, "PeersFailed", f"{peers.failed} peer pods failing")
    else:
        degraded = Condition(DEGRADED, False, "AsExpected", "")
    if outcome.completed:
        phase = "Completed"
    elif degraded.status:
        phase = "Degraded"
    elif all_ready:
        phase = "Running"
    else:
        phase = "Pending"
    return {
        "phase": phase,
        "readyPeers": peers.ready,
        "observedGeneration": outcome.generation,
        "conditions": merge_conditions(
            (old or {}).get("conditions"), [ready, progressing, degraded], outcome.generation, now
        ),
    }


def invalid_status(old: Obj | None, generation: int, message: str, now: dt.datetime) -> Obj:
    """The spec fails validation: say which field and why; nothing is created or changed."""
    conditions = [
        Condition(READY, False, "InvalidSpec", message),
        Condition(PROGRESSING, False, "InvalidSpec", "fix the spec to continue"),
        Condition(DEGRADED, True, "InvalidSpec", message),
    ]
    return {
        "phase": "Invalid",
        "observedGeneration": generation,
        "conditions": merge_conditions((old or {}).get("conditions"), conditions, generation, now),
    }
