"""The operator runs as a ServiceAccount bound to exactly `p2pnet_operator.rbac.role()`
(a real bound token, not the admin), and the API server's audit log shows that the rules
are exact: every request it made was allowed and is covered by a documented rule, and
every documented verb was used. Without one documented permission it fails visibly."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from kubernetes import client

from p2pnet_operator import rbac
from p2pnet_operator.render import labels as L
from p2pnet_testbed.kube.audit import AuditLog

pytestmark = pytest.mark.kube

Wait = Callable[..., Any]
NET = {
    "peers": 12,
    "bootstrapPeers": 2,
    "duration": "20s",
    "dht": {"k": 4, "alpha": 2},
    "nat": {"fraction": 0.5, "relays": 1, "peersPerGroup": 2},
    "churn": {"enabled": True, "sessionTime": {"mean": "3s"}, "downtime": {"mean": "2s"}},
}


def user(namespace: str) -> str:
    return f"system:serviceaccount:{namespace}:p2pnet-operator"


def leftovers(cluster: Any, other_uid: str) -> None:
    """A Service and ConfigMap labelled for `net` but owned by another network."""
    ref = {
        "apiVersion": "p2pnet.io/v1alpha1",
        "kind": "P2PNetwork",
        "name": "other",
        "uid": other_uid,
        "controller": True,
    }
    cluster.core.create_namespaced_service(
        cluster.ns,
        {
            "metadata": {
                "name": "net-peers",
                "labels": L.common_labels("net", L.DISCOVERY_COMPONENT),
                "ownerReferences": [ref],
            },
            "spec": {"clusterIP": "None", "ports": [{"port": 1}]},
        },
    )
    cluster.core.create_namespaced_config_map(
        cluster.ns,
        {
            "metadata": {
                "name": "net-plan",
                "labels": L.common_labels("net", L.PLAN_COMPONENT),
                "ownerReferences": [ref],
            }
        },
    )


def test_the_documented_rbac_is_exactly_what_the_operator_uses(
    start_operator: Callable[..., Any],
    cluster: Any,
    make_resource: Callable[..., Any],
    wait: Wait,
    audit: AuditLog,
) -> None:
    other = cluster.create(
        make_resource("other", peers=2, bootstrapPeers=1, dht={"k": 1, "alpha": 1})
    )
    leftovers(cluster, other["metadata"]["uid"])
    start_operator()
    uid = cluster.create(make_resource("net", **NET))["metadata"]["uid"]
    wait(lambda: (cluster.status("net").get("churn") or {}).get("applied", 0) >= 4, 180, "churn")

    def owned_by_net(obj: Any) -> bool:
        return bool(obj.metadata.owner_references[0].uid == uid)

    svc = wait(
        lambda: (
            owned_by_net(s := cluster.core.read_namespaced_service("net-peers", cluster.ns)) and s
        ),
        180,
        "own Service",
    )
    # Hand edits the operator repairs (patch), then a scale-down that moves NAT groups
    # (pod label patches, policy deletes) and changes the plan (ConfigMap patch).
    cluster.core.patch_namespaced_service(
        "net-peers", cluster.ns, {"spec": {"publishNotReadyAddresses": False}}
    )
    cluster.net.patch_namespaced_network_policy("net-nat", cluster.ns, {"spec": {"ingress": []}})
    assert svc.spec.publish_not_ready_addresses
    cluster.patch_spec("net", {"peers": 8})
    wait(
        lambda: (
            cluster.core.read_namespaced_service(
                "net-peers", cluster.ns
            ).spec.publish_not_ready_addresses
        ),
        180,
        "the Service repaired",
    )
    wait(
        lambda: cluster.net.read_namespaced_network_policy("net-nat", cluster.ns).spec.ingress,
        180,
        "the NAT policy repaired",
    )
    cluster.delete("net")
    wait(
        lambda: (
            "net"
            not in {
                o["metadata"]["name"]
                for o in cluster.custom.list_namespaced_custom_object(
                    "p2pnet.io", "v1alpha1", cluster.ns, "p2pnetworks"
                )["items"]
            }
        ),
        180,
        "the finalizer released",
    )

    requests = [r for r in audit.requests(user=user(cluster.ns)) if r.resource]
    assert requests, "no audited requests from the operator's ServiceAccount"
    denied = [r for r in requests if r.code == 403]
    assert not denied, f"forbidden: {denied}"
    used = {(r.api_group, r.resource, r.verb) for r in requests}
    undocumented = {u for u in used if not rbac.allows(*u)}
    assert not undocumented, f"used but not in rbac.RULES: {sorted(undocumented)}"
    documented = {(r.api_group, r.resource, v) for r in rbac.RULES for v in r.verbs}
    unused = documented - used
    assert not unused, f"in rbac.RULES but never used: {sorted(unused)}"
    assert {r.namespace for r in requests} == {cluster.ns}, "namespaced permissions suffice"


def test_a_missing_permission_fails_visibly(
    kube_api: client.ApiClient,
    start_operator: Callable[..., Any],
    cluster: Any,
    make_resource: Callable[..., Any],
    wait: Wait,
    audit: AuditLog,
) -> None:
    role = copy.deepcopy(rbac.role(cluster.ns))
    for rule in role["rules"]:
        if rule["resources"] == ["pods"]:
            rule["verbs"].remove("create")
    client.RbacAuthorizationV1Api(kube_api).replace_namespaced_role(
        "p2pnet-operator", cluster.ns, role
    )
    start_operator()
    cluster.create(make_resource("net", peers=4, dht={"k": 4}))
    degraded = wait(
        lambda: (c := cluster.condition("net", "Degraded")).get("reason") == "ReconcileError" and c,
        180,
        "Degraded=ReconcileError",
    )
    assert "create Pod/net-0-g0: 403" in degraded["message"]
    assert cluster.status("net")["phase"] == "Degraded"
    assert cluster.pods("net") == []
    denied = [r for r in audit.requests(user=user(cluster.ns)) if r.code == 403]
    assert {(r.resource, r.verb) for r in denied} == {("pods", "create")}
