"""The k-bucket routing table: LRS ordering, replacement cache, ping-before-evict, refresh."""

from __future__ import annotations

import random

from p2pnet_peer.kademlia.config import DhtConfig
from p2pnet_peer.kademlia.contact import Contact
from p2pnet_peer.kademlia.ids import as_int, bucket_index
from p2pnet_peer.kademlia.routing_table import RoutingTable

SELF = bytes(32)


def contact_in_bucket(index: int, n: int) -> Contact:
    """The n-th contact whose distance from SELF (all zeros) falls in bucket ``index``."""
    value = (1 << index) | n
    return Contact(value.to_bytes(32, "big"), f"10.0.0.{n % 250 + 1}:{1000 + n}")


def table(k: int = 4, **kw: object) -> RoutingTable:
    """A table whose full buckets ping their oldest contact at once, unless ``kw`` says."""
    kw.setdefault("questionable_after", 0.0)
    return RoutingTable(SELF, DhtConfig(k=k, alpha=min(3, k), **kw), now=0.0)  # type: ignore[arg-type]


def test_full_bucket_pings_least_recently_seen_and_keeps_it_when_alive() -> None:
    t = table(k=4)
    first = [contact_in_bucket(10, n) for n in range(4)]
    for c in first:
        assert t.observe(c, 0.0) is None
    newcomer = contact_in_bucket(10, 99)
    assert t.observe(newcomer, 0.0) == first[0]  # ping the least recently seen
    assert t.observe(contact_in_bucket(10, 98), 0.0) is None  # one check per bucket at a time
    t.ping_result(first[0], alive=True, now=0.0)
    assert newcomer.id not in t
    assert first[0].id in t
    # first[0] moved to the tail: the next check targets first[1].
    assert t.observe(contact_in_bucket(10, 97), 0.0) == first[1]


def test_dead_least_recently_seen_is_replaced_by_newest_replacement() -> None:
    t = table(k=4)
    first = [contact_in_bucket(10, n) for n in range(4)]
    for c in first:
        t.observe(c, 0.0)
    older, newer = contact_in_bucket(10, 50), contact_in_bucket(10, 51)
    assert t.observe(older, 0.0) == first[0]
    t.observe(newer, 0.0)
    t.ping_result(first[0], alive=False, now=0.0)
    assert first[0].id not in t
    assert newer.id in t and older.id not in t
    assert len(t) == 4


def test_failures_evict_at_once_with_a_replacement_else_after_max_failures() -> None:
    t = table(k=2, max_failures=3)
    a, b = contact_in_bucket(5, 0), contact_in_bucket(5, 1)
    t.observe(a, 0.0)
    t.observe(b, 0.0)
    assert not t.failed(a) and not t.failed(a)
    assert t.failed(a)  # third consecutive failure, no replacement waiting
    assert a.id not in t
    c, d = contact_in_bucket(5, 2), contact_in_bucket(5, 3)
    t.observe(c, 0.0)
    t.observe(d, 0.0)  # bucket full: d waits as a replacement
    assert t.failed(b)  # one failure evicts when someone is waiting
    assert d.id in t


def test_seen_again_resets_failures_and_updates_address() -> None:
    t = table(k=2, max_failures=2)
    a = contact_in_bucket(7, 0)
    t.observe(a, 0.0)
    t.failed(a)
    moved = Contact(a.id, "10.9.9.9:7000")
    t.observe(moved, 0.0)
    assert not t.failed(moved)  # counter was reset by the new sighting
    assert [c.address for c in t] == ["10.9.9.9:7000"]


def test_closest_matches_brute_force_and_honours_exclude() -> None:
    rng = random.Random(3)
    t = RoutingTable(rng.randbytes(32), DhtConfig(k=20), now=0.0)
    for _ in range(500):
        t.observe(Contact(rng.randbytes(32), "h:1"), 0.0)
    everyone = list(t)
    for _ in range(50):
        target = rng.randbytes(32)
        want = sorted(everyone, key=lambda c: c.int_id ^ as_int(target))[:20]
        assert t.closest(target, 20) == want
        assert t.closest(target, 5, exclude=[want[0].id]) == want[1:6]


def test_never_stores_itself() -> None:
    t = table()
    assert t.observe(Contact(SELF, "me:1"), 0.0) is None
    assert len(t) == 0


def test_refresh_only_stale_buckets_from_nearest_occupied_outwards() -> None:
    t = table(k=4, refresh_interval=100.0, republish_interval=50.0, record_ttl=1000.0)
    t.observe(contact_in_bucket(200, 1), 0.0)
    t.observe(contact_in_bucket(250, 1), 0.0)
    assert t.buckets_to_refresh(now=50.0) == []
    due = t.buckets_to_refresh(now=100.0)
    assert due == list(range(200, 256))
    t.mark_refreshed(200, 100.0)
    t.touch(contact_in_bucket(201, 5).id, 100.0)
    assert 200 not in t.buckets_to_refresh(150.0) and 201 not in t.buckets_to_refresh(150.0)


def test_random_id_in_bucket_lands_in_that_bucket() -> None:
    rng = random.Random(1)
    self_id = rng.randbytes(32)
    t = RoutingTable(self_id, DhtConfig(), now=0.0)
    for index in (0, 1, 7, 100, 255):
        for _ in range(20):
            target = t.random_id_in_bucket(index, rng)
            assert bucket_index(as_int(self_id), as_int(target)) == index


def test_a_bucket_heard_from_lately_takes_newcomers_as_replacements_without_a_ping() -> None:
    t = table(k=4, questionable_after=60.0)
    first = [contact_in_bucket(10, n) for n in range(4)]
    for i, c in enumerate(first):
        t.observe(c, float(i))  # last seen at 0, 1, 2, 3 s
    assert t.observe(contact_in_bucket(10, 50), 59.0) is None  # everyone heard within 60 s
    assert t.observe(contact_in_bucket(10, 51), 60.0) == first[0]  # first[0] now questionable
    t.ping_result(first[0], alive=False, now=60.5)
    assert first[0].id not in t and contact_in_bucket(10, 51).id in t
    t.observe(first[1], 61.0)  # first[1] speaks up: the oldest is now first[2], seen at 2 s
    assert t.observe(contact_in_bucket(10, 52), 61.5) is None  # 59.5 s: not yet
    assert t.observe(contact_in_bucket(10, 53), 62.0) == first[2]
