"""Rumours: inject one at a random live peer, then measure how far and how fast it spread.

Convergence is read from the peers themselves (``Control.Rumours``): each peer records the
round counter the rumour carried when it first arrived, so no clock sync is involved. Only
peers that were up from the broadcast to the end of the measurement count: a peer that
joined later may legitimately never hear an old rumour.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
from typing import TYPE_CHECKING

from p2pnet.v1 import control_pb2
from p2pnet_peer.transport.base import PeerUnreachable

if TYPE_CHECKING:
    from p2pnet_testbed.workload import Workload

POLL_S = 1.0


async def broadcast_and_measure(w: Workload, settle_timeout_s: float) -> None:
    origin = w.pick()
    if origin is None:
        return
    try:
        res = await w.call(
            origin, "Broadcast", control_pb2.BroadcastRequest(payload=os.urandom(64))
        )
    except PeerUnreachable as exc:
        w.log.write("rumour", ok=False, peer=origin.index, error=exc.reason)
        return
    rumour = res.rumour_id
    audience = {s.id: s for s in w.network.live()}
    rounds: dict[str, int] = {}
    started = time.monotonic()
    deadline = started + settle_timeout_s
    while True:
        live = {s.id for s in w.network.live()}
        audience = {i: s for i, s in audience.items() if i in live}  # left: not counted
        pending = [s for i, s in audience.items() if i not in rounds]
        replies = await asyncio.gather(
            *(w.call(s, "Rumours", control_pb2.RumoursRequest(ids=[rumour])) for s in pending),
            return_exceptions=True,
        )
        for slot, reply in zip(pending, replies, strict=True):
            if isinstance(reply, control_pb2.RumoursResponse) and reply.rumours:
                rounds[slot.id] = reply.rumours[0].rounds
        informed = [i for i in audience if i in rounds]
        if len(informed) == len(audience) or time.monotonic() >= deadline:
            break
        await asyncio.sleep(POLL_S)
    counted = [rounds[i] for i in audience if i in rounds]
    fraction = len(counted) / len(audience) if audience else 0.0
    w.log.write(
        "rumour",
        ok=fraction >= 1.0,
        peer=origin.index,
        audience=len(audience),
        informed_fraction=round(fraction, 4),
        rounds_max=max(counted) if counted else None,
        rounds_p50=statistics.median(counted) if counted else None,
        seconds=round(time.monotonic() - started, 2),
    )
