"""GetPieces replies, hand-encoded: the same bytes as protobuf's, both ways."""

from __future__ import annotations

import os

import pytest
from google.protobuf.message import DecodeError

from p2pnet.v1 import transfer_pb2
from p2pnet_peer.rpc_methods import method
from p2pnet_peer.transfer.piece_wire import PieceReply, decode, encode

CASES = [
    (0, b"", 0),
    (0, b"x", 0),
    (1, b"", transfer_pb2.PIECE_REFUSAL_CHOKED),
    (127, os.urandom(127), 0),
    (128, os.urandom(128), 0),
    (300, os.urandom(16_384), 0),
    (2**32 - 1, os.urandom(256 * 1024), 0),
    (5, b"", transfer_pb2.PIECE_REFUSAL_ALREADY_OUT),
    (6, b"", -1),  # an enum value this peer does not know (int32: ten bytes on the wire)
    (7, b"both", 99),
]


@pytest.mark.parametrize(("index", "data", "refusal"), CASES)
def test_encoding_is_the_bytes_protobuf_writes(index: int, data: bytes, refusal: int) -> None:
    message = transfer_pb2.GetPiecesResponse(index=index, data=data, refusal=refusal)
    assert encode(PieceReply(index, data, refusal)) == message.SerializeToString()
    assert encode(message) == message.SerializeToString()  # a message goes through protobuf


@pytest.mark.parametrize(("index", "data", "refusal"), CASES)
def test_decoding_reads_what_protobuf_wrote(index: int, data: bytes, refusal: int) -> None:
    wire = transfer_pb2.GetPiecesResponse(index=index, data=data, refusal=refusal)
    reply = decode(wire.SerializeToString())
    assert (reply.index, bytes(reply.data), reply.refusal) == (index, data, refusal)


def test_the_piece_is_a_view_of_the_received_bytes_not_a_copy() -> None:
    wire = encode(PieceReply(3, os.urandom(256 * 1024)))
    reply = decode(wire)
    assert isinstance(reply.data, memoryview) and reply.data.obj is wire


def test_unexpected_fields_are_left_to_protobuf() -> None:
    """A field this codec does not know (a newer sender's, say) is skipped, as protobuf
    would; so is a repeated field, where the last value wins."""
    unknown = bytes([9 << 3 | 0, 42, 10 << 3 | 2, 3]) + b"abc"
    wire = encode(PieceReply(4, b"first")) + unknown + encode(PieceReply(5, b"second"))
    reply = decode(wire)
    assert (reply.index, bytes(reply.data), reply.refusal) == (5, b"second", 0)


@pytest.mark.parametrize(
    "wire",
    [
        bytes([1 << 3 | 0, 0x80]),  # a varint cut short
        bytes([2 << 3 | 2, 10]) + b"short",  # data longer than what follows
        bytes([1 << 3 | 0]) + b"\xff" * 11,  # a varint longer than ten bytes
        b"\xff\xff",  # not protobuf at all
    ],
)
def test_malformed_bytes_are_a_decode_error(wire: bytes) -> None:
    with pytest.raises(DecodeError):
        decode(wire)


def test_the_rpc_table_uses_the_codec_for_get_pieces_only() -> None:
    get_pieces = method("p2pnet.v1.Transfer", "GetPieces")
    assert get_pieces.encode_response is encode and get_pieces.decode_response is decode
    manifest = method("p2pnet.v1.Transfer", "GetManifest")
    assert manifest.decode_response == transfer_pb2.GetManifestResponse.FromString
