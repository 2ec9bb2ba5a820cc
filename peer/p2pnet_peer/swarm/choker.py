"""Tit-for-tat choking: who this peer uploads to.

Every ``rechoke_interval`` the ``regular_slots`` interested peers with the best rank are
unchoked: for a leecher the rate it downloads from them (reciprocation), then whether
they unchoke it now, so a peer that never uploads ranks last; for a seed the rate it
uploads to them (seeds have nothing to receive). Ties break at random.

Between rechokes a regular slot that frees up (its peer left or lost interest) is
refilled at once from the best-ranked choked peers, and a leecher's slot held by a peer
that has not reciprocated (never uploaded to us, chokes us) goes to a choked peer that
has: slots filled before there was anything to rank by do not stay with free riders.

Every ``optimistic_interval`` the optimistic slots move to random choked interested
peers: how newcomers, and partners better than our current ones, get discovered. If an
optimistic peer leaves or loses interest mid-period, its slot is refilled by rank and
only with a peer that reciprocates: a random refill would drift to the peers that never
lose interest and never reciprocate. A leecher's optimistic unchoke is a trial: a peer
that has not reciprocated after ``rechoke_interval`` in the slot gives it up early, to a
random peer that has not just had it. A free rider otherwise keeps the slot of every
leecher that drew it for the whole ``optimistic_interval``, longer than a flash crowd's
download; a peer that reciprocates keeps it the full period, as in BitTorrent.

A peer is *interested* when it lacks a piece we have; the caller works that out from its
bitfield, so no separate interest message is needed.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable

from p2pnet_peer.swarm.config import SwarmConfig

# What tit-for-tat ranks by, higher first: (download rate, unchoking us) for a leecher,
# (upload rate,) for a seed.
Rank = Callable[[bytes], tuple[float, ...]]


class Choker:
    def __init__(self, config: SwarmConfig, rng: random.Random) -> None:
        self._config = config
        self._rng = rng
        self.regular: list[bytes] = []
        self.optimistic: list[bytes] = []
        self._optimistic_since: dict[bytes, float] = {}  # when each got its slot
        self._next_rechoke: float | None = None
        self._next_optimistic: float | None = None

    @property
    def unchoked(self) -> set[bytes]:
        return set(self.regular) | set(self.optimistic)

    def _refill(
        self, wanting: set[bytes], rank: Rank, proven: Callable[[bytes], bool] | None
    ) -> None:
        slots = self._config.regular_slots
        unproven = [p for p in self.regular if proven is not None and not proven(p)]
        if len(self.regular) >= slots and not unproven:
            return
        taken = set(self.regular) | set(self.optimistic)
        choked = [p for p in wanting if p not in taken]
        if not choked:
            return
        ranked = self._ranked(choked, rank)
        free = slots - len(self.regular)
        self.regular += ranked[:free]
        better = [p for p in ranked[free:] if proven is not None and proven(p)]
        for old, new in zip(unproven, better, strict=False):
            self.regular[self.regular.index(old)] = new

    def _ranked(self, peers: Iterable[bytes], rank: Rank) -> list[bytes]:
        keyed = [(tuple(-k for k in rank(p)), self._rng.random(), p) for p in sorted(peers)]
        return [p for _, _, p in sorted(keyed)]

    def tick(
        self,
        now: float,
        interested: Iterable[bytes],
        rank: Rank,
        proven: Callable[[bytes], bool] | None = None,
    ) -> set[bytes]:
        """Decide who is unchoked now, among the ``interested`` peers; returns that set.
        ``rank`` is only called when peers are ranked (rechoke, or a slot to refill).
        ``proven`` (leechers): whether a peer has reciprocated; between rechokes a regular
        slot held by an unproven peer goes to a proven one that is choked."""
        cfg = self._config
        wanting = set(interested)
        self.regular = [p for p in self.regular if p in wanting]
        self.optimistic = [p for p in self.optimistic if p in wanting]
        if self._next_rechoke is None or now >= self._next_rechoke:
            self._next_rechoke = now + cfg.rechoke_interval
            self.regular = self._ranked(wanting, rank)[: cfg.regular_slots]
            self.optimistic = [p for p in self.optimistic if p not in self.regular]
        else:
            self._refill(wanting, rank, proven)
        if self._next_optimistic is None or now >= self._next_optimistic:
            self._rotate(now, wanting)
            return self.unchoked
        if proven is not None:
            self._end_failed_trials(now, wanting, proven)
        if len(self.optimistic) < cfg.optimistic_slots:
            # Its holder left or lost interest. Until the rotation the slot goes by rank, and
            # only to a peer that reciprocates: refilling it at random would drift it to the
            # peers that never lose interest and never reciprocate, free riders.
            taken = set(self.regular) | set(self.optimistic)
            choked = [p for p in wanting if p not in taken and (proven is None or proven(p))]
            ranked = self._ranked(choked, rank)
            for p in ranked[: cfg.optimistic_slots - len(self.optimistic)]:
                self.optimistic.append(p)
                self._optimistic_since[p] = now
        return self.unchoked

    def _rotate(self, now: float, wanting: set[bytes]) -> None:
        """Optimistic unchoke: random choked interested peers, someone new if possible."""
        slots = self._config.optimistic_slots
        regular = set(self.regular)
        if wanting <= regular:  # nobody to rotate in (every rechoke of a lone download)
            self.optimistic = []
            return
        previous = set(self.optimistic)
        pool = sorted(p for p in wanting if p not in regular)
        fresh = [p for p in pool if p not in previous]
        pool = fresh if len(fresh) >= slots else pool
        self.optimistic = self._rng.sample(pool, min(slots, len(pool)))
        self._optimistic_since = dict.fromkeys(self.optimistic, now)
        if self.optimistic:  # the 30 s start when someone is actually unchoked
            self._next_optimistic = now + self._config.optimistic_interval

    def _end_failed_trials(
        self, now: float, wanting: set[bytes], proven: Callable[[bytes], bool]
    ) -> None:
        """Give the slot of an optimistic peer that has held it ``rechoke_interval`` without
        reciprocating to a random choked interested peer other than it."""
        trial = self._config.rechoke_interval
        since = self._optimistic_since
        failed = [p for p in self.optimistic if not proven(p) and now - since[p] >= trial]
        if not failed:
            return
        taken = set(self.regular) | set(self.optimistic)
        pool = sorted(p for p in wanting if p not in taken)
        for old in failed:
            self.optimistic.remove(old)
            if pool:
                new = pool.pop(self._rng.randrange(len(pool)))
                self.optimistic.append(new)
                since[new] = now
