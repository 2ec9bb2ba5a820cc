"""The sans-I/O iterative lookup, driven by hand against an oracle network."""

from __future__ import annotations

import random

import pytest

from p2pnet_peer.kademlia.contact import Contact
from p2pnet_peer.kademlia.ids import as_int
from p2pnet_peer.kademlia.lookup import Lookup, PeerState


def contacts(n: int, seed: int = 0) -> list[Contact]:
    rng = random.Random(seed)
    return [Contact(rng.randbytes(32), f"h{i}:1") for i in range(n)]


def nearest(pool: list[Contact], target: bytes, k: int) -> list[Contact]:
    return sorted(pool, key=lambda c: c.int_id ^ as_int(target))[:k]


def run(lookup: Lookup, answer, fail=frozenset()) -> int:  # type: ignore[no-untyped-def]
    """Drive the lookup to the end, one response at a time; returns max in flight seen."""
    max_in_flight = 0
    queue: list[Contact] = []
    while True:
        queue += lookup.next_requests()
        max_in_flight = max(max_in_flight, lookup.in_flight)
        if not queue:
            assert lookup.done
            return max_in_flight
        c = queue.pop(0)
        if c.id in fail:
            lookup.on_failure(c)
        else:
            lookup.on_response(c, answer(c))


def test_finds_the_true_k_closest_with_alpha_in_flight() -> None:
    pool = contacts(400)
    rng = random.Random(5)
    # Each peer knows its 16 nearest neighbours and 40 random others (Kademlia-like),
    # and answers with the 8 closest to the target among those.
    views = {c.id: nearest(pool, c.id, 17)[1:] + rng.sample(pool, 40) for c in pool}
    for _ in range(30):
        target = rng.randbytes(32)
        lookup = Lookup(target, rng.sample(pool, 8), k=8, alpha=3)
        peak = run(lookup, lambda c, t=target, v=views: nearest(v[c.id], t, 8))
        assert peak <= 3
        assert lookup.result() == nearest(pool, target, 8)


def test_terminates_when_k_closest_answered_without_querying_farther_peers() -> None:
    pool = contacts(50)
    target = bytes(32)
    ordered = nearest(pool, target, 50)
    # Everyone knows everyone: the first answer reveals the true k closest.
    lookup = Lookup(target, ordered[-3:], k=5, alpha=3)
    run(lookup, lambda c: ordered[:5])
    assert lookup.result() == ordered[:5]
    queried = [c for c in pool if lookup.state_of(c.id) is PeerState.SUCCEEDED]
    assert len(queried) == 3 + 5  # the seeds, then exactly the k closest
    assert lookup.rpcs == 8


def test_failed_peers_are_skipped_and_counted() -> None:
    pool = contacts(30)
    target = bytes(32)
    ordered = nearest(pool, target, 30)
    dead = {ordered[0].id, ordered[2].id}
    lookup = Lookup(target, ordered[10:13], k=4, alpha=2)
    run(lookup, lambda c: ordered[:8], fail=dead)
    assert [c.id for c in lookup.result()] == [c.id for c in ordered if c.id not in dead][:4]
    assert lookup.failed_rpcs == 2


def test_hops_is_referral_depth_of_closest_responder() -> None:
    chain = contacts(4, seed=9)
    target = bytes(32)
    chain.sort(key=lambda c: c.int_id ^ as_int(target), reverse=True)  # farthest first
    # Each peer only knows the next, closer one: depth 1 -> 2 -> 3 -> 4.
    nxt = {chain[i].id: [chain[i + 1]] for i in range(3)}
    lookup = Lookup(target, [chain[0]], k=2, alpha=1)
    run(lookup, lambda c: nxt.get(c.id, []))
    assert lookup.result()[0] == chain[3]
    assert lookup.hops == 4


def test_depth_is_minimum_over_referrers() -> None:
    a, b, x, y = contacts(4, seed=4)
    lookup = Lookup(y.id, [a, b], k=4, alpha=2)
    assert {c.id for c in lookup.next_requests()} == {a.id, b.id}
    lookup.on_response(a, [x])  # x: depth 2
    assert lookup.next_requests() == [x]
    lookup.on_response(x, [y])  # y: depth 3 through x ...
    lookup.on_response(b, [y])  # ... but b (depth 1) refers it too: depth 2
    assert lookup.next_requests() == [y]
    lookup.on_response(y, [])
    assert lookup.done
    assert lookup.result()[0] == y  # y is the target itself
    assert lookup.hops == 2


def test_finish_stops_a_value_lookup_and_reports_the_finder_depth() -> None:
    pool = contacts(10)
    lookup = Lookup(bytes(32), pool[:3], k=5, alpha=3)
    sent = lookup.next_requests()
    lookup.on_response(sent[0], pool[3:6])
    lookup.finish(sent[0])
    assert lookup.done and lookup.next_requests() == []
    assert lookup.hops == 1


def test_never_queries_itself_and_handles_no_seeds() -> None:
    me = contacts(1, seed=7)[0]
    lookup = Lookup(bytes(32), [me], k=3, alpha=1, self_id=me.id)
    assert lookup.next_requests() == []
    assert lookup.done and lookup.result() == [] and lookup.hops == 0


def test_beta_ends_once_the_beta_closest_answered_and_returns_k_closest_heard() -> None:
    pool = contacts(50)
    target = bytes(32)
    ordered = nearest(pool, target, 50)
    # Everyone knows everyone: the first answers reveal the true k closest.
    classic = Lookup(target, ordered[-3:], k=8, alpha=3)
    run(classic, lambda c: ordered[:8])
    resilient = Lookup(target, ordered[-3:], k=8, alpha=3, beta=3)
    run(resilient, lambda c: ordered[:8])
    assert classic.rpcs == 3 + 8
    # The seeds, the 3 closest, and at most alpha - 1 more sent while the last of those
    # 3 was still out (the driver cancels them when the lookup ends).
    assert 3 + 3 <= resilient.rpcs <= 3 + 3 + 2
    answered = [c for c in pool if resilient.state_of(c.id) is PeerState.SUCCEEDED]
    assert set(ordered[:3]) <= set(answered)
    assert resilient.result() == classic.result() == ordered[:8]
    assert resilient.hops == classic.hops == 2


def test_beta_lookups_find_the_closest_with_fewer_requests_on_a_kademlia_like_network() -> None:
    pool = contacts(400)
    rng = random.Random(6)
    views = {c.id: nearest(pool, c.id, 17)[1:] + rng.sample(pool, 40) for c in pool}
    rpcs = {None: 0, 3: 0}
    for _ in range(30):
        target = rng.randbytes(32)
        seeds = rng.sample(pool, 8)
        for beta in rpcs:
            lookup = Lookup(target, seeds, k=16, alpha=3, beta=beta)
            run(lookup, lambda c, t=target, v=views: nearest(v[c.id], t, 16))
            assert lookup.result()[:3] == nearest(pool, target, 3)
            rpcs[beta] += lookup.rpcs
    assert rpcs[3] < 0.7 * rpcs[None], rpcs


def test_beta_skips_failed_peers_in_its_quorum() -> None:
    pool = contacts(30)
    target = bytes(32)
    ordered = nearest(pool, target, 30)
    lookup = Lookup(target, ordered[10:13], k=4, alpha=2, beta=2)
    run(lookup, lambda c: ordered[:8], fail={ordered[0].id})
    assert lookup.result() == ordered[1:5]
    assert {lookup.state_of(c.id) for c in ordered[1:3]} == {PeerState.SUCCEEDED}


def test_beta_must_be_within_k() -> None:
    with pytest.raises(ValueError, match="beta"):
        Lookup(bytes(32), [], k=4, alpha=2, beta=5)
