"""Spec section for the load driven during a run: lookups, puts, rumours and files."""

from __future__ import annotations

from dataclasses import dataclass

from p2pnet_operator.spec.knobs import SIZE, knob
from p2pnet_operator.spec.units import parse_size


@dataclass(frozen=True, kw_only=True)
class FileSpec:
    name: str = knob(
        "File name, unique in the workload.",
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
        pattern_help="be letters, digits, '.', '_' or '-', starting with a letter or digit",
        max_length=64,
        required=True,
    )
    size: int | str = knob(
        "File size.", kind=SIZE, units="bytes", minimum=1, maximum=64 * 2**30, required=True
    )
    seeders: int = knob("Peers that have the file at the start.", 1, minimum=1, maximum=100_000)
    downloaders: int = knob("Peers that fetch the file.", minimum=1, maximum=100_000, required=True)

    @property
    def size_bytes(self) -> int:
        return parse_size(self.size)


@dataclass(frozen=True, kw_only=True)
class WorkloadSpec:
    lookups_per_second: float = knob(
        "DHT lookups across the network.", 2.0, units="1/s", minimum=0, maximum=100_000
    )
    puts_per_second: float = knob(
        "DHT puts across the network.", 0.5, units="1/s", minimum=0, maximum=100_000
    )
    rumours_per_minute: float = knob(
        "Rumours broadcast by gossip.", 2.0, units="1/min", minimum=0, maximum=100_000
    )
    files: tuple[FileSpec, ...] = knob(
        "Files distributed by the swarm.", (), max_items=16, unique_key="name"
    )
