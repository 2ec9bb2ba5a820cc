"""SWIM failure detection on the in-memory network under virtual time: a crashed peer is
declared dead everywhere in time, a suspected but alive one refutes, and message loss
alone never kills anyone."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from p2pnet_peer.peer import Peer, PeerConfig
from p2pnet_peer.swim.member import Event, MemberChanged, State
from p2pnet_peer.transport.memory import MemoryNetwork
from p2pnet_peer.virtual_time import run_virtual

CONFIG = PeerConfig.lan()
SWIM = CONFIG.swim
PERIOD = SWIM.probe_interval


def on_change(peers: list[Peer], record: Callable[[Peer, MemberChanged, float], None]) -> None:
    """Call ``record(observer, event, now)`` for every membership change any peer sees."""
    loop = asyncio.get_running_loop()
    for peer in peers:

        def listener(event: Event, peer: Peer = peer) -> None:
            if isinstance(event, MemberChanged):
                record(peer, event, loop.time())

        peer.membership.listeners.append(listener)


def total(peers: list[Peer], metric: str) -> float:
    return sum(getattr(p.metrics, metric)._value.get() for p in peers)


def test_a_crashed_peer_is_declared_dead_by_every_live_member_in_time(cluster: Any) -> None:
    n = 24

    async def main() -> None:
        loop = asyncio.get_running_loop()
        async with cluster(MemoryNetwork(), CONFIG, seed=21) as c:
            peers = await c.grow(n)
            victim = peers[7]
            live = [p for p in peers if p is not victim]
            suspected: list[float] = []
            dead_at: dict[bytes, float] = {}
            wrongly_dead: list[bytes] = []

            def record(observer: Peer, event: MemberChanged, now: float) -> None:
                if event.contact.id != victim.id:
                    if event.new is State.DEAD:
                        wrongly_dead.append(event.contact.id)
                elif event.new is State.SUSPECT:
                    suspected.append(now)
                elif event.new is State.DEAD:
                    dead_at.setdefault(observer.id, now)

            on_change(live, record)
            crashed_at = loop.time()
            await c.crash(victim)
            timeout = SWIM.suspicion_max_timeout(n)
            while len(dead_at) < len(live) and loop.time() < crashed_at + timeout + 3 * PERIOD:
                await asyncio.sleep(PERIOD / 10)

            assert set(dead_at) == {p.id for p in live}, "not every live member saw it die"
            assert suspected and suspected[0] - crashed_at <= 3 * PERIOD
            last = max(dead_at.values())
            # each member's timer is at most the maximum suspicion timeout from when it
            # learned of the suspicion; the margin is the once-a-period timer check
            assert last <= suspected[0] + timeout + 2 * PERIOD
            # Lifeguard: independent confirmations cut it well below the maximum
            assert last - suspected[0] < timeout / 2
            assert not wrongly_dead

    run_virtual(main())


def test_a_suspected_but_alive_peer_refutes_and_is_never_declared_dead(cluster: Any) -> None:
    n = 24

    async def main() -> None:
        net = MemoryNetwork()
        async with cluster(net, CONFIG, seed=22) as c:
            peers = await c.grow(n)
            victim = peers[3]
            others = [p for p in peers if p is not victim]
            deaths: list[bytes] = []
            on_change(
                peers,
                lambda _o, e, _t: deaths.append(e.contact.id) if e.new.gone else None,
            )
            # nobody can reach it for 4 periods, but it can still send: it hears that it is
            # suspect in the acks to its own probes and refutes
            net.unbind(victim.address)
            await asyncio.sleep(4 * PERIOD)
            net.bind(victim.address, victim.services)
            await asyncio.sleep(SWIM.suspicion_max_timeout(n) + 10 * PERIOD)

            assert total(others, "membership_suspicions") > 0, "nobody suspected it"
            assert victim.membership.core.incarnation > 0, "it never refuted"
            assert total(others, "membership_false_suspicions") > 0
            assert deaths == []
            for p in others:
                assert p.membership.core.table.get(victim.id).state is State.ALIVE

    run_virtual(main())


def test_five_percent_loss_for_1000_periods_kills_no_live_peer(cluster: Any) -> None:
    n = 12

    async def main() -> tuple[float, float]:
        net = MemoryNetwork()
        async with cluster(net, CONFIG, seed=23) as c:
            peers = await c.grow(n)
            deaths: list[bytes] = []
            on_change(
                peers,
                lambda _o, e, _t: deaths.append(e.contact.id) if e.new.gone else None,
            )
            net.loss = 0.05
            await asyncio.sleep(1000 * PERIOD)
            assert deaths == []
            for p in peers:
                table = p.membership.core.table
                assert table.count(State.ALIVE) + table.count(State.SUSPECT) == n - 1
            return total(peers, "membership_suspicions"), total(
                peers, "membership_false_suspicions"
            )

    suspicions, false_suspicions = run_virtual(main())
    assert suspicions > 0 and false_suspicions > 0, "the loss never even caused a suspicion"
