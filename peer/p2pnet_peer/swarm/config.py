"""The swarm's knobs, in one frozen object."""

from __future__ import annotations

from dataclasses import dataclass, replace

KIB = 1024
MIB = 1024 * KIB
MIN_PIECE_SIZE = 16 * KIB
MAX_PIECE_SIZE = 4 * MIB
MAX_PIECES = 65536
MAX_PIECES_PER_REQUEST = 64


@dataclass(frozen=True)
class SwarmConfig:
    """Swarm transfer parameters.

    - ``piece_size``: bytes per piece when this peer publishes content (the manifest records
      it, so downloaders follow the publisher's choice).
    - ``regular_slots``: peers unchoked by rank at each rechoke (tit-for-tat). A leecher
      ranks interested peers by the rate it downloads from them, a seed by the rate it
      uploads to them. A slot freed between rechokes (the peer left or lost interest) is
      refilled at once, so upload capacity is never idle.
    - ``optimistic_slots``: peers unchoked at random among the choked interested ones,
      rotated every ``optimistic_interval``; how newcomers and free riders get a first piece.
      A leecher's optimistic peer that has not reciprocated after ``rechoke_interval`` in
      the slot gives it up early (:mod:`.choker`). A free rider is simply
      ``regular_slots=0, optimistic_slots=0``.
    - ``rechoke_interval``, ``optimistic_interval``: seconds (BitTorrent: 10 and 30).
    - ``rate_window``: time constant (s) of the exponentially weighted rates choking uses.
    - ``upload_rate``: bytes/s this peer uploads in total, 0 = unlimited: a token bucket of
      ``upload_burst`` bytes (0 = one piece) that emulates an access link.
    - ``pipeline_seconds``: pieces in flight per neighbour are sized to keep this long of
      transfer queued at the rate it delivered lately (2 s average, counted from our first
      request to it, so a slow first piece reads slow), at least one piece:
      ``in_flight = clamp(ceil(rate * pipeline_seconds / piece_size), 1,
      streams_per_peer * stream_pieces)``. Shallow queues at throttled peers leave pieces
      free for idle ones; fast links still get a full pipeline. Before its first piece, a
      neighbour gets one piece in flight, or a stream of ``request_batch`` if it said in
      the handshake that its upload has no rate limit (``upload_rate`` 0).
    - ``request_batch``, ``stream_seconds``: a GetPieces stream asks for
      ``stream_pieces = clamp(ceil(rate * stream_seconds / piece_size), request_batch,
      64)`` pieces, ``streams_per_peer`` streams at once per neighbour. A throttled link
      (under ``request_batch * piece_size / stream_seconds``, 20 MiB/s by default) keeps
      streams of ``request_batch``; on a fast link a stream lasts about ``stream_seconds``,
      so each stream's fixed cost (about 0.6 ms of CPU at each end over gRPC) stays small
      next to its transfer. A rate-limited neighbour's rate sizes streams only once it
      has delivered ``streams_per_peer`` streams of ``request_batch`` (its token bucket's
      first burst is not its rate); an unlimited one's from its first piece.
    - ``endgame_duplicates``: once every missing piece is requested (endgame), a piece may
      be requested from this many neighbours at once; the first copy cancels the others.
    - ``seed_first_copies``: a seed that still holds pieces no neighbour has and it has not
      sent serves only those, declining the rest (ALREADY_OUT), so its upload goes to first
      copies and the swarm holds every piece after about ``size / upload_rate`` (BEP 16
      super-seeding in spirit). ``seed_unspread_limit``: while it does, a neighbour holding
      this many first copies from it that no other neighbour holds yet is not unchoked
      (BEP 16: a peer that does not pass pieces on stops getting new ones), and those
      pieces go out again to others.
    - ``max_neighbours``: peers per content swarm; a downloader shakes hands with up to
      half of it (at most twice the pieces it lacks) and leaves the rest for peers that
      arrive later.
    - ``max_bad_pieces``: pieces failing verification from one peer before it is dropped and
      banned; each bad piece is counted and never requested from that peer again.
    - ``have_interval``: Haves to a neighbour we choke are batched, at most one this often
      (the first piece after a quiet spell goes at once). What it can act on now goes at
      once, one Have in flight per neighbour: an unchoke, pieces it lacks while we unchoke
      it, and that we want nothing more from it. ``keepalive_interval``: an empty Have
      after this much silence, so dead neighbours are noticed.
    - ``request_timeout``: seconds for unary RPCs; ``piece_timeout``: seconds for one
      GetPieces stream.
    - ``discover_interval``: while downloading, ask the DHT for more providers this often.
    """

    piece_size: int = 256 * KIB
    regular_slots: int = 4
    optimistic_slots: int = 1
    rechoke_interval: float = 10.0
    optimistic_interval: float = 30.0
    rate_window: float = 20.0
    upload_rate: float = 0.0
    upload_burst: int = 0
    pipeline_seconds: float = 0.5
    request_batch: int = 4
    stream_seconds: float = 0.05
    streams_per_peer: int = 2
    endgame_duplicates: int = 2
    seed_first_copies: bool = True
    seed_unspread_limit: int = 4
    max_neighbours: int = 40
    max_bad_pieces: int = 3
    have_interval: float = 0.2
    keepalive_interval: float = 30.0
    request_timeout: float = 5.0
    piece_timeout: float = 60.0
    discover_interval: float = 15.0

    def __post_init__(self) -> None:
        if not MIN_PIECE_SIZE <= self.piece_size <= MAX_PIECE_SIZE:
            raise ValueError(f"piece_size must be {MIN_PIECE_SIZE}..{MAX_PIECE_SIZE} bytes")
        if self.regular_slots < 0 or self.optimistic_slots < 0:
            raise ValueError("unchoke slots must not be negative")
        if min(self.request_batch, self.streams_per_peer, self.endgame_duplicates) < 1:
            raise ValueError("request_batch, streams_per_peer, endgame_duplicates must be >= 1")
        if self.request_batch > MAX_PIECES_PER_REQUEST:
            raise ValueError(f"request_batch must be at most {MAX_PIECES_PER_REQUEST}")
        if min(self.max_neighbours, self.max_bad_pieces, self.seed_unspread_limit) < 1:
            raise ValueError(
                "max_neighbours, max_bad_pieces and seed_unspread_limit must be at least 1"
            )
        if self.pipeline_seconds < 0 or self.stream_seconds < 0:
            raise ValueError("pipeline_seconds and stream_seconds must not be negative")
        if self.upload_rate < 0 or self.upload_burst < 0:
            raise ValueError("upload_rate and upload_burst must not be negative")
        timers = (self.rechoke_interval, self.optimistic_interval, self.rate_window,
                  self.keepalive_interval, self.request_timeout, self.piece_timeout,
                  self.discover_interval)  # fmt: skip
        if min(timers) <= 0 or self.have_interval < 0:
            raise ValueError("intervals and timeouts must be positive")

    @property
    def burst(self) -> int:
        return self.upload_burst or self.piece_size

    def stream_pieces(self, rate: float, piece_size: int) -> int:
        """Pieces per GetPieces stream from a neighbour delivering ``rate`` bytes/s."""
        want = -(-rate * self.stream_seconds // piece_size)
        return max(self.request_batch, min(MAX_PIECES_PER_REQUEST, int(want)))

    @classmethod
    def lan(cls) -> SwarmConfig:
        """BitTorrent's classic choking (4 + 1 slots, 10 s / 30 s), 256 KiB pieces."""
        return cls()

    @classmethod
    def local(cls) -> SwarmConfig:
        """Many peers on one machine: shorter timeouts, fewer neighbours, batched Haves."""
        return cls(max_neighbours=24, have_interval=0.25, request_timeout=2.0)

    def with_overrides(self, **changes: object) -> SwarmConfig:
        return replace(self, **changes)  # type: ignore[arg-type]
