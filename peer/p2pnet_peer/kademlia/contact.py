"""A contact: what a routing table or a lookup knows about another peer."""

from __future__ import annotations

from dataclasses import dataclass, field

from p2pnet_peer.kademlia.ids import as_int


@dataclass(frozen=True, slots=True, eq=False)
class Contact:
    id: bytes
    address: str
    public_key: bytes = b""
    int_id: int = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "int_id", as_int(self.id))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Contact):
            return NotImplemented
        return (
            self.id == other.id
            and self.address == other.address
            and self.public_key == other.public_key
        )

    def __hash__(self) -> int:
        return hash(self.id)  # bytes cache their hash: cheap in hot dict lookups

    def short(self) -> str:
        return self.id[:4].hex()
