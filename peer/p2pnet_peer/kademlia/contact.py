"""A contact: what a routing table or a lookup knows about another peer."""

from __future__ import annotations

from dataclasses import dataclass, field

from p2pnet_peer.kademlia.ids import as_int


@dataclass(frozen=True, slots=True)
class Contact:
    id: bytes
    address: str
    public_key: bytes = b""
    int_id: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "int_id", as_int(self.id))

    def short(self) -> str:
        return self.id[:4].hex()
