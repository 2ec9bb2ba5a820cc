"""One content's swarm as this peer sees it: neighbours, their pieces, who chokes whom.

The driver reports what happened (a handshake, a Have, a piece, a refusal) and asks what
to do (which pieces to request from a neighbour, whether to serve a request, which Haves
are due, whom to unchoke). Each neighbour's record is our view of its pieces and its
choke decision for us, and our choke decision for it and what we have told it.

A neighbour learns our pieces from the bitfield in the handshake and then from Haves
carrying every piece we verify (even ones it holds: whether it still wants anything from
us depends on it); our choke decision rides on the same messages.
"""

from __future__ import annotations

import random
from collections.abc import Container

from p2pnet_peer.swarm.bitfield import bits, mask_of
from p2pnet_peer.swarm.choker import Choker
from p2pnet_peer.swarm.config import SwarmConfig
from p2pnet_peer.swarm.manifest import Manifest, PieceData
from p2pnet_peer.swarm.neighbour import Neighbour
from p2pnet_peer.swarm.outcomes import Announcement, PieceOutcome, PieceResult, Refusal
from p2pnet_peer.swarm.penalties import Penalties
from p2pnet_peer.swarm.picker import PiecePicker

SLACK = 0.001  # seconds: a Have this close to its due time is due (clocks round)
DECLINE_SECONDS = 1.0  # a piece a seed declined is not asked of it again for this long


class SwarmSession:
    def __init__(
        self,
        manifest: Manifest,
        have: int,
        config: SwarmConfig,
        rng: random.Random,
        now: float,
    ) -> None:
        self.manifest = manifest
        self.config = config
        self.picker = PiecePicker(manifest.count, have, rng, config.endgame_duplicates)
        self.choker = Choker(config, rng)
        self.penalties = Penalties(config.max_bad_pieces)
        self.neighbours: dict[bytes, Neighbour] = {}
        self.out = 0  # pieces we sent or saw at a neighbour: already out in the swarm
        self.downloaded = 0  # verified payload bytes received
        self.uploaded = 0

    @property
    def cid(self) -> bytes:
        return self.manifest.cid

    @property
    def have(self) -> int:
        return self.picker.have

    @property
    def complete(self) -> bool:
        return self.picker.complete

    @property
    def super_seeding(self) -> bool:
        """A seed sending first copies: it holds pieces no neighbour has yet."""
        return self.config.seed_first_copies and self.complete and bool(self.have & ~self.out)

    @property
    def unchoked(self) -> list[bytes]:
        return [p for p, n in self.neighbours.items() if not n.we_choke]

    # -- neighbours -------------------------------------------------------------------------

    def connect(self, peer: bytes, now: float) -> bool:
        """Add a neighbour (idempotent). False when it is banned or there is no room."""
        if self.penalties.is_banned(peer):
            return False
        if peer in self.neighbours:
            return True
        if len(self.neighbours) >= self.config.max_neighbours:
            return False
        self.neighbours[peer] = Neighbour.new(peer, self.config.rate_window, now)
        return True

    def disconnect(self, peer: bytes) -> None:
        n = self.neighbours.pop(peer, None)
        if n is not None:
            self.out &= ~n.first_copies  # first copies that left with it go out again
            self.picker.add_availability(n.has, -1)
            for i in bits(n.requested):
                self.picker.release(peer, i)

    def settled(self, peer: bytes) -> bool:
        """We and ``peer`` both hold every piece and it has heard of all of ours: nothing
        will flow between us again, so the connection can go (BitTorrent clients close
        seed-to-seed connections too); keeping it would only cost keep-alives."""
        n = self.neighbours.get(peer)
        return n is not None and self.complete and n.has == self.have and not n.unannounced

    def told_bitfield(self, peer: bytes, now: float) -> None:
        """We sent ``peer`` our full bitfield and choke decision (handshake either way)."""
        n = self.neighbours[peer]
        n.unannounced, n.told_choke, n.last_told = 0, n.we_choke, now
        n.told_super_seeding = self.super_seeding

    def on_bitfield(
        self,
        peer: bytes,
        mask: int,
        choking_us: bool,
        super_seeding: bool = False,
        upload_unlimited: bool = False,
    ) -> None:
        """``peer``'s handshake: its pieces, choke decision for us, whether it is sending
        first copies, and whether its upload has no rate limit (requests to it may then
        be sized by its rate from its first piece on: see :class:`Neighbour`)."""
        n = self.neighbours[peer]
        self.picker.add_availability(n.has & ~mask, -1)
        self.picker.add_availability(mask & ~n.has, +1)
        n.has, n.choking_us, n.super_seeding = mask, choking_us, super_seeding
        n.upload_unlimited = upload_unlimited
        self._spread(peer, mask)

    def on_have(
        self, peer: bytes, mask: int, choking_us: bool, super_seeding: bool = False
    ) -> None:
        n = self.neighbours[peer]
        self.picker.add_availability(mask & ~n.has, +1)
        n.has |= mask
        n.choking_us, n.super_seeding = choking_us, super_seeding
        self._spread(peer, mask)

    def _spread(self, peer: bytes, mask: int) -> None:
        """``peer`` holds ``mask``: those pieces are out (unless it hoards first copies),
        and any first copy of them we sent another neighbour has spread."""
        if not self.neighbours[peer].hoarding:
            self.out |= mask
        if not self.complete:
            return
        for p, n in self.neighbours.items():
            if n.first_copies & mask and p != peer:
                n.first_copies &= ~mask

    # -- downloading ------------------------------------------------------------------------

    def stream_pieces(self, peer: bytes, now: float) -> int:
        """How many pieces one GetPieces stream to ``peer`` should ask for now."""
        n = self.neighbours.get(peer)
        if n is None:
            return self.config.request_batch
        return n.stream_pieces(self.config, self.manifest.piece_size, now)

    def request(self, peer: bytes, limit: int, now: float) -> list[int]:
        """Up to ``limit`` pieces to request from ``peer`` now: empty if it chokes us, has
        nothing new, or already has its pipeline's worth in flight."""
        n = self.neighbours.get(peer)
        if n is None or n.choking_us:
            return []
        if n.declined and now >= n.declined_until:
            n.declined = 0
        target = n.in_flight_target(self.config, self.manifest.piece_size, now)
        room = min(limit, target - n.requested.bit_count())
        if self.picker.endgame:
            room = min(room, 1)
        if room < 1:
            return []
        chosen = self.picker.pick(peer, n.has & ~n.excluded & ~n.declined, room)
        if chosen:
            n.delivery.start(now)  # its rate counts from our first request
        n.requested |= mask_of(chosen)
        return chosen

    def release(self, peer: bytes, indices: list[int] | set[int]) -> None:
        """``peer`` will not deliver ``indices`` (the stream failed, ended or was cancelled)."""
        n = self.neighbours.get(peer)
        for i in indices:
            self.picker.release(peer, i)
            if n is not None:
                n.requested &= ~(1 << i)

    def on_declined(self, peer: bytes, index: int, now: float) -> None:
        """``peer`` (a seed) declined ``index`` as already out: ask it for others a while."""
        self.release(peer, [index])
        n = self.neighbours.get(peer)
        if n is not None:
            n.declined |= 1 << index
            n.declined_until = now + DECLINE_SECONDS

    def on_choked(self, peer: bytes) -> None:
        n = self.neighbours.get(peer)
        if n is not None:
            n.choking_us = True

    def on_piece(self, peer: bytes, index: int, data: PieceData, now: float) -> PieceResult:
        n = self.neighbours.get(peer)
        bit = 1 << index
        if n is None or not n.requested & bit:
            return PieceResult(PieceOutcome.UNEXPECTED)
        n.requested &= ~bit
        if not self.manifest.verify(index, data):
            self.picker.release(peer, index)
            n.excluded |= bit
            dropped = self.penalties.bad_piece(peer)
            if dropped:
                self.disconnect(peer)
            return PieceResult(PieceOutcome.BAD, dropped=dropped)
        n.downloaded.add(len(data), now)
        n.delivery.add(len(data), now)
        if self.have & bit:
            self.picker.release(peer, index)
            return PieceResult(PieceOutcome.DUPLICATE)
        others = tuple(p for p in self.picker.received(index) if p != peer)
        self.downloaded += len(data)
        for m in self.neighbours.values():
            m.unannounced |= bit  # even if it has it: its interest in us depends on it
        return PieceResult(PieceOutcome.VERIFIED, others=others)

    # -- uploading --------------------------------------------------------------------------

    def serve(self, peer: bytes, index: int) -> Refusal | None:
        """Whether to send ``index`` to ``peer``: None to send it (it now counts as out),
        else why not."""
        n = self.neighbours.get(peer)
        if n is None:
            return Refusal.NOT_CONNECTED
        if n.we_choke:
            n.told_choke = True  # the refusal tells it
            return Refusal.CHOKED
        bit = 1 << index
        if not self.have & bit:
            return Refusal.NOT_HELD
        first_copies = self.config.seed_first_copies and self.complete
        if first_copies and self.out & bit and self.have & ~self.out:
            return Refusal.ALREADY_OUT  # some piece is not out yet: that one first
        if first_copies and not self.out & bit:
            n.first_copies |= bit
        self.out |= bit
        return None

    def choking(self, peer: bytes) -> bool:
        n = self.neighbours.get(peer)
        return n is None or n.we_choke

    def proven(self, peer: bytes) -> bool:
        return self.neighbours[peer].proven

    def trial_wait(self, peer: bytes, nbytes: int, now: float) -> float:
        """Seconds to hold a piece for ``peer`` back before it takes the upload link: a
        leecher caps a peer that has not reciprocated at one slot's share of its link
        (:meth:`Neighbour.trial_wait`), whether or not it holds pieces we lack: either way
        what reciprocating peers leave idle must not all flow to it. Seeds do not cap."""
        n = self.neighbours.get(peer)
        if n is None or self.complete or n.proven:
            return 0.0
        return n.trial_wait(self.config, nbytes, now)

    def on_uploaded(self, peer: bytes, nbytes: int, now: float) -> None:
        self.uploaded += nbytes
        n = self.neighbours.get(peer)
        if n is not None:
            n.uploaded.add(nbytes, now)

    def rechoke(self, now: float) -> bool:
        """Run the choker; True if any neighbour's choke state changed."""
        have, seeding, neighbours = self.have, self.complete, self.neighbours
        interested = [p for p, n in neighbours.items() if have & ~n.has]
        if seeding:
            hoarders = self._hoarders(interested)
            interested = [p for p in interested if p not in hoarders]

        def rank(peer: bytes) -> tuple[float, ...]:
            n = neighbours[peer]
            if seeding:
                return (n.uploaded.rate(now),)
            return (n.downloaded.rate(now), 0.0 if n.choking_us else 1.0)

        unchoked = self.choker.tick(now, interested, rank, None if seeding else self.proven)
        changed = False
        for p, n in self.neighbours.items():
            choke = p not in unchoked
            if choke != n.we_choke:
                n.we_choke, changed = choke, True
        return changed

    def _hoarders(self, interested: list[bytes]) -> set[bytes]:
        """(A seed sending first copies) the interested neighbours that each hold
        ``seed_unspread_limit`` first copies from us that no other neighbour has: BEP 16's
        super-seeding rule, so a peer that does not pass pieces on (a free rider) stops
        getting first copies, and the ones it sits on go out again to others, once, when
        it starts hoarding. Not when every interested neighbour hoards: then there is
        nobody else to send first copies to (a lone downloader, say)."""
        if not self.super_seeding:
            over: set[bytes] = set()
        else:
            limit, held = self.config.seed_unspread_limit, self.neighbours
            over = {p for p in interested if held[p].first_copies.bit_count() >= limit}
            if len(over) == len(interested):
                over = set()
        for p, n in self.neighbours.items():
            hoarding = p in over
            if hoarding and not n.hoarding:
                self.out &= ~n.first_copies
            n.hoarding = hoarding
        return over

    # -- announcing -------------------------------------------------------------------------

    def _due_at(self, n: Neighbour) -> float:
        # At once, news it can act on now: an unchoke (its upload slot idles until then);
        # pieces it lacks while we unchoke it (it may fetch them from us right away, so a
        # new piece crosses the swarm without waiting for a batch at every hop); and that
        # we just got the last pieces we wanted from it while it still counts us as
        # wanting them (BitTorrent's not-interested: the slot it keeps for us can go to a
        # peer that can use it).
        lacks = n.unannounced & ~n.has
        want_nothing = not n.has & ~self.have
        if not n.we_choke and (n.told_choke or lacks):
            return n.last_told
        if want_nothing and n.unannounced & n.has:
            return n.last_told
        # Batched every have_interval: pieces it lacks while we choke it, and a choke;
        # any piece to a seed sending first copies (it watches them spread), and the
        # start or end of our own first-copy phase. Other pieces it has anyway ride along
        # with the next Have or keep-alive: they only refine its availability counts.
        news = n.unannounced and (want_nothing or n.super_seeding)
        stale = n.told_choke != n.we_choke or n.told_super_seeding != self.super_seeding
        if lacks or news or stale:
            return n.last_told + self.config.have_interval
        return n.last_told + self.config.keepalive_interval

    def next_announcement(self, busy: Container[bytes] = ()) -> float | None:
        """When the next Have is due, ``busy`` neighbours aside (None: nobody)."""
        due = (self._due_at(n) for p, n in self.neighbours.items() if p not in busy)
        return min(due, default=None)

    def announcements(self, now: float, busy: Container[bytes] = ()) -> list[Announcement]:
        """Haves due now (skipping ``busy`` neighbours); each is marked as told."""
        out, super_seeding = [], self.super_seeding
        for p, n in self.neighbours.items():
            if p in busy or self._due_at(n) > now + SLACK:
                continue
            out.append(Announcement(p, bits(n.unannounced), n.we_choke, super_seeding))
            n.unannounced, n.told_choke, n.last_told = 0, n.we_choke, now
            n.told_super_seeding = super_seeding
        return out
