"""The member table and SWIM's precedence rules for the updates gossip brings.

- A higher incarnation always wins. At equal incarnation SUSPECT overrides ALIVE, and
  DEAD/LEFT override both; nothing revives a dead or left member but ALIVE with a higher
  incarnation.
- Only a member raises its own incarnation: told it is suspect or dead (or that it is
  alive at an incarnation it has not reached, e.g. after a restart), it refutes with
  ``incarnation + 1``, unless it is leaving.
- A suspicion starts a Lifeguard timer (:mod:`~p2pnet_peer.swim.suspicion`); suspect
  messages from further reporters confirm it and are gossiped on; when it expires the
  member is declared dead.
- Dead and left members are kept for ``dead_retention`` seconds, then forgotten.

Every accepted change is returned for the caller to gossip on, with the events it caused.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from p2pnet_peer.kademlia.contact import Contact
from p2pnet_peer.swim.config import SwimConfig
from p2pnet_peer.swim.member import Event, MemberChanged, State, SuspicionRefuted, Update
from p2pnet_peer.swim.suspicion import Suspicion


@dataclass(slots=True)
class Member:
    contact: Contact
    state: State
    incarnation: int
    since: float  # when it entered this state
    reporter: bytes = b""
    suspicion: Suspicion | None = None
    suspected_by_self: bool = False  # this peer's own probe failed at this incarnation

    def update(self) -> Update:
        return Update(self.contact, self.state, self.incarnation, self.reporter)


@dataclass(slots=True)
class Effects:
    """What applying updates produced: updates to gossip on, and events."""

    gossip: list[Update] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)


class MemberTable:
    def __init__(self, own: Contact, config: SwimConfig) -> None:
        self.own = own
        self.config = config
        self.incarnation = 0
        self.leaving = False
        self._members: dict[bytes, Member] = {}
        self._counts = dict.fromkeys(State, 0)
        self._suspects: set[bytes] = set()
        self._live: list[bytes] = []  # alive or suspect, for O(1) random picks
        self._live_at: dict[bytes, int] = {}
        self._gone: dict[bytes, float] = {}  # member ID -> since, oldest first

    def __len__(self) -> int:
        return len(self._members)

    def __iter__(self) -> Iterator[Member]:
        return iter(list(self._members.values()))

    def get(self, member_id: bytes) -> Member | None:
        return self._members.get(member_id)

    def count(self, state: State) -> int:
        return self._counts[state]

    @property
    def active(self) -> int:
        """N for the formulas: members alive or suspect, this peer included."""
        return 1 + self._counts[State.ALIVE] + self._counts[State.SUSPECT]

    def own_update(self) -> Update:
        state = State.LEFT if self.leaving else State.ALIVE
        return Update(self.own, state, self.incarnation, self.own.id if self.leaving else b"")

    def ids_in(self, *states: State) -> list[bytes]:
        return [i for i, m in self._members.items() if m.state in states]

    def sample(
        self, count: int, rng: random.Random, *, alive_only: bool = False, exclude: bytes = b""
    ) -> list[Contact]:
        """Up to ``count`` distinct random members that are alive (or suspect, unless
        ``alive_only``), ``exclude`` left out."""
        live = self._live
        if count >= len(live) // 2:
            pool = [i for i in live if i != exclude]
            if alive_only:
                pool = [i for i in pool if self._members[i].state is State.ALIVE]
            return [self._members[i].contact for i in rng.sample(pool, min(count, len(pool)))]
        chosen: dict[bytes, Contact] = {}
        for _ in range(8 * count):
            m = self._members[live[rng.randrange(len(live))]]
            if m.contact.id != exclude and not (alive_only and m.state is not State.ALIVE):
                chosen[m.contact.id] = m.contact
                if len(chosen) == count:
                    break
        return list(chosen.values())

    def _index(self, member_id: bytes, live: bool) -> None:
        at = self._live_at.get(member_id)
        if live and at is None:
            self._live_at[member_id] = len(self._live)
            self._live.append(member_id)
        elif not live and at is not None:
            last = self._live.pop()
            del self._live_at[member_id]
            if last != member_id:
                self._live[at] = last
                self._live_at[last] = at

    # -- applying gossip ------------------------------------------------------------------

    def apply(self, u: Update, now: float, fx: Effects) -> None:
        if u.member_id == self.own.id:
            self._about_self(u, fx)
            return
        m = self._members.get(u.member_id)
        if u.state is State.ALIVE:
            self._alive(m, u, now, fx)
        elif m is None or u.incarnation < m.incarnation or m.state.gone:
            return  # suspicions and deaths of unknown, newer or gone members are stale
        elif u.state is State.SUSPECT:
            self._suspect(m, u, now, fx)
        else:
            self._set(m, u.state, u.incarnation, now, u.reporter, fx)
            fx.gossip.append(u)

    def _about_self(self, u: Update, fx: Effects) -> None:
        if self.leaving or u.incarnation < self.incarnation:
            return
        if u.state is State.ALIVE and u.incarnation == self.incarnation and u.contact == self.own:
            return
        self.incarnation = u.incarnation + 1  # refute
        fx.gossip.append(self.own_update())

    def _alive(self, m: Member | None, u: Update, now: float, fx: Effects) -> None:
        if m is None:
            m = Member(u.contact, State.ALIVE, u.incarnation, now)
            self._members[u.member_id] = m
            self._counts[State.ALIVE] += 1
            self._index(u.member_id, True)
            fx.events.append(MemberChanged(u.contact, None, State.ALIVE, u.incarnation))
            fx.gossip.append(u)
            return
        if u.incarnation <= m.incarnation:
            return
        old, moved = m.state, m.contact != u.contact
        if old is State.SUSPECT and m.suspected_by_self:
            fx.events.append(SuspicionRefuted(m.contact))
        m.contact = u.contact
        self._set(m, State.ALIVE, u.incarnation, now, b"", fx)
        fx.gossip.append(u)
        if moved and old is State.ALIVE:
            fx.events.append(MemberChanged(u.contact, old, State.ALIVE, u.incarnation))

    def _suspect(self, m: Member, u: Update, now: float, fx: Effects) -> None:
        by_self = u.reporter == self.own.id
        if m.state is State.SUSPECT and u.incarnation == m.incarnation:
            m.suspected_by_self |= by_self
            if m.suspicion is not None and m.suspicion.confirm(u.reporter):
                fx.gossip.append(u)  # pass confirmations on: they shorten others' timers
            return
        n = self.active
        cfg = self.config
        self._set(m, State.SUSPECT, u.incarnation, now, u.reporter, fx)
        m.suspicion = Suspicion(
            u.reporter,
            cfg.expected_confirmations(n),
            cfg.suspicion_min_timeout(n),
            cfg.suspicion_max_timeout(n),
            now,
        )
        m.suspected_by_self = by_self
        fx.gossip.append(u)

    def _set(
        self,
        m: Member,
        state: State,
        incarnation: int,
        now: float,
        reporter: bytes,
        fx: Effects,
    ) -> None:
        """Move ``m`` to ``state``, keeping counts and indexes up to date."""
        old = m.state
        member_id = m.contact.id
        self._counts[old] -= 1
        self._counts[state] += 1
        self._suspects.discard(member_id)
        self._gone.pop(member_id, None)
        if state is State.SUSPECT:
            self._suspects.add(member_id)
        elif state.gone:
            self._gone[member_id] = now
        m.state, m.incarnation, m.since, m.reporter = state, incarnation, now, reporter
        self._index(member_id, not state.gone)
        m.suspicion = None
        m.suspected_by_self = False
        if old is not state:
            fx.events.append(MemberChanged(m.contact, old, state, incarnation))

    # -- timers ---------------------------------------------------------------------------

    def expire(self, now: float, fx: Effects) -> None:
        """Declare dead the suspects whose timers ran out; forget long-dead members."""
        for member_id in sorted(self._suspects):
            m = self._members[member_id]
            if m.suspicion is not None and now >= m.suspicion.deadline:
                dead = Update(m.contact, State.DEAD, m.incarnation, self.own.id)
                self._set(m, State.DEAD, m.incarnation, now, self.own.id, fx)
                fx.gossip.append(dead)
        for member_id, since in list(self._gone.items()):
            if now - since < self.config.dead_retention:
                break
            del self._gone[member_id]
            m = self._members.pop(member_id)
            self._counts[m.state] -= 1
