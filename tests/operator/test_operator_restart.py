"""The operator killed (SIGKILL) mid-work and started again converges, and nothing is
done twice: no pod created twice (the API server's audit log says), no churn event
applied twice."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from kubernetes import watch

from p2pnet_operator.planner import plan
from p2pnet_operator.reconcile import churn_state
from p2pnet_operator.render import labels as L
from p2pnet_operator.spec import from_dict
from p2pnet_testbed.kube.audit import AuditLog

pytestmark = pytest.mark.kube

Wait = Callable[..., Any]
PEERS = 60


def operator_user(namespace: str) -> str:
    return f"system:serviceaccount:{namespace}:p2pnet-operator"


def test_restart_mid_reconcile_converges_without_duplicates(
    start_operator: Callable[..., Any],
    cluster: Any,
    make_resource: Callable[..., Any],
    wait: Wait,
    audit: AuditLog,
) -> None:
    # One write at a time, and the kill as soon as the plan ConfigMap (the first child)
    # appears: the Service and the pods come after it, one by one.
    first = start_operator(P2PNET_OPERATOR_WRITE_CONCURRENCY="1")
    listed = cluster.core.list_namespaced_config_map(cluster.ns)
    stream = watch.Watch()
    cluster.create(make_resource("net", peers=PEERS, dht={"k": 4}))
    for event in stream.stream(
        cluster.core.list_namespaced_config_map,
        cluster.ns,
        resource_version=listed.metadata.resource_version,
        timeout_seconds=240,
    ):
        if event["type"] == "ADDED" and event["object"].metadata.name == "net-plan":
            first.kill()
            stream.stop()
    survivors = {p.metadata.name: p.metadata.uid for p in cluster.pods("net")}
    assert len(survivors) < PEERS, "killed too late: every pod existed already"

    start_operator()
    names = {L.pod_name("net", i, 0) for i in range(PEERS)}
    wait(lambda: cluster.pod_names("net") == names, 180, f"{PEERS} pods after the restart")
    wait(lambda: cluster.condition("net", "Progressing").get("reason") == "UpToDate", 180, "sync")

    pods = cluster.pods("net")
    assert len(pods) == PEERS
    assert all(
        survivors[p.metadata.name] == p.metadata.uid for p in pods if p.metadata.name in survivors
    )
    assert len(cluster.core.list_namespaced_service(cluster.ns).items) == 1
    assert (
        len(
            cluster.core.list_namespaced_config_map(
                cluster.ns, label_selector="p2pnet.io/network=net"
            ).items
        )
        == 1
    )
    created = Counter(
        r.resource
        for r in audit.requests(user=operator_user(cluster.ns), namespace=cluster.ns)
        if r.verb == "create" and r.code == 201
    )
    assert created["pods"] == PEERS, "a pod was created twice"
    assert created["services"] == 1 and created["configmaps"] == 1


def test_restart_mid_churn_applies_every_event_once(
    start_operator: Callable[..., Any], cluster: Any, make_resource: Callable[..., Any], wait: Wait
) -> None:
    body = make_resource(
        "net",
        peers=10,
        bootstrapPeers=2,
        duration="40s",
        dht={"k": 4, "alpha": 2},
        churn={
            "enabled": True,
            "mode": "replace",
            "sessionTime": {"mean": "4s"},
            "downtime": {"mean": "2s"},
            "maxUnavailable": "50%",
        },
    )
    p = plan(from_dict(body))
    actions = Counter(e.action for e in p.events)
    first = start_operator()
    cluster.create(body)
    wait(lambda: (cluster.status("net").get("churn") or {}).get("applied", 0) >= 3, 180, "churn")
    first.kill()
    at_kill = cluster.status("net")["churn"]["applied"]
    assert at_kill < len(p.events), "killed too late: the schedule was over"
    start_operator()
    wait(
        lambda: (cluster.status("net").get("churn") or {}).get("applied") == len(p.events),
        40 + 180,
        "every churn event",
    )
    churn = cluster.status("net")["churn"]
    assert (churn["leaves"], churn["joins"]) == (actions["leave"], actions["join"])
    end = churn_state(p.events, math.inf)
    final = {
        L.pod_name("net", q.index, end.generation(q.index)) for q in p.peers if end.is_up(q.index)
    }
    wait(lambda: cluster.pod_names("net") == final, 180, "the schedule's final pods")
    messages = Counter(e.message for e in cluster.events("net") if e.reason.startswith("Churn"))
    assert messages and max(messages.values()) == 1, "a churn event was posted twice"
