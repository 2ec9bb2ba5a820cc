"""An iterative Kademlia lookup whose state is owned by one loop.

The caller asks :meth:`Lookup.next_requests` which peers to query, sends the requests,
and reports each outcome with :meth:`on_response` or :meth:`on_failure`. The lookup keeps
at most ``alpha`` requests in flight and always queries the closest peers it has heard of
but not yet queried, among the ``k`` closest that have not failed.

It terminates when the ``k`` closest peers it knows of that have not failed have all
answered (or when nobody is left to query). With ``beta`` set it terminates sooner, as
libp2p's resilient lookups do: once the ``beta`` closest it knows of have answered; its
result is then the ``k`` closest it has heard of that have not failed, answered or not.
For a value lookup the caller calls :meth:`finish` as soon as a peer returns the record.

Hop count. Every peer in the lookup has a referral depth: peers taken from the caller's
own routing table have depth 1; a peer first learned from the answer of a depth-d peer has
depth d + 1 (the minimum over all peers that referred it). A lookup's hop count is the
depth of the closest peer that answered (for a value lookup, of the peer that returned the
value): the number of referral steps it took to reach the result.
"""

from __future__ import annotations

import bisect
import enum
from collections.abc import Iterable
from dataclasses import dataclass

from p2pnet_peer.kademlia.contact import Contact
from p2pnet_peer.kademlia.ids import as_int


class PeerState(enum.Enum):
    HEARD = "heard"
    WAITING = "waiting"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


@dataclass(slots=True)
class _Peer:
    contact: Contact
    distance: int
    depth: int
    state: PeerState = PeerState.HEARD


class Lookup:
    def __init__(
        self,
        target: bytes,
        seeds: Iterable[Contact],
        *,
        k: int,
        alpha: int,
        beta: int | None = None,
        self_id: bytes | None = None,
    ) -> None:
        if beta is not None and not 1 <= beta <= k:
            raise ValueError(f"beta must be between 1 and k ({k}), got {beta}")
        self.target = target
        self._t = as_int(target)
        self._k = k
        self._alpha = alpha
        self._beta = beta
        self._self_id = self_id
        self._peers: dict[bytes, _Peer] = {}
        self._order: list[tuple[int, bytes]] = []  # (distance, id), nearest first
        self._in_flight = 0
        self._finished = False
        self.rpcs = 0
        self.failed_rpcs = 0
        self.finished_by: Contact | None = None
        for contact in seeds:
            self._add(contact, depth=1)

    def _add(self, contact: Contact, depth: int) -> None:
        if contact.id == self._self_id:
            return
        known = self._peers.get(contact.id)
        if known is not None:
            known.depth = min(known.depth, depth)
            return
        peer = _Peer(contact, contact.int_id ^ self._t, depth)
        self._peers[contact.id] = peer
        bisect.insort(self._order, (peer.distance, contact.id))

    def _closest_alive(self) -> list[_Peer]:
        """The k closest peers that have not failed, nearest first."""
        out: list[_Peer] = []
        for _, node_id in self._order:
            peer = self._peers[node_id]
            if peer.state is not PeerState.FAILED:
                out.append(peer)
                if len(out) == self._k:
                    break
        return out

    @property
    def done(self) -> bool:
        return self._done(self._closest_alive())

    def _done(self, closest: list[_Peer]) -> bool:
        if self._finished:
            return True
        quorum = closest if self._beta is None else closest[: self._beta]
        if all(p.state is PeerState.SUCCEEDED for p in quorum):
            return True
        # Nobody left to ask and nothing in flight: the lookup is exhausted.
        return self._in_flight == 0 and not any(p.state is PeerState.HEARD for p in closest)

    @property
    def in_flight(self) -> int:
        return self._in_flight

    def next_requests(self) -> list[Contact]:
        """Peers to query now; each is marked in flight. Empty when done or saturated."""
        closest = self._closest_alive()
        if self._done(closest):
            return []
        out: list[Contact] = []
        for peer in closest:
            if self._in_flight >= self._alpha:
                break
            if peer.state is PeerState.HEARD:
                peer.state = PeerState.WAITING
                self._in_flight += 1
                self.rpcs += 1
                out.append(peer.contact)
        return out

    def on_response(self, contact: Contact, closer: Iterable[Contact]) -> None:
        peer = self._peers.get(contact.id)
        if peer is None or peer.state is not PeerState.WAITING:
            return
        peer.state = PeerState.SUCCEEDED
        self._in_flight -= 1
        for c in closer:
            self._add(c, peer.depth + 1)

    def on_failure(self, contact: Contact) -> None:
        peer = self._peers.get(contact.id)
        if peer is None or peer.state is not PeerState.WAITING:
            return
        peer.state = PeerState.FAILED
        self._in_flight -= 1
        self.failed_rpcs += 1

    def finish(self, by: Contact | None = None) -> None:
        """Stop early (a value was found). ``by`` is the peer that answered with it."""
        self._finished = True
        self.finished_by = by

    def result(self) -> list[Contact]:
        """The k closest peers that answered, nearest first (with ``beta``: the k closest
        heard of that have not failed)."""
        if self._beta is not None:
            return [p.contact for p in self._closest_alive()]
        out: list[Contact] = []
        for _, node_id in self._order:
            peer = self._peers[node_id]
            if peer.state is PeerState.SUCCEEDED:
                out.append(peer.contact)
                if len(out) == self._k:
                    break
        return out

    @property
    def hops(self) -> int:
        """Referral depth of the closest peer that answered (0 if none did)."""
        if self.finished_by is not None:
            return self._peers[self.finished_by.id].depth
        for _, node_id in self._order:
            peer = self._peers[node_id]
            if peer.state is PeerState.SUCCEEDED:
                return peer.depth
        return 0

    def state_of(self, node_id: bytes) -> PeerState | None:
        peer = self._peers.get(node_id)
        return peer.state if peer else None
