"""Where the churn schedule stands: a cursor in seconds since the network started.

Events at or before the cursor have been applied. The state they leave (who is down, each
peer's identity generation) is a replay of the plan's events up to the cursor, so it is
never stored, only the cursor is (`status.churn.cursorSeconds`). If the spec changes and
with it the plan, the new plan's events up to the cursor count as applied: the network
jumps to where the new schedule says it is, and churn goes on from there.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from p2pnet_operator.planner import ChurnEvent


@dataclass(frozen=True)
class ChurnState:
    down: frozenset[int] = frozenset()
    generations: Mapping[int, int] = field(default_factory=dict)

    def generation(self, peer: int) -> int:
        return self.generations.get(peer, 0)

    def is_up(self, peer: int) -> bool:
        return peer not in self.down


def churn_state(events: Iterable[ChurnEvent], cursor_s: float) -> ChurnState:
    """Replay the (time-sorted) events at or before `cursor_s`."""
    down: set[int] = set()
    generations: dict[int, int] = {}
    for event in events:
        if event.time_s > cursor_s:
            break
        if event.action == "leave":
            down.add(event.peer)
        else:
            down.discard(event.peer)
        generations[event.peer] = event.generation
    return ChurnState(frozenset(down), {p: g for p, g in generations.items() if g})


def due_events(events: Sequence[ChurnEvent], cursor_s: float, now_s: float) -> list[ChurnEvent]:
    """Events after the cursor and at or before `now_s`, in schedule order."""
    return [e for e in events if cursor_s < e.time_s <= now_s]
