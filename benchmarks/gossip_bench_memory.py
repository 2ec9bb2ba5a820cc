"""The memory backend of gossip_convergence.py: N peers in this process, virtual time."""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from collections.abc import Callable
from typing import Any

from p2pnet_peer.peer import Peer, PeerConfig
from p2pnet_peer.simulation import SimulatedNetwork
from p2pnet_peer.swim.member import Event, MemberChanged, State
from p2pnet_peer.transport.memory import MemoryNetwork
from p2pnet_peer.virtual_time import run_virtual

JOIN_BATCH = 50


async def wait_until(check: Callable[[], bool], step: float, limit: float) -> float | None:
    """Poll ``check`` every ``step`` seconds; the time it became true, or None."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while loop.time() < deadline:
        if check():
            return loop.time()
        await asyncio.sleep(step)
    return loop.time() if check() else None


def knows_dead(peer: Peer, member_id: bytes) -> bool:
    member = peer.membership.core.table.get(member_id)
    return member is None or member.state.gone


def run_memory(args: argparse.Namespace) -> dict[str, Any]:
    config = PeerConfig.lan() if args.preset == "lan" else PeerConfig.local()
    interval = config.swim.probe_interval

    async def main() -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        net = MemoryNetwork(latency=args.latency_ms / 1000, rng=random.Random(args.seed))
        rng = random.Random(args.seed)
        crashed: set[bytes] = set()
        first_suspected: dict[bytes, float] = {}
        false_dead: set[bytes] = set()

        def watch(event: Event) -> None:
            if not isinstance(event, MemberChanged) or event.new is State.ALIVE:
                return
            if event.contact.id in crashed:
                first_suspected.setdefault(event.contact.id, loop.time())
            elif event.new is State.DEAD:
                false_dead.add(event.contact.id)

        async with SimulatedNetwork(net, config, seed=args.seed, maintain=True) as sim:
            began, t0 = time.perf_counter(), loop.time()
            peers = [sim.add() for _ in range(args.peers)]
            for peer in peers:
                peer.membership.listeners.append(watch)
            if args.join == "roster":
                roster = [p.membership.contact for p in peers]
                for peer in peers:
                    peer.membership.adopt(roster)
            else:
                seeds = [peers[0].address]
                for i in range(1, len(peers), JOIN_BATCH):
                    batch = peers[i : i + JOIN_BATCH]
                    await asyncio.gather(*(p.membership.join(seeds) for p in batch))
            full = args.peers - 1
            done = await wait_until(
                lambda: all(p.membership.core.table.count(State.ALIVE) == full for p in peers),
                interval,
                600 * interval,
            )
            converged = None if done is None else round((done - t0) / interval, 1)
            await wait_until(lambda: not any(p.membership.core.queue for p in peers), 1, 600)
            _log(
                f"{args.peers} peers ({args.join}): members converged in {converged} periods", began
            )

            net.loss = args.loss
            copies_before = _rumour_copies(sim)
            ids = []
            for i in range(args.rumours):
                payload = f"rumour {i} ".encode().ljust(args.payload_bytes, b".")
                ids.append(rng.choice(list(sim)).membership.broadcast(payload).id)
                await asyncio.sleep(args.gap * interval)
            await wait_until(
                lambda: all(all(i in p.membership.core.rumours for i in ids) for p in sim),
                interval,
                100 * interval,
            )
            # transmit limits run out: every copy is counted
            await wait_until(
                lambda: not any(("r", i) in p.membership.core.queue for p in sim for i in ids),
                interval,
                600 * interval,
            )
            rounds, informed = [], []
            for rumour_id in ids:
                got = [p.membership.core.rumours.get(rumour_id) for p in sim]
                reached = [k.rounds for k in got if k is not None]
                informed.append(len(reached) / len(sim))
                rounds.append(max(reached))
            copies = _rumour_copies(sim) - copies_before
            _log(f"{args.rumours} rumours spread", began)

            detection, everywhere = [], []
            victims = rng.sample(list(sim)[1:], args.crashes)
            crashed.update(v.id for v in victims)
            t_crash = loop.time()
            for victim in victims:  # all at once
                await sim.stop(victim.address)
            limit = config.swim.suspicion_max_timeout(args.peers) + 60 * interval
            pending = {v.id for v in victims}
            while pending and loop.time() < t_crash + limit:
                for v in [v for v in pending if all(knows_dead(p, v) for p in sim)]:
                    everywhere.append((loop.time() - t_crash) / interval)
                    pending.discard(v)
                await asyncio.sleep(interval / 10)
            detection = [
                (first_suspected[v.id] - t_crash) / interval
                for v in victims
                if v.id in first_suspected
            ]
            _log(f"{args.crashes} crashes detected", began)
            return {
                "rounds": rounds,
                "informed": informed,
                "rumour_copies": copies,
                "detection_periods": detection,
                "dead_everywhere_periods": everywhere,
                "false_dead": len(false_dead - crashed),
                "false_suspicions": sum(
                    p.metrics.membership_false_suspicions._value.get() for p in sim
                ),
                "converged_periods": converged,
            }

    return run_virtual(main())


def _rumour_copies(sim: SimulatedNetwork) -> float:
    return sum(p.metrics.gossip_messages.labels("rumour")._value.get() for p in sim)


def _log(what: str, began: float) -> None:
    print(f"{what} ({time.perf_counter() - began:.0f} s real)", file=sys.stderr)
