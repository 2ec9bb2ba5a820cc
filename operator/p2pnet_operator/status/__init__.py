"""The P2PNetwork status, computed purely from what a reconcile saw and did."""

from p2pnet_operator.status.build import (
    Outcome,
    PeerCounts,
    invalid_status,
    network_status,
    pod_failed,
)
from p2pnet_operator.status.churn import churn_status, event_message, recent_events
from p2pnet_operator.status.conditions import (
    Condition,
    merge_conditions,
    parse_timestamp,
    timestamp,
)

__all__ = [
    "Condition",
    "Outcome",
    "PeerCounts",
    "churn_status",
    "event_message",
    "invalid_status",
    "merge_conditions",
    "network_status",
    "parse_timestamp",
    "pod_failed",
    "recent_events",
    "timestamp",
]
