"""The Control service: what tools use to drive a peer (Put, Get, Lookup, Status)."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from p2pnet.v1 import control_pb2
from p2pnet_peer.dht.node import LookupOutcome
from p2pnet_peer.wire import InvalidRequest, check_key, contact_to_wire

if TYPE_CHECKING:
    from p2pnet_peer.peer import Peer

MAX_APP_KEY_BYTES = 256


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
        return control_pb2.StatusResponse(
            self=dht.wire_self(),
            routing_table_peers=len(dht.table),
            records=len(dht.records),
            provider_records=len(dht.providers),
            uptime_seconds=dht.now() - self.peer.started_at,
        )
