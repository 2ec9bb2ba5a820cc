"""Every random choice of a plan comes from a stream derived here, by SHA-256 over the
network's seed and name and what the stream is for; nothing else feeds randomness.

Independent streams per purpose (and per peer for churn) keep one part of a plan from
shifting when an unrelated part of the spec changes.
"""

from __future__ import annotations

import hashlib
import random

_SEP = "\x1f"


def _digest(domain: str, *parts: object) -> bytes:
    text = _SEP.join(str(p) for p in (domain, *parts))
    return hashlib.sha256(text.encode()).digest()


def identity_seed(seed: int, network: str, peer: int, generation: int) -> bytes:
    """The 32-byte Ed25519 seed of peer `peer` in its `generation` (0 at the start; +1 per
    rejoin in churn's replace mode)."""
    return _digest("p2pnet-identity-v1", seed, network, peer, generation)


def stream(seed: int, network: str, purpose: str, *parts: object) -> random.Random:
    """A private random stream (`random.Random` seeded with a 256-bit integer)."""
    return random.Random(int.from_bytes(_digest("p2pnet-plan-v1", seed, network, purpose, *parts)))
