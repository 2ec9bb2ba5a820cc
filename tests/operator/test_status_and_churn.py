"""Pure status and churn bookkeeping: cursor replay, counters, conditions, phases."""

from __future__ import annotations

import datetime as dt

import pytest

from p2pnet_operator.planner import ChurnEvent, plan
from p2pnet_operator.reconcile import Action, Changes, churn_state, due_events
from p2pnet_operator.spec import from_dict
from p2pnet_operator.spec.crd import MAX_RECENT_EVENTS
from p2pnet_operator.status import (
    Outcome,
    PeerCounts,
    churn_status,
    invalid_status,
    network_status,
    recent_events,
)

T0 = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
EVENTS = [
    ChurnEvent(1.0, 5, "leave", 0),
    ChurnEvent(2.0, 6, "leave", 0),
    ChurnEvent(3.0, 5, "join", 1),
    ChurnEvent(3.0, 7, "leave", 0),
    ChurnEvent(4.5, 6, "join", 1),
]


def test_churn_state_replays_up_to_the_cursor() -> None:
    assert churn_state(EVENTS, 0.0).down == frozenset()
    state = churn_state(EVENTS, 2.0)
    assert state.down == {5, 6} and state.generation(5) == 0
    state = churn_state(EVENTS, 3.0)
    assert state.down == {6, 7} and state.generation(5) == 1 and state.is_up(5)
    assert churn_state(EVENTS, 100).down == {7}


def test_due_events_are_after_the_cursor_up_to_now() -> None:
    assert due_events(EVENTS, 0.0, 0.99) == []
    assert due_events(EVENTS, 0.0, 1.0) == EVENTS[:1]
    assert due_events(EVENTS, 1.0, 3.0) == EVENTS[1:4]
    assert due_events(EVENTS, 4.5, 99) == []


def test_churn_status_counts_and_keeps_the_latest_events() -> None:
    network = from_dict(
        {
            "name": "net",
            "spec": {
                "peers": 10,
                "duration": "60s",
                "dht": {"k": 4},
                "churn": {"enabled": True, "sessionTime": {"mean": "5s"}},
            },
        }
    )
    p = plan(network)
    first = churn_status(None, p, 3.0, EVENTS[:4], T0)
    assert first == {
        "scheduled": len(p.events),
        "applied": 4,
        "leaves": 3,
        "joins": 1,
        "cursorSeconds": 3.0,
        "lastEventTime": "2030-01-01T00:00:00.000000Z",
    }
    later = churn_status(first, p, 3.0, [], T0 + dt.timedelta(seconds=5))
    assert later["lastEventTime"] == first["lastEventTime"] and later["applied"] == 4
    many = [ChurnEvent(float(i), i % 7, "leave", 0) for i in range(30)]
    recent = recent_events(recent_events(None, EVENTS, T0), many, T0)
    assert len(recent) == MAX_RECENT_EVENTS
    assert recent[-1]["scheduledSeconds"] == 29.0 and recent[-1]["type"] == "Churn"
    assert recent[-1]["message"] == "peer 1 (identity generation 0) left at t=29s"


def outcome(
    expected: int = 4, ready: int = 0, failed: int = 0, changes: Changes | None = None, **kw: object
) -> Outcome:
    return Outcome(3, PeerCounts(expected, ready, failed), changes or Changes(), **kw)  # type: ignore[arg-type]


def conditions(status: dict[str, object]) -> dict[str, tuple[str, str]]:
    return {c["type"]: (c["status"], c["reason"]) for c in status["conditions"]}  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("kw", "phase", "ready", "degraded"),
    [
        ({"ready": 0}, "Pending", ("False", "PeersNotReady"), ("False", "AsExpected")),
        ({"ready": 4}, "Running", ("True", "AllPeersReady"), ("False", "AsExpected")),
        ({"failed": 1}, "Degraded", ("False", "PeersNotReady"), ("True", "PeersFailed")),
        (
            {"errors": ["create Pod/x: 403"]},
            "Degraded",
            ("False", "PeersNotReady"),
            ("True", "ReconcileError"),
        ),
        (
            {"ready": 4, "completed": True},
            "Completed",
            ("True", "AllPeersReady"),
            ("False", "AsExpected"),
        ),
    ],
)
def test_phase_and_conditions(
    kw: dict[str, object], phase: str, ready: tuple[str, str], degraded: tuple[str, str]
) -> None:
    status = network_status(None, outcome(**kw), T0)  # type: ignore[arg-type]
    assert status["phase"] == phase
    assert status["observedGeneration"] == 3
    got = conditions(status)
    assert got["Ready"] == ready and got["Degraded"] == degraded
    assert got["Progressing"] == ("False", "UpToDate")


def test_progressing_while_work_is_left() -> None:
    changes = Changes(creates=[Action("create", "Pod", "x")], waiting=2, outdated=2)
    status = network_status(None, outcome(changes=changes), T0)
    (progressing,) = [c for c in status["conditions"] if c["type"] == "Progressing"]
    assert progressing["status"] == "True" and progressing["reason"] == "Reconciling"
    assert progressing["message"] == "created 1, 2 peers outdated, waiting for 2"


def test_transition_time_moves_only_with_the_status() -> None:
    first = network_status(None, outcome(ready=0), T0)
    later = network_status(first, outcome(ready=1), T0 + dt.timedelta(minutes=1))
    flipped = network_status(later, outcome(ready=4), T0 + dt.timedelta(minutes=2))

    def ready_time(s: dict[str, object]) -> str:
        return next(c for c in s["conditions"] if c["type"] == "Ready")["lastTransitionTime"]  # type: ignore[attr-defined,no-any-return]

    assert ready_time(later) == ready_time(first) == "2030-01-01T00:00:00Z"
    assert ready_time(flipped) == "2030-01-01T00:02:00Z"


def test_invalid_spec_names_the_field() -> None:
    status = invalid_status(None, 2, "spec.transfer.pieceSize: must be <= 16MiB", T0)
    assert status["phase"] == "Invalid" and status["observedGeneration"] == 2
    ready = status["conditions"][0]
    assert (ready["type"], ready["status"], ready["reason"]) == ("Ready", "False", "InvalidSpec")
    assert "spec.transfer.pieceSize" in ready["message"]
