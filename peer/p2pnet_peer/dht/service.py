"""The Dht gRPC service: checks each request, learns the sender, answers from the node.

Transport-agnostic: methods take a request message and return a response message, and
raise :class:`~p2pnet_peer.wire.InvalidRequest` for bad input (INVALID_ARGUMENT on gRPC).
"""

from __future__ import annotations

from p2pnet.v1 import dht_pb2
from p2pnet_peer.dht.node import DhtNode
from p2pnet_peer.kademlia.contact import Contact
from p2pnet_peer.wire import InvalidRequest, check_key, contact_from_wire, contact_to_wire

MAX_TTL_SECONDS = 7 * 24 * 3600


class DhtService:
    name = "p2pnet.v1.Dht"

    def __init__(self, node: DhtNode) -> None:
        self.node = node

    def _sender(self, request: object) -> Contact:
        if not request.HasField("sender"):  # type: ignore[attr-defined]
            raise InvalidRequest("sender: is required")
        sender = contact_from_wire(request.sender, "sender")  # type: ignore[attr-defined]
        if sender.id == self.node.id:
            raise InvalidRequest("sender.id: is this peer's own ID")
        return sender

    def _closer(self, key: bytes, sender: Contact) -> list:
        return [contact_to_wire(c) for c in self.node.closest_to(key, exclude=(sender.id,))]

    @staticmethod
    def _ttl(ttl_seconds: int) -> int:
        if not 1 <= ttl_seconds <= MAX_TTL_SECONDS:
            raise InvalidRequest(f"ttl_seconds: must be 1..{MAX_TTL_SECONDS}, got {ttl_seconds}")
        return ttl_seconds

    async def Ping(self, request: dht_pb2.DhtPingRequest) -> dht_pb2.DhtPingResponse:
        self.node.saw(self._sender(request))
        return dht_pb2.DhtPingResponse(responder=self.node.wire_self())

    async def FindNode(self, request: dht_pb2.FindNodeRequest) -> dht_pb2.FindNodeResponse:
        sender = self._sender(request)
        target = check_key(request.target, "target")
        self.node.heard_from(sender, client=request.sender.dht_client)
        return dht_pb2.FindNodeResponse(
            responder=self.node.wire_self(), closer=self._closer(target, sender)
        )

    async def FindValue(self, request: dht_pb2.FindValueRequest) -> dht_pb2.FindValueResponse:
        sender = self._sender(request)
        key = check_key(request.key, "key")
        self.node.heard_from(sender, client=request.sender.dht_client)
        now = self.node.now()
        record = self.node.records.get(key, now)
        if record is not None:
            wire = dht_pb2.Record(
                key=key,
                value=record.value,
                ttl_seconds=max(1, int(record.ttl_left(now))),
                publisher=record.publisher,
            )
            return dht_pb2.FindValueResponse(responder=self.node.wire_self(), record=wire)
        return dht_pb2.FindValueResponse(
            responder=self.node.wire_self(), closer=self._closer(key, sender)
        )

    async def Store(self, request: dht_pb2.StoreRequest) -> dht_pb2.StoreResponse:
        sender = self._sender(request)
        if not request.HasField("record"):
            raise InvalidRequest("record: is required")
        r = request.record
        key = check_key(r.key, "record.key")
        limit = self.node.config.max_value_bytes
        if len(r.value) > limit:
            raise InvalidRequest(f"record.value: at most {limit} bytes, got {len(r.value)}")
        ttl = self._ttl(r.ttl_seconds)
        publisher = check_key(r.publisher, "record.publisher") if r.publisher else sender.id
        self.node.heard_from(sender, client=request.sender.dht_client)
        stored = self.node.records.put(key, r.value, publisher, ttl, self.node.now())
        return dht_pb2.StoreResponse(responder=self.node.wire_self(), stored=stored)

    async def AddProvider(self, request: dht_pb2.AddProviderRequest) -> dht_pb2.AddProviderResponse:
        sender = self._sender(request)
        key = check_key(request.key, "key")
        if not request.HasField("provider"):
            raise InvalidRequest("provider: is required")
        provider = contact_from_wire(request.provider, "provider")
        if provider.id != sender.id:
            raise InvalidRequest("provider: must be the sender (no third-party adverts)")
        ttl = self._ttl(request.ttl_seconds)
        self.node.heard_from(sender, client=request.sender.dht_client)
        stored = self.node.providers.add(key, provider, ttl, self.node.now())
        return dht_pb2.AddProviderResponse(responder=self.node.wire_self(), stored=stored)

    async def GetProviders(
        self, request: dht_pb2.GetProvidersRequest
    ) -> dht_pb2.GetProvidersResponse:
        sender = self._sender(request)
        key = check_key(request.key, "key")
        self.node.heard_from(sender, client=request.sender.dht_client)
        node = self.node
        providers = node.providers.sample(key, node.now(), node.config.k, node.rng)
        return dht_pb2.GetProvidersResponse(
            responder=self.node.wire_self(),
            providers=[contact_to_wire(c) for c in providers],
            closer=self._closer(key, sender),
        )
