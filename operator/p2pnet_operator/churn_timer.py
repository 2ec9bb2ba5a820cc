"""What the churn timer does at each tick (every `P2PNET_OPERATOR_TICK_SECONDS`).

Churn events are due `time_s` seconds after `status.startTime` (set when the peers were
first created). At a tick, the events due since the cursor are applied together:

1. the status records them first (cursor, counters, recentEvents), so an operator that
   dies right after never applies them twice: on restart the reconcile converges the pods
   on the recorded cursor;
2. each is counted in `p2pnet_churn_events_total{action}` and posted as a Kubernetes Event
   on the P2PNetwork (reason ChurnLeave / ChurnJoin; at most MAX_POSTED per tick, then one
   summary);
3. a reconcile deletes the pods of leaving peers and creates those of joining ones (in
   replace mode under a new identity, hence a new pod name).

Without due events, the tick reconciles only if the last reconcile left work behind, a
resync is due, or the run's duration has just passed (phase Completed).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from p2pnet_operator.controller import Controller, NetworkState
from p2pnet_operator.metrics import CHURN_EVENTS
from p2pnet_operator.reconcile import due_events
from p2pnet_operator.spec import SpecError
from p2pnet_operator.status import (
    churn_status,
    event_message,
    parse_timestamp,
    recent_events,
)

MAX_POSTED = 50


def tick(controller: Controller, body: Mapping[str, Any], state: NetworkState) -> None:
    if not state.lock.acquire(blocking=False):
        return  # a change handler is reconciling this network right now
    try:
        _tick(controller, body, state)
    finally:
        state.lock.release()


def _tick(controller: Controller, body: Mapping[str, Any], state: NetworkState) -> None:
    status = state.current_status(body)
    resync_due = (
        time.monotonic() - state.last_reconcile >= controller.settings.operator_resync_seconds
    )
    start = status.get("startTime")
    try:
        valid = controller.validate(body, state) if start else None
    except SpecError:
        valid = None
    if valid is None:
        if state.pending or resync_due:
            controller.reconcile(body, state)
        return

    now = controller.now()
    elapsed = (now - parse_timestamp(str(start))).total_seconds()
    churn = status.get("churn") or {}
    cursor = float(churn.get("cursorSeconds") or 0.0)
    due = due_events(valid.plan.events, cursor, elapsed)
    if not due:
        finished = elapsed >= valid.network.spec.duration_s and status.get("phase") != "Completed"
        if state.pending or resync_due or finished:
            controller.reconcile(body, state)
        return

    meta = body["metadata"]
    recorded = {
        **status,
        "churn": churn_status(churn, valid.plan, due[-1].time_s, due, now),
        "recentEvents": recent_events(status.get("recentEvents"), due, now),
    }
    controller.write_status(state, meta["namespace"], meta["name"], recorded)
    for event in due:
        CHURN_EVENTS.labels(event.action).inc()
    for event in due[:MAX_POSTED]:
        reason = "ChurnLeave" if event.action == "leave" else "ChurnJoin"
        controller.post_event(body, "Normal", reason, event_message(event))
    if len(due) > MAX_POSTED:
        more = f"{len(due) - MAX_POSTED} more churn events applied at once"
        controller.post_event(body, "Normal", "Churn", more)
    controller.reconcile(body, state, status=recorded)
