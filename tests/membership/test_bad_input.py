"""Bad membership input over real gRPC: INVALID_ARGUMENT naming the field, and the peer
keeps serving."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import grpc
import pytest

from p2pnet.v1 import control_pb2, control_pb2_grpc, membership_pb2, peer_pb2
from p2pnet_peer.daemon import PeerHost
from p2pnet_peer.identity import Identity
from p2pnet_peer.peer import PeerConfig
from p2pnet_peer.rpc_methods import method
from p2pnet_peer.wire import contact_to_wire

SERVER = Identity.from_seed(b"s" * 32)
OTHER = Identity.from_seed(b"o" * 32)
SENDER = contact_to_wire(OTHER.contact("127.0.0.1:9"))
M = membership_pb2


@pytest.fixture
async def channel() -> AsyncIterator[grpc.aio.Channel]:
    async with PeerHost(PeerConfig.local()) as host:
        hosted = await host.start_peer(SERVER, "127.0.0.1:0")
        async with grpc.aio.insecure_channel(hosted.address) as ch:
            yield ch


def update(state: int = M.MEMBER_STATE_ALIVE, reporter: bytes = b"") -> Any:
    return M.MemberUpdate(member=SENDER, state=state, incarnation=1, reporter=reporter)  # type: ignore[arg-type]


def ping(**gossip: Any) -> Any:
    return M.PingRequest(sender=SENDER, gossip=M.Gossip(**gossip))


def rumour(**changes: Any) -> Any:
    fields = {"id": b"i" * 16, "origin": b"o" * 32, "payload": b"p", "rounds": 1} | changes
    return M.Rumour(**fields)


MEMBERSHIP_CASES = [
    ("Ping", M.PingRequest(), "sender: is required"),
    ("Ping", M.PingRequest(sender=SENDER, target_id=b"x" * 32), "target_id"),
    ("Ping", ping(updates=[update(state=0)]), "gossip.updates[0].state"),
    ("Ping", ping(updates=[update(reporter=b"r" * 32)]), "gossip.updates[0].reporter"),
    ("Ping", ping(updates=[update(M.MEMBER_STATE_SUSPECT, b"r")]), "reporter"),
    ("Ping", ping(updates=[update(M.MEMBER_STATE_LEFT, b"r" * 32)]), "only a member itself"),
    (
        "Ping",
        ping(updates=[M.MemberUpdate(member=peer_pb2.PeerInfo(id=b"x"), state=1)]),
        "gossip.updates[0].member",
    ),
    ("Ping", ping(updates=[update()] * 513), "at most 512"),
    ("Ping", ping(rumours=[rumour(id=b"short")]), "gossip.rumours[0].id"),
    ("Ping", ping(rumours=[rumour(origin=b"")]), "origin"),
    ("Ping", ping(rumours=[rumour(payload=b"")]), "payload"),
    ("Ping", ping(rumours=[rumour(payload=b"p" * 1025)]), "payload"),
    ("PingReq", M.PingReqRequest(sender=SENDER), "target: is required"),
    (
        "PingReq",
        M.PingReqRequest(sender=SENDER, target=contact_to_wire(SERVER.contact("127.0.0.1:9"))),
        "third peer",
    ),
    ("PushPull", M.PushPullRequest(sender=SENDER, members=[update(state=7)]), "members[0].state"),
]


@pytest.mark.parametrize(("rpc", "request_msg", "needle"), MEMBERSHIP_CASES)
async def test_membership_rejects_bad_requests(
    channel: grpc.aio.Channel, rpc: str, request_msg: Any, needle: str
) -> None:
    spec = method("p2pnet.v1.Membership", rpc)
    call = channel.unary_unary(
        spec.path,
        request_serializer=spec.request.SerializeToString,
        response_deserializer=spec.response.FromString,
    )
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await call(request_msg, timeout=10)
    assert err.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert needle in (err.value.details() or "")
    good = await call(spec.request(sender=SENDER), timeout=10) if rpc == "Ping" else None
    assert good is None or good.responder.id == SERVER.id


@pytest.mark.parametrize(
    ("rpc", "request_msg", "needle"),
    [
        ("Broadcast", control_pb2.BroadcastRequest(), "payload"),
        ("Broadcast", control_pb2.BroadcastRequest(payload=b"x" * 1025), "payload"),
        ("Rumours", control_pb2.RumoursRequest(ids=[b"i"] * 4097), "ids"),
    ],
)
async def test_control_rejects_bad_broadcasts(
    channel: grpc.aio.Channel, rpc: str, request_msg: Any, needle: str
) -> None:
    control = control_pb2_grpc.ControlStub(channel)
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await getattr(control, rpc)(request_msg, timeout=10)
    assert err.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert needle in (err.value.details() or "")
    sent = await control.Broadcast(control_pb2.BroadcastRequest(payload=b"ok"), timeout=10)
    got = await control.Rumours(control_pb2.RumoursRequest(ids=[sent.rumour_id]), timeout=10)
    assert [r.rounds for r in got.rumours] == [0]
    status = await control.Status(control_pb2.StatusRequest(), timeout=10)
    assert status.members_alive == 0
