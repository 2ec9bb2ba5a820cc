"""The planner: spec + seed -> peer identities, bootstrap set, relays, NAT groups, file
assignments and the full churn schedule. Pure and deterministic.

    from p2pnet_operator.planner import plan
    p = plan(network)          # seed: network.spec.seed
    p.peers[3].node_id, p.bootstrap, p.events, p.summary(), p.to_dict()
"""

from p2pnet_operator.planner.distributions import TimeDistribution
from p2pnet_operator.planner.model import ChurnEvent, FileAssignment, PeerPlan, Plan
from p2pnet_operator.planner.plan import plan
from p2pnet_operator.planner.seeds import identity_seed
from p2pnet_operator.planner.timeline import unavailable_over_time, unavailable_peak

__all__ = [
    "ChurnEvent",
    "FileAssignment",
    "PeerPlan",
    "Plan",
    "TimeDistribution",
    "identity_seed",
    "plan",
    "unavailable_over_time",
    "unavailable_peak",
]
