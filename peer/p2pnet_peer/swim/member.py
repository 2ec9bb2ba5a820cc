"""Members, the updates gossip carries about them, and the events the core reports."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from p2pnet_peer.kademlia.contact import Contact


class State(IntEnum):
    """Values match the wire's ``MemberState``."""

    ALIVE = 1
    SUSPECT = 2
    DEAD = 3
    LEFT = 4

    @property
    def gone(self) -> bool:
        return self in (State.DEAD, State.LEFT)


@dataclass(frozen=True, slots=True)
class Update:
    """One member's state as some peer knows it: the unit of membership gossip."""

    contact: Contact
    state: State
    incarnation: int
    reporter: bytes = b""  # who suspects it / declared it dead; the member itself for LEFT

    @property
    def member_id(self) -> bytes:
        return self.contact.id

    def wire_size(self) -> int:
        """Approximate encoded size in bytes, for the piggyback budget."""
        c = self.contact
        return 16 + len(c.id) + len(c.address) + len(c.public_key) + len(self.reporter)


@dataclass(frozen=True, slots=True)
class Rumour:
    """An application rumour as it travels: ``rounds`` is the sender's round counter."""

    id: bytes
    origin: bytes
    payload: bytes
    rounds: int

    def wire_size(self) -> int:
        return 12 + len(self.id) + len(self.origin) + len(self.payload)


@dataclass(frozen=True, slots=True)
class Gossip:
    """What one message piggybacks (or a push-pull carries in full)."""

    updates: tuple[Update, ...] = ()
    rumours: tuple[Rumour, ...] = ()


NO_GOSSIP = Gossip()


# -- events: what changed, for drivers (routing tables, metrics, applications) ----------


@dataclass(frozen=True, slots=True)
class MemberChanged:
    contact: Contact
    old: State | None  # None: a member this peer did not know
    new: State
    incarnation: int


@dataclass(frozen=True, slots=True)
class SuspicionRefuted:
    """A member this peer itself suspected proved alive: a false suspicion."""

    contact: Contact


@dataclass(frozen=True, slots=True)
class RumourLearned:
    rumour: Rumour  # ``rounds`` is the counter on first receipt: rounds to learn


Event = MemberChanged | SuspicionRefuted | RumourLearned
