"""Churn, applied by the real operator's timer per the planner's schedule, in shortened
time (a 20 s run with 4 s mean sessions): each event in the status, as a Kubernetes Event
and in the operator's metrics; the pods end as the schedule says."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from p2pnet_operator.planner import plan
from p2pnet_operator.reconcile import churn_state
from p2pnet_operator.render import labels as L
from p2pnet_operator.spec import from_dict
from p2pnet_operator.status import parse_timestamp

pytestmark = pytest.mark.kube

Wait = Callable[..., Any]
CHURN_NET = {
    "peers": 10,
    "bootstrapPeers": 2,
    "duration": "20s",
    "dht": {"k": 4, "alpha": 2},
    "churn": {
        "enabled": True,
        "mode": "replace",
        "sessionTime": {"mean": "4s"},
        "downtime": {"mean": "2s"},
        "maxUnavailable": "50%",
    },
}
# How late an event may be applied: ticks are 0.5 s, but on a busy 2-core machine a
# process can be starved for many seconds. Early is never allowed.
LATENESS_S = 60.0


def metric(text: str, name: str, **labels: str) -> float:
    wanted = ",".join(f'{k}="{v}"' for k, v in labels.items())
    match = re.search(rf"^{name}\{{{re.escape(wanted)}\}} (\S+)$", text, re.M)
    assert match, f"{name}{{{wanted}}} not in metrics"
    return float(match.group(1))


def expected_pods(body: dict[str, Any]) -> set[str]:
    p = plan(from_dict(body))
    end = churn_state(p.events, math.inf)
    return {
        L.pod_name("net", peer.index, end.generation(peer.index))
        for peer in p.peers
        if end.is_up(peer.index)
    }


def test_churn_schedule_is_applied_recorded_and_counted(
    start_operator: Callable[..., Any], cluster: Any, make_resource: Callable[..., Any], wait: Wait
) -> None:
    body = make_resource("net", **CHURN_NET)
    schedule = plan(from_dict(body)).events
    actions = Counter(e.action for e in schedule)
    assert actions["leave"] >= 5 and actions["join"] >= 3, "the test needs a busy schedule"

    operator = start_operator()
    cluster.create(body)
    wait(
        lambda: (cluster.status("net").get("churn") or {}).get("applied") == len(schedule),
        20 + 180,
        f"all {len(schedule)} churn events",
    )
    status = cluster.status("net")
    assert status["churn"]["scheduled"] == len(schedule)
    assert (status["churn"]["leaves"], status["churn"]["joins"]) == (
        actions["leave"],
        actions["join"],
    )

    # The latest events, in schedule order, each applied at or after its due time.
    start = parse_timestamp(status["startTime"])
    recent = status["recentEvents"]
    tail = schedule[-len(recent) :]
    assert [(r["peer"], r["action"], r["generation"]) for r in recent] == [
        (e.peer, e.action, e.generation) for e in tail
    ]
    for r, e in zip(recent, tail, strict=True):
        assert r["scheduledSeconds"] == e.time_s
        late = (parse_timestamp(r["time"]) - start).total_seconds() - e.time_s
        assert 0 <= late < LATENESS_S, f"{r['message']} applied {late:.2f}s after due"

    wait(lambda: cluster.pod_names("net") == expected_pods(body), 180, "the schedule's final pods")
    wait(lambda: cluster.status("net").get("phase") == "Completed", 180, "phase Completed")

    def posted() -> Counter[str]:
        return Counter(e.reason for e in cluster.events("net") if e.reason.startswith("Churn"))

    wait(
        lambda: posted() == Counter({"ChurnLeave": actions["leave"], "ChurnJoin": actions["join"]}),
        180,
        "one Kubernetes Event per churn event",
    )
    text = operator.metrics_text()
    assert metric(text, "p2pnet_churn_events_total", action="leave") == actions["leave"]
    assert metric(text, "p2pnet_churn_events_total", action="join") == actions["join"]
    assert metric(text, "p2pnet_operator_reconcile_total", outcome="success") >= 1
