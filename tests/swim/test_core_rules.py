"""The sans-I/O SWIM pieces on their own: formulas, Lifeguard timers, the broadcast queue,
the member table's precedence rules and refutation, and round counting."""

from __future__ import annotations

import hashlib
import math
import random

import pytest

from p2pnet_peer.kademlia.contact import Contact
from p2pnet_peer.swim.broadcast_queue import BroadcastQueue
from p2pnet_peer.swim.config import SwimConfig
from p2pnet_peer.swim.member import Gossip, MemberChanged, Rumour, State, SuspicionRefuted, Update
from p2pnet_peer.swim.protocol import Swim
from p2pnet_peer.swim.suspicion import Suspicion


def contact(i: int) -> Contact:
    return Contact(hashlib.sha256(b"m%d" % i).digest(), f"10.0.0.{i}:7000", bytes(32))


def swim(i: int = 0, **overrides: object) -> Swim:
    return Swim(contact(i), SwimConfig.lan().with_overrides(**overrides), random.Random(i), 0.0)


def state(s: Swim, c: Contact) -> State:
    member = s.table.get(c.id)
    assert member is not None
    return member.state


def test_formulas_follow_memberlist() -> None:
    cfg = SwimConfig.lan()
    assert cfg.retransmit_limit(1000) == 4 * 4  # ceil(log10(1001)) = 4
    assert cfg.retransmit_limit(16) == 4 * 2
    assert cfg.suspicion_min_timeout(1) == 4.0
    assert cfg.suspicion_min_timeout(1000) == pytest.approx(12.0)
    assert cfg.suspicion_max_timeout(1000) == pytest.approx(72.0)
    assert cfg.expected_confirmations(100) == 2 and cfg.expected_confirmations(3) == 0
    assert cfg.push_pull_period(32) == 30.0 and cfg.push_pull_period(1000) == 180.0
    with pytest.raises(ValueError):
        SwimConfig(probe_timeout=2.0, probe_interval=1.0)


def test_lifeguard_timeout_shrinks_with_independent_confirmations() -> None:
    s = Suspicion(b"a", k=3, min_timeout=10.0, max_timeout=60.0, start=100.0)
    assert s.deadline == 160.0
    assert s.confirm(b"b") and not s.confirm(b"b") and not s.confirm(b"a")
    assert s.deadline == pytest.approx(160.0 - 50.0 * math.log(2) / math.log(4))
    assert s.confirm(b"c") and s.confirm(b"d")
    assert s.deadline == 110.0
    assert not s.confirm(b"e")  # k reached: the timeout stays at the minimum


def test_queue_sends_fewest_transmitted_first_and_stops_at_the_limit() -> None:
    q = BroadcastQueue()
    q.push("old", "old", 10)
    assert q.take(100, limit=3) == ["old"]
    q.push("new", "new", 10)
    assert q.take(15, limit=3) == ["new"]  # room for one: the never-sent one wins
    assert q.take(100, limit=3) == ["new", "old"]
    assert q.take(100, limit=3, skip={"new"}) == ["old"]
    assert "old" not in q and q.take(100, limit=3) == ["new"]
    assert len(q) == 0
    q.push("x", "v1", 10)
    q.take(100, limit=3)
    q.push("x", "v2", 10)  # newer news replaces the old and starts over
    assert q.transmits("x") == 0 and q.take(100, limit=3) == ["v2"]


def test_precedence_suspicion_refutation_and_death() -> None:
    a, m = swim(0), contact(1)
    events = a.receive(Gossip((Update(m, State.ALIVE, 0),)), 0.0)
    assert events == [MemberChanged(m, None, State.ALIVE, 0)]
    a.probe_failed(m.id, 1.0)
    assert state(a, m) is State.SUSPECT
    assert a.receive(Gossip((Update(m, State.ALIVE, 0),)), 2.0) == []  # same incarnation
    events = a.receive(Gossip((Update(m, State.ALIVE, 1),)), 3.0)
    assert SuspicionRefuted(m) in events and state(a, m) is State.ALIVE
    a.receive(Gossip((Update(m, State.DEAD, 1, contact(2).id),)), 4.0)
    assert state(a, m) is State.DEAD
    a.receive(Gossip((Update(m, State.ALIVE, 1), Update(m, State.SUSPECT, 2, m.id))), 5.0)
    assert state(a, m) is State.DEAD  # only a higher ALIVE revives
    a.receive(Gossip((Update(m, State.ALIVE, 2),)), 6.0)
    assert state(a, m) is State.ALIVE


def test_a_member_refutes_what_is_said_about_it() -> None:
    me = swim(0)
    me.receive(Gossip((Update(contact(0), State.SUSPECT, 0, contact(1).id),)), 1.0)
    assert me.incarnation == 1
    me.receive(Gossip((Update(contact(0), State.DEAD, 5, contact(1).id),)), 2.0)
    assert me.incarnation == 6
    sent = me.gossip_for(contact(1).id).updates
    assert Update(contact(0), State.ALIVE, 6) in sent


def test_suspect_expires_into_dead_at_the_lifeguard_deadline() -> None:
    a = swim(0)
    members = [contact(i) for i in range(1, 10)]
    a.receive(Gossip(tuple(Update(c, State.ALIVE, 0) for c in members)), 0.0)
    n = a.table.active
    cfg = a.config
    a.probe_failed(members[0].id, 10.0)
    a.tick(10.0 + cfg.suspicion_max_timeout(n) - 0.01)
    assert state(a, members[0]) is State.SUSPECT
    for reporter in members[1:3]:  # k = 2 confirmations: down to the minimum
        a.receive(Gossip((Update(members[0], State.SUSPECT, 0, reporter.id),)), 11.0)
    a.tick(10.0 + cfg.suspicion_min_timeout(n))
    assert state(a, members[0]) is State.DEAD


def test_round_counter_grows_with_the_periods_a_rumour_is_held() -> None:
    a, b = swim(0), swim(1)
    a.receive(Gossip((Update(b.own, State.ALIVE, 0),)), 0.0)
    rumour = a.broadcast(b"hello")
    assert a.gossip_for(b.own.id).rumours[0].rounds == 0
    a.tick(1.0)
    a.tick(2.0)
    sent = a.gossip_for(b.own.id).rumours[0]
    assert sent == Rumour(rumour.id, a.own.id, b"hello", 2)
    b.tick(1.0)
    b.receive(Gossip((), (sent,)), 2.5)
    b.tick(3.0)
    known = b.rumours.get(rumour.id)
    assert known is not None and known.rounds == 2
    assert b.gossip_for(a.own.id).rumours[0].rounds == 3


def test_local_health_slows_a_peer_that_seems_to_be_the_slow_one() -> None:
    me = swim(0)
    other = contact(1)
    me.receive(Gossip((Update(other, State.ALIVE, 0),)), 0.0)
    assert me.health.scale(1.0) == 1.0
    me.probe_failed(other.id, 1.0, helpers=3, nacks=1)  # two helpers never answered
    assert me.health.score == 2
    me.receive(Gossip((Update(me.own, State.SUSPECT, 0, other.id),)), 2.0)  # must refute
    assert me.health.score == 3 and me.health.scale(1.0) == 4.0
    for _ in range(10):
        me.probe_succeeded()
    assert me.health.score == 0
    for _ in range(20):
        me.probe_failed(other.id, 3.0)
    assert me.health.score == me.config.awareness_max_multiplier - 1
