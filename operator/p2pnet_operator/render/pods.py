"""Peer and relay pods, one per peer, owned by the P2PNetwork.

Why operator-owned pods and not a StatefulSet:

- Churn deletes peer i and keeps it down for its planned downtime; a StatefulSet would
  recreate it at once, and can only leave out its highest ordinals, not arbitrary ones.
- Replace-mode churn brings peer i back as a *new identity* (generation g+1). The identity
  seed is per (peer, generation); a StatefulSet has one pod template, so every pod would
  have to derive its identity at start-up from state outside the pod, and a changed
  template rolls every peer. Here a new identity is a new pod, `<network>-<i>-g<g>`, with
  its seed in its own env.
- NAT emulation selects pods by per-peer labels (NAT type, NAT group); a template cannot
  give peers different labels.
- Protocol-knob rolls follow the spec's maxUnavailable in our own order; a StatefulSet
  rolls one pod at a time (maxUnavailable for StatefulSets is still feature-gated).

The cost: the operator does what the StatefulSet controller would (recreate pods that
vanish, at the next resync). Peers keep no state, so no volume claims are lost. The pod's
`hostname` + `subdomain` give peer i the stable DNS name `<network>-<i>.<network>-peers`
whatever its generation.

The `p2pnet.io/spec-hash` annotation is the hash of the pod spec: a pod whose
spec hash differs from the desired one is outdated and is rolled (deleted, then recreated
once gone); one whose labels alone differ is patched in place.
"""

from __future__ import annotations

from typing import Any

from p2pnet_operator.planner import PeerPlan
from p2pnet_operator.render import labels as L
from p2pnet_operator.render.context import RenderContext
from p2pnet_operator.render.env import peer_env

CONTAINER = "peer"


def peer_labels(ctx: RenderContext, peer: PeerPlan, generation: int) -> dict[str, str]:
    component = L.RELAY_COMPONENT if peer.role == "relay" else L.PEER_COMPONENT
    out = L.common_labels(ctx.name, component)
    out.update(
        {
            L.PEER: str(peer.index),
            L.IDENTITY_GENERATION: str(generation),
            L.ROLE: L.RELAY_ROLE if peer.role == "relay" else L.PEER_ROLE,
            L.BOOTSTRAP: "true" if peer.bootstrap else "false",
            L.NAT: peer.nat,
        }
    )
    if peer.nat_group is not None:
        out[L.NAT_GROUP] = peer.nat_group
    return out


def _container(ctx: RenderContext, peer: PeerPlan, generation: int) -> dict[str, Any]:
    s = ctx.settings
    return {
        "name": CONTAINER,
        "image": s.peer_image,
        "imagePullPolicy": s.peer_image_pull_policy,
        "command": ["p2pnet-peer"],
        "env": peer_env(ctx, peer, generation),
        "ports": [
            {"name": "grpc", "containerPort": s.peer_grpc_port, "protocol": "TCP"},
            {"name": "metrics", "containerPort": s.peer_metrics_port, "protocol": "TCP"},
        ],
        # The peer's health service reports SERVING once it has joined the network.
        "readinessProbe": {
            "grpc": {"port": s.peer_grpc_port},
            "periodSeconds": 5,
            "failureThreshold": 3,
        },
        "livenessProbe": {
            "tcpSocket": {"port": s.peer_grpc_port},
            "initialDelaySeconds": 10,
            "periodSeconds": 20,
        },
        "resources": {
            "requests": {"cpu": s.peer_cpu_request, "memory": s.peer_memory_request},
            "limits": {"memory": s.peer_memory_limit},
        },
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "runAsNonRoot": True,
            "capabilities": {"drop": ["ALL"]},
        },
    }


def peer_pod(ctx: RenderContext, peer: PeerPlan, generation: int = 0) -> dict[str, Any]:
    """Peer `peer.index` in identity generation `generation` (a relay if its role says so)."""
    name = L.pod_name(ctx.name, peer.index, generation)
    pod: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": L.metadata(name, ctx.namespace, peer_labels(ctx, peer, generation), ctx.owner),
        "spec": {
            "hostname": L.hostname(ctx.name, peer.index),
            "subdomain": L.service_name(ctx.name),
            "restartPolicy": "Always",
            "terminationGracePeriodSeconds": 5,
            "enableServiceLinks": False,
            "automountServiceAccountToken": False,
            "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [_container(ctx, peer, generation)],
        },
    }
    pod["metadata"]["annotations"] = {L.SPEC_HASH: L.content_hash(pod["spec"])}
    return pod


def relay_pod(ctx: RenderContext, peer: PeerPlan) -> dict[str, Any]:
    """A relay: a public peer that NATed peers accept traffic from (see policies.py).
    Relays never churn, so they stay in generation 0."""
    if peer.role != "relay":
        raise ValueError(f"peer {peer.index} is not a relay")
    return peer_pod(ctx, peer, 0)


def spec_hash(pod: dict[str, Any]) -> str | None:
    return (pod.get("metadata", {}).get("annotations") or {}).get(L.SPEC_HASH)
