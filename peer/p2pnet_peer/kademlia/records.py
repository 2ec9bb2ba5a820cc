"""Record and provider stores with expiry.

A record is a value stored under a 32-byte key on the k peers closest to the key; a
provider record says which peer serves the content addressed by a key. Both expire: the
publisher re-stores them every republish interval, so they outlive the peers that held
them but vanish once the publisher is gone for longer than their TTL.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from p2pnet_peer.kademlia.contact import Contact


@dataclass(frozen=True, slots=True)
class StoredRecord:
    key: bytes
    value: bytes
    publisher: bytes
    expires_at: float

    def ttl_left(self, now: float) -> float:
        return max(0.0, self.expires_at - now)


class RecordStore:
    def __init__(self, max_records: int) -> None:
        self._max = max_records
        self._records: dict[bytes, StoredRecord] = {}

    def __len__(self) -> int:
        return len(self._records)

    def put(self, key: bytes, value: bytes, publisher: bytes, ttl: float, now: float) -> bool:
        """Store or refresh a record. False when the store is full and ``key`` is new."""
        if key not in self._records and len(self._records) >= self._max:
            self.expire(now)
            if len(self._records) >= self._max:
                return False
        self._records[key] = StoredRecord(key, value, publisher, now + ttl)
        return True

    def keys(self) -> list[bytes]:
        return list(self._records)

    def get(self, key: bytes, now: float) -> StoredRecord | None:
        record = self._records.get(key)
        if record is None:
            return None
        if record.expires_at <= now:
            del self._records[key]
            return None
        return record

    def expire(self, now: float) -> int:
        dead = [k for k, r in self._records.items() if r.expires_at <= now]
        for k in dead:
            del self._records[k]
        return len(dead)


class ProviderStore:
    def __init__(self, max_per_key: int, max_keys: int) -> None:
        self._max_per_key = max_per_key
        self._max_keys = max_keys
        self._by_key: dict[bytes, dict[bytes, tuple[Contact, float]]] = {}

    def __len__(self) -> int:
        return sum(len(p) for p in self._by_key.values())

    def add(self, key: bytes, provider: Contact, ttl: float, now: float) -> bool:
        providers = self._by_key.get(key)
        if providers is None:
            if len(self._by_key) >= self._max_keys:
                self.expire(now)
                if len(self._by_key) >= self._max_keys:
                    return False
            providers = self._by_key[key] = {}
        if provider.id not in providers and len(providers) >= self._max_per_key:
            # Full: replace the provider closest to expiry.
            oldest = min(providers, key=lambda pid: providers[pid][1])
            del providers[oldest]
        providers[provider.id] = (provider, now + ttl)
        return True

    def sample(self, key: bytes, now: float, limit: int, rng: random.Random) -> list[Contact]:
        """Up to ``limit`` live providers picked at random (a tracker's answer): the askers
        of a popular key spread over all of its providers, instead of all dialling the
        same freshest few and leaving the rest unknown."""
        providers = self._by_key.get(key, {})
        live = [c for c, exp in providers.values() if exp > now]
        return live if len(live) <= limit else rng.sample(live, limit)

    def expire(self, now: float) -> int:
        removed = 0
        for key in list(self._by_key):
            providers = self._by_key[key]
            for pid in [p for p, (_, exp) in providers.items() if exp <= now]:
                del providers[pid]
                removed += 1
            if not providers:
                del self._by_key[key]
        return removed
