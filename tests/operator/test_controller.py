"""The reconcile glue and the churn timer over an in-memory API (no cluster, fake clock):
what gets written, in which order, and that nothing is applied twice."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from typing import Any, cast

from p2pnet_operator import churn_timer
from p2pnet_operator.controller import Controller, NetworkState
from p2pnet_operator.kubeapi import KubeApi
from p2pnet_operator.planner import plan
from p2pnet_operator.reconcile import Changes
from p2pnet_operator.settings import OperatorSettings
from p2pnet_operator.spec import from_dict

T0 = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
SETTINGS = OperatorSettings(operator_available_when="created")
CHURN = {
    "peers": 8,
    "duration": "30s",
    "dht": {"k": 4},
    "churn": {"enabled": True, "sessionTime": {"mean": "3s"}, "downtime": {"mean": "2s"}},
}


class FakeApi:
    """Objects by (kind, name); every write logged."""

    def __init__(self) -> None:
        self.objects: dict[tuple[str, str], dict[str, Any]] = {}
        self.writes: list[tuple[str, str]] = []
        self.statuses: list[dict[str, Any]] = []

    def list_objects(self, kind: str, namespace: str, selector: str) -> list[dict[str, Any]]:
        return [copy.deepcopy(o) for (k, _), o in self.objects.items() if k == kind]

    def apply(self, namespace: str, changes: Changes) -> list[str]:
        for a in changes.deletes:
            self.objects.pop((a.kind, a.name), None)
            self.writes.append(("delete", a.name))
        for a in changes.creates:
            body = copy.deepcopy(a.body or {})
            body["metadata"]["uid"] = f"uid-{a.name}"
            self.objects[(a.kind, a.name)] = body
            self.writes.append(("create", a.name))
        for a in changes.patches:
            self.writes.append(("patch", a.name))
        return []

    def patch_status(self, namespace: str, name: str, status: dict[str, Any]) -> None:
        self.statuses.append(copy.deepcopy(status))
        self.writes.append(("status", name))

    def pods(self) -> set[str]:
        return {n for k, n in self.objects if k == "Pod"}


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> dt.datetime:
        return self.now


def setup(spec: dict[str, Any], make_resource: Callable[..., Any]) -> tuple[Any, ...]:
    api, clock, posted = FakeApi(), Clock(), []
    ctl = Controller(
        cast(KubeApi, api), SETTINGS, lambda b, t, r, m: posted.append((r, m)), now=clock
    )
    body = make_resource("net", **spec)
    body["metadata"].update({"namespace": "ns", "uid": "net-uid", "generation": 1})
    return api, clock, posted, ctl, body


def test_reconcile_creates_children_then_writes_status(make_resource: Callable[..., Any]) -> None:
    api, _, _, ctl, body = setup({"peers": 5, "dht": {"k": 4}}, make_resource)
    state = NetworkState()
    ctl.reconcile(body, state)
    assert api.writes[0] == ("create", "net-plan") and api.writes[1] == ("create", "net-peers")
    assert api.writes[-1] == ("status", "net")
    assert api.pods() == {f"net-{i}-g0" for i in range(5)}
    status = api.statuses[-1]
    assert status["startTime"] == "2030-01-01T00:00:00.000000Z"
    assert status["phase"] == "Pending" and status["observedGeneration"] == 1
    assert state.pending, "written: the next tick re-reads to confirm"
    writes = len(api.writes)
    ctl.reconcile(body, state)
    assert api.writes[writes:] == [("status", "net")]
    assert api.statuses[-1]["conditions"][1]["reason"] == "UpToDate"
    assert not state.pending
    ctl.reconcile(body, state)
    assert len(api.writes) == writes + 1, "in sync: no write at all, not even the status"


def test_invalid_spec_writes_only_a_status(make_resource: Callable[..., Any]) -> None:
    api, _, _, ctl, body = setup({"peers": 5, "transfer": {"pieceSize": "64MiB"}}, make_resource)
    ctl.reconcile(body, NetworkState())
    assert api.writes == [("status", "net")]
    assert api.statuses[0]["phase"] == "Invalid"
    assert "spec.transfer.pieceSize" in api.statuses[0]["conditions"][0]["message"]


def test_churn_ticks_record_first_apply_once_and_survive_a_restart(
    make_resource: Callable[..., Any],
) -> None:
    api, clock, posted, ctl, body = setup(CHURN, make_resource)
    events = plan(from_dict(body)).events
    state = NetworkState()
    ctl.reconcile(body, state)
    first_due = events[0].time_s
    clock.now = T0 + dt.timedelta(seconds=first_due)
    before = len(api.writes)
    churn_timer.tick(ctl, body, state)
    due = [e for e in events if e.time_s <= first_due]
    assert api.writes[before] == ("status", "net"), "the status records the events first"
    assert api.statuses[-2]["churn"]["applied"] == len(due)
    assert [r for r, _ in posted] == ["ChurnLeave"] * len(due)
    assert f"net-{events[0].peer}-g0" not in api.pods()

    # The body kopf holds is stale (no status yet): the tick must not re-apply.
    churn_timer.tick(ctl, body, state)
    assert len(posted) == len(due)

    # A restarted operator (fresh state) reads the status from the body and goes on.
    body = {**body, "status": api.statuses[-1]}
    clock.now = T0 + dt.timedelta(seconds=60)
    restarted = NetworkState()
    churn_timer.tick(ctl, body, restarted)
    final = api.statuses[-1]
    assert final["churn"]["applied"] == len(events)
    assert len(posted) == min(len(events), len(due) + churn_timer.MAX_POSTED + 1)
    assert final["phase"] == "Completed"
