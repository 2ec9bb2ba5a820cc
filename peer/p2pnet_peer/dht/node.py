"""DhtNode: runs the sans-I/O Kademlia core over a transport, on the event loop's clock.

Owns the routing table and stores, runs iterative lookups (alpha requests in flight,
each an owned task that is awaited or cancelled before the lookup returns), and the
maintenance loop: expiry, bucket refresh, republishing, ping-before-evict checks, and
handing records to newly seen peers that are among the closest to their keys.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from p2pnet.v1 import dht_pb2, peer_pb2
from p2pnet_peer.identity import Identity
from p2pnet_peer.kademlia.config import DhtConfig
from p2pnet_peer.kademlia.contact import Contact
from p2pnet_peer.kademlia.handoff import keys_for_newcomer
from p2pnet_peer.kademlia.lookup import Lookup
from p2pnet_peer.kademlia.records import ProviderStore, RecordStore, StoredRecord
from p2pnet_peer.kademlia.routing_table import RoutingTable
from p2pnet_peer.metrics import PeerMetrics
from p2pnet_peer.nat.addresses import is_circuit
from p2pnet_peer.transport.base import PeerUnreachable, Transport
from p2pnet_peer.wire import (
    InvalidRequest,
    contact_from_wire,
    contact_to_wire,
    contacts_from_wire,
)

SERVICE = "p2pnet.v1.Dht"
log = logging.getLogger("p2pnet.dht")


@dataclass
class LookupOutcome:
    closest: list[Contact]
    hops: int
    rpcs: int
    failed_rpcs: int
    duration: float
    record: StoredRecord | None = None
    providers: list[Contact] = field(default_factory=list)


class DhtNode:
    def __init__(
        self,
        identity: Identity,
        address: str,
        config: DhtConfig,
        transport: Transport,
        *,
        metrics: PeerMetrics | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.identity = identity
        self.contact = identity.contact(address)
        self.config = config
        self.transport = transport
        self.metrics = metrics or PeerMetrics()
        self.rng = rng or random.Random(identity.id)
        now = asyncio.get_running_loop().time()
        self.table = RoutingTable(identity.id, config, now)
        self.records = RecordStore(config.max_records)
        self.providers = ProviderStore(config.max_providers_per_key, config.max_records)
        self._published: dict[bytes, tuple[bytes, float]] = {}
        self._provided: dict[bytes, float] = {}
        self._evict_checks: asyncio.Queue[Contact] = asyncio.Queue()
        self._newcomers: asyncio.Queue[Contact] = asyncio.Queue()
        self._wire_self = contact_to_wire(self.contact)
        self.client = False
        self._clients: set[bytes] = set()  # peers that flagged themselves DHT clients
        m = self.metrics
        m.dht_routing_table_peers.set_function(lambda: len(self.table))
        m.dht_records.labels("value").set_function(lambda: len(self.records))
        m.dht_records.labels("provider").set_function(lambda: len(self.providers))
        self.on_contact_seen: Callable[[Contact], None] | None = None

    @property
    def id(self) -> bytes:
        return self.contact.id

    @staticmethod
    def now() -> float:
        return asyncio.get_running_loop().time()

    # -- inbound: called by DhtService once a request passed its checks -------------------

    def saw(self, contact: Contact) -> None:
        """``contact`` talked to us or answered us: it is alive. DHT clients (peers that
        flagged themselves unreachable, or that are only reachable through a relay) are
        never added to the routing table."""
        if contact.id in self._clients or is_circuit(contact.address):
            return
        known = self.table.get(contact.id)
        check = self.table.observe(contact, self.now())
        if check is not None:
            self._evict_checks.put_nowait(check)
        # new, or back at a new address (a restart, its store likely lost)
        moved = known is None or known.address != contact.address
        if moved and self.config.hand_off and len(self.records) and contact.id in self.table:
            self._newcomers.put_nowait(contact)
        if self.on_contact_seen is not None:
            self.on_contact_seen(contact)

    def heard_from(self, sender: Contact, *, client: bool) -> None:
        """A request from ``sender``; ``client``: it flagged itself a DHT client."""
        if client:
            self._clients.add(sender.id)
            self.table.remove(sender.id)
            return
        self._clients.discard(sender.id)
        self.saw(sender)

    def set_client(self, client: bool) -> None:
        """Act as a DHT client (unreachable: AutoNAT said private) or as a server."""
        self.client = client
        self._wire_self = peer_pb2.PeerInfo(
            id=self.contact.id,
            address=self.contact.address,
            public_key=self.contact.public_key,
            dht_client=client,
        )

    def closest_to(self, key: bytes, exclude: Iterable[bytes] = ()) -> list[Contact]:
        return self.table.closest(key, self.config.k, exclude)

    def wire_self(self) -> Any:
        return self._wire_self

    # -- outbound -------------------------------------------------------------------------

    async def _rpc(self, contact: Contact, method: str, request: Any) -> Any | None:
        try:
            response = await self.transport.call(
                contact.address, SERVICE, method, request, self.config.request_timeout
            )
        except PeerUnreachable:
            self.table.failed(contact)
            return None
        if response.responder.id != contact.id:
            # Someone else answers at that address now (a replaced peer): the old one is gone.
            self.table.failed(contact)
            with contextlib.suppress(InvalidRequest):
                self.saw(contact_from_wire(response.responder, "responder"))
            return None
        self.saw(contact)
        return response

    async def ping(self, address: str) -> Contact | None:
        """Ping an address whose peer we may not know yet (bootstrap); returns its contact."""
        request = dht_pb2.DhtPingRequest(sender=self._wire_self)
        try:
            response = await self.transport.call(
                address, SERVICE, "Ping", request, self.config.request_timeout
            )
            contact = contact_from_wire(response.responder, "responder")
        except (PeerUnreachable, InvalidRequest) as exc:
            log.info("ping failed", extra={"address": address, "reason": str(exc)})
            return None
        self.saw(contact)
        return contact

    async def _iterate(
        self,
        target: bytes,
        method: str,
        request: Any,
        kind: str,
        on_response: Callable[[Lookup, Contact, Any], None] | None = None,
    ) -> LookupOutcome:
        started = self.now()
        k = self.config.k
        lookup = Lookup(
            target,
            self.table.closest(target, k),
            k=k,
            alpha=self.config.alpha,
            beta=self.config.beta,
            self_id=self.id,
        )
        self.table.touch(target, started)
        pending: dict[asyncio.Task[Any], Contact] = {}
        try:
            while True:
                for contact in lookup.next_requests():
                    task = asyncio.create_task(self._rpc(contact, method, request))
                    pending[task] = contact
                if not pending:
                    break
                done, _ = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                # In request order: a set of tasks iterates by address, so simulations
                # would not replay.
                for task in [t for t in pending if t in done]:
                    contact = pending.pop(task)
                    response = task.result()
                    if response is None:
                        lookup.on_failure(contact)
                        continue
                    lookup.on_response(contact, contacts_from_wire(list(response.closer), k))
                    if on_response is not None:
                        on_response(lookup, contact, response)
                if lookup.done:
                    break
        finally:
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.gather(*pending, return_exceptions=True)
        outcome = LookupOutcome(
            closest=lookup.result(),
            hops=lookup.hops,
            rpcs=lookup.rpcs,
            failed_rpcs=lookup.failed_rpcs,
            duration=self.now() - started,
        )
        return outcome

    def _record(self, kind: str, outcome: LookupOutcome, success: bool | None) -> None:
        m = self.metrics
        result = "success" if success else ("not_found" if success is not None else "failure")
        m.dht_lookups.labels(kind, result).inc()
        m.dht_lookup_duration.labels(kind).observe(outcome.duration)
        if success:
            m.dht_lookup_hops.observe(outcome.hops)

    async def find_node(self, target: bytes, kind: str = "lookup") -> LookupOutcome:
        request = dht_pb2.FindNodeRequest(sender=self._wire_self, target=target)
        outcome = await self._iterate(target, "FindNode", request, kind)
        self._record(kind, outcome, bool(outcome.closest) or None)
        return outcome

    async def find_value(self, key: bytes) -> LookupOutcome:
        local = self.records.get(key, self.now())
        if local is not None:
            outcome = LookupOutcome([], 0, 0, 0, 0.0, record=local)
            self._record("get", outcome, True)
            return outcome
        found: list[StoredRecord] = []

        def on_response(lookup: Lookup, contact: Contact, response: Any) -> None:
            if found or not response.HasField("record"):
                return
            r = response.record
            if r.key != key or len(r.value) > self.config.max_value_bytes or r.ttl_seconds == 0:
                return
            found.append(StoredRecord(key, r.value, r.publisher, self.now() + r.ttl_seconds))
            lookup.finish(contact)

        request = dht_pb2.FindValueRequest(sender=self._wire_self, key=key)
        outcome = await self._iterate(key, "FindValue", request, "get", on_response)
        outcome.record = found[0] if found else None
        self._record("get", outcome, outcome.record is not None)
        return outcome

    async def put(
        self, key: bytes, value: bytes, ttl: float | None = None, *, republish: bool = True
    ) -> tuple[int, LookupOutcome]:
        """Store on the k closest peers (and locally); returns (acknowledgements, lookup)."""
        ttl = ttl or self.config.record_ttl
        if republish:
            self._published[key] = (value, ttl)
        outcome = await self.find_node(key, kind="put")
        self.records.put(key, value, self.id, ttl, self.now())
        record = dht_pb2.Record(key=key, value=value, ttl_seconds=int(ttl), publisher=self.id)
        request = dht_pb2.StoreRequest(sender=self._wire_self, record=record)
        replies = await asyncio.gather(*(self._rpc(c, "Store", request) for c in outcome.closest))
        return sum(1 for r in replies if r is not None and r.stored), outcome

    async def provide(self, key: bytes, ttl: float | None = None) -> int:
        """Announce this peer as a provider of ``key`` to the k closest peers."""
        ttl = ttl or self.config.record_ttl
        self._provided[key] = ttl
        self.providers.add(key, self.contact, ttl, self.now())
        outcome = await self.find_node(key, kind="provide")
        request = dht_pb2.AddProviderRequest(
            sender=self._wire_self, key=key, provider=self._wire_self, ttl_seconds=int(ttl)
        )
        replies = await asyncio.gather(
            *(self._rpc(c, "AddProvider", request) for c in outcome.closest)
        )
        return sum(1 for r in replies if r is not None and r.stored)

    async def find_providers(self, key: bytes, want: int = 8) -> LookupOutcome:
        local = self.providers.sample(key, self.now(), want, self.rng)
        seen: dict[bytes, Contact] = {c.id: c for c in local}

        def on_response(lookup: Lookup, contact: Contact, response: Any) -> None:
            for c in contacts_from_wire(list(response.providers), want):
                seen.setdefault(c.id, c)
            if len(seen) >= want:
                lookup.finish(contact)

        request = dht_pb2.GetProvidersRequest(sender=self._wire_self, key=key)
        outcome = await self._iterate(key, "GetProviders", request, "find_providers", on_response)
        outcome.providers = list(seen.values())[:want]
        self._record("find_providers", outcome, bool(outcome.providers))
        return outcome

    async def bootstrap(self, addresses: Iterable[str]) -> int:
        """Join through known addresses: ping them, look ourselves up, refresh every bucket."""
        own = self.contact.address
        seeds = [a for a in addresses if a and a != own]
        contacts = await asyncio.gather(*(self.ping(a) for a in seeds))
        if not any(contacts):
            return 0
        await self.find_node(self.id, kind="bootstrap")
        await self.refresh(force=True)
        return len(self.table)

    async def refresh(self, force: bool = False) -> int:
        """Look up a random ID in every bucket due for refresh (all of them if ``force``)."""
        now = self.now()
        due = self.table.buckets_to_refresh(now if not force else now + 1e18)
        for index in due:
            target = self.table.random_id_in_bucket(index, self.rng)
            await self.find_node(target, kind="refresh")
            self.table.mark_refreshed(index, self.now())
        return len(due)

    async def republish(self) -> None:
        for key, (value, ttl) in list(self._published.items()):
            await self.put(key, value, ttl)
        for key, ttl in list(self._provided.items()):
            await self.provide(key, ttl)

    async def maintain(self) -> None:
        """Run forever: ping-before-evict checks, expiry, refresh and republish."""
        async with asyncio.TaskGroup() as group:
            group.create_task(self._evict_check_loop())
            group.create_task(self._handoff_loop())
            group.create_task(self._periodic_loop())

    async def _evict_check_loop(self) -> None:
        while True:
            contact = await self._evict_checks.get()
            request = dht_pb2.DhtPingRequest(sender=self._wire_self)
            try:
                response = await self.transport.call(
                    contact.address, SERVICE, "Ping", request, self.config.request_timeout
                )
                alive = response.responder.id == contact.id
            except PeerUnreachable:
                alive = False
            self.table.ping_result(contact, alive, self.now())

    async def _handoff_loop(self) -> None:
        while True:
            contact = await self._newcomers.get()
            await self.hand_off(contact)

    async def hand_off(self, newcomer: Contact) -> int:
        """Store on ``newcomer`` the records it is now one of the k closest peers for;
        returns how many it accepted."""
        now, k = self.now(), self.config.k
        keys = keys_for_newcomer(
            newcomer.id,
            self.id,
            self.records.keys(),
            lambda key: [c.id for c in self.table.closest(key, k)],
            k,
        )
        stored = 0
        for key in keys:
            record = self.records.get(key, now)
            if record is None or (ttl := int(record.ttl_left(now))) < 1:
                continue
            wire = dht_pb2.Record(key=key, value=record.value, ttl_seconds=ttl,
                                  publisher=record.publisher)  # fmt: skip
            reply = await self._rpc(
                newcomer, "Store", dht_pb2.StoreRequest(sender=self._wire_self, record=wire)
            )
            if reply is None:
                break  # gone again
            stored += bool(reply.stored)
        if stored:
            self.metrics.dht_records_handed_off.inc(stored)
        return stored

    async def _periodic_loop(self) -> None:
        cfg = self.config
        tick = min(cfg.refresh_interval, cfg.republish_interval) / 10
        last_republish = self.now()
        while True:
            await asyncio.sleep(tick * (0.9 + 0.2 * self.rng.random()))
            now = self.now()
            self.records.expire(now)
            self.providers.expire(now)
            await self.refresh()
            if now - last_republish >= cfg.republish_interval:
                last_republish = now
                await self.republish()
