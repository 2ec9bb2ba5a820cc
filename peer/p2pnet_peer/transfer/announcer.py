"""Sends the Haves that swarm sessions say are due: one in flight per neighbour.

Each Have is an owned task in the node's TaskGroup. A neighbour that does not answer is
disconnected; one that no longer knows us (it restarted) gets a new handshake.
"""

from __future__ import annotations

import asyncio
import contextlib
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
    def __init__(self, node: TransferNode) -> None:
        self.node = node
        self._due = asyncio.Event()
        self._busy: dict[bytes, set[bytes]] = {}  # cid -> neighbours with a Have in flight

    def poke(self) -> None:
        """Something changed (a piece, a choke decision, a neighbour): look again."""
        self._due.set()

    async def run(self, group: asyncio.TaskGroup) -> None:
        node = self.node
        while True:
            now = node.now()
            due: float | None = None
            for cid, session in list(node.sessions.items()):
                busy = self._busy.setdefault(cid, set())
                for note in session.announcements(now, busy):
                    busy.add(note.peer)
                    group.create_task(self._send(session, note))
                at = session.next_announcement(busy)
                if at is not None and (due is None or at < due):
                    due = at
            self._due.clear()
            timeout = None if due is None else max(MIN_WAIT, due - node.now())
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
            self._due.set()
