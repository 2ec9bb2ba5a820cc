"""Exactly the Kubernetes permissions the operator uses, for the Helm chart to render.

Each rule says which code needs it. A test runs the operator under a ServiceAccount bound
to `role()` and reads the API server's audit log: every request the operator made must be
allowed by these rules, and every verb here must have been used.

Run cluster-wide (`kopf run --all-namespaces`): bind `cluster_role()` with a
ClusterRoleBinding. Run for some namespaces (`--namespace=NS`, repeatable): bind `role(NS)`
(or the ClusterRole through a RoleBinding) in each.

Not needed, because of the settings in handlers.py: KopfPeering resources (standalone),
CRD and namespace watches (scanning disabled), and `p2pnetworks/finalizers` (children
leave blockOwnerDeletion unset). No `get`: the operator lists and watches, never reads one
object. Secrets: none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from p2pnet_operator.spec.crd import GROUP, PLURAL

RBAC_API = "rbac.authorization.k8s.io/v1"


@dataclass(frozen=True)
class Rule:
    api_group: str
    resource: str
    verbs: tuple[str, ...]
    why: str


RULES: tuple[Rule, ...] = (
    Rule(
        GROUP,
        PLURAL,
        ("list", "watch", "patch"),
        "kopf watches P2PNetworks, and patches them for its finalizer and its"
        " last-handled-configuration annotation",
    ),
    Rule(GROUP, f"{PLURAL}/status", ("patch",), "status: phase, conditions, churn; kopf progress"),
    Rule(
        "",
        "pods",
        ("list", "create", "delete", "patch"),
        "peer and relay pods: create, churn/scale/roll deletes, NAT label patches",
    ),
    Rule(
        "",
        "services",
        ("list", "create", "delete", "patch"),
        "the headless discovery Service (delete: a namesake left by an earlier network)",
    ),
    Rule(
        "",
        "configmaps",
        ("list", "create", "delete", "patch"),
        "the plan ConfigMap (delete: a namesake left by an earlier network)",
    ),
    Rule(
        "networking.k8s.io",
        "networkpolicies",
        ("list", "create", "delete", "patch"),
        "NAT policies, one per NAT group; deleted when a group goes away",
    ),
    Rule("", "events", ("create",), "churn events (ChurnLeave/ChurnJoin) as Kubernetes Events"),
)


def policy_rules() -> list[dict[str, Any]]:
    """The rules as a Role/ClusterRole's `rules`."""
    return [
        {"apiGroups": [r.api_group], "resources": [r.resource], "verbs": list(r.verbs)}
        for r in RULES
    ]


def cluster_role(name: str = "p2pnet-operator") -> dict[str, Any]:
    return {
        "apiVersion": RBAC_API,
        "kind": "ClusterRole",
        "metadata": {"name": name},
        "rules": policy_rules(),
    }


def role(namespace: str, name: str = "p2pnet-operator") -> dict[str, Any]:
    return {
        "apiVersion": RBAC_API,
        "kind": "Role",
        "metadata": {"name": name, "namespace": namespace},
        "rules": policy_rules(),
    }


def _subject(service_account: str, namespace: str) -> dict[str, str]:
    return {"kind": "ServiceAccount", "name": service_account, "namespace": namespace}


def role_binding(
    namespace: str, service_account: str, sa_namespace: str, role_name: str = "p2pnet-operator"
) -> dict[str, Any]:
    return {
        "apiVersion": RBAC_API,
        "kind": "RoleBinding",
        "metadata": {"name": role_name, "namespace": namespace},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": role_name},
        "subjects": [_subject(service_account, sa_namespace)],
    }


def cluster_role_binding(
    service_account: str, sa_namespace: str, role_name: str = "p2pnet-operator"
) -> dict[str, Any]:
    return {
        "apiVersion": RBAC_API,
        "kind": "ClusterRoleBinding",
        "metadata": {"name": role_name},
        "roleRef": {
            "apiGroup": "rbac.authorization.k8s.io",
            "kind": "ClusterRole",
            "name": role_name,
        },
        "subjects": [_subject(service_account, sa_namespace)],
    }


def allows(api_group: str, resource: str, verb: str) -> bool:
    return any(
        r.api_group == api_group and r.resource == resource and verb in r.verbs for r in RULES
    )
