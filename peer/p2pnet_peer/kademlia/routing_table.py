"""k-buckets with least-recently-seen eviction, a replacement cache and ping-before-evict.

Each bucket keeps up to k contacts ordered from least to most recently seen. A contact
that talks to us moves to the tail. A new contact for a full bucket waits in the bucket's
replacement cache; if the least-recently-seen contact has been silent for
``questionable_after`` (BEP 5's "questionable" node) it is pinged (one check per bucket at
a time): if it answers it stays, and the newcomer keeps waiting; if not, it is evicted and
the most recently seen replacement takes its place. A bucket whose every contact was heard
from lately is not pinged at all. Long-lived contacts are thereby preferred, as in the
Kademlia paper (they are the likeliest to stay up).
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from p2pnet_peer.kademlia.config import DhtConfig
from p2pnet_peer.kademlia.contact import Contact
from p2pnet_peer.kademlia.ids import ID_BITS, as_int, bucket_index, random_id_in_bucket


@dataclass(slots=True)
class _Entry:
    contact: Contact
    last_seen: float
    failures: int = 0


@dataclass(slots=True)
class _Bucket:
    entries: list[_Entry] = field(default_factory=list)  # least recently seen first
    replacements: list[_Entry] = field(default_factory=list)  # most recently seen last
    pinging: bytes | None = None  # ID of the contact under a ping-before-evict check
    last_lookup: float = 0.0

    def find(self, node_id: bytes) -> int:
        for i, entry in enumerate(self.entries):
            if entry.contact.id == node_id:
                return i
        return -1


class RoutingTable:
    def __init__(self, self_id: bytes, config: DhtConfig, now: float) -> None:
        self.self_id = self_id
        self._self_int = as_int(self_id)
        self._k = config.k
        self._max_failures = config.max_failures
        self._replacement_cache = config.replacement_cache
        self._refresh_interval = config.refresh_interval
        self._questionable_after = config.questionable_after
        self._buckets = [_Bucket(last_lookup=now) for _ in range(ID_BITS)]
        self._contacts: dict[bytes, Contact] = {}  # every contact in every bucket

    def __len__(self) -> int:
        return len(self._contacts)

    def __contains__(self, node_id: bytes) -> bool:
        return node_id in self._contacts

    def get(self, node_id: bytes) -> Contact | None:
        return self._contacts.get(node_id)

    def __iter__(self) -> Iterator[Contact]:
        return iter(list(self._contacts.values()))

    def _bucket_of(self, node_id: bytes) -> _Bucket:
        return self._buckets[bucket_index(self._self_int, as_int(node_id))]

    def observe(self, contact: Contact, now: float) -> Contact | None:
        """Record that ``contact`` is alive (it sent us a request or answered one).

        Returns a contact to ping when this starts a ping-before-evict check: the caller
        pings it and reports the outcome to :meth:`ping_result`.
        """
        if contact.id == self.self_id:
            return None
        bucket = self._bucket_of(contact.id)
        i = bucket.find(contact.id)
        if i >= 0:
            entry = bucket.entries.pop(i)
            entry.failures, entry.last_seen = 0, now
            if entry.contact.address != contact.address:
                entry.contact = contact  # the peer moved (restart on a new port)
                self._contacts[contact.id] = contact
            bucket.entries.append(entry)
            return None
        if len(bucket.entries) < self._k:
            bucket.entries.append(_Entry(contact, now))
            self._contacts[contact.id] = contact
            return None
        self._remember_replacement(bucket, _Entry(contact, now))
        oldest = bucket.entries[0]
        if bucket.pinging is None and now - oldest.last_seen >= self._questionable_after:
            bucket.pinging = oldest.contact.id
            return oldest.contact
        return None

    def _remember_replacement(self, bucket: _Bucket, entry: _Entry) -> None:
        node_id = entry.contact.id
        bucket.replacements = [e for e in bucket.replacements if e.contact.id != node_id]
        bucket.replacements.append(entry)
        if len(bucket.replacements) > self._replacement_cache:
            del bucket.replacements[0]

    def ping_result(self, contact: Contact, alive: bool, now: float) -> None:
        """Finish a ping-before-evict check started by :meth:`observe`."""
        bucket = self._bucket_of(contact.id)
        if bucket.pinging == contact.id:
            bucket.pinging = None
        if alive:
            self.observe(contact, now)
        else:
            self._evict(bucket, contact.id)

    def failed(self, contact: Contact) -> bool:
        """A request to ``contact`` failed or timed out. Returns True if it was evicted.

        With a replacement waiting, one failure evicts; otherwise ``max_failures``
        consecutive failures do (a lone flaky link should not empty a sparse bucket).
        """
        if contact.id == self.self_id:
            return False
        bucket = self._bucket_of(contact.id)
        i = bucket.find(contact.id)
        if i < 0:
            bucket.replacements = [e for e in bucket.replacements if e.contact.id != contact.id]
            return False
        entry = bucket.entries[i]
        entry.failures += 1
        if bucket.replacements or entry.failures >= self._max_failures:
            self._evict(bucket, contact.id)
            return True
        return False

    def remove(self, node_id: bytes) -> bool:
        """Drop a contact known to be gone (e.g. declared dead by membership)."""
        if node_id == self.self_id:
            return False
        bucket = self._bucket_of(node_id)
        bucket.replacements = [e for e in bucket.replacements if e.contact.id != node_id]
        return self._evict(bucket, node_id)

    def _evict(self, bucket: _Bucket, node_id: bytes) -> bool:
        i = bucket.find(node_id)
        if i < 0:
            return False
        del bucket.entries[i]
        del self._contacts[node_id]
        if bucket.pinging == node_id:
            bucket.pinging = None
        if bucket.replacements:
            promoted = bucket.replacements.pop()
            bucket.entries.append(promoted)
            self._contacts[promoted.contact.id] = promoted.contact
        return True

    def closest(self, target: bytes, count: int, exclude: Iterable[bytes] = ()) -> list[Contact]:
        """The ``count`` known contacts closest to ``target``, nearest first."""
        t = as_int(target)
        skip = set(exclude)
        best = heapq.nsmallest(
            count + len(skip), self._contacts.values(), key=lambda c: c.int_id ^ t
        )
        return [c for c in best if c.id not in skip][:count]

    def touch(self, target: bytes, now: float) -> None:
        """A lookup for ``target`` ran: its bucket needs no refresh for a while."""
        if target != self.self_id:
            self._bucket_of(target).last_lookup = now

    def buckets_to_refresh(self, now: float) -> list[int]:
        """Buckets, from the nearest occupied one outwards, not looked up in a refresh interval.

        Buckets nearer than the nearest occupied one are skipped: with N peers only about
        log2(N) buckets can hold anyone, and refreshing the other ~250 would be waste.
        """
        occupied = [i for i, b in enumerate(self._buckets) if b.entries]
        if not occupied:
            return []
        return [
            i
            for i in range(occupied[0], ID_BITS)
            if now - self._buckets[i].last_lookup >= self._refresh_interval
        ]

    def random_id_in_bucket(self, index: int, rng: random.Random) -> bytes:
        return random_id_in_bucket(self._self_int, index, rng)

    def mark_refreshed(self, index: int, now: float) -> None:
        self._buckets[index].last_lookup = now
