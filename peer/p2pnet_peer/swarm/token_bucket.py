"""A token bucket that reserves: callers take tokens now and wait out the debt.

``rate`` tokens (bytes) per second accrue up to ``burst``. ``reserve(n, now)`` takes n
at once, letting the balance go negative, and returns how long the caller must wait
before sending; concurrent senders are thereby served first come, first served, and the
long-run rate never exceeds ``rate``. A rate of 0 means unlimited.
"""

from __future__ import annotations


class TokenBucket:
    __slots__ = ("_at", "_tokens", "burst", "rate")

    def __init__(self, rate: float, burst: float, now: float = 0.0) -> None:
        if rate < 0 or burst <= 0:
            raise ValueError("rate must be >= 0 and burst > 0")
        self.rate = rate
        self.burst = burst
        self._tokens = float(burst)
        self._at = now

    def _refill(self, now: float) -> None:
        if now > self._at:
            self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate)
            self._at = now

    def reserve(self, n: int, now: float) -> float:
        """Take ``n`` tokens; returns the seconds to wait before using them (0 = now)."""
        if self.rate <= 0:
            return 0.0
        self._refill(now)
        self._tokens -= n
        return -self._tokens / self.rate if self._tokens < 0 else 0.0

    def balance(self, now: float) -> float:
        """Tokens now: negative while earlier reservations are still being paid off."""
        self._refill(now)
        return self._tokens

    def refund(self, n: int, now: float) -> None:
        """Give back a reservation that was not used (the send was cancelled)."""
        if self.rate <= 0:
            return
        self._refill(now)
        self._tokens = min(self.burst, self._tokens + n)
