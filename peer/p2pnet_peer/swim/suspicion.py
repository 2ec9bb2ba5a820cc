"""A Lifeguard suspicion timer: it shrinks as independent confirmations arrive.

A peer that learns a member is suspect starts the timer at the maximum timeout; each
further suspect message from a *distinct* reporter is one confirmation, and with c of them
the timeout is ``max(min, max - (max - min) * log(c + 1) / log(k + 1))`` from the start, k
being the confirmations expected (memberlist's ``suspicion.go``). A member suspected by
many is declared dead quickly; one suspected by a single, perhaps overloaded, peer gets
the full maximum to refute.
"""

from __future__ import annotations

import math


class Suspicion:
    def __init__(
        self, reporter: bytes, k: int, min_timeout: float, max_timeout: float, start: float
    ) -> None:
        self.start = start
        self.k = k
        self.min_timeout = min_timeout
        self.max_timeout = max(min_timeout, max_timeout)
        self._reporters = {reporter}

    @property
    def confirmations(self) -> int:
        return len(self._reporters) - 1

    def confirm(self, reporter: bytes) -> bool:
        """Count a suspect message from ``reporter``; True if it is a new confirmation."""
        if self.confirmations >= self.k or reporter in self._reporters:
            return False
        self._reporters.add(reporter)
        return True

    @property
    def timeout(self) -> float:
        if self.k < 1:
            return self.min_timeout
        frac = math.log(self.confirmations + 1) / math.log(self.k + 1)
        spread = self.max_timeout - self.min_timeout
        return max(self.min_timeout, self.max_timeout - spread * frac)

    @property
    def deadline(self) -> float:
        return self.start + self.timeout
