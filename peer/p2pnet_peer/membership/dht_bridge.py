"""Membership feeds the DHT: members learned alive are offered to the routing table
(ping-before-evict decides whether they displace anyone), members declared dead or left
are removed from it at once instead of waiting for lookups to time out on them."""

from __future__ import annotations

from p2pnet_peer.dht.node import DhtNode
from p2pnet_peer.membership.node import MembershipNode
from p2pnet_peer.swim.member import Event, MemberChanged, State


def feed_routing_table(membership: MembershipNode, dht: DhtNode) -> None:
    def on_event(event: Event) -> None:
        if not isinstance(event, MemberChanged):
            return
        if event.new is State.ALIVE:
            dht.saw(event.contact)
        elif event.new.gone:
            dht.table.remove(event.contact.id)

    membership.listeners.append(on_event)
