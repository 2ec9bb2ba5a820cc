"""OpenTelemetry traces across peers: a lookup, broadcast or fetch is one trace whose spans
come from every peer it touched (context travels in gRPC metadata, W3C traceparent).

Off by default, at no cost: unless configured, :func:`server_interceptors` and
:func:`client_interceptors` return nothing and the OpenTelemetry SDK is never imported.
The standard ``OTEL_*`` variables configure it (see :mod:`.config`); ``P2PNET_TRACES_FILE``
adds a JSON-lines file exporter for local runs (``p2pnet run --traces``).
"""

from p2pnet_peer.tracing.state import (
    PeerTag,
    client_interceptors,
    configure,
    enabled,
    server_interceptors,
    shutdown,
)

__all__ = [
    "PeerTag",
    "client_interceptors",
    "configure",
    "enabled",
    "server_interceptors",
    "shutdown",
]
