"""Tit-for-tat choking: who this peer uploads to.

Every ``rechoke_interval`` the ``regular_slots`` interested peers with the best rate are
unchoked: for a leecher the rate it downloads from them (reciprocation), for a seed the
rate it uploads to them (seeds have nothing to receive). Between rechokes a slot that
frees up (its peer left or lost interest) is refilled at once from the best-ranked
choked peers. Every ``optimistic_interval`` the optimistic slots move to random choked
interested peers: how newcomers, and peers that upload to us better than our current
partners, get discovered. Ties in rate break at random.

A peer is *interested* when it lacks a piece we have; the caller works that out from its
bitfield, so no separate interest message is needed.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass

from p2pnet_peer.swarm.config import SwarmConfig


@dataclass(frozen=True, slots=True)
class ChokeCandidate:
    interested: bool
    rate: float  # what tit-for-tat ranks by: download rate (leecher) or upload rate (seed)


class Choker:
    def __init__(self, config: SwarmConfig, rng: random.Random) -> None:
        self._config = config
        self._rng = rng
        self.regular: list[bytes] = []
        self.optimistic: list[bytes] = []
        self._next_rechoke: float | None = None
        self._next_optimistic: float | None = None

    @property
    def unchoked(self) -> set[bytes]:
        return set(self.regular) | set(self.optimistic)

    def _ranked(self, peers: list[bytes], candidates: Mapping[bytes, ChokeCandidate]) -> list:
        keyed = [(-candidates[p].rate, self._rng.random(), p) for p in sorted(peers)]
        return [p for _, _, p in sorted(keyed)]

    def tick(self, now: float, candidates: Mapping[bytes, ChokeCandidate]) -> set[bytes]:
        """Decide who is unchoked now; returns that set."""
        cfg = self._config
        interested = {p for p, c in candidates.items() if c.interested}
        self.regular = [p for p in self.regular if p in interested]
        self.optimistic = [p for p in self.optimistic if p in interested]
        if self._next_rechoke is None or now >= self._next_rechoke:
            self._next_rechoke = now + cfg.rechoke_interval
            self.regular = self._ranked(list(interested), candidates)[: cfg.regular_slots]
            self.optimistic = [p for p in self.optimistic if p not in self.regular]
        elif len(self.regular) < cfg.regular_slots:
            taken = set(self.regular) | set(self.optimistic)
            choked = [p for p in interested if p not in taken]
            free = cfg.regular_slots - len(self.regular)
            self.regular += self._ranked(choked, candidates)[:free]
        rotate = self._next_optimistic is None or now >= self._next_optimistic
        if rotate or len(self.optimistic) < cfg.optimistic_slots:
            previous = set(self.optimistic)
            if rotate:
                self._next_optimistic = now + cfg.optimistic_interval
                self.optimistic = []
            taken = set(self.regular) | set(self.optimistic)
            pool = sorted(p for p in interested if p not in taken)
            fresh = [p for p in pool if p not in previous]  # rotate to someone new if we can
            pool = fresh if len(fresh) >= cfg.optimistic_slots else pool
            free = min(cfg.optimistic_slots - len(self.optimistic), len(pool))
            self.optimistic += self._rng.sample(pool, free)
        return self.unchoked
