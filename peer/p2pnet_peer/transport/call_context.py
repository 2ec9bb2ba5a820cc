"""Per-call context that crosses the transport: what the callee observed about the caller,
and metadata the caller attaches. Context variables, so drivers' signatures stay as they
are: the gRPC transport sends :data:`outbound_metadata` as call metadata and the server
interceptor (:mod:`p2pnet_peer.transport.grpc_inbound`) sets :data:`inbound` for the
handler; the in-memory network runs handlers in the caller's task, so a wrapper sets
:data:`inbound` directly."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field

Metadata = tuple[tuple[str, str], ...]

# Metadata keys (lower case, as gRPC requires).
NAT_SOURCE = "p2pnet-nat-src"  # fallback mode: the caller's emulated external endpoint
NAT_DIALED = "p2pnet-nat-dialed"  # fallback mode: the endpoint the caller aimed at
NAT_FLOW = "p2pnet-nat-flow"  # fallback mode: the punched flow the call travels on


@dataclass(frozen=True)
class InboundCall:
    observed: str | None = None  # the caller's address as this end sees it, "host:port"
    metadata: dict[str, str] = field(default_factory=dict)
    relayed_by: str | None = None  # set when a relay delivered the call


outbound_metadata: ContextVar[Metadata] = ContextVar("p2pnet_outbound_metadata", default=())
inbound: ContextVar[InboundCall | None] = ContextVar("p2pnet_inbound", default=None)


def observed_from_grpc_peer(peer: str) -> str | None:
    """``ipv4:10.0.0.2:4000`` / ``ipv6:[::1]:4000`` -> ``host:port``; None for others."""
    kind, _, rest = peer.partition(":")
    if kind == "ipv4":
        return rest
    if kind == "ipv6":
        return rest.replace("[", "").replace("]", "") if rest.count(":") > 1 else rest
    return None
