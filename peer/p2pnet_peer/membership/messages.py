"""Membership wire messages <-> SWIM core objects, with the bounds every message gets.

In a request, an item that fails a check rejects the whole request
(:class:`~p2pnet_peer.wire.InvalidRequest`, INVALID_ARGUMENT on gRPC); in a response it is
dropped, so a confused peer never crashes a probe.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import TypeVar

from p2pnet.v1 import membership_pb2
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

M = TypeVar("M")
T = TypeVar("T")


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


_STATES = {int(s): s for s in State}


def update_from_wire(msg: membership_pb2.MemberUpdate) -> Update:
    """Raises InvalidRequest with a field path relative to the update."""
    contact = contact_from_wire(msg.member, "member")
    state = _STATES.get(msg.state)
    if state is None:
        raise InvalidRequest("state: must be ALIVE, SUSPECT, DEAD or LEFT")
    reporter = msg.reporter
    if state is State.ALIVE:
        if reporter:
            raise InvalidRequest("reporter: must be empty for ALIVE")
    elif len(reporter) != ID_BYTES:
        raise InvalidRequest(f"reporter: must be {ID_BYTES} bytes")
    elif state is State.LEFT and reporter != contact.id:
        raise InvalidRequest("reporter: only a member itself can leave")
    return Update(contact, state, msg.incarnation, reporter)


def rumour_from_wire(msg: membership_pb2.Rumour, max_bytes: int) -> Rumour:
    """Raises InvalidRequest with a field path relative to the rumour."""
    if len(msg.id) != RUMOUR_ID_BYTES:
        raise InvalidRequest(f"id: must be {RUMOUR_ID_BYTES} bytes")
    if len(msg.origin) != ID_BYTES:
        raise InvalidRequest(f"origin: must be {ID_BYTES} bytes")
    if not 1 <= len(msg.payload) <= max_bytes:
        raise InvalidRequest(f"payload: must be 1..{max_bytes} bytes")
    if msg.rounds > MAX_ROUNDS:
        raise InvalidRequest(f"rounds: at most {MAX_ROUNDS}")
    return Rumour(msg.id, msg.origin, msg.payload, msg.rounds)


def _convert(
    items: Sequence[M], convert: Callable[[M], T], field: str, limit: int, strict: bool
) -> tuple[T, ...]:
    if len(items) > limit:
        if strict:
            raise InvalidRequest(f"{field}: at most {limit} items, got {len(items)}")
        items = items[:limit]
    out = []
    for i, msg in enumerate(items):
        try:
            out.append(convert(msg))
        except InvalidRequest as exc:
            if strict:
                raise InvalidRequest(f"{field}[{i}].{exc}") from None
    return tuple(out)


def gossip_from_wire(
    updates: Sequence[membership_pb2.MemberUpdate],
    rumours: Sequence[membership_pb2.Rumour],
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
    return Gossip(
        _convert(updates, update_from_wire, names[0], max_updates, strict),
        _convert(
            rumours,
            lambda m: rumour_from_wire(m, max_rumour_bytes),
            names[1],
            max_rumours,
            strict,
        ),
    )
