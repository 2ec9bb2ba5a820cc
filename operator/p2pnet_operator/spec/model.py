"""The P2PNetwork spec: frozen dataclasses, one per section, every field a declared knob.

Field values are kept in their written form ("60s", "4MiB", "25%"), so a spec round-trips
unchanged; properties such as `duration_s` give the parsed value. Use `load_spec` or
`from_dict` to build one: they validate; the constructors do not.
"""

# knob() returns a dataclasses.field(), which ruff cannot see through.
# ruff: noqa: RUF009

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from p2pnet_operator.spec.environment import ChurnSpec, NatSpec
from p2pnet_operator.spec.knobs import DURATION, knob
from p2pnet_operator.spec.protocols import DhtSpec, GossipSpec, TransferSpec
from p2pnet_operator.spec.serialize import API_VERSION, KIND, section_to_dict
from p2pnet_operator.spec.units import format_duration, parse_duration
from p2pnet_operator.spec.workload import WorkloadSpec

NAME_PATTERN = r"^[a-z]([-a-z0-9]*[a-z0-9])?$"
NAME_HELP = "be a DNS label: lowercase letters, digits and '-', starting with a letter"


@dataclass(frozen=True, kw_only=True)
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


@dataclass(frozen=True, kw_only=True)
class NetworkSpec:
    """A named network: `metadata.name` of the custom resource, `name:` in a spec file."""

    name: str = knob(
        "Network name: a DNS label, prefix of every object and run directory.",
        pattern=NAME_PATTERN,
        pattern_help=NAME_HELP,
        max_length=40,
        required=True,
    )
    spec: P2PNetworkSpec = knob("The network.", P2PNetworkSpec)

    def to_dict(self) -> dict[str, Any]:
        """The spec-file form, every field explicit: `{name, spec}`."""
        return {"name": self.name, "spec": section_to_dict(self.spec)}

    def to_resource(self) -> dict[str, Any]:
        """The custom resource form: `{apiVersion, kind, metadata: {name}, spec}`."""
        return {
            "apiVersion": API_VERSION,
            "kind": KIND,
            "metadata": {"name": self.name},
            "spec": section_to_dict(self.spec),
        }

    def with_overrides(
        self,
        *,
        peers: int | None = None,
        duration: str | float | None = None,
        seed: int | None = None,
    ) -> NetworkSpec:
        """A copy with command-line overrides applied, validated again (SpecError).

        `duration` is a duration string ("5m") or seconds.
        """
        from p2pnet_operator.spec.loader import from_dict  # the loader builds this class

        data = self.to_dict()
        if peers is not None:
            data["spec"]["peers"] = peers
        if duration is not None:
            data["spec"]["duration"] = (
                duration if isinstance(duration, str) else format_duration(duration)
            )
        if seed is not None:
            data["spec"]["seed"] = seed
        return from_dict(data, source="command-line overrides")
