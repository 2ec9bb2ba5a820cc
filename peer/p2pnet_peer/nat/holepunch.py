"""DCUtR: upgrade a relayed pair to a direct connection by coordinated hole punching.

Caller (wants to reach a peer behind a circuit address): binds a punch port, sends
HolePunch over the relay with its observed host, punch port and mapping behaviour; if
the callee accepts, both punch at once (the callee starts on receipt, the caller on the
answer: half a relayed round trip apart, well inside SYN retransmission). The caller
checks the new connection with a Ping that must come back from the right peer ID, and
only then routes calls over it and counts a hole punch. Pairs that cannot work (both
mappings endpoint-dependent, or the same NAT) are refused by the callee and stay relayed.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from p2pnet.v1 import nat_pb2
from p2pnet_peer.kademlia.contact import Contact
from p2pnet_peer.nat.paths import punch_refusal
from p2pnet_peer.nat.punching import Remote, Route
from p2pnet_peer.transport.base import PeerUnreachable
from p2pnet_peer.wire import InvalidRequest

if TYPE_CHECKING:
    from p2pnet_peer.nat.node import NatNode

SERVICE = "p2pnet.v1.Nat"
PATH = "holepunch"


class HolePunch:
    def __init__(self, node: NatNode) -> None:
        self.node = node

    async def _verified(self, route: Route, peer: bytes) -> bool:
        request = nat_pb2.NatPingRequest(sender=self.node.wire_self())
        try:
            reply = await route.call(SERVICE, "Ping", request, self.node.config.holepunch_timeout)
        except PeerUnreachable:
            return False
        return bool(reply.responder.id == peer)

    async def upgrade(self, relay: str, peer: bytes, address: str) -> None:
        """Caller side; runs in the node's task group. Registers the route on success."""
        node = self.node
        prepared = await node.puncher.prepare()
        request = nat_pb2.HolePunchRequest(
            sender=node.wire_self(),
            observed_host=node.observed_host,
            punch_port=prepared.port,
            mapping=node.mapping,
            listen=node.setup.listen,
            nonce=os.urandom(16),
        )
        try:
            reply = await node.relay_call(
                relay, peer, address, SERVICE, "HolePunch", request, node.config.holepunch_timeout
            )
        except PeerUnreachable:
            prepared.close()
            node.paths.punched(peer, False, node.now())
            return
        if not reply.accepted:
            prepared.close()
            node.paths.refused(peer)
            node.event("holepunch_refused", remote=address, reason=reply.reason)
            return
        remote = Remote(reply.observed_host, reply.punch_port, reply.listen)
        deadline = node.now() + node.config.holepunch_timeout
        route = await node.puncher.connect(prepared, remote, request.nonce, deadline)
        ok = route is not None and await self._verified(route, peer)
        node.connection(PATH, address, ok, every=True)
        node.paths.punched(peer, ok, node.now())
        if ok and route is not None:
            node.set_route(peer, route)
        elif route is not None:
            await route.close()

    async def answer(
        self, sender: Contact, request: nat_pb2.HolePunchRequest
    ) -> nat_pb2.HolePunchResponse:
        """Callee side (the request came over our relay)."""
        node = self.node
        if len(request.nonce) != 16:
            raise InvalidRequest("nonce: must be 16 bytes")
        if not 0 < request.punch_port < 65536:
            raise InvalidRequest("punch_port: must be 1..65535")
        refusal = punch_refusal(
            node.mapping, request.mapping, node.observed_host, request.observed_host
        )
        if refusal is not None:
            return nat_pb2.HolePunchResponse(
                responder=node.wire_self(), accepted=False, reason=refusal
            )
        prepared = await node.puncher.prepare()
        remote = Remote(request.observed_host, request.punch_port, request.listen)
        deadline = node.now() + node.config.holepunch_timeout
        node.spawn(node.puncher.serve(prepared, remote, request.nonce, deadline))
        return nat_pb2.HolePunchResponse(
            responder=node.wire_self(),
            accepted=True,
            observed_host=node.observed_host,
            punch_port=prepared.port,
            mapping=node.mapping,
            listen=node.setup.listen,
        )
