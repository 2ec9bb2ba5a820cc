"""Sends the Haves that swarm sessions say are due: one in flight per neighbour.

Each Have is an owned task in the node's TaskGroup. A neighbour that does not answer is
disconnected; one that no longer knows us (it restarted) gets a new handshake.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from typing import TYPE_CHECKING

from p2pnet.v1 import transfer_pb2
from p2pnet_peer.swarm.outcomes import Announcement
from p2pnet_peer.swarm.session import SwarmSession
from p2pnet_peer.transport.base import PeerUnreachable

if TYPE_CHECKING:
    from p2pnet_peer.transfer.node import TransferNode

SERVICE = "p2pnet.v1.Transfer"
MIN_WAIT = 0.001  # seconds: the loop never spins faster than this


class HaveAnnouncer:
    """Each session's next due time is kept. A poke for one session recomputes only its
    time, and wakes the loop only if that is sooner than the loop's wake-up: a piece
    whose Haves go out with the next batch costs no wake-up, and a peer holding many
    contents does not scan them all for every piece it verifies."""

    def __init__(self, node: TransferNode) -> None:
        self.node = node
        self._due = asyncio.Event()
        self._busy: dict[bytes, set[bytes]] = {}  # cid -> neighbours with a Have in flight
        self._next: dict[bytes, float] = {}  # cid -> when its next Have is due
        self._wake_at = 0.0  # when the loop wakes up next on its own
        self._all = True  # the first pass looks at every session

    def poke(self, session: SwarmSession) -> None:
        """Something changed in ``session`` (a piece, a choke decision, a neighbour): look
        again at when its next Have is due."""
        at = session.next_announcement(self._busy.get(session.cid, ()))
        if at is None:
            self._next.pop(session.cid, None)
            return
        self._next[session.cid] = at
        if at < self._wake_at:
            self._due.set()

    async def run(self, group: asyncio.TaskGroup) -> None:
        node = self.node
        while True:
            now = node.now()
            if self._all:
                self._all, look = False, list(node.sessions)
            else:
                look = [cid for cid, at in self._next.items() if at <= now + MIN_WAIT]
            for cid in look:
                session = node.sessions.get(cid)
                if session is None:
                    self._next.pop(cid, None)
                    continue
                busy = self._busy.setdefault(cid, set())
                for note in session.announcements(now, busy):
                    busy.add(note.peer)
                    group.create_task(self._send(session, note))
                at = session.next_announcement(busy)
                if at is None:
                    self._next.pop(cid, None)
                else:
                    self._next[cid] = at
            self._due.clear()
            due = min(self._next.values(), default=None)
            self._wake_at = math.inf if due is None else max(now + MIN_WAIT, due)
            timeout = None if due is None else max(0.0, self._wake_at - node.now())
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(timeout):
                    await self._due.wait()

    async def _send(self, session: SwarmSession, note: Announcement) -> None:
        node = self.node
        contact = node.contacts.get(note.peer)
        try:
            if contact is None:
                return
            request = transfer_pb2.HaveRequest(
                sender=node.wire_self,
                cid=session.cid,
                pieces=note.pieces,
                choking=note.choking,
                super_seeding=note.super_seeding,
            )
            try:
                response = await node.transport.call(
                    contact.address, SERVICE, "Have", request, node.config.request_timeout
                )
            except PeerUnreachable:
                node.disconnect(session, note.peer)
                return
            if not response.known and note.peer in session.neighbours:
                await node.connect(session, contact)  # it forgot us: handshake again
            elif session.settled(note.peer):  # it heard we are done, and it is a seed: part
                node.disconnect(session, note.peer)
        finally:
            self._busy.get(session.cid, set()).discard(note.peer)
            self.poke(session)
