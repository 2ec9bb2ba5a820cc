"""What a swarm session knows about one neighbour, and what it has told it."""

from __future__ import annotations

from dataclasses import dataclass

from p2pnet_peer.swarm.config import SwarmConfig
from p2pnet_peer.swarm.rate import RateMeter
from p2pnet_peer.swarm.token_bucket import TokenBucket

PIPELINE_RATE_WINDOW = 2.0  # seconds: the delivery rate that sizes a neighbour's pipeline
# Its shortest span. It is counted from our first request, so it spans a round trip at
# least; a floor of 20 ms (a hundredth of the window) read a loopback link's first 8
# pieces, delivered in 5 ms, as a quarter of their rate, and held streams small for 50.
PIPELINE_MIN_AGE = 0.001


@dataclass(slots=True)
class Neighbour:
    id: bytes
    downloaded: RateMeter  # bytes it sent us
    uploaded: RateMeter  # bytes we sent it
    delivery: RateMeter  # bytes it sent us, short window: sizes the pipeline
    last_told: float  # when we last sent it a Bitfield or Have
    has: int = 0
    choking_us: bool = True
    we_choke: bool = True
    told_choke: bool = True  # our choke decision as it last heard it
    unannounced: int = 0  # our pieces it has not heard of
    requested: int = 0  # pieces requested from it, not yet delivered or released
    excluded: int = 0  # pieces it sent bad: never requested from it again
    declined: int = 0  # pieces it declined (ALREADY_OUT) until declined_until
    declined_until: float = 0.0
    super_seeding: bool = False  # it is a seed sending first copies: Haves go batched
    told_super_seeding: bool = False  # whether we are, as it last heard
    first_copies: int = 0  # (seed) pieces we sent it first that no other neighbour holds yet
    hoarding: bool = False  # (seed) it holds seed_unspread_limit of those: not unchoked
    trial: TokenBucket | None = None  # caps it at one slot's share until it reciprocates
    upload_unlimited: bool = False  # it said its upload has no rate limit (no burst to discount)

    @classmethod
    def new(cls, peer: bytes, rate_window: float, now: float) -> Neighbour:
        return cls(
            peer,
            RateMeter(rate_window),
            RateMeter(rate_window),
            RateMeter(PIPELINE_RATE_WINDOW, PIPELINE_MIN_AGE),
            now,
        )

    @property
    def proven(self) -> bool:
        """It reciprocates: it uploaded to us, or unchokes us now."""
        return self.downloaded.total > 0 or not self.choking_us

    def stream_pieces(self, config: SwarmConfig, piece_size: int, now: float) -> int:
        """Pieces to ask for in one stream: more on a fast link (see SwarmConfig). From a
        rate-limited neighbour (or one that did not say), only once it has delivered two
        streams of ``request_batch``, so a first burst (an idle token bucket sends its
        burst at once) does not pass for a fast link; an unlimited one has no burst, so
        its first piece's rate is its link's."""
        return self._stream_pieces(config, piece_size, self.delivery.rate(now))

    def in_flight_target(self, config: SwarmConfig, piece_size: int, now: float) -> int:
        """Pieces to keep requested from it: its recent rate times pipeline_seconds, at
        most ``streams_per_peer`` streams' worth. Before any rate is measured, one piece
        (a throttled link's queue stays shallow, leaving pieces for idle neighbours), or a
        stream of ``request_batch`` from an unlimited neighbour: no link to queue on."""
        rate = self.delivery.rate(now)
        if not rate and self.upload_unlimited:
            return config.request_batch
        cap = config.streams_per_peer * self._stream_pieces(config, piece_size, rate)
        want = -(-rate * config.pipeline_seconds // piece_size)
        return max(1, min(cap, int(want)))

    def _stream_pieces(self, config: SwarmConfig, piece_size: int, rate: float) -> int:
        proving = config.streams_per_peer * config.request_batch * piece_size
        if not self.upload_unlimited and self.delivery.total < proving:
            return config.request_batch
        return config.stream_pieces(rate, piece_size)

    def trial_wait(self, config: SwarmConfig, nbytes: int, now: float) -> float:
        """Seconds to hold ``nbytes`` for it back: at most one slot's share of the link,
        ``upload_rate / slots``. Unchoking a peer that has not reciprocated is a trial, so
        what reciprocating peers leave idle does not all flow to a free rider."""
        if not config.upload_rate:
            return 0.0
        if self.trial is None:
            share = config.upload_rate / max(1, config.regular_slots + config.optimistic_slots)
            self.trial = TokenBucket(share, config.burst, now)
        return self.trial.reserve(nbytes, now)
