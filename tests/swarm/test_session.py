"""SwarmSession, the sans-I/O core of one content's swarm, driven by hand."""

import random

from p2pnet_peer.swarm.bitfield import full
from p2pnet_peer.swarm.config import KIB, SwarmConfig
from p2pnet_peer.swarm.manifest import Manifest, split
from p2pnet_peer.swarm.outcomes import PieceOutcome, Refusal
from p2pnet_peer.swarm.session import SwarmSession

PIECE = 16 * KIB
CONTENT = random.Random(0).randbytes(8 * PIECE)
PIECES = split(CONTENT, PIECE)
MANIFEST = Manifest.of_bytes(CONTENT, PIECE)
ALL = full(MANIFEST.count)
CONFIG = SwarmConfig(piece_size=PIECE, have_interval=0.5, max_bad_pieces=2)


def session(have: int = 0) -> SwarmSession:
    return SwarmSession(MANIFEST, have, CONFIG, random.Random(1), now=0.0)


def shake(a: SwarmSession, a_id: bytes, b: SwarmSession, b_id: bytes) -> None:
    """The Bitfield exchange, both ways."""
    assert a.connect(b_id, 0.0) and b.connect(a_id, 0.0)
    b.on_bitfield(a_id, a.have, a.choking(b_id), a.super_seeding)
    a.on_bitfield(b_id, b.have, b.choking(a_id), b.super_seeding)
    a.told_bitfield(b_id, 0.0)
    b.told_bitfield(a_id, 0.0)


def test_seed_unchokes_an_interested_leecher_which_then_gets_verified_pieces() -> None:
    seed, leech = session(ALL), session()
    shake(seed, b"S", leech, b"L")
    assert seed.serve(b"L", 0) is Refusal.CHOKED
    assert seed.rechoke(1.0) and not seed.choking(b"L")
    (note,) = seed.announcements(1.0)
    leech.on_have(b"S", 0, note.choking)
    asked = leech.request(b"S", 4, 1.0)
    assert len(asked) == 1  # no rate measured yet: a pipeline of one piece
    assert seed.serve(b"L", asked[0]) is None
    result = leech.on_piece(b"S", asked[0], PIECES[asked[0]], 1.5)
    assert result.outcome is PieceOutcome.VERIFIED
    assert leech.have == 1 << asked[0] and leech.downloaded == PIECE
    # A piece nobody asked this peer for is not taken.
    assert leech.on_piece(b"S", 7, PIECES[7], 1.6).outcome is PieceOutcome.UNEXPECTED


def test_bad_pieces_are_counted_then_the_sender_is_dropped_and_banned() -> None:
    liar, leech = session(ALL), session()
    shake(liar, b"X", leech, b"L")
    leech.on_have(b"X", 0, choking_us=False)
    first = leech.request(b"X", 1, 0.0)[0]
    bad = leech.on_piece(b"X", first, b"\0" * len(PIECES[first]), 0.1)
    assert bad.outcome is PieceOutcome.BAD and not bad.dropped
    second = leech.request(b"X", 1, 0.2)[0]
    assert second != first  # never asked of it again
    worse = leech.on_piece(b"X", second, b"\0" * len(PIECES[second]), 0.3)
    assert worse.outcome is PieceOutcome.BAD and worse.dropped
    assert b"X" not in leech.neighbours and not leech.connect(b"X", 0.4)
    assert leech.picker.requesters(first) == []  # released for someone else


def test_seed_serves_first_copies_first() -> None:
    seed, a, b = session(ALL), session(), session()
    shake(seed, b"S", a, b"A")
    shake(seed, b"S", b, b"B")
    seed.rechoke(0.0)
    assert seed.serve(b"A", 3) is None
    assert seed.serve(b"B", 3) is Refusal.ALREADY_OUT  # piece 3 is out, others are not
    assert seed.serve(b"B", 4) is None
    for i in range(MANIFEST.count):
        seed.out |= 1 << i
    assert seed.serve(b"B", 3) is None  # every piece is out: anything goes


def test_a_seed_stops_sending_first_copies_to_a_peer_that_does_not_pass_them_on() -> None:
    """BEP 16's rule: a peer holding ``seed_unspread_limit`` first copies that no other
    neighbour has is choked (a free rider never passes pieces on), and those pieces go
    out again, to others, once; when they spread it may be unchoked again."""
    config = CONFIG.with_overrides(seed_unspread_limit=3)
    seed = SwarmSession(MANIFEST, ALL, config, random.Random(1), now=0.0)
    rider, honest = session(), session()
    shake(seed, b"S", rider, b"R")
    shake(seed, b"S", honest, b"H")
    assert seed.super_seeding and rider.neighbours[b"S"].super_seeding
    seed.rechoke(0.0)
    assert not seed.choking(b"R") and not seed.choking(b"H")
    for i in (0, 1, 2):
        assert seed.serve(b"R", i) is None
    assert seed.serve(b"H", 0) is Refusal.ALREADY_OUT
    assert seed.rechoke(0.1) and seed.choking(b"R") and not seed.choking(b"H")
    seed.on_have(b"R", 0b111, choking_us=True)  # it holds them, and passes none on
    assert seed.serve(b"H", 0) is None  # piece 0 goes out again, to H
    seed.rechoke(0.2)
    assert seed.serve(b"H", 1) is None and seed.serve(b"H", 0) is Refusal.ALREADY_OUT
    seed.on_have(b"H", 0b011, choking_us=False)  # H holds 0 and 1: R's have spread...
    seed.rechoke(0.3)
    assert not seed.choking(b"R")  # ...so R holds one unspread first copy: unchoked
    assert seed.serve(b"H", 2) is None  # piece 2 was re-issued once, not twice
    assert seed.serve(b"H", 3) is None


def test_a_lone_downloader_keeps_getting_first_copies() -> None:
    """With nobody else to pass pieces to, holding unspread first copies is no sign of
    free riding, and choking the only downloader would stall it."""
    config = CONFIG.with_overrides(seed_unspread_limit=2)
    seed = SwarmSession(MANIFEST, ALL, config, random.Random(1), now=0.0)
    leech = session()
    shake(seed, b"S", leech, b"L")
    seed.rechoke(0.0)
    for i in range(MANIFEST.count - 1):
        assert seed.serve(b"L", i) is None
        seed.on_have(b"L", 1 << i, choking_us=True)
        seed.rechoke(i / 10)
        assert not seed.choking(b"L")
    assert seed.serve(b"L", MANIFEST.count - 1) is None


def test_a_super_seeding_neighbour_hears_of_our_pieces_in_batches() -> None:
    """A seed sending first copies says so in the handshake and in Haves, so that
    leechers tell it of new pieces within ``have_interval`` (0.5 s here) and not only
    with keep-alives: that is how it sees first copies spread. Once every piece is out it
    says it no longer needs them."""
    leech, seed = session(), session(ALL)
    shake(leech, b"L", seed, b"S")
    leech.on_have(b"S", 0, choking_us=False, super_seeding=True)
    (i,) = leech.request(b"S", 1, 1.0)
    assert leech.on_piece(b"S", i, PIECES[i], 1.0).outcome is PieceOutcome.VERIFIED
    assert leech.next_announcement() == 0.5  # a batch after the handshake at 0.0
    (note,) = leech.announcements(1.0)
    assert note.peer == b"S" and note.pieces == [i]
    seed.on_have(b"L", 1 << i, note.choking, note.super_seeding)
    leech.on_have(b"S", 0, choking_us=False, super_seeding=False)
    (j,) = leech.request(b"S", 1, 1.1)
    assert leech.on_piece(b"S", j, PIECES[j], 1.1).outcome is PieceOutcome.VERIFIED
    assert leech.next_announcement() == 30.0 + 1.0  # a plain seed: only keep-alives
    for k in range(MANIFEST.count):
        assert seed.serve(b"L", k) in (None, Refusal.CHOKED)
    seed.out = ALL  # every piece is out: the first-copy phase is over
    assert not seed.super_seeding and seed.next_announcement() == 0.5  # it says so
    (said,) = seed.announcements(0.5)
    assert not said.super_seeding


def test_a_leecher_gives_a_peer_that_never_reciprocated_one_slot_share() -> None:
    """Unchoking a peer that has not reciprocated is a trial: it gets at most one slot's
    share of our upload link (upload_rate / (regular + optimistic slots)), even when it
    holds nothing we lack, so what reciprocating peers leave idle does not all go to it."""
    config = CONFIG.with_overrides(upload_rate=10 * PIECE, regular_slots=4, optimistic_slots=1)
    leech = SwarmSession(MANIFEST, 0b1111, config, random.Random(1), now=0.0)
    assert leech.connect(b"R", 0.0) and leech.connect(b"P", 0.0)
    leech.on_bitfield(b"R", 0, choking_us=True)  # nothing we lack, never unchokes us
    leech.on_bitfield(b"P", 0b10000, choking_us=False)  # P unchokes us: reciprocates
    waits = [leech.trial_wait(b"R", PIECE, 0.0) for _ in range(3)]
    assert waits == [0.0, 0.5, 1.0]  # one piece of burst, then 2 pieces/s: 10 / 5 slots
    assert leech.trial_wait(b"P", PIECE, 0.0) == 0.0
    seed = SwarmSession(MANIFEST, ALL, config, random.Random(1), now=0.0)
    assert seed.connect(b"R", 0.0)
    seed.on_bitfield(b"R", 0, choking_us=True)
    assert [seed.trial_wait(b"R", PIECE, 0.0) for _ in range(3)] == [0.0] * 3  # seeds do not cap


def test_haves_are_batched_per_neighbour_and_spared_on_complete_neighbours() -> None:
    leech, other, seed = session(), session(), session(ALL)
    shake(leech, b"L", other, b"O")
    shake(leech, b"L", seed, b"S")
    leech.on_have(b"S", 0, choking_us=False)
    for t in (1.0, 1.1):
        (i,) = leech.request(b"S", 1, t)
        assert leech.on_piece(b"S", i, PIECES[i], t).outcome is PieceOutcome.VERIFIED
    notes = leech.announcements(1.1)
    assert [(n.peer, len(n.pieces)) for n in notes] == [(b"O", 2)]  # one Have, both pieces
    assert leech.announcements(1.2) == []
    assert leech.next_announcement() == 30.0  # keep-alives for both
    assert leech.next_announcement(busy={b"S"}) == 31.1


def test_we_want_nothing_more_goes_at_once_and_mere_news_is_batched() -> None:
    """Like BitTorrent's not-interested: once we hold everything a neighbour has, it hears
    at once, since it keeps an unchoke slot for us until then; pieces it merely lacks wait
    for the next batch (``have_interval``, 0.5 s here)."""
    leech, x, seed = session(), session(0b11), session(ALL)
    shake(leech, b"L", x, b"X")
    shake(leech, b"L", seed, b"S")
    leech.on_have(b"S", 0, choking_us=False)
    leech.on_have(b"X", 0, choking_us=False)
    (i,) = leech.request(b"S", 1, 1.0)  # rarest first: one X lacks
    assert i not in (0, 1) and leech.on_piece(b"S", i, PIECES[i], 1.0).outcome
    assert [n.peer for n in leech.announcements(1.0)] == [b"X"]  # X lacks it: news
    (j,) = leech.request(b"X", 2, 1.1)  # one of X's two pieces (no rate known: one)
    assert leech.on_piece(b"X", j, PIECES[j], 1.1).outcome is PieceOutcome.VERIFIED
    assert leech.next_announcement() == 30.0  # X has it: nothing X needs to hear yet
    (j,) = leech.request(b"X", 2, 1.1)  # the other: now X has nothing more for us
    assert leech.on_piece(b"X", j, PIECES[j], 1.1).outcome is PieceOutcome.VERIFIED
    assert leech.next_announcement() == 1.0  # due at once, not at 1.0 + 0.5
    (note,) = leech.announcements(1.1)
    assert note.peer == b"X" and sorted(note.pieces) == [0, 1]
    (k,) = leech.request(b"S", 1, 1.2)
    assert leech.on_piece(b"S", k, PIECES[k], 1.2).outcome is PieceOutcome.VERIFIED
    assert leech.next_announcement() == 1.6  # X lacks k: it waits for the batch


def test_a_piece_goes_at_once_to_unchoked_neighbours_that_lack_it() -> None:
    """A neighbour we unchoke can fetch a new piece from us right away, so it hears of it
    at once (each hop of a new piece through the swarm would otherwise wait for a batch);
    one we choke cannot, and hears with the next batch."""
    leech, other, seed = session(), session(), session(ALL)
    shake(leech, b"L", other, b"O")
    shake(leech, b"L", seed, b"S")
    leech.on_have(b"S", 0, choking_us=False)
    (i,) = leech.request(b"S", 1, 1.0)
    assert leech.on_piece(b"S", i, PIECES[i], 1.0).outcome is PieceOutcome.VERIFIED
    assert [n.peer for n in leech.announcements(1.0)] == [b"O"]
    (j,) = leech.request(b"S", 1, 1.1)
    assert leech.on_piece(b"S", j, PIECES[j], 1.1).outcome is PieceOutcome.VERIFIED
    assert leech.next_announcement() == 1.5  # choked: the batch, have_interval after 1.0
    assert leech.rechoke(1.1) and not leech.choking(b"O")  # O wants our pieces: unchoked
    (note,) = leech.announcements(1.1)  # the unchoke and piece j, at once
    assert note.peer == b"O" and note.pieces == [j] and not note.choking
    (k,) = leech.request(b"S", 1, 1.2)
    assert leech.on_piece(b"S", k, PIECES[k], 1.2).outcome is PieceOutcome.VERIFIED
    assert leech.next_announcement() == 1.1  # unchoked and lacks k: due at once


def test_a_neighbour_pipeline_is_sized_by_its_rate_since_we_first_asked() -> None:
    """A slow neighbour's first piece says it is slow (the rate counts from the request,
    not from the first byte), so it is not handed a deep pipeline; a fast one is."""
    config = SwarmConfig(piece_size=PIECE, pipeline_seconds=0.5, request_batch=8)
    slow, fast = (SwarmSession(MANIFEST, 0, config, random.Random(1), now=0.0) for _ in "ab")
    for leech in (slow, fast):
        assert leech.connect(b"S", 0.0)
        leech.on_bitfield(b"S", ALL, choking_us=False)
        (first,) = leech.request(b"S", 8, 0.0)  # nothing measured yet: one piece
        took = 1.0 if leech is slow else 0.001
        assert leech.on_piece(b"S", first, PIECES[first], took).outcome is PieceOutcome.VERIFIED
    assert len(slow.request(b"S", 8, 1.0)) == 1  # 16 KiB/s * 0.5 s: under one piece
    assert len(fast.request(b"S", 8, 0.001)) == 7  # 16 MiB/s: every piece left


def test_a_fast_neighbour_gets_long_streams_and_a_throttled_one_keeps_the_batch() -> None:
    """Each GetPieces stream has a fixed cost, so on a fast link a stream carries about
    ``stream_seconds`` of transfer; under ``request_batch * piece / stream_seconds`` (here
    4 * 16 KiB / 0.05 s = 1.25 MiB/s) streams stay at ``request_batch``, and the pipeline
    grows to ``streams_per_peer`` such streams."""
    pieces = 256
    data = random.Random(2).randbytes(pieces * PIECE)
    manifest, chunks = Manifest.of_bytes(data, PIECE), split(data, PIECE)
    config = SwarmConfig(piece_size=PIECE, request_batch=4, stream_seconds=0.05)
    slow, fast = (SwarmSession(manifest, 0, config, random.Random(1), now=0.0) for _ in "ab")
    for leech, took in ((slow, 0.5), (fast, 0.0005)):  # 32 KiB/s and 32 MiB/s
        assert leech.connect(b"S", 0.0)
        leech.on_bitfield(b"S", full(pieces), choking_us=False)
        assert leech.stream_pieces(b"S", 0.0) == 4  # nothing measured yet
        (first,) = leech.request(b"S", 4, 0.0)
        leech.on_piece(b"S", first, chunks[first], took)
    assert slow.stream_pieces(b"S", 0.5) == 4
    # Until two streams of request_batch have arrived, a fast start may be a token
    # bucket's burst: streams stay at the batch. Counted from our first request, the
    # rate of 8 pieces in 4 ms then reads as the 32 MiB/s it is, and the next stream is
    # the wire's 64 at once (a floor of 20 ms on the rate's span read it as 6.4 MiB/s).
    for t in range(1, 8):
        assert fast.stream_pieces(b"S", t * 0.0005) == 4
        (i,) = fast.request(b"S", 1, t * 0.0005)
        fast.on_piece(b"S", i, chunks[i], t * 0.0005 + 0.0005)
    now = 0.004
    assert fast.stream_pieces(b"S", now) == 64
    assert len(fast.request(b"S", 64, now)) == 64  # the pipeline holds a full stream
    assert len(fast.request(b"S", 64, now)) == 64  # ...and a second one
    assert fast.request(b"S", 64, now) == []  # streams_per_peer = 2: no third
    assert SwarmConfig(piece_size=PIECE).stream_pieces(1e12, PIECE) == 64  # the wire's cap


def test_an_unlimited_neighbour_gets_a_stream_at_once_and_rate_sized_streams_after() -> None:
    """A neighbour whose upload has no rate limit (it says so in the handshake) has no
    token-bucket burst to mistake for its rate: it gets a stream of ``request_batch``
    before any rate is measured, and its first piece's rate sizes the next streams. The
    same first piece from a neighbour that did not say so leaves it at one piece in
    flight and streams of the batch."""
    pieces = 256
    data = random.Random(3).randbytes(pieces * PIECE)
    manifest, chunks = Manifest.of_bytes(data, PIECE), split(data, PIECE)
    config = SwarmConfig(piece_size=PIECE, request_batch=4, stream_seconds=0.05)
    limited, unlimited = (
        SwarmSession(manifest, 0, config, random.Random(1), now=0.0) for _ in "ab"
    )
    firsts = {}
    for leech in (limited, unlimited):
        assert leech.connect(b"S", 0.0)
        leech.on_bitfield(b"S", full(pieces), False, upload_unlimited=leech is unlimited)
        firsts[leech is unlimited] = leech.request(b"S", leech.stream_pieces(b"S", 0.0), 0.0)
    assert [len(firsts[False]), len(firsts[True])] == [1, 4]
    for leech in (limited, unlimited):
        first = firsts[leech is unlimited][0]
        leech.on_piece(b"S", first, chunks[first], 0.001)  # 1 ms since the request
    # 16 KiB a millisecond for 0.05 s is 50 pieces (and a bit): streams of 51, and two
    # streams' worth in flight, the first stream's 3 pieces still on their way among them.
    assert unlimited.stream_pieces(b"S", 0.001) == 51
    assert len(unlimited.request(b"S", 51, 0.001)) == 51
    assert len(unlimited.request(b"S", 51, 0.001)) == 2 * 51 - 3 - 51
    assert limited.stream_pieces(b"S", 0.001) == 4  # maybe a burst: not yet
    assert len(limited.request(b"S", 4, 0.001)) == 4
    assert len(limited.request(b"S", 4, 0.001)) == 4
    assert limited.request(b"S", 4, 0.001) == []  # streams_per_peer streams of the batch


def test_two_peers_are_settled_only_once_both_hold_everything_and_have_said_so() -> None:
    seed, leech = session(ALL), session(ALL & ~1)  # the leecher lacks piece 0
    shake(seed, b"S", leech, b"L")
    assert not seed.settled(b"L") and not leech.settled(b"S")  # piece 0 is still to go
    assert seed.rechoke(1.0)
    (unchoke,) = seed.announcements(1.0)
    leech.on_have(b"S", 0, unchoke.choking)
    (asked,) = leech.request(b"S", 4, 1.0)
    assert leech.on_piece(b"S", asked, PIECES[asked], 1.2).outcome is PieceOutcome.VERIFIED
    assert not leech.settled(b"S")  # the seed has not heard yet: it keeps a slot for us
    (note,) = leech.announcements(2.0)
    assert note.pieces == [0]
    assert leech.settled(b"S")
    seed.on_have(b"L", 1, note.choking)
    assert seed.settled(b"L")
    assert not seed.settled(b"X")  # not a neighbour
