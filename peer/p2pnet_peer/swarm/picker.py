"""Which pieces to request from whom: rarest first, random among equals, then endgame.

Availability counts, per piece, the neighbours that hold it. A request to a neighbour
takes the pieces it offers that we lack and nobody is fetching yet, rarest first, ties
broken by a random order fixed per picker (so peers spread over different pieces).

Endgame: once every missing piece is requested, a lane with nothing new to ask for may
ask for a piece already in flight from someone else, up to ``duplicates`` requesters per
piece, fewest requesters first. The first copy to arrive wins; the caller cancels the
others (:meth:`received` returns who they are).
"""

from __future__ import annotations

import heapq
import random

from p2pnet_peer.swarm.bitfield import bits, full


class PiecePicker:
    def __init__(self, count: int, have: int, rng: random.Random, duplicates: int) -> None:
        self.count = count
        self.have = have
        self._full = full(count)
        self._duplicates = duplicates
        self.availability = [0] * count
        order = list(range(count))
        rng.shuffle(order)
        self._rank = [0] * count
        for position, index in enumerate(order):
            self._rank[index] = position
        self._requested: dict[int, dict[bytes, None]] = {}  # piece -> requesters, in order
        self._requested_mask = 0

    @property
    def missing(self) -> int:
        return self._full & ~self.have

    @property
    def complete(self) -> bool:
        return self.have == self._full

    @property
    def endgame(self) -> bool:
        missing = self.missing
        return bool(missing) and not missing & ~self._requested_mask

    def requesters(self, index: int) -> list[bytes]:
        return list(self._requested.get(index, ()))

    def add_availability(self, mask: int, delta: int = 1) -> None:
        availability = self.availability
        for i in bits(mask):
            availability[i] += delta

    def pick(self, peer: bytes, offered: int, n: int) -> list[int]:
        """Up to ``n`` pieces to request from ``peer``, which offers ``offered``; each is
        marked requested by ``peer`` until :meth:`received` or :meth:`release`."""
        wanted = offered & ~self.have
        if not wanted or n < 1:
            return []
        fresh = wanted & ~self._requested_mask
        if fresh:
            avail, rank = self.availability, self._rank
            chosen = heapq.nsmallest(n, bits(fresh), key=lambda i: (avail[i], rank[i]))
        elif self.endgame:
            chosen = self._endgame(peer, wanted, n)
        else:
            return []
        for i in chosen:
            self._requested.setdefault(i, {})[peer] = None
            self._requested_mask |= 1 << i
        return chosen

    def _endgame(self, peer: bytes, wanted: int, n: int) -> list[int]:
        requested, rank = self._requested, self._rank
        candidates = [
            i for i in bits(wanted)
            if peer not in requested[i] and len(requested[i]) < self._duplicates
        ]  # fmt: skip
        return heapq.nsmallest(n, candidates, key=lambda i: (len(requested[i]), rank[i]))

    def release(self, peer: bytes, index: int) -> None:
        """``peer`` will not deliver ``index`` (refused, failed, bad, or gone)."""
        requesters = self._requested.get(index)
        if requesters is None or peer not in requesters:
            return
        del requesters[peer]
        if not requesters:
            del self._requested[index]
            self._requested_mask &= ~(1 << index)

    def received(self, index: int) -> list[bytes]:
        """``index`` is verified; returns the other peers it was still requested from."""
        self.have |= 1 << index
        self._requested_mask &= ~(1 << index)
        return list(self._requested.pop(index, ()))
