"""`plan(network, seed)`: the pure, seeded planner. Same spec and seed, same plan, on every
backend; no clock, no I/O, no global randomness (see `seeds.py`)."""

from __future__ import annotations

from p2pnet_operator.planner.churn import churn_schedule
from p2pnet_operator.planner.distributions import TimeDistribution
from p2pnet_operator.planner.model import PUBLIC, PeerPlan, Plan
from p2pnet_operator.planner.placement import file_assignments, nat_groups
from p2pnet_operator.planner.seeds import identity_seed, stream
from p2pnet_operator.spec import NetworkSpec
from p2pnet_operator.spec.units import resolve_int_or_percent
from p2pnet_peer.identity import Identity


def plan(network: NetworkSpec, seed: int | None = None) -> Plan:
    """The plan of `network`; `seed` defaults to `network.spec.seed`."""
    spec, name = network.spec, network.name
    seed = spec.seed if seed is None else seed
    bootstrap = tuple(range(spec.bootstrap_peers))
    relays = range(spec.bootstrap_peers, spec.bootstrap_peers + spec.nat.relays)
    ordinary = [i for i in range(spec.peers) if i >= relays.stop]
    nat = nat_groups(stream(seed, name, "nat"), spec.nat, spec.peers, ordinary)

    peers = []
    for i in range(spec.peers):
        identity = identity_seed(seed, name, i, 0)
        group, nat_type = nat.get(i, (None, PUBLIC))
        peers.append(
            PeerPlan(
                index=i,
                identity_seed=identity,
                node_id=Identity.from_seed(identity).id,
                role="relay" if i in relays else "peer",
                bootstrap=i < spec.bootstrap_peers,
                nat=nat_type,
                nat_group=group,
            )
        )

    candidates = [i for i in range(spec.peers) if i not in relays]
    file_streams = {f.name: stream(seed, name, "file", f.name) for f in spec.workload.files}
    files = file_assignments(file_streams, spec.workload, candidates)

    churn = spec.churn
    max_unavailable = max(1, resolve_int_or_percent(churn.max_unavailable, spec.peers))
    events = []
    if churn.enabled:
        events = churn_schedule(
            churnable=ordinary,
            streams={i: stream(seed, name, "churn", i) for i in ordinary},
            session=TimeDistribution.from_spec(churn.session_time),
            downtime=TimeDistribution.from_spec(churn.downtime),
            duration_s=spec.duration_s,
            max_unavailable=max_unavailable,
            replace=churn.mode == "replace",
        )
    return Plan(
        network=name,
        seed=seed,
        duration_s=spec.duration_s,
        peers=tuple(peers),
        bootstrap=bootstrap,
        files=files,
        churn_mode=churn.mode,
        max_unavailable=max_unavailable,
        events=tuple(events),
    )
