"""Names, labels and owner references of everything the operator creates for a network.

Every child carries `p2pnet.io/network=<name>` and `app.kubernetes.io/component`, so the
operator finds its children with one label selector per kind, and an ownerReference to the
P2PNetwork (controller=true), so deleting the network lets the garbage collector delete
them. `blockOwnerDeletion` is left unset: it would need `update` on
`p2pnetworks/finalizers` where the OwnerReferencesPermissionEnforcement admission plugin
runs, and nothing here relies on foreground deletion.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from p2pnet_operator.spec.crd import GROUP, KIND, VERSION

NETWORK = "p2pnet.io/network"
PEER = "p2pnet.io/peer"
IDENTITY_GENERATION = "p2pnet.io/identity-generation"
ROLE = "p2pnet.io/role"
BOOTSTRAP = "p2pnet.io/bootstrap"
NAT = "p2pnet.io/nat"
NAT_GROUP = "p2pnet.io/nat-group"
PARTITION = "p2pnet.io/partition"
COMPONENT = "app.kubernetes.io/component"
SPEC_HASH = "p2pnet.io/spec-hash"  # annotation: hash of what the operator last wrote

PEER_ROLE, RELAY_ROLE, DRIVER_ROLE = "peer", "relay", "driver"
# Components the reconciler owns and converges; partitions belong to chaos experiments.
PEER_COMPONENT = "peer"
RELAY_COMPONENT = "relay"
PLAN_COMPONENT = "plan"
DISCOVERY_COMPONENT = "discovery"
NAT_POLICY_COMPONENT = "nat-policy"
PARTITION_COMPONENT = "partition"


def pod_name(network: str, index: int, generation: int) -> str:
    """`<network>-<index>-g<generation>`: a new identity is a new pod (and a new name)."""
    return f"{network}-{index}-g{generation}"


def hostname(network: str, index: int) -> str:
    """Stable across generations: `<hostname>.<service>` always names peer `index`."""
    return f"{network}-{index}"


def service_name(network: str) -> str:
    return f"{network}-peers"


def plan_configmap_name(network: str) -> str:
    return f"{network}-plan"


def nat_policy_name(network: str, group: str | None = None) -> str:
    """`<network>-nat` (all NATed peers) or `<network>-<group>` for one NAT group."""
    return f"{network}-nat" if group is None else f"{network}-{group}"


def common_labels(network: str, component: str) -> dict[str, str]:
    return {
        "app.kubernetes.io/name": "p2pnet",
        "app.kubernetes.io/instance": network,
        "app.kubernetes.io/managed-by": "p2pnet-operator",
        COMPONENT: component,
        NETWORK: network,
    }


def network_selector(network: str) -> dict[str, str]:
    return {NETWORK: network}


def owner_reference(owner: dict[str, Any]) -> dict[str, Any]:
    """The controller ownerReference to the P2PNetwork `owner` (a body with metadata)."""
    meta = owner["metadata"]
    return {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": KIND,
        "name": meta["name"],
        "uid": meta["uid"],
        "controller": True,
    }


def metadata(
    name: str,
    namespace: str,
    labels: dict[str, str],
    owner: dict[str, Any],
    annotations: dict[str, str] | None = None,
) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "name": name,
        "namespace": namespace,
        "labels": labels,
        "ownerReferences": [owner_reference(owner)],
    }
    if annotations:
        meta["annotations"] = annotations
    return meta


def content_hash(content: Any) -> str:
    """A short stable hash of JSON-able content (what the spec-hash annotation holds)."""
    text = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def stamp(manifest: dict[str, Any], *parts: str) -> dict[str, Any]:
    """Record the hash of `manifest`'s labels and the given top-level parts (e.g. "spec",
    "data") in its spec-hash annotation; the reconciler compares it to decide on a patch."""
    content = {"labels": manifest["metadata"].get("labels", {})}
    content.update({p: manifest.get(p) for p in parts})
    manifest["metadata"].setdefault("annotations", {})[SPEC_HASH] = content_hash(content)
    return manifest
