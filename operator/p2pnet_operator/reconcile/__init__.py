"""The reconciler's pure parts: the churn cursor, and desired-vs-observed diffing."""

from p2pnet_operator.reconcile.actions import Action, Changes
from p2pnet_operator.reconcile.churn import ChurnState, churn_state, due_events
from p2pnet_operator.reconcile.diff import diff, pod_ready

__all__ = [
    "Action",
    "Changes",
    "ChurnState",
    "churn_state",
    "diff",
    "due_events",
    "pod_ready",
]
