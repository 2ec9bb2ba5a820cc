"""The churn part of the status: counters, the cursor and the latest events (pure)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from p2pnet_operator.planner import ChurnEvent, Plan
from p2pnet_operator.spec.crd import MAX_RECENT_EVENTS
from p2pnet_operator.status.conditions import timestamp

Obj = dict[str, Any]


def event_message(event: ChurnEvent) -> str:
    verb = "left" if event.action == "leave" else "joined"
    return (
        f"peer {event.peer} (identity generation {event.generation}) {verb} at t={event.time_s:g}s"
    )


def churn_status(
    old: Obj | None,
    plan: Plan,
    cursor_s: float,
    applied: Sequence[ChurnEvent],
    now: dt.datetime,
) -> Obj:
    """`old`'s counters plus `applied` (the events just applied), cursor moved to
    `cursor_s`. `scheduled` is the size of the current plan's schedule."""
    old = old or {}
    out: Obj = {
        "scheduled": len(plan.events),
        "applied": old.get("applied", 0) + len(applied),
        "leaves": old.get("leaves", 0) + sum(1 for e in applied if e.action == "leave"),
        "joins": old.get("joins", 0) + sum(1 for e in applied if e.action == "join"),
        "cursorSeconds": cursor_s,
    }
    last = old.get("lastEventTime")
    if applied:
        last = timestamp(now, precise=True)
    if last:
        out["lastEventTime"] = last
    return out


def recent_events(
    old: Sequence[Obj] | None, applied: Sequence[ChurnEvent], now: dt.datetime
) -> list[Obj]:
    """The latest churn events, newest last, at most MAX_RECENT_EVENTS."""
    when = timestamp(now, precise=True)
    new = [
        {
            "time": when,
            "type": "Churn",
            "action": e.action,
            "peer": e.peer,
            "generation": e.generation,
            "scheduledSeconds": e.time_s,
            "message": event_message(e),
        }
        for e in applied
    ]
    return [*(old or ()), *new][-MAX_RECENT_EVENTS:]
