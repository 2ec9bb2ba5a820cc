"""The headless Service that gives every peer a stable DNS name for discovery.

`<network>-<i>.<network>-peers.<namespace>.svc` is peer i (pods set hostname/subdomain);
not-ready addresses are published, because a peer only turns Ready once it has joined,
and it joins through the bootstrap peers' names.
"""

from __future__ import annotations

from typing import Any

from p2pnet_operator.render import labels as L
from p2pnet_operator.render.context import RenderContext


def headless_service(ctx: RenderContext) -> dict[str, Any]:
    s = ctx.settings
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": L.metadata(
            L.service_name(ctx.name),
            ctx.namespace,
            L.common_labels(ctx.name, L.DISCOVERY_COMPONENT),
            ctx.owner,
        ),
        "spec": {
            "clusterIP": "None",
            "publishNotReadyAddresses": True,
            "selector": L.network_selector(ctx.name),
            "ports": [
                {"name": "grpc", "port": s.peer_grpc_port, "targetPort": "grpc"},
                {"name": "metrics", "port": s.peer_metrics_port, "targetPort": "metrics"},
            ],
        },
    }
    return L.stamp(service, "spec")
