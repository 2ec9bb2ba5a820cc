"""The real operator (kopf run, as its ServiceAccount) against the real control plane:
create -> children + status; scale up/down; knob change rolls; invalid spec -> condition;
delete -> the garbage collector removes the children; leftovers of a namesake replaced.

No kubelet runs, so pods stay Pending and readyPeers stays 0: the tests assert on the
objects the API server holds.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

import pytest
from kubernetes import client, watch
from urllib3.exceptions import ProtocolError

from p2pnet_operator.planner import plan
from p2pnet_operator.render import labels as L
from p2pnet_operator.spec import from_dict

pytestmark = pytest.mark.kube

Wait = Callable[..., Any]
NAT_NET = {
    "peers": 10,
    "bootstrapPeers": 2,
    "duration": "10m",
    "dht": {"k": 4, "alpha": 2},
    "nat": {"fraction": 0.4, "relays": 1, "peersPerGroup": 2},
}


def env(pod: client.V1Pod) -> dict[str, str]:
    return {e.name: e.value for e in pod.spec.containers[0].env if e.value is not None}


def test_create_makes_children_and_status(
    start_operator: Callable[..., Any], cluster: Any, make_resource: Callable[..., Any], wait: Wait
) -> None:
    start_operator()
    body = make_resource("net", **NAT_NET)
    uid = cluster.create(body)["metadata"]["uid"]
    expected_plan = plan(from_dict(body))
    names = {L.pod_name("net", i, 0) for i in range(10)}
    wait(lambda: cluster.pod_names("net") == names, 180, "10 peer pods")
    wait(lambda: cluster.status("net").get("observedGeneration") == 1, 180, "status")

    status = cluster.status("net")
    assert status["phase"] == "Pending" and status["readyPeers"] == 0
    assert status["startTime"]
    conditions = {c["type"]: c for c in status["conditions"]}
    assert conditions["Ready"]["reason"] == "PeersNotReady"
    assert conditions["Ready"]["message"] == "0/10 peers ready"
    assert conditions["Degraded"]["status"] == "False"
    wait(lambda: cluster.condition("net", "Progressing").get("reason") == "UpToDate", 180, "sync")

    for pod in cluster.pods("net"):
        index = int(pod.metadata.labels[L.PEER])
        assert pod.metadata.owner_references[0].uid == uid
        assert env(pod)["P2PNET_IDENTITY_SEED"] == expected_plan.peers[index].identity_seed.hex()
        assert pod.metadata.labels[L.NAT] == expected_plan.peers[index].nat
    relays = [p for p in cluster.pods("net") if p.metadata.labels[L.ROLE] == "relay"]
    assert [p.metadata.name for p in relays] == ["net-2-g0"]

    svc = cluster.core.read_namespaced_service("net-peers", cluster.ns)
    assert svc.spec.cluster_ip == "None" and svc.metadata.owner_references[0].uid == uid
    cm = cluster.core.read_namespaced_config_map("net-plan", cluster.ns)
    assert cm.metadata.owner_references[0].uid == uid and "plan.json" in cm.data
    policies = cluster.net.list_namespaced_network_policy(cluster.ns).items
    assert "net-nat" in {p.metadata.name for p in policies}
    assert all(p.metadata.owner_references[0].uid == uid for p in policies)


def test_scale_up_and_down(
    start_operator: Callable[..., Any], cluster: Any, make_resource: Callable[..., Any], wait: Wait
) -> None:
    start_operator()
    cluster.create(make_resource("net", peers=6, dht={"k": 4}))
    wait(lambda: len(cluster.pod_names("net")) == 6, 180, "6 pods")
    uids = {p.metadata.name: p.metadata.uid for p in cluster.pods("net")}

    cluster.patch_spec("net", {"peers": 9})
    up = {L.pod_name("net", i, 0) for i in range(9)}
    wait(lambda: cluster.pod_names("net") == up, 180, "scale up to 9")
    after = {p.metadata.name: p.metadata.uid for p in cluster.pods("net")}
    assert all(after[name] == uid for name, uid in uids.items()), "existing peers untouched"

    cluster.patch_spec("net", {"peers": 4})
    down = {L.pod_name("net", i, 0) for i in range(4)}
    wait(lambda: cluster.pod_names("net") == down, 180, "scale down to 4")
    wait(lambda: cluster.status("net").get("observedGeneration") == 3, 180, "generation 3")


def test_knob_change_rolls_peers_within_max_unavailable(
    start_operator: Callable[..., Any], cluster: Any, make_resource: Callable[..., Any], wait: Wait
) -> None:
    start_operator()
    spec = {"peers": 8, "dht": {"k": 4}, "churn": {"maxUnavailable": 2}}
    cluster.create(make_resource("net", **spec))
    names = {L.pod_name("net", i, 0) for i in range(8)}
    wait(lambda: cluster.pod_names("net") == names, 180, "8 pods")
    old_uids = {p.metadata.uid for p in cluster.pods("net")}

    present = set(names)
    most_missing = [0]
    listed = cluster.core.list_namespaced_pod(cluster.ns)
    stream = watch.Watch()

    done = threading.Event()

    def follow() -> None:
        try:
            for event in stream.stream(
                cluster.core.list_namespaced_pod,
                cluster.ns,
                resource_version=listed.metadata.resource_version,
                timeout_seconds=240,
            ):
                name = event["object"].metadata.name
                if event["type"] == "DELETED":
                    present.discard(name)
                elif event["type"] == "ADDED":
                    present.add(name)
                most_missing[0] = max(most_missing[0], len(names - present))
        except ProtocolError:
            if not done.is_set():
                raise

    watcher = threading.Thread(target=follow, daemon=True)
    watcher.start()
    cluster.patch_spec("net", {"dht": {"k": 5}})

    def rolled() -> bool:
        pods = cluster.pods("net")
        return (
            {p.metadata.name for p in pods} == names
            and all(json.loads(env(p)["P2PNET_PEER_CONFIG"])["dht"]["k"] == 5 for p in pods)
            and not ({p.metadata.uid for p in pods} & old_uids)
        )

    wait(rolled, 180, "every peer recreated with k=5")
    wait(lambda: cluster.condition("net", "Progressing").get("reason") == "UpToDate", 180, "sync")
    done.set()
    stream.stop()
    assert 1 <= most_missing[0] <= 2, f"{most_missing[0]} peers were down at once"


def test_invalid_spec_sets_a_condition_and_creates_nothing(
    start_operator: Callable[..., Any], cluster: Any, make_resource: Callable[..., Any], wait: Wait
) -> None:
    start_operator()
    # Python-only rule: the API server accepts it, the spec model does not.
    cluster.create(make_resource("net", peers=6, dht={"k": 4}, transfer={"pieceSize": "64MiB"}))

    def invalid() -> dict[str, Any]:
        return cluster.condition("net", "Ready") if cluster.status("net").get("phase") else {}

    ready = wait(lambda: invalid().get("reason") == "InvalidSpec" and invalid(), 180, "InvalidSpec")
    assert ready["status"] == "False"
    assert "spec.transfer.pieceSize" in ready["message"]
    assert cluster.status("net")["phase"] == "Invalid"
    assert cluster.pods("net") == []
    assert (
        cluster.core.list_namespaced_config_map(
            cluster.ns, label_selector="p2pnet.io/network=net"
        ).items
        == []
    )

    cluster.patch_spec("net", {"transfer": {"pieceSize": "1MiB"}})
    wait(lambda: len(cluster.pod_names("net")) == 6, 180, "pods once the spec is fixed")
    wait(lambda: cluster.status("net").get("phase") == "Pending", 180, "phase Pending")


def test_delete_lets_the_garbage_collector_remove_children(
    start_operator: Callable[..., Any], cluster: Any, make_resource: Callable[..., Any], wait: Wait
) -> None:
    start_operator()
    cluster.create(make_resource("net", **NAT_NET))
    wait(lambda: len(cluster.pod_names("net")) == 10, 180, "10 pods")
    cluster.delete("net")

    def children() -> int:
        selector = "p2pnet.io/network=net"
        return (
            len(cluster.pods("net"))
            + len(cluster.core.list_namespaced_service(cluster.ns, label_selector=selector).items)
            + len(
                cluster.core.list_namespaced_config_map(cluster.ns, label_selector=selector).items
            )
            + len(
                cluster.net.list_namespaced_network_policy(
                    cluster.ns, label_selector=selector
                ).items
            )
        )

    gone = cluster.custom.list_namespaced_custom_object
    wait(
        lambda: not gone("p2pnet.io", "v1alpha1", cluster.ns, "p2pnetworks")["items"],
        180,
        "the operator to release its finalizer",
    )
    wait(lambda: children() == 0, 180, "the garbage collector to delete every child")


def test_leftovers_of_an_earlier_namesake_are_replaced(
    start_operator: Callable[..., Any], cluster: Any, make_resource: Callable[..., Any], wait: Wait
) -> None:
    """Children labelled for `net` but owned by another P2PNetwork (as after a quick
    delete-and-recreate) are deleted and replaced, not adopted."""
    other = cluster.create(
        make_resource("other", peers=2, bootstrapPeers=1, dht={"k": 1, "alpha": 1})
    )
    ref = {
        "apiVersion": "p2pnet.io/v1alpha1",
        "kind": "P2PNetwork",
        "name": "other",
        "uid": other["metadata"]["uid"],
        "controller": True,
    }
    meta = {"labels": {**L.common_labels("net", "discovery")}, "ownerReferences": [ref]}
    cluster.core.create_namespaced_service(
        cluster.ns,
        {
            "metadata": {"name": "net-peers", **meta},
            "spec": {"clusterIP": "None", "ports": [{"port": 1}]},
        },
    )
    cm_meta = {**meta, "labels": L.common_labels("net", "plan")}
    cluster.core.create_namespaced_config_map(
        cluster.ns, {"metadata": {"name": "net-plan", **cm_meta}}
    )
    start_operator()
    uid = cluster.create(make_resource("net", peers=4, dht={"k": 4}))["metadata"]["uid"]

    def replaced() -> bool:
        svc = cluster.core.read_namespaced_service("net-peers", cluster.ns)
        cm = cluster.core.read_namespaced_config_map("net-plan", cluster.ns)
        return all(o.metadata.owner_references[0].uid == uid for o in (svc, cm))

    wait(replaced, 180, "the operator's own Service and ConfigMap")
    wait(lambda: len(cluster.pod_names("net")) == 4, 180, "4 pods")
