"""Bad input over real gRPC: every RPC answers INVALID_ARGUMENT and the peer keeps serving."""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc
import pytest

from p2pnet.v1 import control_pb2, control_pb2_grpc, dht_pb2, dht_pb2_grpc, peer_pb2
from p2pnet_peer.daemon import PeerHost
from p2pnet_peer.identity import Identity
from p2pnet_peer.peer import PeerConfig
from p2pnet_peer.wire import contact_to_wire

OTHER = Identity.from_seed(b"o" * 32)
GOOD_SENDER = contact_to_wire(OTHER.contact("127.0.0.1:9"))
KEY = b"k" * 32


@pytest.fixture
async def channel() -> AsyncIterator[grpc.aio.Channel]:
    async with PeerHost(PeerConfig.local()) as host:
        hosted = await host.start_peer(Identity.from_seed(b"s" * 32), "127.0.0.1:0")
        async with grpc.aio.insecure_channel(hosted.address) as ch:
            yield ch


def forged(**changes: object) -> peer_pb2.PeerInfo:
    info = peer_pb2.PeerInfo()
    info.CopyFrom(GOOD_SENDER)
    for k, v in changes.items():
        setattr(info, k, v)
    return info


DHT_CASES = [
    ("Ping", dht_pb2.DhtPingRequest(), "sender: is required"),
    ("Ping", dht_pb2.DhtPingRequest(sender=forged(id=b"x" * 32)), "is not SHA-256"),
    ("Ping", dht_pb2.DhtPingRequest(sender=forged(public_key=b"short")), "public_key"),
    ("Ping", dht_pb2.DhtPingRequest(sender=forged(address="no-port")), "address"),
    ("Ping", dht_pb2.DhtPingRequest(sender=forged(address="h:99999")), "address"),
    ("FindNode", dht_pb2.FindNodeRequest(sender=GOOD_SENDER, target=b"short"), "target"),
    ("FindValue", dht_pb2.FindValueRequest(sender=GOOD_SENDER, key=b""), "key"),
    ("Store", dht_pb2.StoreRequest(sender=GOOD_SENDER), "record: is required"),
    (
        "Store",
        dht_pb2.StoreRequest(
            sender=GOOD_SENDER, record=dht_pb2.Record(key=KEY, value=b"v" * 65537, ttl_seconds=9)
        ),
        "record.value",
    ),
    (
        "Store",
        dht_pb2.StoreRequest(sender=GOOD_SENDER, record=dht_pb2.Record(key=KEY, ttl_seconds=0)),
        "ttl_seconds",
    ),
    (
        "AddProvider",
        dht_pb2.AddProviderRequest(
            sender=GOOD_SENDER,
            key=KEY,
            provider=contact_to_wire(Identity.from_seed(b"z" * 32).contact("h:1")),
            ttl_seconds=10,
        ),
        "must be the sender",
    ),
    ("GetProviders", dht_pb2.GetProvidersRequest(sender=GOOD_SENDER, key=b"k"), "key"),
]

CONTROL_CASES = [
    ("Put", control_pb2.PutRequest(key=b""), "key"),
    ("Put", control_pb2.PutRequest(key=b"k" * 257), "key"),
    ("Put", control_pb2.PutRequest(key=b"k", value=b"v" * 65537), "value"),
    ("Get", control_pb2.GetRequest(key=b""), "key"),
    ("Lookup", control_pb2.LookupRequest(target=b"t" * 31), "target"),
]


async def expect_invalid(call: object, request: object, fragment: str) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await call(request, timeout=10)  # type: ignore[operator]
    assert err.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert fragment in (err.value.details() or "")


@pytest.mark.parametrize(("method", "request_", "fragment"), DHT_CASES)
async def test_dht_rejects_bad_requests(
    channel: grpc.aio.Channel, method: str, request_: object, fragment: str
) -> None:
    stub = dht_pb2_grpc.DhtStub(channel)
    await expect_invalid(getattr(stub, method), request_, fragment)
    pong = await stub.Ping(dht_pb2.DhtPingRequest(sender=GOOD_SENDER), timeout=10)
    assert pong.responder.id  # still serving


@pytest.mark.parametrize(("method", "request_", "fragment"), CONTROL_CASES)
async def test_control_rejects_bad_requests(
    channel: grpc.aio.Channel, method: str, request_: object, fragment: str
) -> None:
    stub = control_pb2_grpc.ControlStub(channel)
    await expect_invalid(getattr(stub, method), request_, fragment)
    status = await stub.Status(control_pb2.StatusRequest(), timeout=10)
    assert status.self.address


@pytest.mark.parametrize(
    "path",
    [
        "/p2pnet.v1.Dht/" + m
        for m in ("Ping", "FindNode", "FindValue", "Store", "AddProvider", "GetProviders")
    ]
    + ["/p2pnet.v1.Control/" + m for m in ("Put", "Get", "Lookup", "Status")],
)
async def test_bytes_that_are_not_protobuf_get_invalid_argument(
    channel: grpc.aio.Channel, path: str
) -> None:
    raw = channel.unary_unary(path, request_serializer=None, response_deserializer=None)
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await raw(b"\xff\xff\xff\xff\x0f garbage", timeout=10)
    assert err.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    status = await control_pb2_grpc.ControlStub(channel).Status(control_pb2.StatusRequest())
    assert status.self.id


async def test_oversized_message_is_refused_by_grpc_limit_and_peer_survives(
    channel: grpc.aio.Channel,
) -> None:
    """Over the 8 MiB transport cap gRPC itself answers RESOURCE_EXHAUSTED (its standard
    code for size limits); under it, field limits answer INVALID_ARGUMENT (above)."""
    stub = control_pb2_grpc.ControlStub(channel)
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub.Put(control_pb2.PutRequest(key=b"k", value=b"v" * (9 * 1024 * 1024)))
    assert err.value.code() is grpc.StatusCode.RESOURCE_EXHAUSTED
    assert (await stub.Status(control_pb2.StatusRequest())).self.id
