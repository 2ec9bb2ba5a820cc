"""What a plan holds, and its JSON form (the operator keeps it in a ConfigMap, the local
backend and the simulator replay it, the report summarises it)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from p2pnet_operator.planner.seeds import identity_seed
from p2pnet_operator.planner.timeline import unavailable_peak
from p2pnet_peer.identity import Identity

PLAN_FORMAT = 1
PUBLIC = "public"


@dataclass(frozen=True)
class PeerPlan:
    index: int
    identity_seed: bytes  # 32 bytes: Identity.from_seed(identity_seed) is the peer
    node_id: bytes  # Identity.from_seed(identity_seed).id
    role: str  # "peer" or "relay"
    bootstrap: bool
    nat: str = PUBLIC  # "public" or the NAT type of its group
    nat_group: str | None = None  # e.g. "nat-3"; peers of one group share a NAT device

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "identity_seed": self.identity_seed.hex(),
            "node_id": self.node_id.hex(),
            "role": self.role,
            "bootstrap": self.bootstrap,
            "nat": self.nat,
            "nat_group": self.nat_group,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PeerPlan:
        return cls(
            index=data["index"],
            identity_seed=bytes.fromhex(data["identity_seed"]),
            node_id=bytes.fromhex(data["node_id"]),
            role=data["role"],
            bootstrap=data["bootstrap"],
            nat=data["nat"],
            nat_group=data["nat_group"],
        )


@dataclass(frozen=True)
class FileAssignment:
    name: str
    size_bytes: int
    seeders: tuple[int, ...]
    downloaders: tuple[int, ...]


@dataclass(frozen=True)
class ChurnEvent:
    time_s: float  # seconds from the start of the run, rounded to the millisecond
    peer: int
    action: str  # "leave" or "join"
    generation: int  # identity generation leaving or joining (replace mode: +1 per join)

    def to_list(self) -> list[Any]:
        return [self.time_s, self.peer, self.action, self.generation]


@dataclass(frozen=True)
class Plan:
    """Everything random about a run, fixed in advance from the spec and a seed."""

    network: str
    seed: int
    duration_s: float
    peers: tuple[PeerPlan, ...]
    bootstrap: tuple[int, ...]
    files: tuple[FileAssignment, ...]
    churn_mode: str  # "restart" or "replace"
    max_unavailable: int  # resolved from spec.churn.maxUnavailable
    events: tuple[ChurnEvent, ...]  # sorted by time; the order within a time is the order

    @property
    def relays(self) -> tuple[int, ...]:
        return tuple(p.index for p in self.peers if p.role == "relay")

    @property
    def churnable(self) -> tuple[int, ...]:
        return tuple(p.index for p in self.peers if p.role == "peer" and not p.bootstrap)

    def identity_seed(self, peer: int, generation: int = 0) -> bytes:
        """The identity seed of any generation of a peer (replace mode rejoins)."""
        if generation == 0:
            return self.peers[peer].identity_seed
        return identity_seed(self.seed, self.network, peer, generation)

    def node_id(self, peer: int, generation: int = 0) -> bytes:
        """The node ID of any generation of a peer."""
        if generation == 0:
            return self.peers[peer].node_id
        return Identity.from_seed(self.identity_seed(peer, generation)).id

    def summary(self) -> dict[str, Any]:
        nat_types = Counter(p.nat for p in self.peers if p.nat != PUBLIC)
        actions = Counter(e.action for e in self.events)
        return {
            "network": self.network,
            "seed": self.seed,
            "peers": len(self.peers),
            "duration_s": self.duration_s,
            "bootstrap": list(self.bootstrap),
            "relays": list(self.relays),
            "nat": {
                "public": sum(1 for p in self.peers if p.nat == PUBLIC),
                "behind_nat": sum(nat_types.values()),
                "groups": len({p.nat_group for p in self.peers if p.nat_group}),
                "types": dict(sorted(nat_types.items())),
            },
            "files": [
                {
                    "name": f.name,
                    "size_bytes": f.size_bytes,
                    "seeders": len(f.seeders),
                    "downloaders": len(f.downloaders),
                }
                for f in self.files
            ],
            "churn": {
                "mode": self.churn_mode,
                "max_unavailable": self.max_unavailable,
                "churnable_peers": len(self.churnable),
                "events": len(self.events),
                "leaves": actions["leave"],
                "joins": actions["join"],
                "peak_unavailable": unavailable_peak(self.events),
            },
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready; churn events are compact `[time_s, peer, action, generation]` rows."""
        return {
            "format": PLAN_FORMAT,
            "network": self.network,
            "seed": self.seed,
            "duration_s": self.duration_s,
            "peers": [p.to_dict() for p in self.peers],
            "bootstrap": list(self.bootstrap),
            "files": [
                {
                    "name": f.name,
                    "size_bytes": f.size_bytes,
                    "seeders": list(f.seeders),
                    "downloaders": list(f.downloaders),
                }
                for f in self.files
            ],
            "churn": {
                "mode": self.churn_mode,
                "max_unavailable": self.max_unavailable,
                "events": [e.to_list() for e in self.events],
            },
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Plan:
        if data.get("format") != PLAN_FORMAT:
            raise ValueError(f"unsupported plan format {data.get('format')!r}")
        churn = data["churn"]
        return cls(
            network=data["network"],
            seed=data["seed"],
            duration_s=data["duration_s"],
            peers=tuple(PeerPlan.from_dict(p) for p in data["peers"]),
            bootstrap=tuple(data["bootstrap"]),
            files=tuple(
                FileAssignment(
                    f["name"], f["size_bytes"], tuple(f["seeders"]), tuple(f["downloaders"])
                )
                for f in data["files"]
            ),
            churn_mode=churn["mode"],
            max_unavailable=churn["max_unavailable"],
            events=tuple(ChurnEvent(*row) for row in churn["events"]),
        )
