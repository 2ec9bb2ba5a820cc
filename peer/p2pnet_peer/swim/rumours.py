"""The rumours a peer knows, and their round counters.

Rounds are counted with no clock sync. The origin learns its rumour at round 0; a peer
that learned a rumour with counter c in its protocol period p and sends it during its
period q sends ``c + (q - p)``. A peer's rounds-to-learn is the counter on the first copy
it receives, so a rumour's rounds are the protocol periods it spent held by the peers on
the path that first reached each peer, as each of them counted.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from p2pnet_peer.swim.member import Rumour


@dataclass(slots=True)
class KnownRumour:
    id: bytes
    origin: bytes
    payload: bytes
    rounds: int  # the counter on first receipt (0 at the origin): rounds to learn
    learned_period: int

    def counter_at(self, period: int) -> int:
        """The counter to send during ``period`` of this peer."""
        return self.rounds + (period - self.learned_period)

    def copy_at(self, period: int) -> Rumour:
        return Rumour(self.id, self.origin, self.payload, self.counter_at(period))


class RumourBook:
    def __init__(self, max_rumours: int, max_rounds: int) -> None:
        self._max = max_rumours
        self._max_rounds = max_rounds
        self._known: OrderedDict[bytes, KnownRumour] = OrderedDict()  # oldest first

    def __len__(self) -> int:
        return len(self._known)

    def __contains__(self, rumour_id: bytes) -> bool:
        return rumour_id in self._known

    def get(self, rumour_id: bytes) -> KnownRumour | None:
        return self._known.get(rumour_id)

    def all(self) -> list[KnownRumour]:
        return list(self._known.values())

    def learn(self, rumour: Rumour, period: int) -> KnownRumour | None:
        """Record a received copy; returns the new entry on first receipt, else None."""
        if rumour.id in self._known or rumour.rounds > self._max_rounds:
            return None
        known = KnownRumour(rumour.id, rumour.origin, rumour.payload, rumour.rounds, period)
        self._known[rumour.id] = known
        if len(self._known) > self._max:
            self._known.popitem(last=False)
        return known

    def live(self, period: int) -> list[KnownRumour]:
        """Rumours young enough to pass on in a push-pull exchange."""
        return [r for r in self._known.values() if r.counter_at(period) <= self._max_rounds]

    def expire(self, period: int) -> None:
        """Forget rumours held for twice the maximum age: no copy can still be circulating
        that another peer would accept, so no duplicate can look new."""
        while self._known:
            oldest = next(iter(self._known.values()))
            if period - oldest.learned_period <= 2 * self._max_rounds:
                break
            self._known.popitem(last=False)
