"""Lifeguard local health awareness: a peer that seems slow itself slows down.

A score in ``0 .. max_multiplier - 1`` (memberlist's ``awareness.go``): +1 when this peer
has to refute a suspicion about itself, +1 for each helper that sent no answer (no nack)
to an indirect probe that failed (+1 for a failed probe with no helpers), -1 for each
probe that got an ack. The protocol period, and here also the gossip interval, are
multiplied by ``score + 1``: an overloaded peer probes and gossips less, so it neither
takes its own slowness for others' deaths nor feeds a storm of suspicions.
"""

from __future__ import annotations


class LocalHealth:
    def __init__(self, max_multiplier: int) -> None:
        self._max = max(1, max_multiplier)
        self.score = 0

    def apply(self, delta: int) -> None:
        self.score = min(self._max - 1, max(0, self.score + delta))

    def scale(self, seconds: float) -> float:
        return seconds * (self.score + 1)
