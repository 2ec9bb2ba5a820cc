"""Randomised round-robin probe order (SWIM paper, section 4.3).

Members are probed in the order of a random permutation; when the permutation is used
up a new one is drawn. A member that joins mid-round is inserted at a random position
among those not yet probed. Every member is therefore probed once per round, and a
failed member is probed by each peer within at most 2N - 1 periods.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable


class ProbeScheduler:
    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._order: list[bytes] = []
        self._next = 0

    def add(self, member_id: bytes) -> None:
        at = self._rng.randint(self._next, len(self._order))
        self._order.insert(at, member_id)

    def next(
        self, candidates: Callable[[], Iterable[bytes]], eligible: Callable[[bytes], bool]
    ) -> bytes | None:
        """The next member to probe: ``eligible`` filters stale entries; ``candidates``
        gives the members for a fresh permutation when this one is used up."""
        reshuffled = False
        while True:
            if self._next >= len(self._order):
                if reshuffled:
                    return None
                self._order = list(candidates())
                self._rng.shuffle(self._order)
                self._next = 0
                reshuffled = True
                continue
            member_id = self._order[self._next]
            self._next += 1
            if eligible(member_id):
                return member_id
