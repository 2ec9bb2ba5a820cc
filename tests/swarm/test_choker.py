"""Tit-for-tat choker: regular slots by rate every 10 s, optimistic rotation every 30 s
(10 s for a leecher's optimistic peer that does not reciprocate)."""

import random

from p2pnet_peer.swarm.choker import Choker
from p2pnet_peer.swarm.config import SwarmConfig


def peers(rates: dict[str, float], uninterested: tuple[str, ...] = ()) -> tuple:
    """(interested peers, rate function) as the choker takes them."""
    interested = [p.encode() for p in rates if p not in uninterested]
    return interested, lambda peer: (rates[peer.decode()],)


RATES = {"a": 50.0, "b": 40.0, "c": 30.0, "d": 20.0, "e": 10.0, "f": 0.0, "g": 0.0}


def test_four_best_by_rate_plus_one_optimistic() -> None:
    choker = Choker(SwarmConfig(), random.Random(0))
    unchoked = choker.tick(0.0, *peers(RATES))
    assert sorted(choker.regular) == [b"a", b"b", b"c", b"d"]
    assert len(choker.optimistic) == 1 and choker.optimistic[0] in (b"e", b"f", b"g")
    assert unchoked == set(choker.regular) | set(choker.optimistic)


def test_regular_slots_are_re_ranked_only_every_rechoke_interval() -> None:
    choker = Choker(SwarmConfig(), random.Random(0))
    choker.tick(0.0, *peers(RATES))
    flipped = {**RATES, "f": 99.0, "g": 98.0}
    choker.tick(5.0, *peers(flipped))
    assert sorted(choker.regular) == [b"a", b"b", b"c", b"d"]
    choker.tick(10.0, *peers(flipped))
    assert sorted(choker.regular) == [b"a", b"b", b"f", b"g"]


def test_a_freed_slot_is_refilled_before_the_next_rechoke() -> None:
    choker = Choker(SwarmConfig(), random.Random(0))
    choker.tick(0.0, *peers(RATES))
    choker.tick(1.0, *peers(RATES, uninterested=("a",)))
    assert b"a" not in choker.unchoked and len(choker.regular) == 4


def test_optimistic_rotates_every_30_s_to_someone_new() -> None:
    choker = Choker(SwarmConfig(), random.Random(0))
    choker.tick(0.0, *peers(RATES))
    first = choker.optimistic
    choker.tick(29.0, *peers(RATES))
    assert choker.optimistic == first
    choker.tick(30.0, *peers(RATES))
    assert choker.optimistic != first and choker.optimistic[0] not in choker.regular


def test_a_leechers_optimistic_peer_that_never_reciprocates_loses_the_slot_early() -> None:
    """A free rider drawn for the optimistic slot would keep it 30 s, longer than a flash
    crowd's whole download; after one rechoke interval without reciprocating it goes."""
    choker = Choker(SwarmConfig(), random.Random(0))
    nobody = lambda peer: False  # noqa: E731 - nobody reciprocates
    choker.tick(0.0, *peers(RATES), nobody)
    (first,) = choker.optimistic
    choker.tick(9.9, *peers(RATES), nobody)
    assert choker.optimistic == [first]
    choker.tick(10.0, *peers(RATES), nobody)
    (second,) = choker.optimistic
    assert second != first and second not in choker.regular
    choker.tick(19.9, *peers(RATES), nobody)
    assert choker.optimistic == [second]  # its own trial runs from when it got the slot
    choker.tick(20.0, *peers(RATES), nobody)
    assert choker.optimistic != [second]


def test_an_optimistic_peer_that_reciprocates_keeps_the_slot_the_whole_period() -> None:
    choker = Choker(SwarmConfig(), random.Random(0))
    choker.tick(0.0, *peers(RATES), lambda peer: False)
    (first,) = choker.optimistic
    for now in (10.0, 20.0, 29.9):
        choker.tick(now, *peers(RATES), lambda peer: peer == first)
        assert choker.optimistic == [first]
    choker.tick(30.0, *peers(RATES), lambda peer: peer == first)
    assert choker.optimistic != [first]


def test_free_rider_config_never_unchokes() -> None:
    choker = Choker(SwarmConfig(regular_slots=0, optimistic_slots=0), random.Random(0))
    assert choker.tick(0.0, *peers(RATES)) == set()
    assert choker.tick(100.0, *peers(RATES)) == set()


def test_nobody_interested_nobody_unchoked() -> None:
    choker = Choker(SwarmConfig(), random.Random(0))
    assert choker.tick(0.0, *peers(RATES, uninterested=tuple(RATES))) == set()
