"""How many peers a churn schedule has down, over time."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any


def unavailable_over_time(events: Iterable[Any]) -> Iterator[tuple[float, int]]:
    """(time_s, peers down right after that event), for each event in schedule order."""
    down = 0
    for event in events:
        down += 1 if event.action == "leave" else -1
        yield event.time_s, down


def unavailable_peak(events: Iterable[Any]) -> int:
    return max((down for _, down in unavailable_over_time(events)), default=0)
