"""The Membership gRPC service: checks each request, applies its gossip, answers.

Transport-agnostic: methods take a request message and return a response message, and
raise :class:`~p2pnet_peer.wire.InvalidRequest` for bad input (INVALID_ARGUMENT on gRPC).
"""

from __future__ import annotations

from typing import Any

from p2pnet.v1 import membership_pb2
from p2pnet_peer.kademlia.contact import Contact
from p2pnet_peer.membership.messages import gossip_from_wire
from p2pnet_peer.membership.node import MembershipNode
from p2pnet_peer.swim.member import Gossip
from p2pnet_peer.wire import InvalidRequest, contact_from_wire


class MembershipService:
    name = "p2pnet.v1.Membership"

    def __init__(self, node: MembershipNode) -> None:
        self.node = node

    def _sender(self, request: Any) -> Contact:
        if not request.HasField("sender"):
            raise InvalidRequest("sender: is required")
        sender = contact_from_wire(request.sender, "sender")
        if sender.id == self.node.id:
            raise InvalidRequest("sender.id: is this peer's own ID")
        return sender

    def _gossip(self, request: Any) -> Gossip:
        return gossip_from_wire(
            request.gossip.updates,
            request.gossip.rumours,
            strict=True,
            max_rumour_bytes=self.node.config.max_rumour_bytes,
        )

    async def Ping(self, request: membership_pb2.PingRequest) -> membership_pb2.PingResponse:
        sender = self._sender(request)
        if request.target_id and request.target_id != self.node.id:
            raise InvalidRequest("target_id: is not this peer")
        gossip = self._gossip(request)
        self.node.heard(sender, request.incarnation, gossip)
        self.node.count_sent("ack")
        return membership_pb2.PingResponse(
            responder=self.node.wire_self(),
            incarnation=self.node.core.incarnation,
            gossip=self.node.gossip_for(sender.id, gossip),
        )

    async def PingReq(
        self, request: membership_pb2.PingReqRequest
    ) -> membership_pb2.PingReqResponse:
        sender = self._sender(request)
        if not request.HasField("target"):
            raise InvalidRequest("target: is required")
        target = contact_from_wire(request.target, "target")
        if target.id in (self.node.id, sender.id):
            raise InvalidRequest("target: must be a third peer")
        gossip = self._gossip(request)
        self.node.heard(sender, request.incarnation, gossip)
        wait = self.node.config.probe_timeout
        if request.timeout_ms:
            wait = min(wait, request.timeout_ms / 1000)
        acked = await self.node.ping(target, wait)
        self.node.count_sent("ping_req_ack")
        return membership_pb2.PingReqResponse(
            responder=self.node.wire_self(),
            incarnation=self.node.core.incarnation,
            acked=acked,
            gossip=self.node.gossip_for(sender.id, gossip),
        )

    async def PushPull(
        self, request: membership_pb2.PushPullRequest
    ) -> membership_pb2.PushPullResponse:
        sender = self._sender(request)
        state = gossip_from_wire(
            request.members,
            request.rumours,
            strict=True,
            full_state=True,
            max_rumour_bytes=self.node.config.max_rumour_bytes,
        )
        self.node.heard(sender, request.incarnation, state, full_state=True)
        members, rumours = self.node.full_state_wire()
        self.node.count_sent("push_pull")
        return membership_pb2.PushPullResponse(
            responder=self.node.wire_self(),
            incarnation=self.node.core.incarnation,
            members=members,
            rumours=rumours,
        )
