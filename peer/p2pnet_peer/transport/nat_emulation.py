"""Fallback-mode NAT: reachability filtering in the transport, for gRPC and in-memory
networks alike.

- :class:`EmulatingTransport` wraps a peer's outbound transport: every call carries the
  caller's emulated external endpoint (``p2pnet-nat-src``) and the endpoint it aimed at
  (``p2pnet-nat-dialed``), and the caller's deadline is enforced here, so a call the
  far end drops fails like a lost SYN: after the timeout.
- :class:`InboundGate` wraps the services a NATed peer serves: a call passes only on a flow
  the peer's :class:`~p2pnet_peer.nat.emulation.EmulatedNat` admits (a punched flow, or
  a new flow its type lets in); anything else is held until the caller gives up.
  Control (the testbed's own management plane) is never filtered.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from google.protobuf.message import Message

from p2pnet_peer.nat.emulation import EPHEMERAL_PORT, EmulatedNat, in_emulated_internet
from p2pnet_peer.transport.base import PeerUnreachable, Transport
from p2pnet_peer.transport.call_context import (
    NAT_DIALED,
    NAT_FLOW,
    NAT_SOURCE,
    InboundCall,
    Metadata,
    inbound,
    outbound_metadata,
)

HOLD_S = 600.0  # a dropped call is held at most this long (the caller times out first)
UNFILTERED = ("p2pnet.v1.Control",)


@dataclass(frozen=True)
class EmulatedSend:
    """How the next calls leave: from ``local_port``, aimed at ``dialed``, on ``flow``."""

    local_port: int
    dialed: str
    flow: str


sending_as: ContextVar[EmulatedSend | None] = ContextVar("p2pnet_sending_as", default=None)


class NatDropped(RuntimeError):
    pass


class EmulatingTransport:
    def __init__(self, inner: Transport, nat: EmulatedNat) -> None:
        self.inner = inner
        self.nat = nat

    def _metadata(self, address: str) -> Metadata:
        send = sending_as.get()
        if send is None:
            return ((NAT_SOURCE, self.nat.external(EPHEMERAL_PORT, address)), (NAT_DIALED, address))
        now = asyncio.get_running_loop().time()
        self.nat.sent(send.local_port, send.dialed, now)
        return (
            (NAT_SOURCE, self.nat.external(send.local_port, send.dialed)),
            (NAT_DIALED, send.dialed),
            (NAT_FLOW, send.flow),
        )

    def _prepare(self, address: str) -> Metadata:
        if in_emulated_internet(address):
            raise PeerUnreachable(address, "an emulated external address is never dialled")
        return self._metadata(address)

    @staticmethod
    def _enter(metadata: Metadata) -> tuple[Any, Any]:
        return (
            outbound_metadata.set(metadata),
            inbound.set(InboundCall(dict(metadata)[NAT_SOURCE], dict(metadata))),
        )

    async def call(
        self, address: str, service: str, method: str, request: Message, timeout: float
    ) -> Any:
        out_token, in_token = self._enter(self._prepare(address))
        try:
            return await asyncio.wait_for(
                self.inner.call(address, service, method, request, timeout), timeout
            )
        except TimeoutError:
            raise PeerUnreachable(address, "deadline exceeded") from None
        finally:
            outbound_metadata.reset(out_token)
            inbound.reset(in_token)

    async def stream(
        self, address: str, service: str, method: str, request: Message, timeout: float
    ) -> AsyncIterator[Any]:
        metadata = self._prepare(address)
        items = aiter(self.inner.stream(address, service, method, request, timeout))
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            # the inner stream runs a step at a time in this task: give every step the context
            out_token, in_token = self._enter(metadata)
            try:
                async with asyncio.timeout_at(deadline):
                    item = await anext(items)
            except StopAsyncIteration:
                return
            except TimeoutError:
                raise PeerUnreachable(address, "deadline exceeded") from None
            finally:
                outbound_metadata.reset(out_token)
                inbound.reset(in_token)
            yield item

    async def close(self) -> None:
        await self.inner.close()


class InboundGate:
    def __init__(self, nat: EmulatedNat) -> None:
        self.nat = nat
        self.flow_listeners: list[Callable[[str], None]] = []
        self.dropped = 0

    def admits(self) -> bool:
        if self.nat.public:
            return True
        call = inbound.get()
        if call is None:
            return False
        now = asyncio.get_running_loop().time()
        md = call.metadata
        flow = md.get(NAT_FLOW)
        if flow and self.nat.has_flow(flow, now):
            return True
        source, dialed = md.get(NAT_SOURCE), md.get(NAT_DIALED)
        if not (source and dialed and self.nat.admits(dialed, source, now)):
            return False
        if flow:
            self.nat.open_flow(flow, now)
            for listener in self.flow_listeners:
                listener(flow)
        return True

    async def _drop(self) -> None:
        self.dropped += 1
        await asyncio.sleep(HOLD_S)
        raise NatDropped("dropped by the emulated NAT")

    def wrap(self, services: dict[str, object]) -> dict[str, object]:
        if self.nat.public:
            return dict(services)
        return {
            name: impl if name in UNFILTERED else _Gated(impl, self)
            for name, impl in services.items()
        }


class _Gated:
    """A service whose every RPC first asks the gate."""

    def __init__(self, impl: object, gate: InboundGate) -> None:
        self._impl = impl
        self._gate = gate

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._impl, name)
        gate = self._gate
        if inspect.isasyncgenfunction(attr):

            async def stream(request: Any) -> AsyncIterator[Any]:
                if not gate.admits():
                    await gate._drop()
                async for item in attr(request):
                    yield item

            return stream
        if inspect.iscoroutinefunction(attr):

            async def unary(request: Any) -> Any:
                if not gate.admits():
                    await gate._drop()
                return await attr(request)

            return unary
        return attr
