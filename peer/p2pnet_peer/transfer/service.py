"""The Transfer gRPC service: checks each request, then answers from the TransferNode.

Transport-agnostic: methods take a request message and return a response (GetPieces
returns an async iterator of :class:`~p2pnet_peer.transfer.piece_wire.PieceReply`, which
the wire encodes as GetPiecesResponse), and raise :class:`~p2pnet_peer.wire.InvalidRequest` for bad
input (INVALID_ARGUMENT on gRPC). A request about content this peer does not hold is not
an error: it is answered with found / accepted / known = false, or NOT_CONNECTED.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from p2pnet.v1 import transfer_pb2
from p2pnet_peer.kademlia.contact import Contact
from p2pnet_peer.swarm.bitfield import from_wire, mask_of
from p2pnet_peer.swarm.config import MAX_PIECES_PER_REQUEST
from p2pnet_peer.swarm.outcomes import Refusal
from p2pnet_peer.swarm.session import SwarmSession
from p2pnet_peer.transfer.node import TransferNode
from p2pnet_peer.transfer.piece_wire import PieceReply
from p2pnet_peer.wire import InvalidRequest, check_key, contact_from_wire

REFUSALS = {
    Refusal.CHOKED: transfer_pb2.PIECE_REFUSAL_CHOKED,
    Refusal.NOT_HELD: transfer_pb2.PIECE_REFUSAL_NOT_HELD,
    Refusal.NOT_CONNECTED: transfer_pb2.PIECE_REFUSAL_NOT_CONNECTED,
    Refusal.ALREADY_OUT: transfer_pb2.PIECE_REFUSAL_ALREADY_OUT,
}


class TransferService:
    name = "p2pnet.v1.Transfer"

    def __init__(self, node: TransferNode) -> None:
        self.node = node

    def _sender(self, request: object) -> Contact:
        if not request.HasField("sender"):  # type: ignore[attr-defined]
            raise InvalidRequest("sender: is required")
        sender = contact_from_wire(request.sender, "sender")  # type: ignore[attr-defined]
        if sender.id == self.node.id:
            raise InvalidRequest("sender.id: is this peer's own ID")
        return sender

    def _indices(self, pieces: list[int], session: SwarmSession, limit: int) -> list[int]:
        count = session.manifest.count
        if len(pieces) > limit:
            raise InvalidRequest(f"pieces: at most {limit}, got {len(pieces)}")
        for index in pieces:
            if index >= count:
                raise InvalidRequest(f"pieces: index {index} out of range (0..{count - 1})")
        if len(set(pieces)) != len(pieces):
            raise InvalidRequest("pieces: indices must be distinct")
        return list(pieces)

    async def GetManifest(
        self, request: transfer_pb2.GetManifestRequest
    ) -> transfer_pb2.GetManifestResponse:
        self._sender(request)
        session = self.node.sessions.get(check_key(request.cid, "cid"))
        if session is None:
            return transfer_pb2.GetManifestResponse(responder=self.node.wire_self, found=False)
        return transfer_pb2.GetManifestResponse(
            responder=self.node.wire_self, found=True, manifest=session.manifest.encoded
        )

    async def Bitfield(
        self, request: transfer_pb2.BitfieldRequest
    ) -> transfer_pb2.BitfieldResponse:
        sender = self._sender(request)
        session = self.node.sessions.get(check_key(request.cid, "cid"))
        if session is None:
            return transfer_pb2.BitfieldResponse(responder=self.node.wire_self, accepted=False)
        try:
            mask = from_wire(request.bitfield, session.manifest.count)
        except ValueError as exc:
            raise InvalidRequest(f"bitfield: {exc}") from None
        return self.node.handshake(sender, session, mask, request)

    async def Have(self, request: transfer_pb2.HaveRequest) -> transfer_pb2.HaveResponse:
        sender = self._sender(request)
        session = self.node.sessions.get(check_key(request.cid, "cid"))
        if session is None:
            return transfer_pb2.HaveResponse(responder=self.node.wire_self, known=False)
        count = session.manifest.count
        indices = self._indices(list(set(request.pieces)), session, count)
        mask = mask_of(indices)
        known = self.node.have(sender, session, mask, request.choking, request.super_seeding)
        return transfer_pb2.HaveResponse(responder=self.node.wire_self, known=known)

    async def GetPieces(self, request: transfer_pb2.GetPiecesRequest) -> AsyncIterator[PieceReply]:
        sender = self._sender(request)
        session = self.node.sessions.get(check_key(request.cid, "cid"))
        if not request.pieces:
            raise InvalidRequest("pieces: at least one index is required")
        if session is None:
            yield PieceReply(request.pieces[0], refusal=transfer_pb2.PIECE_REFUSAL_NOT_CONNECTED)
            return
        indices = self._indices(list(request.pieces), session, MAX_PIECES_PER_REQUEST)
        async for index, outcome in self.node.serve_pieces(sender, session, indices):
            if isinstance(outcome, Refusal):
                yield PieceReply(index, refusal=REFUSALS[outcome])
            else:
                yield PieceReply(index, outcome)
