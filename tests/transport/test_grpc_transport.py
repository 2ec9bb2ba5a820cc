"""The gRPC transport over real loopback channels."""

from __future__ import annotations

import asyncio

import grpc
import pytest

from p2pnet.v1 import nat_pb2, transfer_pb2
from p2pnet_peer.metrics import PeerMetrics
from p2pnet_peer.rpc_server import add_services, build_server
from p2pnet_peer.transport.base import PeerUnreachable
from p2pnet_peer.transport.grpc_channels import ChannelPool, GrpcTransport

SERVICE = "p2pnet.v1.Nat"
TRANSFER = "p2pnet.v1.Transfer"


class Pinged:
    name = SERVICE

    async def Ping(self, request: nat_pb2.NatPingRequest) -> nat_pb2.NatPingResponse:
        return nat_pb2.NatPingResponse()


async def _serve(port: int = 0) -> tuple[grpc.aio.Server, int]:
    """A server on ``port`` (0: any); a port just given up may take a moment to bind."""
    for _ in range(100):
        server, _ = build_server(PeerMetrics())
        bound = server.add_insecure_port(f"127.0.0.1:{port}")
        if bound and (bound == port or not port):
            add_services(server, {SERVICE: Pinged()})
            await server.start()
            return server, bound
        await server.stop(None)
        await asyncio.sleep(0.05)
    raise RuntimeError(f"cannot bind 127.0.0.1:{port}")


async def _ping(transport: GrpcTransport, address: str) -> None:
    await transport.call(address, SERVICE, "Ping", nat_pb2.NatPingRequest(), timeout=5.0)


async def test_a_peer_back_on_its_address_is_reached_at_once() -> None:
    """A channel that found its peer gone backs off before it reconnects (200 ms, then
    doubling up to 2 s) and meanwhile fails every call at once. A peer restarted on the
    same address (churn) must be reachable right away: an AutoNAT dial-back in that
    window used to report a public peer unreachable, hence private."""
    pool = ChannelPool()
    transport = GrpcTransport(pool)
    server, port = await _serve()
    address = f"127.0.0.1:{port}"
    try:
        await _ping(transport, address)
        await server.stop(None)
        for _ in range(3):  # each failure doubles the channel's backoff
            with pytest.raises(PeerUnreachable):
                await _ping(transport, address)
        server, _ = await _serve(port)
        await _ping(transport, address)
    finally:
        await server.stop(None)
        await pool.close()


class SlowPing(Pinged):
    async def Ping(self, request: nat_pb2.NatPingRequest) -> nat_pb2.NatPingResponse:
        await asyncio.sleep(0.5)
        return nat_pb2.NatPingResponse()


async def _call_in_flight_then_forget() -> tuple[
    ChannelPool, GrpcTransport, grpc.aio.Server, str, asyncio.Future[None]
]:
    """A server whose Ping takes 0.5 s, a Ping 0.2 s into it, and the pool dropping the
    call's channel (as after another call's UNAVAILABLE)."""
    pool = ChannelPool()
    transport = GrpcTransport(pool)
    server, _ = build_server(PeerMetrics())
    port = server.add_insecure_port("127.0.0.1:0")
    add_services(server, {SERVICE: SlowPing()})
    await server.start()
    address = f"127.0.0.1:{port}"
    slow = asyncio.ensure_future(_ping(transport, address))
    await asyncio.sleep(0.2)
    pool.forget(address)
    return pool, transport, server, address, slow


async def test_calls_in_flight_finish_when_their_channel_is_dropped() -> None:
    """A call that fails UNAVAILABLE drops its channel from the pool; other calls on that
    channel (made once the peer was back, say) must not be cancelled with it. Under
    churn, a Publish on a restarted peer was: "Cancelling all calls"."""
    pool, transport, server, address, slow = await _call_in_flight_then_forget()
    try:
        await slow  # raised PeerUnreachable (CANCELLED) when the channel closed at once
        await _ping(transport, address)  # and new calls get a new channel
    finally:
        await server.stop(None)
        await pool.close()


async def test_closing_the_pool_does_not_wait_for_calls_on_dropped_channels() -> None:
    """A peer shutting down closes its pool at once, calls on dropped channels included."""
    pool, _, server, _, slow = await _call_in_flight_then_forget()
    try:
        async with asyncio.timeout(0.2):  # well before the slow call's 0.5 s
            await pool.close()
            await asyncio.gather(slow, return_exceptions=True)  # it ended, cancelled
    finally:
        await server.stop(None)


async def test_a_response_that_does_not_parse_fails_the_call_as_unreachable() -> None:
    """gRPC hands the caller None when a response does not decode (it only logs the
    error): a peer answering garbage must fail the call like an unreachable peer, not
    crash its caller on None."""

    async def garbage(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
        return b"\xff\xff"

    async def garbage_stream(request: bytes, context: grpc.aio.ServicerContext) -> object:
        yield b"\xff\xff"

    handler = grpc.method_handlers_generic_handler(
        TRANSFER,
        {
            "GetManifest": grpc.unary_unary_rpc_method_handler(garbage),
            "GetPieces": grpc.unary_stream_rpc_method_handler(garbage_stream),
        },
    )
    server = grpc.aio.server()
    server.add_generic_rpc_handlers((handler,))
    address = f"127.0.0.1:{server.add_insecure_port('127.0.0.1:0')}"
    await server.start()
    transport = GrpcTransport(ChannelPool())
    try:
        request = transfer_pb2.GetManifestRequest()
        with pytest.raises(PeerUnreachable, match="not valid"):
            await transport.call(address, TRANSFER, "GetManifest", request, 5.0)
        pieces = transfer_pb2.GetPiecesRequest(pieces=[0])
        with pytest.raises(PeerUnreachable, match="not valid"):
            async for _ in transport.stream(address, TRANSFER, "GetPieces", pieces, 5.0):
                pass
    finally:
        await server.stop(None)
