"""Membership wire messages <-> SWIM core objects, with the bounds every message gets.

In a request, an item that fails a check rejects the whole request
(:class:`~p2pnet_peer.wire.InvalidRequest`, INVALID_ARGUMENT on gRPC); in a response it is
dropped, so a confused peer never crashes a probe.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from p2pnet.v1 import membership_pb2
from p2pnet_peer.kademlia.contact import Contact
from p2pnet_peer.kademlia.ids import ID_BYTES
from p2pnet_peer.swim.member import Gossip, Rumour, State, Update
from p2pnet_peer.swim.protocol import (
    MAX_PUSH_PULL_MEMBERS,
    MAX_PUSH_PULL_RUMOURS,
    RUMOUR_ID_BYTES,
)
from p2pnet_peer.wire import InvalidRequest, contact_from_wire, contact_to_wire

MAX_GOSSIP_UPDATES = 512
MAX_GOSSIP_RUMOURS = 256
MAX_RUMOUR_BYTES = 1024
MAX_ROUNDS = 1_000_000


@lru_cache(maxsize=65536)
def update_to_wire(update: Update) -> membership_pb2.MemberUpdate:
    """Cached: callers must not mutate the message."""
    return membership_pb2.MemberUpdate(
        member=contact_to_wire(update.contact),
        state=int(update.state),  # type: ignore[arg-type]
        incarnation=update.incarnation,
        reporter=update.reporter,
    )


def rumour_to_wire(rumour: Rumour) -> membership_pb2.Rumour:
    return membership_pb2.Rumour(
        id=rumour.id, origin=rumour.origin, payload=rumour.payload, rounds=rumour.rounds
    )


def gossip_to_wire(gossip: Gossip) -> membership_pb2.Gossip:
    return membership_pb2.Gossip(
        updates=[update_to_wire(u) for u in gossip.updates],
        rumours=[rumour_to_wire(r) for r in gossip.rumours],
    )


def update_from_wire(msg: membership_pb2.MemberUpdate, field: str) -> Update:
    contact: Contact = contact_from_wire(msg.member, f"{field}.member")
    if msg.state not in (1, 2, 3, 4):
        raise InvalidRequest(f"{field}.state: must be ALIVE, SUSPECT, DEAD or LEFT")
    state = State(msg.state)
    if state is State.ALIVE:
        if msg.reporter:
            raise InvalidRequest(f"{field}.reporter: must be empty for ALIVE")
    elif len(msg.reporter) != ID_BYTES:
        raise InvalidRequest(f"{field}.reporter: must be {ID_BYTES} bytes")
    elif state is State.LEFT and msg.reporter != contact.id:
        raise InvalidRequest(f"{field}.reporter: only a member itself can leave")
    return Update(contact, state, msg.incarnation, msg.reporter)


def rumour_from_wire(msg: membership_pb2.Rumour, field: str, max_bytes: int) -> Rumour:
    if len(msg.id) != RUMOUR_ID_BYTES:
        raise InvalidRequest(f"{field}.id: must be {RUMOUR_ID_BYTES} bytes")
    if len(msg.origin) != ID_BYTES:
        raise InvalidRequest(f"{field}.origin: must be {ID_BYTES} bytes")
    if not 1 <= len(msg.payload) <= max_bytes:
        raise InvalidRequest(f"{field}.payload: must be 1..{max_bytes} bytes")
    if msg.rounds > MAX_ROUNDS:
        raise InvalidRequest(f"{field}.rounds: at most {MAX_ROUNDS}")
    return Rumour(msg.id, msg.origin, msg.payload, msg.rounds)


def _bounded(items: Iterable[object], limit: int, field: str, strict: bool) -> list:
    out = list(items)
    if len(out) > limit:
        if strict:
            raise InvalidRequest(f"{field}: at most {limit} items, got {len(out)}")
        out = out[:limit]
    return out


def _convert(items: list, convert, field: str, strict: bool) -> tuple:  # type: ignore[no-untyped-def]
    out = []
    for i, msg in enumerate(items):
        try:
            out.append(convert(msg, f"{field}[{i}]"))
        except InvalidRequest:
            if strict:
                raise
    return tuple(out)


def gossip_from_wire(
    updates: Iterable[membership_pb2.MemberUpdate],
    rumours: Iterable[membership_pb2.Rumour],
    *,
    strict: bool,
    full_state: bool = False,
    max_rumour_bytes: int = MAX_RUMOUR_BYTES,
    field: str = "gossip",
) -> Gossip:
    """``strict``: raise on any bad item (requests); else drop bad items (responses)."""
    max_updates = MAX_PUSH_PULL_MEMBERS if full_state else MAX_GOSSIP_UPDATES
    max_rumours = MAX_PUSH_PULL_RUMOURS if full_state else MAX_GOSSIP_RUMOURS
    names = ("members", "rumours") if full_state else (f"{field}.updates", f"{field}.rumours")
    ups = _bounded(updates, max_updates, names[0], strict)
    rums = _bounded(rumours, max_rumours, names[1], strict)
    return Gossip(
        _convert(ups, update_from_wire, names[0], strict),
        _convert(rums, lambda m, f: rumour_from_wire(m, f, max_rumour_bytes), names[1], strict),
    )
