"""The operator's Prometheus metrics, declared once (DESIGN.md's metrics contract).

- `p2pnet_churn_events_total{action}`: churn events applied (action: leave, join).
- `p2pnet_operator_reconcile_total{outcome}`: reconciles (outcome: success, invalid,
  error).
- `p2pnet_operator_api_requests_total{verb,resource}`: requests the operator's own client
  sent (kopf's watches and status bookkeeping not included).

Served on `P2PNET_OPERATOR_METRICS_PORT` (`/metrics`).
"""

from __future__ import annotations

from prometheus_client import Counter, start_http_server

CHURN_EVENTS = Counter("p2pnet_churn_events", "Churn events applied.", ["action"])
RECONCILES = Counter("p2pnet_operator_reconcile", "Reconciles of P2PNetworks.", ["outcome"])
API_REQUESTS = Counter(
    "p2pnet_operator_api_requests",
    "Kubernetes API requests sent by the operator's client.",
    ["verb", "resource"],
)

for _action in ("leave", "join"):
    CHURN_EVENTS.labels(_action)
for _outcome in ("success", "invalid", "error"):
    RECONCILES.labels(_outcome)


def serve(port: int, addr: str = "0.0.0.0") -> None:
    """Start the /metrics HTTP server in a daemon thread (port 0: don't)."""
    if port:
        start_http_server(port, addr=addr)
