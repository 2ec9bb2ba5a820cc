"""A transmit-limited broadcast queue: what gets piggybacked on the next message.

Each item is sent at most ``limit`` times (the caller computes it from N when it takes,
as memberlist does), fewest-transmitted first and, among equals, newest first, so fresh
news always finds room. Pushing an item under a key already queued replaces it and resets
its count: newer news about one member invalidates the older (memberlist's
``TransmitLimitedQueue``).
"""

from __future__ import annotations

from collections.abc import Container, Hashable
from dataclasses import dataclass
from typing import Any


@dataclass(slots=True)
class _Entry:
    item: Any
    size: int


class BroadcastQueue:
    def __init__(self) -> None:
        # _levels[t]: entries sent t times, oldest first (dicts keep insertion order)
        self._levels: list[dict[Hashable, _Entry]] = [{}]
        self._level_of: dict[Hashable, int] = {}

    def __len__(self) -> int:
        return len(self._level_of)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._level_of

    def push(self, key: Hashable, item: Any, size: int) -> None:
        self.discard(key)
        self._levels[0][key] = _Entry(item, size)
        self._level_of[key] = 0

    def discard(self, key: Hashable) -> None:
        level = self._level_of.pop(key, None)
        if level is not None:
            del self._levels[level][key]

    def transmits(self, key: Hashable) -> int | None:
        level = self._level_of.get(key)
        return None if level is None else level

    def take(self, budget: int, limit: int, skip: Container[Hashable] = ()) -> list[Any]:
        """Items to piggyback on one message, within ``budget`` bytes; each taken one counts
        as transmitted once more and leaves the queue after ``limit`` transmits. Keys in
        ``skip`` (what the recipient just told us) are neither sent nor counted."""
        self._drop_from(limit)
        taken: list[tuple[Hashable, _Entry, int]] = []
        for level, entries in enumerate(self._levels):
            for key in reversed(entries):
                entry = entries[key]
                if entry.size <= budget and key not in skip:
                    budget -= entry.size
                    taken.append((key, entry, level))
                if budget < 32:
                    break
            if budget < 32:
                break
        for key, entry, level in taken:
            del self._levels[level][key]
            if level + 1 >= limit:
                del self._level_of[key]
                continue
            if level + 1 == len(self._levels):
                self._levels.append({})
            self._levels[level + 1][key] = entry
            self._level_of[key] = level + 1
        return [entry.item for _, entry, _ in taken]

    def _drop_from(self, limit: int) -> None:
        """N shrank: items already sent ``limit`` times are done."""
        while len(self._levels) > max(1, limit):
            for key in self._levels.pop():
                del self._level_of[key]
