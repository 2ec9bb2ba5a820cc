"""256-bit identifiers and the XOR metric.

A node ID is SHA-256 of the node's Ed25519 public key; a DHT key is SHA-256 of the
application key. Both are 32 bytes; the distance between two IDs is ``a XOR b`` read as an
unsigned big-endian integer.
"""

from __future__ import annotations

import random

ID_BYTES = 32
ID_BITS = ID_BYTES * 8


def as_int(node_id: bytes) -> int:
    return int.from_bytes(node_id, "big")


def distance(a: bytes, b: bytes) -> int:
    return as_int(a) ^ as_int(b)


def bucket_index(self_id: int, other_id: int) -> int:
    """Index of the k-bucket ``other_id`` falls in: ``floor(log2(distance))``, 0..255.

    Bucket i holds the IDs whose distance from ours lies in ``[2**i, 2**(i+1))``, so it
    covers half of the ID space that bucket i+1 covers. Distance 0 (ourselves) has no bucket.
    """
    d = self_id ^ other_id
    if d == 0:
        raise ValueError("a node has no bucket for its own ID")
    return d.bit_length() - 1


def random_id_in_bucket(self_id: int, index: int, rng: random.Random) -> bytes:
    """A uniformly random ID whose distance from ``self_id`` falls in bucket ``index``."""
    d = (1 << index) | rng.getrandbits(index) if index > 0 else 1
    return (self_id ^ d).to_bytes(ID_BYTES, "big")


def validate_id(value: bytes, what: str = "id") -> bytes:
    if len(value) != ID_BYTES:
        raise ValueError(f"{what} must be {ID_BYTES} bytes, got {len(value)}")
    return value
