"""MembershipNode: runs the sans-I/O SWIM core over a transport, on the event loop's clock.

Once a protocol period it probes the member the core names: a Ping with the whole period
as its deadline; if no ack within ``probe_timeout``, PingReqs through the core's helpers
as well; the first ack from any of them clears the target, and none by the end of the
period makes it suspect. Every message carries gossip both ways. Push-pull exchanges run
beside the probes; with no member known yet, the node retries its seeds instead. All
tasks are owned: ``maintain`` runs them under a TaskGroup, and a probe's calls are
awaited or cancelled before the probe returns.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Iterable
from typing import Any

from p2pnet.v1 import membership_pb2
from p2pnet_peer.identity import Identity
from p2pnet_peer.kademlia.contact import Contact
from p2pnet_peer.membership.messages import gossip_from_wire, gossip_to_wire, update_to_wire
from p2pnet_peer.membership.probe import probe
from p2pnet_peer.metrics import GOSSIP_MESSAGE_TYPES, PeerMetrics
from p2pnet_peer.swim.config import SwimConfig
from p2pnet_peer.swim.member import (
    NO_GOSSIP,
    Event,
    Gossip,
    MemberChanged,
    Rumour,
    RumourLearned,
    State,
    SuspicionRefuted,
)
from p2pnet_peer.swim.protocol import Swim
from p2pnet_peer.tracing.rumours import RumourTraces
from p2pnet_peer.transport.base import PeerUnreachable, Transport
from p2pnet_peer.wire import InvalidRequest, contact_from_wire, contact_to_wire

SERVICE = "p2pnet.v1.Membership"
log = logging.getLogger("p2pnet.membership")


class MembershipNode:
    def __init__(
        self,
        identity: Identity,
        address: str,
        config: SwimConfig,
        transport: Transport,
        *,
        metrics: PeerMetrics | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.contact = identity.contact(address)
        self.config = config
        self.transport = transport
        self.metrics = metrics or PeerMetrics()
        self.rng = rng or random.Random(identity.id)
        self.core = Swim(self.contact, config, self.rng, self.now())
        self.listeners: list[Callable[[Event], None]] = []
        self._seeds: list[str] = []
        self._news = asyncio.Event()  # set while the core has anything left to retransmit
        self._wire_self = contact_to_wire(self.contact)
        self.traces = RumourTraces(address)  # a broadcast is one trace (no-op when off)
        m = self.metrics
        self._sent = {kind: m.gossip_messages.labels(kind) for kind in GOSSIP_MESSAGE_TYPES}
        for state in State:
            m.membership_members.labels(state.name.lower()).set_function(
                lambda s=state: self.core.table.count(s)  # type: ignore[misc]
            )

    @property
    def id(self) -> bytes:
        return self.contact.id

    @staticmethod
    def now() -> float:
        return asyncio.get_running_loop().time()

    def wire_self(self) -> Any:
        return self._wire_self

    # -- inbound: called by MembershipService and on every response ----------------------

    def heard(
        self, sender: Contact, incarnation: int, gossip: Gossip, *, full_state: bool = False
    ) -> None:
        now = self.now()
        self.dispatch(self.core.heard_from(sender, incarnation, now))
        self.dispatch(self.core.receive(gossip, now, full_state=full_state))

    def gossip_for(
        self, target_id: bytes | None, answering: Gossip = NO_GOSSIP
    ) -> membership_pb2.Gossip:
        gossip = self.core.gossip_for(target_id, answering)
        if gossip.rumours:
            self._sent["rumour"].inc(len(gossip.rumours))
        if gossip.updates:
            self._sent["member_update"].inc(len(gossip.updates))
        return gossip_to_wire(gossip)

    def full_state_wire(self) -> tuple[list[Any], list[Any]]:
        state = self.core.full_state()
        wire = gossip_to_wire(Gossip((), state.rumours))
        return [update_to_wire(u) for u in state.updates], list(wire.rumours)

    def dispatch(self, events: list[Event]) -> None:
        if self.core.queue:
            self._news.set()
        m = self.metrics
        for event in events:
            if isinstance(event, RumourLearned):
                m.gossip_rounds_to_learn.observe(event.rumour.rounds)
                self.traces.learned(event.rumour.id)
            elif isinstance(event, SuspicionRefuted):
                m.membership_false_suspicions.inc()
            elif isinstance(event, MemberChanged) and event.new is not State.ALIVE:
                log.log(
                    logging.INFO if event.new.gone else logging.DEBUG,
                    "member %s",
                    event.new.name.lower(),
                    extra={"peer": self.id[:4].hex(), "member": event.contact.short()},
                )
            for listener in self.listeners:
                listener(event)

    # -- outbound -------------------------------------------------------------------------

    async def _call(
        self, contact: Contact | None, address: str, method: str, request: Any, timeout: float
    ) -> Any | None:
        """One RPC; applies the responder's incarnation and gossip. None on failure."""
        try:
            with self.traces.sending(request):
                response = await self.transport.call(address, SERVICE, method, request, timeout)
            responder = contact_from_wire(response.responder, "responder")
        except (PeerUnreachable, InvalidRequest):
            return None
        if contact is not None and responder.id != contact.id:
            return None  # someone else answers at that address now
        full = method == "PushPull"
        gossip = (
            gossip_from_wire(response.members, response.rumours, strict=False, full_state=True)
            if full
            else gossip_from_wire(response.gossip.updates, response.gossip.rumours, strict=False)
        )
        self.heard(responder, response.incarnation, gossip, full_state=full)
        return response

    def count_sent(self, kind: str) -> None:
        self._sent[kind].inc()

    async def ping(self, target: Contact, timeout: float, kind: str = "ping") -> bool:
        request = membership_pb2.PingRequest(
            sender=self._wire_self,
            incarnation=self.core.incarnation,
            target_id=target.id,
            gossip=self.gossip_for(target.id),
        )
        self.count_sent(kind)
        return await self._call(target, target.address, "Ping", request, timeout) is not None

    async def ping_req(self, helper: Contact, target: Contact, timeout: float) -> bool | None:
        """Ask ``helper`` to probe ``target``: True if it acked the helper, False if the
        helper says it did not (a nack), None if the helper did not answer in time (it
        may wait 80% of ``timeout`` for the target, the rest is for its answer)."""
        request = membership_pb2.PingReqRequest(
            sender=self._wire_self,
            incarnation=self.core.incarnation,
            target=contact_to_wire(target),
            gossip=self.gossip_for(helper.id),
            timeout_ms=max(1, int(800 * timeout)),
        )
        self.count_sent("ping_req")
        response = await self._call(helper, helper.address, "PingReq", request, timeout)
        return None if response is None else bool(response.acked)

    async def push_pull(self, address: str, contact: Contact | None = None) -> bool:
        members, rumours = self.full_state_wire()
        request = membership_pb2.PushPullRequest(
            sender=self._wire_self,
            incarnation=self.core.incarnation,
            members=members,
            rumours=rumours,
        )
        self.count_sent("push_pull")
        timeout = self.config.request_timeout
        return await self._call(contact, address, "PushPull", request, timeout) is not None

    async def join(self, addresses: Iterable[str]) -> int:
        """Push-pull with every seed; returns the members known afterwards."""
        own = self.contact.address
        self._seeds = [a for a in addresses if a and a != own]
        synced = await asyncio.gather(*(self.push_pull(a) for a in self._seeds))
        if any(synced):
            self.core.joined(self.now())
        return self.core.table.count(State.ALIVE)

    def adopt(self, contacts: Iterable[Contact]) -> int:
        """Start from a roster every peer was given, without gossiping it (simulation of
        an already converged group); returns the members known afterwards."""
        self.dispatch(self.core.adopt(contacts, self.now()))
        return self.core.table.count(State.ALIVE)

    def broadcast(self, payload: bytes) -> Rumour:
        """Inject an application rumour; it rides on the next messages this peer sends."""
        rumour = self.core.broadcast(payload)
        self.traces.learned(rumour.id)
        self._news.set()
        return rumour

    # -- the protocol period --------------------------------------------------------------

    async def maintain(self) -> None:
        """Run forever: one probe per protocol period, gossip and push-pull beside it."""
        async with asyncio.TaskGroup() as group:
            group.create_task(self._period_loop(group))
            group.create_task(self._gossip_loop(group))

    async def _gossip_loop(self, group: asyncio.TaskGroup) -> None:
        """While anything is left to retransmit, Ping it to a few random members every
        gossip interval (stretched by local health); idle, no timer, while nothing is."""
        cfg = self.config
        in_flight: set[asyncio.Task[Any]] = set()
        while True:
            await self._news.wait()
            await asyncio.sleep(self.rng.uniform(0, cfg.gossip_interval))
            while self.core.queue:
                interval = self.core.health.scale(cfg.gossip_interval)
                if len(in_flight) < 4 * cfg.gossip_nodes:
                    for target in self.core.gossip_targets():
                        ping = self.ping(target, 2 * interval, "gossip")
                        self._spawn(group, in_flight, ping)
                await asyncio.sleep(interval)
            self._news.clear()

    async def _period_loop(self, group: asyncio.TaskGroup) -> None:
        cfg = self.config
        await asyncio.sleep(self.rng.uniform(0, cfg.probe_interval))  # peers out of phase
        push_pulls: set[asyncio.Task[Any]] = set()
        while True:
            start = self.now()
            interval = self.core.health.scale(cfg.probe_interval)
            period = self.core.tick(start)
            self.dispatch(period.events)
            partner = period.push_pull
            alone = self.core.table.count(State.ALIVE) == 0
            if push_pulls:
                pass  # one exchange at a time
            elif partner is not None:
                self._spawn(group, push_pulls, self.push_pull(partner.address, partner))
            elif alone and self._seeds and period.number % 10 == 1:
                self._spawn(group, push_pulls, self.join(self._seeds))  # retry the seeds
            if period.probe is not None:
                await probe(self, period.probe, start + interval)
            await asyncio.sleep(max(0.0, start + interval - self.now()))

    @staticmethod
    def _spawn(group: asyncio.TaskGroup, live: set[asyncio.Task[Any]], coro: Any) -> None:
        task = group.create_task(coro)
        live.add(task)
        task.add_done_callback(live.discard)
