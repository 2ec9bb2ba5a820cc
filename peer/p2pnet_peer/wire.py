"""Conversions between wire messages and core objects, and the checks every request gets.

A request that fails a check is rejected with :class:`InvalidRequest`, which the gRPC layer
turns into INVALID_ARGUMENT (and one the peer has no room for, with :class:`OutOfSpace`,
into RESOURCE_EXHAUSTED); contacts in a *response* that fail a check are dropped, so a
confused or malicious peer can never crash a lookup.
"""

from __future__ import annotations

from functools import lru_cache

from p2pnet.v1 import peer_pb2
from p2pnet_peer.identity import node_id_of
from p2pnet_peer.kademlia.contact import Contact
from p2pnet_peer.kademlia.ids import ID_BYTES

MAX_ADDRESS_CHARS = 255


class InvalidRequest(ValueError):
    """A request is malformed; the message says which field and why."""


class OutOfSpace(Exception):
    """A well-formed request the peer cannot carry out for want of room (its disk is
    full); the message says where and how much."""


def check_address(address: str, field: str) -> str:
    if not address or len(address) > MAX_ADDRESS_CHARS:
        raise InvalidRequest(f"{field}: must be 1..{MAX_ADDRESS_CHARS} characters")
    host, sep, port = address.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise InvalidRequest(f"{field}: must be host:port with a port in 1..65535")
    return address


def check_key(key: bytes, field: str) -> bytes:
    if len(key) != ID_BYTES:
        raise InvalidRequest(f"{field}: must be {ID_BYTES} bytes, got {len(key)}")
    return key


def contact_from_wire(info: peer_pb2.PeerInfo, field: str) -> Contact:
    """A verified contact: ID is 32 bytes and equals SHA-256 of the 32-byte public key."""
    contact = _verified(info.id, info.address, info.public_key)
    if contact is None:
        _explain(info, field)  # raises with the reason
    return contact  # type: ignore[return-value]


@lru_cache(maxsize=65536)
def _verified(node_id: bytes, address: str, public_key: bytes) -> Contact | None:
    """Verification is pure, and the same contacts recur in every answer: cache it."""
    try:
        _explain(peer_pb2.PeerInfo(id=node_id, address=address, public_key=public_key), "peer")
    except InvalidRequest:
        return None
    return Contact(node_id, address, public_key)


def _explain(info: peer_pb2.PeerInfo, field: str) -> None:
    if len(info.public_key) != 32:
        raise InvalidRequest(f"{field}.public_key: must be 32 bytes, got {len(info.public_key)}")
    check_key(info.id, f"{field}.id")
    if node_id_of(info.public_key) != info.id:
        raise InvalidRequest(f"{field}.id: is not SHA-256 of {field}.public_key")
    check_address(info.address, f"{field}.address")


def contacts_from_wire(infos: list[peer_pb2.PeerInfo], limit: int) -> list[Contact]:
    """Valid contacts from a response, at most ``limit``; invalid ones are skipped."""
    out: list[Contact] = []
    for info in infos[:limit]:
        contact = _verified(info.id, info.address, info.public_key)
        if contact is not None:
            out.append(contact)
    return out


@lru_cache(maxsize=65536)
def contact_to_wire(contact: Contact) -> peer_pb2.PeerInfo:
    """The wire form of a contact (cached: callers must not mutate it)."""
    return peer_pb2.PeerInfo(id=contact.id, address=contact.address, public_key=contact.public_key)
