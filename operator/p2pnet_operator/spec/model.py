"""The P2PNetwork spec: frozen dataclasses, one per section, every field a declared knob.

Field values are kept in their written form ("60s", "4MiB", "25%"), so a spec round-trips
unchanged; properties such as `duration_s` give the parsed value. Use `load_spec` or
`from_dict` to build one: they validate; the constructors do not.
"""

# knob() returns a dataclasses.field(), which ruff cannot see through.
# ruff: noqa: RUF009

from __future__ import annotations

from dataclasses import dataclass

from p2pnet_operator.spec.environment import ChurnSpec, NatSpec
from p2pnet_operator.spec.knobs import DURATION, knob
from p2pnet_operator.spec.protocols import DhtSpec, GossipSpec, TransferSpec
from p2pnet_operator.spec.units import parse_duration
from p2pnet_operator.spec.workload import WorkloadSpec

NAME_PATTERN = r"^[a-z]([-a-z0-9]*[a-z0-9])?$"


@dataclass(frozen=True)
class P2PNetworkSpec:
    peers: int = knob("Number of peers.", 64, minimum=2, maximum=100_000)
    bootstrap_peers: int = knob(
        "Peers every other peer bootstraps from (indices 0..n-1).", 2, minimum=1, maximum=64
    )
    seed: int = knob(
        "Seed of the planner: same spec and seed, same plan.", 1, minimum=0, maximum=2**63 - 1
    )
    duration: str = knob(
        "How long the run lasts.", "60s", kind=DURATION, minimum=1, maximum=7 * 86400
    )
    dht: DhtSpec = knob("Kademlia DHT.", DhtSpec)
    gossip: GossipSpec = knob("SWIM membership and gossip.", GossipSpec)
    transfer: TransferSpec = knob("Swarm file transfer.", TransferSpec)
    churn: ChurnSpec = knob("Peers leaving and rejoining.", ChurnSpec)
    nat: NatSpec = knob("NAT emulation.", NatSpec)
    workload: WorkloadSpec = knob("Load driven during the run.", WorkloadSpec)

    @property
    def duration_s(self) -> float:
        return parse_duration(self.duration)


@dataclass(frozen=True)
class NetworkSpec:
    """A named network: `metadata.name` of the custom resource, `name:` in a spec file."""

    name: str = knob(
        "Network name: a DNS label, prefix of every object and run directory.",
        pattern=NAME_PATTERN,
        max_length=40,
        required=True,
    )
    spec: P2PNetworkSpec = knob("The network.", P2PNetworkSpec)
