"""One SWIM probe of one member, within one protocol period (SWIM section 3.1).

A direct Ping with the whole period as its deadline; after ``probe_timeout`` without an
ack, PingReqs through the core's helpers as well. The first ack from any of them clears
the target; none by the end of the period makes it suspect. Helpers that answer "no ack"
are nacks (Lifeguard): a helper that does not answer at all counts against this peer's own
health. Every call is awaited or cancelled before the probe returns.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from p2pnet_peer.kademlia.contact import Contact

if TYPE_CHECKING:
    from p2pnet_peer.membership.node import MembershipNode


async def probe(node: MembershipNode, target: Contact, deadline: float) -> None:
    """A direct Ping; after ``probe_timeout`` without an ack, PingReqs through helpers
    too. The first ack clears the target; none by ``deadline`` makes it suspect."""
    direct = asyncio.create_task(node.ping(target, deadline - node.now()))
    helpers: list[asyncio.Task[bool | None]] = []
    pending: set[asyncio.Task[Any]] = {direct}
    try:
        await asyncio.wait(pending, timeout=node.config.probe_timeout)
        if direct.done() and direct.result():
            node.core.probe_succeeded()
            return
        for helper in node.core.indirect_helpers(target.id):
            ask = node.ping_req(helper, target, deadline - node.now())
            helpers.append(asyncio.create_task(ask))
        pending = {t for t in (direct, *helpers) if not t.done()}
        while pending and deadline > node.now():
            done, pending = await asyncio.wait(
                pending, timeout=deadline - node.now(), return_when=asyncio.FIRST_COMPLETED
            )
            if any(t.result() for t in done):
                node.core.probe_succeeded()
                return
        member = node.core.table.get(target.id)
        if member is not None and not member.state.gone:
            node.metrics.membership_suspicions.inc()
        nacks = sum(1 for t in helpers if t.done() and t.result() is False)
        now = node.now()
        node.dispatch(node.core.probe_failed(target.id, now, helpers=len(helpers), nacks=nacks))
    finally:
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)
