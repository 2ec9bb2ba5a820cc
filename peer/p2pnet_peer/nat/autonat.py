"""AutoNAT: learn whether this peer is reachable, and its observed address.

Client: ask a few peers to dial back (DialBack); each dials this peer's listening port at
the host it observed the request come from, and answers whether this peer's Nat.Ping
answered with the right ID. The verdict and observed host come from
:class:`~p2pnet_peer.nat.reachability.Reachability`. Behind NAT, the mapping behaviour is
measured too: one local port sends to two peers and their observations are compared.

Server: dial back only the host the request came from (never a third party). In fallback
mode the observed host is an emulated external address that must never be dialled, so
the server dials the caller's real listening address instead and lets the caller's
emulated NAT (its inbound gate) decide, which it does by the same rules.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from p2pnet.v1 import nat_pb2
from p2pnet_peer.kademlia.contact import Contact
from p2pnet_peer.nat.addresses import host_of
from p2pnet_peer.nat.reachability import PUBLIC, classify_mapping
from p2pnet_peer.transport.base import PeerUnreachable
from p2pnet_peer.wire import InvalidRequest, check_address

if TYPE_CHECKING:
    from p2pnet_peer.nat.node import NatNode

SERVICE = "p2pnet.v1.Nat"


async def _ask(node: NatNode, server: str) -> None:
    request = nat_pb2.DialBackRequest(
        sender=node.wire_self(), port=node.listen_port, listen=node.setup.listen
    )
    try:
        reply = await node.inner.call(
            server, SERVICE, "DialBack", request, node.config.dial_back_timeout + 2.0
        )
    except PeerUnreachable:
        return
    node.reach.record(reply.responder.id, bool(reply.reachable), reply.observed or None)


async def check(node: NatNode, servers: list[str]) -> None:
    """Ask up to ``autonat_servers`` of ``servers`` at once; then measure the mapping."""
    own = {node.setup.listen, node.address}
    chosen = [s for s in dict.fromkeys(servers) if s not in own][: node.config.autonat_servers]
    if chosen:
        await asyncio.gather(*(_ask(node, s) for s in chosen))
    if node.reach.status != PUBLIC and len(chosen) >= 2:
        prepared = await node.puncher.prepare()
        prepared.close()
        seen = [await node.puncher.observe(prepared.port, s) for s in chosen[:2]]
        node.mapping = classify_mapping([s for s in seen if s])
    node.reachability_changed()


async def dial_back(
    node: NatNode, sender: Contact, request: nat_pb2.DialBackRequest, observed: str | None
) -> nat_pb2.DialBackResponse:
    if not 0 < request.port < 65536:
        raise InvalidRequest("port: must be 1..65535")
    if observed is None:
        raise InvalidRequest("the caller's address cannot be observed")
    if node.setup.emulation is not None:
        target = check_address(request.listen, "listen")
    else:
        target = f"{host_of(observed)}:{request.port}"
    ping = nat_pb2.NatPingRequest(sender=node.wire_self())
    try:
        reply = await node.inner.call(target, SERVICE, "Ping", ping, node.config.dial_back_timeout)
        reachable = reply.responder.id == sender.id
    except PeerUnreachable:
        reachable = False
    return nat_pb2.DialBackResponse(
        responder=node.wire_self(), observed=observed, reachable=reachable, dialed=target
    )
