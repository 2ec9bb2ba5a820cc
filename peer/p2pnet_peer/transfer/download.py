"""One fetch: find providers, get the manifest, handshake, and pull pieces until done.

Everything runs in the caller's task under one TaskGroup: provider discovery (the DHT,
every ``discover_interval``), and per neighbour ``streams_per_peer`` request lanes. A
lane asks the session for up to a stream's worth of pieces (``request_batch``, more on a
fast link), streams them with GetPieces,
and sleeps on the neighbour's wake event when there is nothing to ask for (it is choked,
or the neighbour has nothing new); a Have, an unchoke or a released piece wakes it.
Each GetPieces stream is its own task so that, in endgame, the first copy of a piece
cancels the streams still fetching it elsewhere.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from p2pnet.v1 import transfer_pb2
from p2pnet_peer.kademlia.contact import Contact
from p2pnet_peer.swarm.manifest import Manifest
from p2pnet_peer.swarm.outcomes import PieceOutcome
from p2pnet_peer.swarm.session import SwarmSession
from p2pnet_peer.transfer.providers import find_manifest, find_providers
from p2pnet_peer.transport.base import PeerUnreachable

if TYPE_CHECKING:
    from p2pnet_peer.transfer.node import TransferNode

SERVICE = "p2pnet.v1.Transfer"
FIRST_RETRY = 1.0  # seconds before looking for more providers when we have few
CHOKED = transfer_pb2.PIECE_REFUSAL_CHOKED
NOT_HELD = transfer_pb2.PIECE_REFUSAL_NOT_HELD
NOT_CONNECTED = transfer_pb2.PIECE_REFUSAL_NOT_CONNECTED
ALREADY_OUT = transfer_pb2.PIECE_REFUSAL_ALREADY_OUT
log = logging.getLogger("p2pnet.transfer")


@dataclass(frozen=True)
class FetchResult:
    manifest: Manifest
    duration: float
    downloaded: int  # verified bytes received by this fetch
    resumed: int  # pieces already held when it started
    path: str = ""


class Download:
    def __init__(self, node: TransferNode, cid: bytes) -> None:
        self.node = node
        self.cid = cid
        self.session: SwarmSession | None = None
        self._group: asyncio.TaskGroup | None = None
        self._peers: dict[bytes, asyncio.Task[None]] = {}
        self._wakes: dict[bytes, asyncio.Event] = {}
        self._streams: dict[asyncio.Task[None], set[int]] = {}
        self._done = asyncio.Event()
        self._endgame = False
        metrics = node.metrics
        self._downloaded_bytes = metrics.transfer_bytes.labels("download")
        self._pieces = {o: metrics.transfer_pieces.labels(o.value) for o in PieceOutcome}

    async def run(self, output: Path | None) -> FetchResult:
        node, started = self.node, self.node.now()
        session, found = await self._open()
        self.session = session
        resumed, before = session.have.bit_count(), session.downloaded
        if not session.complete:
            async with asyncio.TaskGroup() as group:
                self._group = group
                try:
                    group.create_task(node.dht.provide(self.cid))  # partial holders serve too
                    discover = group.create_task(self._discover(found))
                    for peer in list(session.neighbours):
                        if peer in node.contacts:
                            self.adopt(node.contacts[peer])
                    await self._done.wait()
                finally:
                    # No new neighbours from here on: a handshake that arrives while the
                    # group winds down would ask it for a task it can no longer start.
                    self._group = None
                discover.cancel()
                for task in self._peers.values():
                    task.cancel()
            node.metrics.transfer_download_duration.observe(node.now() - started)
        path = ""
        if output is not None:
            node.stores[self.cid].export(output)
            path = str(output)
        duration = node.now() - started
        return FetchResult(session.manifest, duration, session.downloaded - before, resumed, path)

    async def _open(self) -> tuple[SwarmSession, list[Contact] | None]:
        """The session, and the providers found on the way (None: no lookup was needed)."""
        node = self.node
        if self.cid in node.sessions:
            return node.sessions[self.cid], None
        stored = node.storage.manifest(self.cid)
        if stored is not None:
            return node.open(stored), None  # resume from the pieces on disk
        manifest, found = await find_manifest(node, self.cid)
        return node.open(manifest), found

    async def _discover(self, found: list[Contact] | None) -> None:
        """Shake hands with providers until we have half ``max_neighbours`` (the other half
        is left for peers that arrive later and shake hands with us), or twice as many as
        pieces we lack, if fewer: a 1-piece file needs no 12 handshakes, but one spare
        neighbour in case the first chokes us. The first round takes ``found`` (the
        providers the manifest's lookup found) if given; look again every
        ``discover_interval``, or sooner (1 s, then doubling) while short of that."""
        session, config = self.session, self.node.config
        assert session is not None
        delay = FIRST_RETRY / 2
        while True:
            missing = session.manifest.count - session.have.bit_count()
            target = max(1, min(config.max_neighbours // 2, 2 * missing))
            if len(session.neighbours.keys() | self._peers.keys()) < target:
                if found is None:
                    found = await find_providers(self.node, self.cid)
                contacts, found = found, None  # later rounds look again
                for contact in contacts:
                    if len(session.neighbours.keys() | self._peers.keys()) >= target:
                        break
                    known = contact.id in session.neighbours or contact.id in self._peers
                    if not known and not session.penalties.is_banned(contact.id):
                        self._start(contact, connect=True)
            few = len(session.neighbours) < target
            delay = min(delay * 2, config.discover_interval) if few else config.discover_interval
            await asyncio.sleep(delay * (0.9 + 0.2 * self.node.rng.random()))

    def adopt(self, contact: Contact) -> None:
        """A neighbour we are already connected to (it shook hands with us): pull from it."""
        if contact.id not in self._peers and self._group is not None:
            self._start(contact, connect=False)

    def _start(self, contact: Contact, connect: bool) -> None:
        assert self._group is not None
        self._peers[contact.id] = self._group.create_task(self._peer(contact, connect))

    def poke(self, peer: bytes) -> None:
        wake = self._wakes.get(peer)
        if wake is not None:
            wake.set()

    def poke_all(self) -> None:
        for wake in self._wakes.values():
            wake.set()

    async def _peer(self, contact: Contact, connect: bool) -> None:
        try:
            if connect and not await self.node.connect(self.session, contact):  # type: ignore[arg-type]
                return
            self._wakes[contact.id] = asyncio.Event()
            async with asyncio.TaskGroup() as lanes:
                for _ in range(self.node.config.streams_per_peer):
                    lanes.create_task(self._lane(contact))
        finally:
            self._peers.pop(contact.id, None)
            self._wakes.pop(contact.id, None)

    async def _lane(self, contact: Contact) -> None:
        session, wake = self.session, self._wakes[contact.id]
        assert session is not None
        while not session.complete and contact.id in session.neighbours:
            now = self.node.now()
            pieces = session.request(contact.id, session.stream_pieces(contact.id, now), now)
            if not pieces:
                wake.clear()
                await wake.wait()
                continue
            if not self._endgame and session.picker.endgame:
                self._endgame = True
                self.poke_all()  # idle lanes may now double up on pieces in flight
            await self._fetch(contact, pieces)

    async def _fetch(self, contact: Contact, pieces: list[int]) -> None:
        session = self.session
        assert session is not None
        outstanding = set(pieces)
        task = asyncio.create_task(self._stream(contact, pieces, outstanding))
        self._streams[task] = outstanding
        try:
            await asyncio.wait([task])
        finally:
            if not task.done():
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
            del self._streams[task]
            if outstanding:
                session.release(contact.id, outstanding)
                self.poke_all()
            else:
                self.poke(contact.id)  # room in its pipeline
        if not task.cancelled() and isinstance(task.exception(), PeerUnreachable):
            log.debug("piece stream failed", extra={"peer": contact.short()})
            self.node.disconnect(session, contact.id)
        elif not task.cancelled():
            task.result()  # a bug: let it surface

    async def _stream(self, contact: Contact, pieces: list[int], outstanding: set[int]) -> None:
        node, session = self.node, self.session
        assert session is not None
        request = transfer_pb2.GetPiecesRequest(sender=node.wire_self, cid=self.cid, pieces=pieces)
        replies = node.transport.stream(
            contact.address, SERVICE, "GetPieces", request, node.config.piece_timeout
        )
        async with contextlib.aclosing(replies):  # type: ignore[type-var]
            async for reply in replies:
                if reply.refusal == CHOKED:
                    session.on_choked(contact.id)
                    return
                if reply.refusal == NOT_CONNECTED:
                    await node.connect(session, contact)  # it forgot us: handshake again
                    return
                if reply.index not in outstanding:
                    node.disconnect(session, contact.id)  # it sent what we did not ask for
                    return
                outstanding.discard(reply.index)
                if reply.refusal == NOT_HELD:
                    session.release(contact.id, [reply.index])
                    continue
                if reply.refusal == ALREADY_OUT:
                    session.on_declined(contact.id, reply.index, node.now())
                    continue
                self._received(contact, reply.index, reply.data)
                if contact.id not in session.neighbours:
                    return

    def _received(self, contact: Contact, index: int, data: bytes) -> None:
        node, session = self.node, self.session
        assert session is not None
        result = session.on_piece(contact.id, index, data, node.now())
        self.poke(contact.id)  # room in its pipeline
        self._downloaded_bytes.inc(len(data))
        self._pieces[result.outcome].inc()
        if result.outcome is PieceOutcome.VERIFIED:
            node.stores[self.cid].write(index, data)
            node.verified(session)
            if session.complete:
                self._done.set()
                self.poke_all()
            elif result.others:
                self._cancel_redundant()
        elif result.outcome is PieceOutcome.BAD:
            log.info(
                "bad piece",
                extra={"peer": contact.short(), "index": index, "dropped": result.dropped},
            )
            if result.dropped:
                node.disconnect(session, contact.id)

    def _cancel_redundant(self) -> None:
        """Endgame: cancel streams whose every outstanding piece arrived from elsewhere."""
        assert self.session is not None
        have = self.session.have
        for task, outstanding in self._streams.items():
            if outstanding and all(have >> i & 1 for i in outstanding):
                task.cancel()
