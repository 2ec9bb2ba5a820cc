"""Pure renderers: a validated network, its plan and the churn state in, Kubernetes
manifests (plain dicts) out. No API calls, no clock."""

from p2pnet_operator.render.children import desired_children, desired_pods
from p2pnet_operator.render.configmap import plan_configmap
from p2pnet_operator.render.context import RenderContext
from p2pnet_operator.render.pods import peer_pod, relay_pod
from p2pnet_operator.render.policies import nat_policies, partition_policies
from p2pnet_operator.render.service import headless_service

__all__ = [
    "RenderContext",
    "desired_children",
    "desired_pods",
    "headless_service",
    "nat_policies",
    "partition_policies",
    "peer_pod",
    "plan_configmap",
    "relay_pod",
]
