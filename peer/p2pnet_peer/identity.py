"""A peer's identity: an Ed25519 key pair; its node ID is SHA-256 of the public key."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from p2pnet_peer.kademlia.contact import Contact


def node_id_of(public_key: bytes) -> bytes:
    return hashlib.sha256(public_key).digest()


@dataclass(frozen=True)
class Identity:
    private_key: Ed25519PrivateKey
    public_key: bytes
    id: bytes

    @classmethod
    def from_seed(cls, seed: bytes) -> Identity:
        """Deterministic identity from a 32-byte seed (the planner derives one per peer)."""
        if len(seed) != 32:
            raise ValueError("an identity seed is 32 bytes")
        key = Ed25519PrivateKey.from_private_bytes(seed)
        public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return cls(key, public, node_id_of(public))

    @classmethod
    def generate(cls) -> Identity:
        return cls.from_seed(os.urandom(32))

    def contact(self, address: str) -> Contact:
        return Contact(self.id, address, self.public_key)
