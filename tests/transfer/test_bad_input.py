"""Bad input over real gRPC: every Transfer RPC (and Publish / Fetch) answers
INVALID_ARGUMENT, and the peer keeps serving."""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc
import pytest

from p2pnet.v1 import control_pb2, control_pb2_grpc, transfer_pb2, transfer_pb2_grpc
from p2pnet_peer.daemon import PeerHost
from p2pnet_peer.identity import Identity
from p2pnet_peer.peer import PeerConfig
from p2pnet_peer.wire import contact_to_wire

SENDER = contact_to_wire(Identity.from_seed(b"o" * 32).contact("127.0.0.1:9"))
CONTENT = b"x" * (600 * 1024)  # 3 pieces of 256 KiB


@pytest.fixture
async def served() -> AsyncIterator[tuple[grpc.aio.Channel, bytes]]:
    """A peer holding CONTENT, and a channel to it."""
    async with PeerHost(PeerConfig.local()) as host:
        hosted = await host.start_peer(Identity.from_seed(b"s" * 32), "127.0.0.1:0")
        async with grpc.aio.insecure_channel(hosted.address) as ch:
            control = control_pb2_grpc.ControlStub(ch)
            published = await control.Publish(control_pb2.PublishRequest(data=CONTENT))
            yield ch, published.cid


def cases(cid: bytes) -> list[tuple[str, object, str]]:
    T = transfer_pb2
    return [
        ("GetManifest", T.GetManifestRequest(cid=cid), "sender: is required"),
        ("GetManifest", T.GetManifestRequest(sender=SENDER, cid=b"c" * 31), "cid"),
        ("Bitfield", T.BitfieldRequest(sender=SENDER, cid=b""), "cid"),
        ("Bitfield", T.BitfieldRequest(sender=SENDER, cid=cid, bitfield=b"\0\0"), "bitfield"),
        ("Bitfield", T.BitfieldRequest(sender=SENDER, cid=cid, bitfield=b"\xf0"), "past piece"),
        ("Have", T.HaveRequest(cid=cid, pieces=[0]), "sender: is required"),
        ("Have", T.HaveRequest(sender=SENDER, cid=cid, pieces=[3]), "out of range"),
        ("GetPieces", T.GetPiecesRequest(sender=SENDER, cid=cid), "at least one"),
        ("GetPieces", T.GetPiecesRequest(sender=SENDER, cid=cid, pieces=[7]), "out of range"),
        ("GetPieces", T.GetPiecesRequest(sender=SENDER, cid=cid, pieces=[1, 1]), "distinct"),
        ("GetPieces", T.GetPiecesRequest(sender=SENDER, cid=b"c", pieces=[0]), "cid"),
    ]


STREAMING = {"GetPieces", "Fetch"}


async def expect_invalid(stub: object, method: str, request: object) -> str:
    """Call ``method`` on ``stub``; it must fail with INVALID_ARGUMENT. Its details."""
    with pytest.raises(grpc.aio.AioRpcError) as err:
        call = getattr(stub, method)(request, timeout=10)
        if method in STREAMING:
            async for _ in call:
                pass
        else:
            await call
    assert err.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    return err.value.details() or ""


async def test_every_transfer_rpc_rejects_bad_requests(
    served: tuple[grpc.aio.Channel, bytes],
) -> None:
    channel, cid = served
    stub = transfer_pb2_grpc.TransferStub(channel)
    for method, request, fragment in cases(cid):
        assert fragment in await expect_invalid(stub, method, request), (method, request)
    answer = await stub.GetManifest(transfer_pb2.GetManifestRequest(sender=SENDER, cid=cid))
    assert answer.found  # still serving


async def test_unknown_content_is_an_answer_not_an_error(
    served: tuple[grpc.aio.Channel, bytes],
) -> None:
    stub = transfer_pb2_grpc.TransferStub(served[0])
    other = b"u" * 32
    assert not (
        await stub.GetManifest(transfer_pb2.GetManifestRequest(sender=SENDER, cid=other))
    ).found
    shake = await stub.Bitfield(transfer_pb2.BitfieldRequest(sender=SENDER, cid=other))
    assert not shake.accepted
    assert not (await stub.Have(transfer_pb2.HaveRequest(sender=SENDER, cid=other))).known
    replies = [r async for r in stub.GetPieces(
        transfer_pb2.GetPiecesRequest(sender=SENDER, cid=other, pieces=[0])
    )]  # fmt: skip
    assert [r.refusal for r in replies] == [transfer_pb2.PIECE_REFUSAL_NOT_CONNECTED]
    # Without a handshake a peer is not served; after one it is choked until unchoked.
    replies = [r async for r in stub.GetPieces(
        transfer_pb2.GetPiecesRequest(sender=SENDER, cid=served[1], pieces=[0])
    )]  # fmt: skip
    assert [r.refusal for r in replies] == [transfer_pb2.PIECE_REFUSAL_NOT_CONNECTED]


@pytest.mark.parametrize(
    ("method", "request_", "fragment"),
    [
        ("Publish", control_pb2.PublishRequest(), "source"),
        ("Publish", control_pb2.PublishRequest(data=b""), "empty"),
        ("Publish", control_pb2.PublishRequest(path="/nonexistent/file"), "regular file"),
        ("Fetch", control_pb2.FetchRequest(cid=b"c" * 5), "cid"),
        ("Fetch", control_pb2.FetchRequest(cid=b"c" * 32, output_path="rel/out"), "output"),
    ],
)
async def test_publish_and_fetch_reject_bad_requests(
    served: tuple[grpc.aio.Channel, bytes], method: str, request_: object, fragment: str
) -> None:
    stub = control_pb2_grpc.ControlStub(served[0])
    assert fragment in await expect_invalid(stub, method, request_)
    assert (await stub.Status(control_pb2.StatusRequest())).transfers


@pytest.mark.parametrize("method", ["GetManifest", "Bitfield", "Have", "GetPieces"])
async def test_bytes_that_are_not_protobuf_get_invalid_argument(
    served: tuple[grpc.aio.Channel, bytes], method: str
) -> None:
    path = f"/p2pnet.v1.Transfer/{method}"
    channel = served[0]
    if method == "GetPieces":
        call = channel.unary_stream(path, request_serializer=None, response_deserializer=None)
    else:
        call = channel.unary_unary(path, request_serializer=None, response_deserializer=None)
    with pytest.raises(grpc.aio.AioRpcError) as err:
        result = call(b"\xff\xff\xff\xff\x0f garbage", timeout=10)
        if method == "GetPieces":
            async for _ in result:
                pass
        else:
            await result
    assert err.value.code() is grpc.StatusCode.INVALID_ARGUMENT
