"""The churn schedule: who leaves and rejoins when, for the whole run.

Each churnable peer (not a bootstrap peer, not a relay) alternates between sessions and
downtimes drawn from the spec's distributions, from its own random stream; all peers are
up at t = 0, so the first leave of a peer comes one session time after the start.

maxUnavailable rule: a leave that would take more than `max_unavailable` peers down at
once is deferred. The peer waits in a FIFO queue and leaves at the moment of the next
rejoin (one waiting peer per rejoin), right after it; its session is thereby lengthened,
downtimes are never shortened. At equal times joins are applied before leaves.

In replace mode a rejoin is a new identity: the peer's generation goes up by one. Events
at or after the end of the run are dropped; a peer down at the end stays down.
Times are rounded to the millisecond, and each drawn interval is at least 1 ms.
"""

from __future__ import annotations

import heapq
import random
from collections import deque

from p2pnet_operator.planner.distributions import TimeDistribution
from p2pnet_operator.planner.model import ChurnEvent

_JOIN, _LEAVE = 0, 1  # heap order at equal times: joins first
MIN_INTERVAL_S = 0.001


def churn_schedule(
    churnable: list[int],
    streams: dict[int, random.Random],
    session: TimeDistribution,
    downtime: TimeDistribution,
    duration_s: float,
    max_unavailable: int,
    replace: bool,
) -> list[ChurnEvent]:
    """The schedule, sorted by time. `streams[i]` is peer i's private random stream."""

    def after(now: float, dist: TimeDistribution, peer: int) -> float:
        return round(now + max(dist.draw(streams[peer]), MIN_INTERVAL_S), 3)

    generation = dict.fromkeys(churnable, 0)
    heap = [(after(0.0, session, i), _LEAVE, i) for i in churnable]
    heapq.heapify(heap)
    waiting: deque[int] = deque()
    events: list[ChurnEvent] = []
    down = 0

    def leave(now: float, peer: int) -> None:
        nonlocal down
        down += 1
        events.append(ChurnEvent(now, peer, "leave", generation[peer]))
        heapq.heappush(heap, (after(now, downtime, peer), _JOIN, peer))

    while heap and heap[0][0] < duration_s:
        now, action, peer = heapq.heappop(heap)
        if action == _LEAVE:
            if down >= max_unavailable:
                waiting.append(peer)
            else:
                leave(now, peer)
            continue
        down -= 1
        if replace:
            generation[peer] += 1
        events.append(ChurnEvent(now, peer, "join", generation[peer]))
        heapq.heappush(heap, (after(now, session, peer), _LEAVE, peer))
        if waiting:
            leave(now, waiting.popleft())
    return events
