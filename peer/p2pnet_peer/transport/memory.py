"""An in-memory network: peers in one process, no sockets, latency and loss on demand.

Run it on a virtual clock (:mod:`p2pnet_peer.virtual_time`) and thousands of peers
exchange requests in seconds of real time, with the same services and drivers that run
over gRPC. Messages are passed as protobuf objects (never serialised), so a handler must
not mutate its request.

A call to an address nobody is bound to, a lost request or a lost response fails after the
caller's timeout, as with an unreachable host. Handlers that raise
:class:`~p2pnet_peer.wire.InvalidRequest` fail the call at once, as INVALID_ARGUMENT would.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Callable
from typing import Any

from google.protobuf.message import Message

from p2pnet_peer.transport.base import PeerUnreachable
from p2pnet_peer.wire import InvalidRequest

Latency = Callable[[str, str], float]


class MemoryNetwork:
    def __init__(
        self,
        *,
        latency: float | Latency = 0.005,
        loss: float = 0.0,
        rng: random.Random | None = None,
    ) -> None:
        self._latency: Latency = latency if callable(latency) else (lambda _a, _b: latency)
        self.loss = loss
        self.rng = rng or random.Random(0)
        self._services: dict[str, dict[str, object]] = {}
        self._blocked: set[tuple[str, str]] = set()
        self.messages = 0

    def bind(self, address: str, services: dict[str, object]) -> None:
        if address in self._services:
            raise ValueError(f"address in use: {address}")
        self._services[address] = dict(services)

    def unbind(self, address: str) -> None:
        self._services.pop(address, None)

    def is_bound(self, address: str) -> bool:
        return address in self._services

    def block(self, a: str, b: str) -> None:
        """Drop every message between ``a`` and ``b`` (both directions): a partition."""
        self._blocked.add((a, b))
        self._blocked.add((b, a))

    def unblock_all(self) -> None:
        self._blocked.clear()

    def transport(self, local_address: str) -> MemoryTransport:
        return MemoryTransport(self, local_address)

    def _lost(self, src: str, dst: str) -> bool:
        self.messages += 1
        if (src, dst) in self._blocked:
            return True
        return self.loss > 0 and self.rng.random() < self.loss

    def _handler(self, address: str, service: str, method: str) -> Any:
        impl = self._services.get(address, {}).get(service)
        return getattr(impl, method, None) if impl is not None else None


class MemoryTransport:
    def __init__(self, network: MemoryNetwork, local_address: str) -> None:
        self._net = network
        self.local_address = local_address

    async def call(
        self, address: str, service: str, method: str, request: Message, timeout: float
    ) -> Any:
        net = self._net
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        one_way = net._latency(self.local_address, address)
        handler = net._handler(address, service, method)
        if handler is None or net._lost(self.local_address, address):
            await asyncio.sleep(timeout)
            raise PeerUnreachable(address, "deadline exceeded")
        await asyncio.sleep(one_way)
        try:
            response = await handler(request)
        except InvalidRequest as exc:
            raise PeerUnreachable(address, f"invalid argument: {exc}") from None
        if net._lost(address, self.local_address) or not net.is_bound(address):
            await asyncio.sleep(max(0.0, deadline - loop.time()))
            raise PeerUnreachable(address, "deadline exceeded")
        await asyncio.sleep(one_way)
        if loop.time() > deadline:
            raise PeerUnreachable(address, "deadline exceeded")
        return response

    async def stream(
        self, address: str, service: str, method: str, request: Message, timeout: float
    ) -> AsyncIterator[Any]:
        net = self._net
        handler = net._handler(address, service, method)
        if handler is None or net._lost(self.local_address, address):
            await asyncio.sleep(timeout)
            raise PeerUnreachable(address, "deadline exceeded")
        one_way = net._latency(self.local_address, address)
        await asyncio.sleep(one_way)
        try:
            async for item in handler(request):
                if not net.is_bound(address):
                    raise PeerUnreachable(address, "stream broken")
                yield item
        except InvalidRequest as exc:
            raise PeerUnreachable(address, f"invalid argument: {exc}") from None

    async def close(self) -> None:
        return None
