"""A relay's reservations and limits (sans-I/O).

A reservation is held by one peer (by ID) until it expires; reserving again replaces
it (a new generation, so the old stream's cleanup cannot remove the new one). Each
reservation carries at most ``max_circuits`` relayed calls at once; the relay holds at
most ``max_reservations``.
"""

from __future__ import annotations

from dataclasses import dataclass

OK = "ok"
NO_RESERVATION = "no_reservation"
RESOURCE_LIMIT = "resource_limit"


@dataclass
class Reservation:
    expiry: float
    generation: int
    circuits: int = 0


class RelayBook:
    def __init__(self, max_reservations: int, max_circuits: int, ttl: float) -> None:
        self.max_reservations = max_reservations
        self.max_circuits = max_circuits
        self.ttl = ttl
        self._held: dict[bytes, Reservation] = {}
        self._generation = 0

    def __len__(self) -> int:
        return len(self._held)

    def expire(self, now: float) -> list[bytes]:
        gone = [p for p, r in self._held.items() if r.expiry <= now]
        for peer in gone:
            del self._held[peer]
        return gone

    def reserve(self, peer: bytes, ttl: float, now: float) -> tuple[str, float, int]:
        """(status, granted ttl, generation)."""
        self.expire(now)
        if peer not in self._held and len(self._held) >= self.max_reservations:
            return RESOURCE_LIMIT, 0.0, 0
        granted = min(ttl, self.ttl) if ttl > 0 else self.ttl
        self._generation += 1
        self._held[peer] = Reservation(now + granted, self._generation)
        return OK, granted, self._generation

    def release(self, peer: bytes, generation: int) -> None:
        held = self._held.get(peer)
        if held is not None and held.generation == generation:
            del self._held[peer]

    def holds(self, peer: bytes, now: float) -> bool:
        held = self._held.get(peer)
        return held is not None and held.expiry > now

    def open_circuit(self, target: bytes, now: float) -> str:
        held = self._held.get(target)
        if held is None or held.expiry <= now:
            return NO_RESERVATION
        if held.circuits >= self.max_circuits:
            return RESOURCE_LIMIT
        held.circuits += 1
        return OK

    def close_circuit(self, target: bytes) -> None:
        held = self._held.get(target)
        if held is not None and held.circuits > 0:
            held.circuits -= 1
