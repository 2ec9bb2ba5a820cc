"""The transport protocol drivers use when NAT traversal is on: it routes by address.

- a plain ``host:port``: straight through (path "direct");
- a circuit address: over the punched route to that peer when there is one (path
  "holepunch"), else through the relay (path "relay"), and a relayed call may start a
  hole punch in the background (:mod:`p2pnet_peer.nat.holepunch`).

Every connection (not every call) is counted by path and outcome, by the node.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from google.protobuf.message import Message

from p2pnet_peer.nat.addresses import parse_circuit
from p2pnet_peer.transport.base import PeerUnreachable, Transport

if TYPE_CHECKING:
    from p2pnet_peer.nat.node import NatNode


class NatTransport:
    def __init__(self, inner: Transport, node: NatNode) -> None:
        self.inner = inner
        self.node = node

    async def call(
        self, address: str, service: str, method: str, request: Message, timeout: float
    ) -> Any:
        circuit = parse_circuit(address)
        if circuit is None:
            try:
                response = await self.inner.call(address, service, method, request, timeout)
            except PeerUnreachable as exc:
                self.node.connection("direct", address, False, reason=exc.reason)
                raise
            self.node.connection("direct", address, True)
            return response
        relay, peer = circuit
        route = self.node.routes.get(peer)
        if route is not None:
            try:
                return await route.call(service, method, request, timeout)
            except PeerUnreachable:
                await self.node.route_lost(peer, route)
        return await self.node.relay_call(relay, peer, address, service, method, request, timeout)

    async def stream(
        self, address: str, service: str, method: str, request: Message, timeout: float
    ) -> AsyncIterator[Any]:
        circuit = parse_circuit(address)
        if circuit is None:
            connected = False
            try:
                async for item in self.inner.stream(address, service, method, request, timeout):
                    if not connected:
                        connected = True
                        self.node.connection("direct", address, True)
                    yield item
            except PeerUnreachable as exc:
                if not connected:
                    self.node.connection("direct", address, False, reason=exc.reason)
                raise
            if not connected:
                self.node.connection("direct", address, True)  # an empty stream
            return
        relay, peer = circuit
        route = self.node.routes.get(peer)
        if route is not None:
            yielded = False
            try:
                async for item in route.stream(service, method, request, timeout):
                    yielded = True
                    yield item
                return
            except PeerUnreachable:
                await self.node.route_lost(peer, route)
                if yielded:
                    raise
        async for item in self.node.relay_stream(
            relay, peer, address, service, method, request, timeout
        ):
            yield item

    async def close(self) -> None:
        await self.inner.close()
