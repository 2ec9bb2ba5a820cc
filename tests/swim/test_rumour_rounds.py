"""Rumours on the in-memory network under virtual time, with 10% message loss: every live
peer learns each one, and the rounds each peer records match a count made independently
from a trace of who sent what to whom, in order, and when each peer's periods began."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import Any

from p2pnet_peer.peer import Peer, PeerConfig
from p2pnet_peer.transport.memory import MemoryNetwork
from p2pnet_peer.virtual_time import run_virtual

Trace = list[tuple[str, bytes, Any]]


def copies_in(message: Any) -> list[Any]:
    """The rumour copies a Membership request or response carries."""
    if hasattr(message, "gossip"):
        return list(message.gossip.rumours)
    return list(getattr(message, "rumours", ()))


def carried(message: Any) -> list[bytes]:
    """IDs of the rumours a message carries: all the replay may look at, not counters."""
    return [r.id for r in copies_in(message)]


class TracingTransport:
    """Records each request as it leaves and each response as it arrives."""

    def __init__(self, inner: Any, owner: bytes, trace: Trace) -> None:
        self.inner, self.owner, self.trace = inner, owner, trace

    async def call(self, address: str, service: str, method: str, request: Any, t: float) -> Any:
        self.trace.append(("send", self.owner, request))
        response = await self.inner.call(address, service, method, request, t)
        self.trace.append(("recv", self.owner, response))
        return response


class TracingService:
    """Records each request as it arrives and each response as it leaves."""

    def __init__(self, inner: Any, owner: bytes, trace: Trace) -> None:
        self.inner, self.owner, self.trace = inner, owner, trace

    def __getattr__(self, method: str) -> Any:
        handler = getattr(self.inner, method)

        async def traced(request: Any) -> Any:
            self.trace.append(("recv", self.owner, request))
            response = await handler(request)
            self.trace.append(("send", self.owner, response))
            return response

        return traced


def trace_peer(peer: Peer, net: MemoryNetwork, trace: Trace) -> None:
    node = peer.membership
    node.transport = TracingTransport(node.transport, peer.id, trace)  # type: ignore[assignment]
    tick = node.core.tick

    def traced_tick(now: float) -> Any:
        trace.append(("tick", peer.id, None))
        return tick(now)

    node.core.tick = traced_tick  # type: ignore[method-assign]
    services = dict(peer.services)
    name = "p2pnet.v1.Membership"
    services[name] = TracingService(services[name], peer.id, trace)
    net.unbind(peer.address)
    net.bind(peer.address, services)


Replay = tuple[dict[tuple[bytes, bytes], int], dict[int, dict[bytes, int]]]


def independent_rounds(trace: Trace) -> Replay:
    """Rounds to learn per (peer, rumour) and the counter each sent message should carry,
    replayed from the trace alone: a peer that learned a rumour with counter c in its
    period p sends c + (q - p) in its period q; a first receipt is learning."""
    period: dict[bytes, int] = defaultdict(int)
    learned: dict[tuple[bytes, bytes], tuple[int, int]] = {}  # -> (period, counter)
    on_wire: dict[int, dict[bytes, int]] = {}
    for kind, peer, message in trace:
        if kind == "tick":
            period[peer] += 1
        elif kind == "inject":
            learned[(peer, message)] = (period[peer], 0)
        elif kind == "send":
            counters = on_wire.setdefault(id(message), {})
            for rumour_id in carried(message):
                p, c = learned[(peer, rumour_id)]
                counters[rumour_id] = c + period[peer] - p
        else:
            for rumour_id in carried(message):
                if (peer, rumour_id) not in learned:
                    learned[(peer, rumour_id)] = (period[peer], on_wire[id(message)][rumour_id])
    return {key: c for key, (_, c) in learned.items()}, on_wire


def test_rumours_reach_every_live_peer_with_independently_counted_rounds(cluster: Any) -> None:
    async def main() -> None:
        net = MemoryNetwork(latency=0.005)
        async with cluster(net, PeerConfig.lan(), seed=31) as c:
            peers = await c.grow(40)
            for crashed in peers[-4:]:
                await c.crash(crashed)
            live = peers[:-4]
            trace: Trace = []
            for peer in live:
                trace_peer(peer, net, trace)
            net.loss = 0.1
            rumours = []
            for i in range(6):
                origin = live[(7 * i) % len(live)]
                rumour = origin.membership.broadcast(b"news %d" % i)
                trace.append(("inject", origin.id, rumour.id))
                rumours.append((origin, rumour.id))
                await asyncio.sleep(0.35)
            await asyncio.sleep(30)

            expected, on_wire = independent_rounds(trace)
            for origin, rumour_id in rumours:
                for peer in live:
                    known = peer.membership.core.rumours.get(rumour_id)
                    assert known is not None, "a live peer never learned a rumour"
                    assert known.rounds == expected[(peer.id, rumour_id)]
                    if peer is origin:
                        assert known.rounds == 0
            # every copy on the wire carried exactly the counter the replay predicts
            copies = 0
            for kind, _peer, message in trace:
                if kind == "send":
                    for r in copies_in(message):
                        assert r.rounds == on_wire[id(message)][r.id]
                        copies += 1
            assert copies > len(rumours) * len(live)
            for peer in live:
                hist = peer.metrics.gossip_rounds_to_learn
                learned = [
                    expected[(peer.id, rid)] for origin, rid in rumours if origin is not peer
                ]
                assert hist._sum.get() == sum(learned)
            spread = [max(expected[(p.id, rid)] for p in live) for _, rid in rumours]
            assert max(spread) <= 10

    run_virtual(main())
