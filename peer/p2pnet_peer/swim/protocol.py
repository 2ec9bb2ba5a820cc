"""The SWIM core: one peer's view of the group, and what it should send next.

A driver calls :meth:`Swim.tick` once a protocol period and probes the member it names
(Ping; after ``probe_timeout`` without an ack, PingReq through :meth:`Swim.indirect_helpers`;
no ack by the end of the period: :meth:`Swim.probe_failed`), runs the push-pull it names,
attaches :meth:`Swim.gossip_for` to every message it sends and hands every message it
receives to :meth:`Swim.receive` (and the sender's own incarnation to
:meth:`Swim.heard_from`). The returned events say who joined, became suspect, died or
refuted, and which rumours arrived with how many rounds.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass

from p2pnet_peer.kademlia.contact import Contact
from p2pnet_peer.swim.broadcast_queue import BroadcastQueue
from p2pnet_peer.swim.config import SwimConfig
from p2pnet_peer.swim.local_health import LocalHealth
from p2pnet_peer.swim.member import (
    NO_GOSSIP,
    Event,
    Gossip,
    MemberChanged,
    Rumour,
    RumourLearned,
    State,
    Update,
)
from p2pnet_peer.swim.member_table import Effects, MemberTable
from p2pnet_peer.swim.probe_scheduler import ProbeScheduler
from p2pnet_peer.swim.rumours import KnownRumour, RumourBook

RUMOUR_ID_BYTES = 16
RESYNC_PERIODS = 3  # after joining, push-pull again this many periods later
MAX_PUSH_PULL_MEMBERS = 32768
MAX_PUSH_PULL_RUMOURS = 1024


@dataclass(frozen=True, slots=True)
class Period:
    """What to do in the protocol period that :meth:`Swim.tick` just started."""

    number: int
    probe: Contact | None
    push_pull: Contact | None
    events: list[Event]


class Swim:
    def __init__(self, own: Contact, config: SwimConfig, rng: random.Random, now: float) -> None:
        self.config = config
        self.rng = rng
        self.table = MemberTable(own, config)
        self.queue = BroadcastQueue()
        self.rumours = RumourBook(config.max_rumours, config.rumour_max_rounds)
        self.health = LocalHealth(config.awareness_max_multiplier)
        self.period = 0
        self._scheduler = ProbeScheduler(rng)
        self._next_push_pull = now + rng.uniform(0, config.push_pull_interval)
        self._announce_self()

    @property
    def own(self) -> Contact:
        return self.table.own

    @property
    def incarnation(self) -> int:
        return self.table.incarnation

    def _announce_self(self) -> None:
        update = self.table.own_update()
        self.queue.push(("m", self.own.id), update, update.wire_size())

    # -- what arrives ---------------------------------------------------------------------

    def receive(self, gossip: Gossip, now: float, *, full_state: bool = False) -> list[Event]:
        """Apply what a message carried. Member news is gossiped on, except what a
        push-pull (``full_state``) taught: its sender holds it, and the rest of the group
        heard it the way the sender did; only a refutation of this peer's own reported
        death or suspicion is always gossiped."""
        fx = Effects()
        incarnation = self.table.incarnation
        for update in gossip.updates:
            self.table.apply(update, now, fx)
        if self.table.incarnation > incarnation:
            self.health.apply(1)  # had to refute: perhaps this peer is the slow one
        if full_state:
            fx.gossip = [u for u in fx.gossip if u.member_id == self.own.id]
        for rumour in gossip.rumours:
            known = self.rumours.learn(rumour, self.period)
            if known is not None:
                self.queue.push(("r", rumour.id), known, rumour.wire_size())
                fx.events.append(RumourLearned(rumour))
        return self._commit(fx)

    def adopt(self, contacts: Iterable[Contact], now: float) -> list[Event]:
        """Start from a roster every peer was given (a planner's member list): learn the
        members as alive at incarnation 0 without gossiping them, as a converged group
        would. Joining by push-pull instead gossips every newcomer to everyone."""
        fx = Effects()
        for c in contacts:
            if c.id != self.own.id:
                self.table.apply(Update(c, State.ALIVE, 0), now, fx)
        fx.gossip.clear()
        return self._commit(fx)

    def joined(self, now: float) -> None:
        """A join push-pull succeeded. Peers that joined at the same time were gossiped
        while few knew this one, so it may have missed them: push-pull once more with a
        random member ``RESYNC_PERIODS`` periods from now, when it is widely known."""
        resync = now + RESYNC_PERIODS * self.config.probe_interval
        self._next_push_pull = min(self._next_push_pull, resync)

    def heard_from(self, contact: Contact, incarnation: int, now: float) -> list[Event]:
        """A message from ``contact`` at ``incarnation``: proof that it is alive."""
        return self.receive(Gossip((Update(contact, State.ALIVE, incarnation),)), now)

    def _commit(self, fx: Effects) -> list[Event]:
        for update in fx.gossip:
            self.queue.push(("m", update.member_id), update, update.wire_size())
        for event in fx.events:
            if isinstance(event, MemberChanged) and _joined_or_revived(event):
                self._scheduler.add(event.contact.id)
        return fx.events

    # -- what goes out --------------------------------------------------------------------

    def gossip_for(self, target_id: bytes | None = None, answering: Gossip = NO_GOSSIP) -> Gossip:
        """Piggyback for one message to ``target_id``: what the target must hear about
        itself (it is suspect or dead here: so it can refute), then the queue's items,
        except news about what the target's own message (``answering``) just covered."""
        updates: list[Update] = []
        rumours: list[Rumour] = []
        budget = self.config.piggyback_bytes
        member = self.table.get(target_id) if target_id else None
        if member is not None and member.state is not State.ALIVE:
            updates.append(member.update())
            budget -= updates[0].wire_size()
        limit = self.config.retransmit_limit(self.table.active)
        skip = {("m", u.member_id) for u in answering.updates}
        skip.update(("r", r.id) for r in answering.rumours)
        for item in self.queue.take(budget, limit, skip):
            if isinstance(item, KnownRumour):
                rumours.append(item.copy_at(self.period))
            else:
                updates.append(item)
        return Gossip(tuple(updates), tuple(rumours))

    def full_state(self) -> Gossip:
        """Everything for a push-pull: this peer, every member it knows, live rumours."""
        members = [self.table.own_update()]
        members += [m.update() for m in self.table][: MAX_PUSH_PULL_MEMBERS - 1]
        live = self.rumours.live(self.period)[-MAX_PUSH_PULL_RUMOURS:]
        return Gossip(tuple(members), tuple(r.copy_at(self.period) for r in live))

    def broadcast(self, payload: bytes) -> Rumour:
        """Inject an application rumour with this peer as origin (round 0)."""
        if not 1 <= len(payload) <= self.config.max_rumour_bytes:
            raise ValueError(f"payload must be 1..{self.config.max_rumour_bytes} bytes")
        rumour = Rumour(self.rng.randbytes(RUMOUR_ID_BYTES), self.own.id, payload, 0)
        known = self.rumours.learn(rumour, self.period)
        assert known is not None
        self.queue.push(("r", rumour.id), known, rumour.wire_size())
        return rumour

    def leave(self) -> None:
        """Announce departure: gossip LEFT about this peer, refute nothing from now on."""
        self.table.leaving = True
        self._announce_self()

    # -- the protocol period --------------------------------------------------------------

    def tick(self, now: float) -> Period:
        """Start the next protocol period."""
        self.period += 1
        fx = Effects()
        self.table.expire(now, fx)
        self.rumours.expire(self.period)
        probe_id = self._scheduler.next(
            lambda: self.table.ids_in(State.ALIVE, State.SUSPECT), self._probeable
        )
        probe = self.table.get(probe_id).contact if probe_id else None  # type: ignore[union-attr]
        push_pull = None
        if now >= self._next_push_pull:
            self._next_push_pull = now + self.config.push_pull_period(self.table.active)
            partners = self.table.sample(1, self.rng, alive_only=True)
            push_pull = partners[0] if partners else None
        return Period(self.period, probe, push_pull, self._commit(fx))

    def _probeable(self, member_id: bytes) -> bool:
        member = self.table.get(member_id)
        return member is not None and not member.state.gone

    def gossip_targets(self) -> list[Contact]:
        """Members to gossip to now: ``gossip_nodes`` random live ones while anything is
        left to retransmit, else none."""
        if not self.queue:
            return []
        return self.table.sample(self.config.gossip_nodes, self.rng)

    def indirect_helpers(self, target_id: bytes) -> list[Contact]:
        """Members to ask for an indirect probe of ``target_id``."""
        return self.table.sample(
            self.config.indirect_checks, self.rng, alive_only=True, exclude=target_id
        )

    def probe_succeeded(self) -> None:
        self.health.apply(-1)

    def probe_failed(
        self, target_id: bytes, now: float, *, helpers: int = 0, nacks: int = 0
    ) -> list[Event]:
        """No ack, direct or indirect, this period: suspect the target (or confirm).
        ``helpers`` were asked to probe it and ``nacks`` of them answered that it did not
        ack them; a helper that did not answer at all counts against this peer's health."""
        self.health.apply(helpers - nacks if helpers else 1)
        member = self.table.get(target_id)
        if member is None or member.state.gone:
            return []
        fx = Effects()
        suspect = Update(member.contact, State.SUSPECT, member.incarnation, self.own.id)
        self.table.apply(suspect, now, fx)
        return self._commit(fx)


def _joined_or_revived(event: MemberChanged) -> bool:
    return event.new is State.ALIVE and (event.old is None or event.old.gone)
