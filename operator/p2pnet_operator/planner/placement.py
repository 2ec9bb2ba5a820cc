"""Where each peer stands: bootstrap peers, relays, NAT groups, and the workload's files.

- Bootstrap peers are indices 0..b-1 and relays the next r indices, so they stay put when
  the network is scaled; both are public.
- round(nat.fraction * peers) of the remaining peers, drawn at random, go behind NAT, in
  groups of nat.peersPerGroup (the draw order fills the groups); each group's NAT type is
  drawn by the configured weights.
- Each file's seeders and downloaders are distinct peers drawn from all but the relays.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from p2pnet_operator.planner.model import FileAssignment
from p2pnet_operator.spec import NatSpec, WorkloadSpec


def shuffled(rng: random.Random, items: Sequence[int]) -> list[int]:
    """Fisher-Yates driven by `rng.random()` only (stable across Python versions)."""
    out = list(items)
    for i in range(len(out) - 1, 0, -1):
        j = int(rng.random() * (i + 1))
        out[i], out[j] = out[j], out[i]
    return out


def weighted_choice(rng: random.Random, weights: dict[str, float]) -> str:
    names = sorted(weights)
    point = rng.random() * sum(weights[n] for n in names)
    for name in names:
        point -= weights[name]
        if point < 0:
            return name
    return names[-1]


def nat_groups(
    rng: random.Random, nat: NatSpec, peers: int, eligible: Sequence[int]
) -> dict[int, tuple[str, str]]:
    """peer index -> (NAT group, NAT type), for the peers behind NAT."""
    count = min(int(nat.fraction * peers + 0.5), len(eligible))
    chosen = shuffled(rng, eligible)[:count]
    size = nat.peers_per_group
    groups = sorted(
        (sorted(chosen[i : i + size]) for i in range(0, count, size)), key=lambda g: g[0]
    )
    weights = nat.type_weights()
    placed = {}
    for number, members in enumerate(groups):
        nat_type = weighted_choice(rng, weights)
        for peer in members:
            placed[peer] = (f"nat-{number}", nat_type)
    return placed


def file_assignments(
    streams: dict[str, random.Random], workload: WorkloadSpec, candidates: Sequence[int]
) -> tuple[FileAssignment, ...]:
    """`streams[name]` is the private random stream of the file called `name`."""
    assignments = []
    for f in workload.files:
        order = shuffled(streams[f.name], candidates)
        seeders = tuple(sorted(order[: f.seeders]))
        downloaders = tuple(sorted(order[f.seeders : f.seeders + f.downloaders]))
        assignments.append(FileAssignment(f.name, f.size_bytes, seeders, downloaders))
    return tuple(assignments)
