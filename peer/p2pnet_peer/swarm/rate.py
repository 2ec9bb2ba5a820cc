"""A transfer rate estimate: bytes per second, exponentially weighted over a window."""

from __future__ import annotations

import math


class RateMeter:
    """``add`` bytes as they move; ``rate`` is their exponentially weighted rate.

    The accumulator decays with time constant ``window``: after a steady rate r it reads
    r; once traffic stops it falls by 1/e every ``window`` seconds. It is bias-corrected
    from the first byte on (divided by ``window * (1 - exp(-t / window))`` rather than
    ``window``), so a young meter reads the rate so far instead of a fraction of it.
    ``min_age`` (default a hundredth of the window) is the shortest span a rate is taken
    over: a first burst is not infinitely fast.
    """

    __slots__ = ("_at", "_first", "_min_age", "_tau", "_value", "total")

    def __init__(self, window: float, min_age: float | None = None) -> None:
        self._tau = window
        self._min_age = window * 0.01 if min_age is None else min_age
        self._value = 0.0
        self._at = 0.0
        self._first: float | None = None
        self.total = 0

    def _decay(self, now: float) -> None:
        if now > self._at:
            if self._value:
                self._value *= math.exp((self._at - now) / self._tau)
            self._at = now

    def start(self, now: float) -> None:
        """Count the rate from ``now`` (e.g. when the bytes were asked for), not from the
        first byte, so a first piece that took long to come reads slow."""
        if self._first is None:
            self._first = self._at = now

    def add(self, nbytes: int, now: float) -> None:
        if self._first is None:
            self._first = self._at = now
        self._decay(now)
        self._value += nbytes
        self.total += nbytes

    def rate(self, now: float) -> float:
        if self._first is None:
            return 0.0
        self._decay(now)
        age = max(now - self._first, self._min_age)
        return self._value / (self._tau * -math.expm1(-age / self._tau))
