"""The gRPC transport: calls over a process-wide pool of grpc.aio channels.

All peers in one process share one pool keyed by address, so hundreds of peers that talk
to the same neighbours do not open hundreds of channels each. The pool is bounded; the
least recently used channel is closed when it is full.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import AsyncIterator, Sequence
from typing import Any

import grpc
from google.protobuf.message import Message

from p2pnet_peer import tracing
from p2pnet_peer.rpc_methods import method
from p2pnet_peer.rpc_server import MAX_MESSAGE_BYTES
from p2pnet_peer.transport.base import PeerUnreachable
from p2pnet_peer.transport.call_context import outbound_metadata

CHANNEL_OPTIONS = (
    ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
    ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
    ("grpc.enable_retries", 0),
    ("grpc.initial_reconnect_backoff_ms", 200),
    ("grpc.max_reconnect_backoff_ms", 2000),
    # Each channel its own connections: grpc otherwise shares them process-wide, and a
    # channel made to replace one that gave up (see GrpcTransport._unreachable) would
    # inherit its connection's reconnect backoff.
    ("grpc.use_local_subchannel_pool", 1),
)
FORGET_GRACE = 60.0  # seconds calls in flight on a forgotten channel have to finish


def open_channel(
    address: str, interceptors: Sequence[grpc.aio.ClientInterceptor] | None = None
) -> grpc.aio.Channel:
    """The one place client channels are made. ``interceptors`` None: tracing's, when
    tracing is on (:mod:`p2pnet_peer.tracing`), else none."""
    chosen = tracing.client_interceptors() if interceptors is None else list(interceptors)
    return grpc.aio.insecure_channel(address, options=CHANNEL_OPTIONS, interceptors=chosen or None)


class ChannelPool:
    def __init__(
        self,
        max_channels: int = 1024,
        interceptors: Sequence[grpc.aio.ClientInterceptor] | None = None,
    ) -> None:
        self._max = max_channels
        self._interceptors = (
            tracing.client_interceptors() if interceptors is None else list(interceptors)
        )
        self._channels: OrderedDict[str, grpc.aio.Channel] = OrderedDict()
        self._retiring: dict[grpc.aio.Channel, asyncio.Task[None]] = {}

    def get(self, address: str) -> grpc.aio.Channel:
        channel = self._channels.get(address)
        if channel is not None:
            self._channels.move_to_end(address)
            return channel
        channel = open_channel(address, self._interceptors)
        self._channels[address] = channel
        if len(self._channels) > self._max:
            _, old = self._channels.popitem(last=False)
            self._retire(old, grace=1.0)
        return channel

    def forget(self, address: str) -> None:
        """New calls to ``address`` get a new channel; calls in flight on the old one
        have ``FORGET_GRACE`` seconds to finish (one that failed is no sign the others
        will: a call made once the peer was back rides a working connection)."""
        channel = self._channels.pop(address, None)
        if channel is not None:
            self._retire(channel, grace=FORGET_GRACE)

    def _retire(self, channel: grpc.aio.Channel, grace: float) -> None:
        """Close ``channel`` once its calls are done, or after ``grace`` seconds."""
        task = asyncio.create_task(channel.close(grace=grace))
        self._retiring[channel] = task
        task.add_done_callback(lambda _: self._retiring.pop(channel, None))

    async def close(self) -> None:
        """Close every channel now, retiring ones too (their calls are cancelled)."""
        retiring = dict(self._retiring)
        for task in retiring.values():
            task.cancel()
        await asyncio.gather(*retiring.values(), return_exceptions=True)
        channels = [*self._channels.values(), *retiring]
        self._channels.clear()
        await asyncio.gather(*(c.close() for c in channels), return_exceptions=True)


class GrpcTransport:
    def __init__(self, pool: ChannelPool) -> None:
        self._pool = pool

    async def call(
        self, address: str, service: str, method_name: str, request: Message, timeout: float
    ) -> Any:
        rpc = method(service, method_name)
        channel = self._pool.get(address)
        stub = channel.unary_unary(
            rpc.path,
            request_serializer=rpc.request.SerializeToString,
            response_deserializer=rpc.decode_response,
        )
        try:
            response = await stub(
                request, timeout=timeout, metadata=outbound_metadata.get() or None
            )
        except grpc.aio.AioRpcError as exc:
            raise self._unreachable(address, exc) from None
        if response is None:  # grpc logs the decode error and hands us None
            raise PeerUnreachable(address, f"{method_name}: the response is not valid")
        return response

    async def stream(
        self, address: str, service: str, method_name: str, request: Message, timeout: float
    ) -> AsyncIterator[Any]:
        rpc = method(service, method_name)
        stub = self._pool.get(address).unary_stream(
            rpc.path,
            request_serializer=rpc.request.SerializeToString,
            response_deserializer=rpc.decode_response,
        )
        call = stub(request, timeout=timeout, metadata=outbound_metadata.get() or None)
        try:
            async for item in call:
                if item is None:
                    raise PeerUnreachable(address, f"{method_name}: a response is not valid")
                yield item
        except grpc.aio.AioRpcError as exc:
            raise self._unreachable(address, exc) from None
        finally:
            call.cancel()

    def _unreachable(self, address: str, exc: grpc.aio.AioRpcError) -> PeerUnreachable:
        """UNAVAILABLE: the channel could not reach the peer, and for a while (its
        reconnect backoff, up to 2 s) it would fail every call at once, even after the
        peer is back (a restart on the same address). Drop it from the pool, so the next
        call dials afresh: an AutoNAT dial-back, say, must test a new dial."""
        if exc.code() == grpc.StatusCode.UNAVAILABLE:
            self._pool.forget(address)
        return PeerUnreachable(address, f"{exc.code().name}: {exc.details()}")

    async def close(self) -> None:
        return None
