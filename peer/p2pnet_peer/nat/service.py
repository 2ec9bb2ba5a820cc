"""The Nat gRPC service: checks each request and answers from the node.

Transport-agnostic, like the other services: methods take a request and return a
response (or yield them), raising :class:`~p2pnet_peer.wire.InvalidRequest` for bad
input. Relay methods answer RELAY_STATUS_NOT_A_RELAY on a peer that does not relay.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from p2pnet.v1 import nat_pb2
from p2pnet_peer.kademlia.contact import Contact
from p2pnet_peer.kademlia.ids import ID_BYTES
from p2pnet_peer.nat import autonat
from p2pnet_peer.nat.node import NatNode
from p2pnet_peer.rpc_methods import method
from p2pnet_peer.transport.call_context import inbound
from p2pnet_peer.wire import InvalidRequest, contact_from_wire

NOT_A_RELAY = nat_pb2.RELAY_STATUS_NOT_A_RELAY
MAX_TTL_SECONDS = 86400


def _observed() -> str | None:
    call = inbound.get()
    return call.observed if call is not None else None


class NatService:
    name = "p2pnet.v1.Nat"

    def __init__(self, node: NatNode) -> None:
        self.node = node

    def _sender(self, request: Any) -> Contact:
        if not request.HasField("sender"):
            raise InvalidRequest("sender: is required")
        sender = contact_from_wire(request.sender, "sender")
        if sender.id == self.node.identity.id:
            raise InvalidRequest("sender.id: is this peer's own ID")
        return sender

    def _relayed(self, request: nat_pb2.RelayRequest) -> None:
        self._sender(request)
        if len(request.target_id) != ID_BYTES:
            raise InvalidRequest(f"target_id: must be {ID_BYTES} bytes")
        try:
            rpc = method(request.service, request.method)
        except (ValueError, KeyError):
            raise InvalidRequest(f"method: no RPC {request.service}/{request.method}") from None
        if request.service == "p2pnet.v1.Control":
            raise InvalidRequest("service: Control is never relayed")
        del rpc

    async def Ping(self, request: nat_pb2.NatPingRequest) -> nat_pb2.NatPingResponse:
        self._sender(request)
        return nat_pb2.NatPingResponse(responder=self.node.wire_self(), observed=_observed() or "")

    async def DialBack(self, request: nat_pb2.DialBackRequest) -> nat_pb2.DialBackResponse:
        sender = self._sender(request)
        return await autonat.dial_back(self.node, sender, request, _observed())

    async def Reserve(self, request: nat_pb2.ReserveRequest) -> AsyncIterator[nat_pb2.RelayedCall]:
        sender = self._sender(request)
        if not 1 <= request.ttl_seconds <= MAX_TTL_SECONDS:
            raise InvalidRequest(f"ttl_seconds: must be 1..{MAX_TTL_SECONDS}")
        relay = self.node.relay
        if relay is None:
            yield nat_pb2.RelayedCall(status=NOT_A_RELAY)
            return
        async for call in relay.reserve(sender.id, float(request.ttl_seconds)):
            yield call

    async def Relay(self, request: nat_pb2.RelayRequest) -> nat_pb2.RelayResponse:
        self._relayed(request)
        if self.node.relay is None:
            return nat_pb2.RelayResponse(status=NOT_A_RELAY)
        return await self.node.relay.relay(request, _observed() or "")

    async def RelayStream(
        self, request: nat_pb2.RelayRequest
    ) -> AsyncIterator[nat_pb2.RelayResponse]:
        self._relayed(request)
        if self.node.relay is None:
            yield nat_pb2.RelayResponse(status=NOT_A_RELAY)
            return
        async for item in self.node.relay.relay_stream(request, _observed() or ""):
            yield item

    async def Answer(self, request: nat_pb2.AnswerRequest) -> nat_pb2.AnswerResponse:
        sender = self._sender(request)
        if self.node.relay is None:
            return nat_pb2.AnswerResponse(accepted=False)
        return nat_pb2.AnswerResponse(accepted=await self.node.relay.answer(sender.id, request))

    async def HolePunch(self, request: nat_pb2.HolePunchRequest) -> nat_pb2.HolePunchResponse:
        sender = self._sender(request)
        return await self.node.holepunch.answer(sender, request)
