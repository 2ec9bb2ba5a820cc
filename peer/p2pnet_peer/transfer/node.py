"""TransferNode: runs swarm sessions over a transport, on the event loop's clock.

Owns one :class:`SwarmSession` and one piece store per content ID, the upload link (a
token bucket emulating an access link, rarest pieces first when busy), and two
background loops run by :meth:`maintain`: rechoking every second (the choker keeps its
own 10 s / 30 s clocks) and sending the Haves the sessions say are due (:mod:`.announcer`).
Downloads (:mod:`.download`) run in the task of whoever called :meth:`fetch`.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncIterator
from pathlib import Path

from p2pnet.v1 import transfer_pb2
from p2pnet_peer.dht.node import DhtNode
from p2pnet_peer.identity import Identity
from p2pnet_peer.kademlia.contact import Contact
from p2pnet_peer.metrics import PeerMetrics
from p2pnet_peer.swarm.bitfield import from_wire, full, to_wire
from p2pnet_peer.swarm.config import SwarmConfig
from p2pnet_peer.swarm.manifest import Manifest, PieceData
from p2pnet_peer.swarm.outcomes import Refusal
from p2pnet_peer.swarm.session import SwarmSession
from p2pnet_peer.transfer.announcer import HaveAnnouncer
from p2pnet_peer.transfer.download import Download, FetchResult
from p2pnet_peer.transfer.storage import PieceStore, Storage
from p2pnet_peer.transfer.upload_link import UploadLink
from p2pnet_peer.transport.base import PeerUnreachable, Transport
from p2pnet_peer.wire import contact_to_wire

SERVICE = "p2pnet.v1.Transfer"
CHOKE_TICK = 1.0
log = logging.getLogger("p2pnet.transfer")


class TransferNode:
    def __init__(
        self,
        identity: Identity,
        address: str,
        config: SwarmConfig,
        transport: Transport,
        dht: DhtNode,
        storage: Storage,
        *,
        metrics: PeerMetrics | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.contact = identity.contact(address)
        self.config = config
        self.transport = transport
        self.dht = dht
        self.storage = storage
        self.metrics = metrics or PeerMetrics()
        self.rng = rng or random.Random(identity.id)
        self.sessions: dict[bytes, SwarmSession] = {}
        self.stores: dict[bytes, PieceStore] = {}
        self.contacts: dict[bytes, Contact] = {}
        self.downloads: dict[bytes, Download] = {}
        self.link = UploadLink(config.upload_rate, config.burst, self.now())
        self.wire_self = contact_to_wire(self.contact)
        self.announcer = HaveAnnouncer(self)
        self.metrics.transfer_unchoked_peers.set_function(
            lambda: sum(len(s.unchoked) for s in self.sessions.values())
        )

    @property
    def id(self) -> bytes:
        return self.contact.id

    @staticmethod
    def now() -> float:
        return asyncio.get_running_loop().time()

    # -- content ----------------------------------------------------------------------------

    def open(self, manifest: Manifest, have: int | None = None) -> SwarmSession:
        """The session for ``manifest``, created from what the store holds if new."""
        session = self.sessions.get(manifest.cid)
        if session is None:
            store = self.stores[manifest.cid] = self.storage.open(manifest)
            mask = store.verified() if have is None else have
            session = SwarmSession(manifest, mask, self.config, self.rng, self.now())
            self.sessions[manifest.cid] = session
        return session

    async def publish(self, pieces: list[bytes]) -> tuple[Manifest, int]:
        """Hold ``pieces`` (all ``piece_size`` but the last) and announce them; returns the
        manifest and how many DHT peers stored the provider record."""
        manifest = Manifest.of_pieces(pieces, self.config.piece_size)
        if manifest.cid not in self.sessions:
            store = self.storage.open(manifest)
            for index, piece in enumerate(pieces):
                store.write(index, piece)
            self.open(manifest, have=full(manifest.count))
        return manifest, await self.dht.provide(manifest.cid)

    async def fetch(self, cid: bytes, output: Path | None = None) -> FetchResult:
        """Download ``cid`` from the swarm (resuming from stored pieces), write it to
        ``output`` if given; the node stays a provider afterwards."""
        if cid in self.downloads:
            raise RuntimeError("already fetching this content")
        download = self.downloads[cid] = Download(self, cid)
        try:
            return await download.run(output)
        finally:
            del self.downloads[cid]

    # -- inbound: called by TransferService once a request passed its checks -------------

    def handshake(
        self,
        sender: Contact,
        session: SwarmSession,
        mask: int,
        request: transfer_pb2.BitfieldRequest,
    ) -> transfer_pb2.BitfieldResponse:
        """``request`` passed TransferService's checks; its bitfield decodes to ``mask``."""
        now = self.now()
        if not session.connect(sender.id, now):
            return transfer_pb2.BitfieldResponse(responder=self.wire_self, accepted=False)
        self.contacts[sender.id] = sender
        session.on_bitfield(
            sender.id, mask, request.choking, request.super_seeding, request.upload_unlimited
        )
        self.rechoke(session)
        session.told_bitfield(sender.id, now)
        download = self.downloads.get(session.cid)
        if download is not None:
            download.adopt(sender)
        return transfer_pb2.BitfieldResponse(
            responder=self.wire_self,
            accepted=True,
            bitfield=to_wire(session.have, session.manifest.count),
            choking=session.neighbours[sender.id].we_choke,
            super_seeding=session.super_seeding,
            upload_unlimited=not self.config.upload_rate,
        )

    def have(
        self, sender: Contact, session: SwarmSession, mask: int, choking: bool, seeding: bool
    ) -> bool:
        if sender.id not in session.neighbours:
            return False
        self.contacts[sender.id] = sender
        session.on_have(sender.id, mask, choking, seeding)
        if session.settled(sender.id):  # it just finished, and so had we: part
            self.disconnect(session, sender.id)
            return True
        self.rechoke(session)
        download = self.downloads.get(session.cid)
        if download is not None:
            download.poke(sender.id)
        return True

    async def serve_pieces(
        self, sender: Contact, session: SwarmSession, indices: list[int]
    ) -> AsyncIterator[tuple[int, PieceData | Refusal]]:
        """The pieces ``sender`` asked for, paced by the upload link, or refusals."""
        store = self.stores[session.cid]
        upload = self.metrics.transfer_bytes.labels("upload")
        for index in indices:
            refusal = session.serve(sender.id, index)
            if refusal is not None:
                yield index, refusal
                if refusal in (Refusal.NOT_HELD, Refusal.ALREADY_OUT):
                    continue
                return
            data = store.read(index)
            trial = session.trial_wait(sender.id, len(data), self.now())
            if trial > 0:
                await asyncio.sleep(trial)
            await self.link.send(len(data), session.picker.availability[index])
            if session.choking(sender.id):  # choked while it waited: the bytes stay unsent
                self.link.bucket.refund(len(data), self.now())
                yield index, Refusal.CHOKED
                return
            session.on_uploaded(sender.id, len(data), self.now())
            upload.inc(len(data))
            yield index, data

    # -- outbound ---------------------------------------------------------------------------

    async def connect(self, session: SwarmSession, contact: Contact) -> bool:
        """Handshake with ``contact`` for ``session``'s content; False if it failed."""
        if contact.id == self.id or not session.connect(contact.id, self.now()):
            return False
        self.contacts[contact.id] = contact
        request = transfer_pb2.BitfieldRequest(
            sender=self.wire_self,
            cid=session.cid,
            bitfield=to_wire(session.have, session.manifest.count),
            choking=session.neighbours[contact.id].we_choke,
            super_seeding=session.super_seeding,
            upload_unlimited=not self.config.upload_rate,
        )
        session.told_bitfield(contact.id, self.now())
        try:
            response = await self.transport.call(
                contact.address, SERVICE, "Bitfield", request, self.config.request_timeout
            )
            if not response.accepted or response.responder.id != contact.id:
                raise ValueError("refused")
            mask = from_wire(response.bitfield, session.manifest.count)
        except (PeerUnreachable, ValueError):
            self.disconnect(session, contact.id)
            return False
        if contact.id not in session.neighbours:
            return False
        session.on_bitfield(
            contact.id, mask, response.choking, response.super_seeding, response.upload_unlimited
        )
        self.rechoke(session)
        return True

    def disconnect(self, session: SwarmSession, peer: bytes) -> None:
        session.disconnect(peer)
        download = self.downloads.get(session.cid)
        if download is not None:
            download.poke_all()
        self.announcer.poke(session)

    def rechoke(self, session: SwarmSession) -> None:
        """Run the choker; the Haves due (a choke change, our first-copy phase, a new
        neighbour's keep-alive) are looked at again either way."""
        session.rechoke(self.now())
        self.announcer.poke(session)

    def verified(self, session: SwarmSession) -> None:
        """A piece was verified: neighbours may want it, and their interest changed."""
        self.rechoke(session)

    # -- background -------------------------------------------------------------------------

    async def maintain(self) -> None:
        """Run forever: restore stored content, rechoke, and send due Haves."""
        async with asyncio.TaskGroup() as group:
            for manifest in self.storage.manifests():
                try:
                    session = self.open(manifest)
                except OSError as exc:  # e.g. no room to allocate it: a Fetch will say so
                    log.warning(
                        "stored content not reopened",
                        extra={"cid": manifest.cid.hex(), "reason": exc.strerror},
                    )
                    continue
                if session.have:
                    group.create_task(self.dht.provide(manifest.cid))
            group.create_task(self._choke_loop())
            group.create_task(self.announcer.run(group))

    async def _choke_loop(self) -> None:
        while True:
            await asyncio.sleep(CHOKE_TICK)
            for session in list(self.sessions.values()):
                self.rechoke(session)

    def close(self) -> None:
        self.storage.close()
