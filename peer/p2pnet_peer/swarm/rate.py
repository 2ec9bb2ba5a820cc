"""A transfer rate estimate: bytes per second, exponentially weighted over a window."""

from __future__ import annotations

import math


class RateMeter:
    """``add`` bytes as they move; ``rate`` is their exponentially weighted rate.

    The accumulator decays with time constant ``window``: after a steady rate r for a few
    windows, ``rate`` reads r; once traffic stops it falls by 1/e every ``window`` seconds.
    """

    __slots__ = ("_at", "_tau", "_value", "total")

    def __init__(self, window: float) -> None:
        self._tau = window
        self._value = 0.0
        self._at = 0.0
        self.total = 0

    def _decay(self, now: float) -> None:
        if now > self._at:
            if self._value:
                self._value *= math.exp((self._at - now) / self._tau)
            self._at = now

    def add(self, nbytes: int, now: float) -> None:
        self._decay(now)
        self._value += nbytes
        self.total += nbytes

    def rate(self, now: float) -> float:
        self._decay(now)
        return self._value / self._tau
