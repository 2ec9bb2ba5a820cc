"""The Control service: what tools use to drive a peer (Put, Get, Lookup, Status,
Broadcast, Members, Rumours, Publish, Fetch)."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from p2pnet.v1 import control_pb2
from p2pnet_peer.dht.node import LookupOutcome
from p2pnet_peer.membership.messages import update_to_wire
from p2pnet_peer.swim.member import State
from p2pnet_peer.transfer import control as transfer_control
from p2pnet_peer.wire import InvalidRequest, check_key, contact_to_wire

if TYPE_CHECKING:
    from p2pnet_peer.peer import Peer

MAX_APP_KEY_BYTES = 256
MAX_RUMOUR_QUERY = 4096


def dht_key(app_key: bytes) -> bytes:
    """The DHT key an application key is stored under: its SHA-256."""
    return hashlib.sha256(app_key).digest()


def _stats(outcome: LookupOutcome) -> control_pb2.LookupStats:
    return control_pb2.LookupStats(
        hops=outcome.hops,
        rpcs=outcome.rpcs,
        failed_rpcs=outcome.failed_rpcs,
        duration_seconds=outcome.duration,
    )


def _app_key(key: bytes) -> bytes:
    if not 1 <= len(key) <= MAX_APP_KEY_BYTES:
        raise InvalidRequest(f"key: must be 1..{MAX_APP_KEY_BYTES} bytes, got {len(key)}")
    return dht_key(key)


class ControlService:
    name = "p2pnet.v1.Control"

    def __init__(self, peer: Peer) -> None:
        self.peer = peer

    async def Put(self, request: control_pb2.PutRequest) -> control_pb2.PutResponse:
        key = _app_key(request.key)
        limit = self.peer.dht.config.max_value_bytes
        if len(request.value) > limit:
            raise InvalidRequest(f"value: at most {limit} bytes, got {len(request.value)}")
        ttl = request.ttl_seconds or None
        replicas, outcome = await self.peer.dht.put(key, request.value, ttl)
        return control_pb2.PutResponse(dht_key=key, replicas=replicas, stats=_stats(outcome))

    async def Get(self, request: control_pb2.GetRequest) -> control_pb2.GetResponse:
        key = _app_key(request.key)
        outcome = await self.peer.dht.find_value(key)
        if outcome.record is None:
            return control_pb2.GetResponse(found=False, stats=_stats(outcome))
        return control_pb2.GetResponse(
            found=True, value=outcome.record.value, stats=_stats(outcome)
        )

    async def Lookup(self, request: control_pb2.LookupRequest) -> control_pb2.LookupResponse:
        target = check_key(request.target, "target")
        outcome = await self.peer.dht.find_node(target)
        return control_pb2.LookupResponse(
            closest=[contact_to_wire(c) for c in outcome.closest], stats=_stats(outcome)
        )

    async def Status(self, request: control_pb2.StatusRequest) -> control_pb2.StatusResponse:
        dht = self.peer.dht
        members = self.peer.membership.core.table
        return control_pb2.StatusResponse(
            self=dht.wire_self(),
            routing_table_peers=len(dht.table),
            records=len(dht.records),
            provider_records=len(dht.providers),
            uptime_seconds=dht.now() - self.peer.started_at,
            members_alive=members.count(State.ALIVE),
            members_suspect=members.count(State.SUSPECT),
            members_dead=members.count(State.DEAD) + members.count(State.LEFT),
            transfers=transfer_control.all_progress(self.peer.transfer),
        )

    async def Broadcast(
        self, request: control_pb2.BroadcastRequest
    ) -> control_pb2.BroadcastResponse:
        limit = self.peer.membership.config.max_rumour_bytes
        if not 1 <= len(request.payload) <= limit:
            raise InvalidRequest(f"payload: must be 1..{limit} bytes, got {len(request.payload)}")
        rumour = self.peer.membership.broadcast(request.payload)
        return control_pb2.BroadcastResponse(rumour_id=rumour.id)

    async def Members(self, request: control_pb2.MembersRequest) -> control_pb2.MembersResponse:
        core = self.peer.membership.core
        updates = [core.table.own_update(), *(m.update() for m in core.table)]
        return control_pb2.MembersResponse(members=[update_to_wire(u) for u in updates])

    async def Rumours(self, request: control_pb2.RumoursRequest) -> control_pb2.RumoursResponse:
        if len(request.ids) > MAX_RUMOUR_QUERY:
            raise InvalidRequest(f"ids: at most {MAX_RUMOUR_QUERY}, got {len(request.ids)}")
        book = self.peer.membership.core.rumours
        known = [book.get(i) for i in request.ids] if request.ids else book.all()
        return control_pb2.RumoursResponse(
            rumours=[
                control_pb2.LearnedRumour(
                    id=r.id, origin=r.origin, rounds=r.rounds, payload_bytes=len(r.payload)
                )
                for r in known
                if r is not None
            ]
        )

    async def Publish(self, request: control_pb2.PublishRequest) -> control_pb2.PublishResponse:
        return await transfer_control.publish(self.peer.transfer, request)

    async def Fetch(
        self, request: control_pb2.FetchRequest
    ) -> AsyncIterator[control_pb2.FetchResponse]:
        async for response in transfer_control.fetch(self.peer.transfer, request):
            yield response
