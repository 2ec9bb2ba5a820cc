"""Piece picker: rarest first, no double requests, endgame duplicates."""

import random

from p2pnet_peer.swarm.bitfield import full, mask_of
from p2pnet_peer.swarm.picker import PiecePicker


def picker(count: int = 8, have: int = 0, duplicates: int = 2) -> PiecePicker:
    return PiecePicker(count, have, random.Random(1), duplicates)


def test_rarest_first() -> None:
    p = picker()
    p.add_availability(full(8))  # a seed
    p.add_availability(mask_of([0, 1, 2, 3, 4, 5]))
    p.add_availability(mask_of([0, 1, 2, 3]))
    # pieces 6 and 7 are held by one peer, 4 and 5 by two, 0..3 by three
    assert sorted(p.pick(b"seed", full(8), 2)) == [6, 7]
    assert sorted(p.pick(b"seed", full(8), 2)) == [4, 5]


def test_no_piece_is_requested_twice_outside_endgame_and_release_frees_it() -> None:
    p = picker()
    p.add_availability(full(8))
    first = p.pick(b"a", full(8), 4)
    second = p.pick(b"b", full(8), 8)
    assert not set(first) & set(second) and len(first) + len(second) == 8
    assert not p.endgame or not p.missing & ~mask_of(first + second)
    p.release(b"a", first[0])
    assert p.pick(b"c", full(8), 8) == [first[0]]


def test_have_pieces_are_never_picked() -> None:
    p = picker(have=mask_of([0, 1, 2]))
    p.add_availability(full(8))
    assert not set(p.pick(b"a", full(8), 8)) & {0, 1, 2}


def test_endgame_requests_in_flight_pieces_from_others_and_reports_them() -> None:
    p = picker(count=4, have=mask_of([0, 1]), duplicates=2)
    p.add_availability(full(4), 2)
    assert sorted(p.pick(b"a", full(4), 4)) == [2, 3]
    assert p.endgame
    dup = p.pick(b"b", full(4), 1)
    assert len(dup) == 1 and dup[0] in (2, 3)
    assert p.pick(b"b", full(4), 1) != dup  # not the same one twice for b
    assert p.pick(b"c", full(4), 2) == []  # both already at 2 requesters
    assert sorted(p.received(dup[0])) == [b"a", b"b"]
    assert p.have & (1 << dup[0])


def test_random_tie_break_spreads_peers_over_pieces() -> None:
    firsts = set()
    for seed in range(20):
        p = PiecePicker(64, 0, random.Random(seed), 2)
        p.add_availability(full(64))
        firsts.add(p.pick(b"a", full(64), 1)[0])
    assert len(firsts) > 10
