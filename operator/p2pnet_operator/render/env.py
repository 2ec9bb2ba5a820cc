"""The environment of a peer container: the one place spec knobs become `P2PNET_*`
variables (`p2pnet-peer --help` lists them). Add a protocol's knobs in `protocol_env`.

Bootstrap addresses are the stable DNS names the headless Service gives the bootstrap
peers (`<network>-<i>.<network>-peers.<namespace>.svc.<domain>:<port>`); the Service
publishes not-ready addresses, so they resolve before the peers are Ready (a peer is Ready
only once it has joined). Bootstrap peer i joins through bootstrap peers 0..i-1, so the
first one starts a network of its own and the others chain onto it.
"""

from __future__ import annotations

from p2pnet_operator.planner import PeerPlan
from p2pnet_operator.render.context import RenderContext
from p2pnet_operator.render.labels import hostname, service_name
from p2pnet_operator.render.peer_config import peer_config_json
from p2pnet_operator.spec import P2PNetworkSpec

EnvVar = dict[str, object]


def protocol_env(spec: P2PNetworkSpec) -> dict[str, str]:
    """Protocol knobs the peer daemon reads: every protocol section of the spec, as JSON.
    A change here rolls the peers."""
    preset = spec.dht.preset
    return {"P2PNET_PRESET": preset, "P2PNET_PEER_CONFIG": peer_config_json(spec, preset)}


def bootstrap_addresses(ctx: RenderContext, peer: PeerPlan) -> list[str]:
    domain = f"{service_name(ctx.name)}.{ctx.namespace}.svc.{ctx.settings.cluster_domain}"
    port = ctx.settings.peer_grpc_port
    chosen = [i for i in ctx.plan.bootstrap if not peer.bootstrap or i < peer.index]
    return [f"{hostname(ctx.name, i)}.{domain}:{port}" for i in chosen]


def peer_env(ctx: RenderContext, peer: PeerPlan, generation: int) -> list[EnvVar]:
    """The container's `env`: identity, addresses, bootstrap set, protocol knobs."""
    s = ctx.settings
    values = {
        "P2PNET_LISTEN": f"0.0.0.0:{s.peer_grpc_port}",
        "P2PNET_ADVERTISE": f"$(POD_IP):{s.peer_grpc_port}",
        "P2PNET_METRICS_PORT": str(s.peer_metrics_port),
        "P2PNET_IDENTITY_SEED": ctx.plan.identity_seed(peer.index, generation).hex(),
        "P2PNET_BOOTSTRAP": ",".join(bootstrap_addresses(ctx, peer)),
        "P2PNET_LOG_LEVEL": s.peer_log_level,
        **protocol_env(ctx.network.spec),
    }
    pod_ip: EnvVar = {"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}}
    # POD_IP first: $(POD_IP) only expands variables defined before it.
    env: list[EnvVar] = [pod_ip]
    env.extend({"name": k, "value": v} for k, v in values.items())
    return env
