"""Token bucket (upload limit), rate meter and penalties: pure, exact arithmetic."""

import pytest

from p2pnet_peer.swarm.penalties import Penalties
from p2pnet_peer.swarm.rate import RateMeter
from p2pnet_peer.swarm.token_bucket import TokenBucket


def test_token_bucket_reserves_first_come_first_served() -> None:
    bucket = TokenBucket(rate=100.0, burst=100.0, now=0.0)
    assert bucket.reserve(100, 0.0) == 0.0  # the burst
    assert bucket.reserve(100, 0.0) == pytest.approx(1.0)
    assert bucket.reserve(50, 0.0) == pytest.approx(1.5)  # queued behind the first
    assert bucket.reserve(10, 1.0) == pytest.approx(0.6)  # 60 tokens short at t=1
    assert bucket.reserve(10, 3.0) == 0.0  # debt paid off at t=1.6


def test_token_bucket_long_run_rate_and_refund() -> None:
    bucket = TokenBucket(rate=1000.0, burst=500.0, now=0.0)
    now, sent = 0.0, 0
    while now < 10.0:
        now += bucket.reserve(250, now)
        sent += 250
    assert sent == pytest.approx(1000.0 * 10.0 + 500 + 250, abs=250)
    bucket = TokenBucket(rate=10.0, burst=10.0)
    assert bucket.reserve(30, 0.0) == pytest.approx(2.0)
    bucket.refund(30, 0.0)
    assert bucket.reserve(10, 0.0) == 0.0


def test_unlimited_bucket_never_waits() -> None:
    bucket = TokenBucket(rate=0.0, burst=1.0)
    assert bucket.reserve(10**9, 0.0) == 0.0


def test_rate_meter_counts_from_its_start() -> None:
    meter = RateMeter(window=10.0)
    meter.start(0.0)
    meter.add(1000, 2.0)
    assert meter.rate(2.0) == pytest.approx(500.0, rel=0.12)  # 1000 bytes over 2 s
    fresh = RateMeter(window=10.0)
    fresh.add(1000, 2.0)
    assert fresh.rate(2.0) > 5000  # from the first byte: a burst


def test_rate_meter_converges_and_decays() -> None:
    meter = RateMeter(window=10.0)
    for t in range(1, 101):
        meter.add(1000, float(t))
    assert meter.rate(100.0) == pytest.approx(1000.0, rel=0.06)
    assert meter.rate(110.0) == pytest.approx(1000.0 / 2.718, rel=0.06)
    assert meter.total == 100_000


def test_penalties_count_then_ban() -> None:
    p = Penalties(max_bad=3)
    assert not p.bad_piece(b"a") and not p.bad_piece(b"a")
    assert not p.is_banned(b"a")
    assert p.bad_piece(b"a") and p.is_banned(b"a")
    assert p.bad_pieces(b"a") == 3 and p.total == 3
    assert not p.is_banned(b"b")
