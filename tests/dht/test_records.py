"""Record and provider stores: expiry and bounds."""

from __future__ import annotations

import random

from p2pnet_peer.kademlia.contact import Contact
from p2pnet_peer.kademlia.records import ProviderStore, RecordStore

KEY = b"k" * 32


def test_record_expires_at_its_ttl_and_refresh_extends_it() -> None:
    store = RecordStore(max_records=10)
    assert store.put(KEY, b"v1", b"p" * 32, ttl=10, now=0)
    assert store.get(KEY, now=9.9).value == b"v1"  # type: ignore[union-attr]
    assert store.put(KEY, b"v2", b"p" * 32, ttl=10, now=5)
    assert store.get(KEY, now=14.9).value == b"v2"  # type: ignore[union-attr]
    assert store.get(KEY, now=15.0) is None
    assert len(store) == 0


def test_full_store_refuses_new_keys_until_something_expires() -> None:
    store = RecordStore(max_records=2)
    store.put(b"a" * 32, b"", b"", ttl=10, now=0)
    store.put(b"b" * 32, b"", b"", ttl=20, now=0)
    assert not store.put(b"c" * 32, b"", b"", ttl=10, now=5)
    assert store.put(b"a" * 32, b"new", b"", ttl=10, now=5)  # existing key: refresh is fine
    assert store.put(b"c" * 32, b"", b"", ttl=10, now=16)  # a expired at 15
    assert store.expire(now=100) == 2


def test_providers_expire_and_are_bounded_per_key() -> None:
    store = ProviderStore(max_per_key=3, max_keys=10)
    peers = [Contact(bytes([i]) * 32, f"h{i}:1") for i in range(5)]
    for i, p in enumerate(peers):
        assert store.add(KEY, p, ttl=10 + i, now=0)
    rng = random.Random(1)
    got = store.sample(KEY, now=0, limit=10, rng=rng)
    assert {c.id for c in got} == {peers[4].id, peers[3].id, peers[2].id}  # freshest kept
    assert {c.id for c in store.sample(KEY, 12.5, 10, rng)} == {peers[4].id, peers[3].id}
    assert store.expire(now=100) == 3 and len(store) == 0


def test_a_popular_key_answers_with_a_random_sample_of_its_providers() -> None:
    """Askers of a key with many providers get different subsets, covering them all,
    instead of every asker dialling the same few."""
    store = ProviderStore(max_per_key=1000, max_keys=10)
    peers = [Contact(i.to_bytes(32, "big"), f"h{i}:1") for i in range(200)]
    for i, p in enumerate(peers):
        store.add(KEY, p, ttl=100 + i, now=0)
    rng = random.Random(3)
    answers = [store.sample(KEY, 0, 20, rng) for _ in range(50)]
    assert all(len(a) == 20 and len({c.id for c in a}) == 20 for a in answers)
    assert len({c.id for a in answers for c in a}) > 190
