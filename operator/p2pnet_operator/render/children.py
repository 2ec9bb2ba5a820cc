"""Everything a network should have right now: the desired children, in creation order
(plan ConfigMap, Service, NAT policies before any pod they protect, then the pods)."""

from __future__ import annotations

from typing import Any

from p2pnet_operator.reconcile.churn import ChurnState
from p2pnet_operator.render.configmap import plan_configmap
from p2pnet_operator.render.context import RenderContext
from p2pnet_operator.render.pods import peer_pod, relay_pod
from p2pnet_operator.render.policies import nat_policies
from p2pnet_operator.render.service import headless_service


def desired_pods(ctx: RenderContext, churn: ChurnState) -> list[dict[str, Any]]:
    pods = []
    for peer in ctx.plan.peers:
        if peer.role == "relay":
            pods.append(relay_pod(ctx, peer))
        elif churn.is_up(peer.index):
            pods.append(peer_pod(ctx, peer, churn.generation(peer.index)))
    return pods


def desired_children(ctx: RenderContext, churn: ChurnState) -> list[dict[str, Any]]:
    return [
        plan_configmap(ctx),
        headless_service(ctx),
        *nat_policies(ctx),
        *desired_pods(ctx, churn),
    ]
