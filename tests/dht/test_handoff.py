"""The join rule: which of our records a newly seen peer should hold."""

from __future__ import annotations

from p2pnet_peer.kademlia.handoff import keys_for_newcomer


def _id(n: int) -> bytes:
    return n.to_bytes(32, "big")


def test_only_keys_the_newcomer_is_among_the_k_closest_for() -> None:
    me, newcomer = _id(0b1000), _id(0b0001)
    known = [_id(0b0010), _id(0b0011), _id(0b1001)]

    def closest(key: bytes) -> list[bytes]:
        t = int.from_bytes(key, "big")
        return sorted(known, key=lambda i: int.from_bytes(i, "big") ^ t)[:2]

    near_newcomer, near_me = _id(0b0000), _id(0b1000)
    # k=2: for key 0, the newcomer (distance 1) beats 0b0010 and 0b0011; for key 0b1000
    # we and 0b1001 are closer than it
    assert keys_for_newcomer(newcomer, me, [near_newcomer, near_me], closest, 2) == [near_newcomer]
    # with a large k everyone holds everything
    assert keys_for_newcomer(newcomer, me, [near_newcomer, near_me], closest, 8) == [
        near_newcomer,
        near_me,
    ]


def test_a_newcomer_already_in_the_view_is_not_counted_against_itself() -> None:
    me, newcomer = _id(0b1000), _id(0b0001)
    assert keys_for_newcomer(newcomer, me, [_id(0)], lambda key: [newcomer], 1) == [_id(0)]
