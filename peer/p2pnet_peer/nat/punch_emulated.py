"""Hole punching in fallback mode: the same exchange, judged by the emulated NATs.

Each side's "SYN" is a Nat.Ping to the other's real listening address that carries the
flow (the attempt's nonce), the endpoint it aims at (the other's predicted endpoint) and
its own emulated source endpoint for that destination. The far side's inbound gate lets
it in or holds it, by its NAT type's rules, exactly as a router would; a held SYN is
retried until the attempt's deadline. Whichever SYN passes opens the flow on both
sides; later calls on the route carry the flow and pass.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from google.protobuf.message import Message

from p2pnet.v1 import nat_pb2
from p2pnet_peer.nat.emulation import EmulatedNat
from p2pnet_peer.nat.punching import Remote
from p2pnet_peer.transport.base import PeerUnreachable, Transport
from p2pnet_peer.transport.nat_emulation import EmulatedSend, InboundGate, sending_as

SERVICE = "p2pnet.v1.Nat"
SYN_TIMEOUT_S = 0.5
_ports = itertools.count(30000)


@dataclass
class _Prepared:
    port: int

    def close(self) -> None:
        return None


class EmulatedRoute:
    def __init__(self, transport: Transport, address: str, send: EmulatedSend) -> None:
        self.transport = transport
        self.address = address
        self.send = send

    async def call(self, service: str, method: str, request: Message, timeout: float) -> Any:
        token = sending_as.set(self.send)
        try:
            return await self.transport.call(self.address, service, method, request, timeout)
        finally:
            sending_as.reset(token)

    async def stream(
        self, service: str, method: str, request: Message, timeout: float
    ) -> AsyncIterator[Any]:
        items = aiter(self.transport.stream(self.address, service, method, request, timeout))
        while True:
            token = sending_as.set(self.send)  # each step of the stream runs in this context
            try:
                item = await anext(items)
            except StopAsyncIteration:
                return
            finally:
                sending_as.reset(token)
            yield item

    async def close(self) -> None:
        return None


class EmulatedPuncher:
    def __init__(
        self,
        transport: Transport,
        nat: EmulatedNat,
        gate: InboundGate,
        wire_self: Callable[[], Any],
    ) -> None:
        self.transport = transport  # the peer's EmulatingTransport
        self.nat = nat
        self.gate = gate
        self.wire_self = wire_self

    async def prepare(self) -> _Prepared:
        return _Prepared(next(_ports) % 30000 + 30000)

    async def _exchange(
        self, prepared: _Prepared, remote: Remote, nonce: bytes, deadline: float
    ) -> EmulatedSend | None:
        loop = asyncio.get_running_loop()
        send = EmulatedSend(prepared.port, remote.predicted, nonce.hex())
        opened = asyncio.Event()

        def on_flow(flow: str) -> None:
            if flow == send.flow:
                opened.set()

        self.gate.flow_listeners.append(on_flow)
        try:
            while not opened.is_set() and loop.time() < deadline:
                token = sending_as.set(send)
                try:
                    request = nat_pb2.NatPingRequest(sender=self.wire_self())
                    await self.transport.call(
                        remote.listen, SERVICE, "Ping", request, SYN_TIMEOUT_S
                    )
                    self.nat.open_flow(send.flow, loop.time())  # our SYN got through
                    return send
                except PeerUnreachable:
                    continue
                finally:
                    sending_as.reset(token)
            return send if opened.is_set() else None
        finally:
            self.gate.flow_listeners.remove(on_flow)

    async def connect(
        self, prepared: _Prepared, remote: Remote, nonce: bytes, deadline: float
    ) -> EmulatedRoute | None:
        send = await self._exchange(prepared, remote, nonce, deadline)
        return EmulatedRoute(self.transport, remote.listen, send) if send else None

    async def serve(
        self, prepared: _Prepared, remote: Remote, nonce: bytes, deadline: float
    ) -> None:
        await self._exchange(prepared, remote, nonce, deadline)

    async def observe(self, port: int, server: str) -> str | None:
        token = sending_as.set(EmulatedSend(port, server, ""))
        try:
            request = nat_pb2.NatPingRequest(sender=self.wire_self())
            reply = await self.transport.call(server, SERVICE, "Ping", request, 2.0)
            return str(reply.observed) or None
        except PeerUnreachable:
            return None
        finally:
            sending_as.reset(token)
