"""The churn schedule: its invariants, and that it follows the configured distributions."""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from p2pnet_operator.planner import Plan, TimeDistribution, plan, unavailable_over_time
from p2pnet_operator.spec import NetworkSpec, from_dict
from p2pnet_peer.identity import Identity

# Kolmogorov-Smirnov: reject "the samples follow F" at level alpha when
# sqrt(n) * D > c(alpha) = sqrt(-ln(alpha / 2) / 2) (asymptotic; n is in the thousands).
ALPHA = 0.001
KS_C_ALPHA = math.sqrt(-math.log(ALPHA / 2) / 2)  # 1.9495


def network(name: str = "net", **spec: Any) -> NetworkSpec:
    return from_dict({"name": name, "spec": spec})


def ks_statistic(samples: Sequence[float], cdf: Callable[[float], float]) -> float:
    """D = sup |F_n(x) - F(x)|, from the sorted sample."""
    xs = sorted(samples)
    n = len(xs)
    return max(max((i + 1) / n - cdf(x), cdf(x) - i / n) for i, x in enumerate(xs))


def ks_critical(n: int) -> float:
    return KS_C_ALPHA / math.sqrt(n)


def churning(max_unavailable: int | str, mode: str = "restart", **extra: Any) -> Plan:
    """Heavy churn: sessions much shorter than downtimes, so the limit binds."""
    return plan(
        network(
            peers=60,
            bootstrapPeers=2,
            duration="30m",
            dht={"k": 8},
            nat={"relays": 3},
            churn={
                "enabled": True,
                "mode": mode,
                "sessionTime": {"mean": "20s"},
                "downtime": {"mean": "1m"},
                "maxUnavailable": max_unavailable,
            },
            **extra,
        )
    )


@pytest.mark.parametrize(("limit", "resolved"), [(1, 1), (5, 5), ("10%", 6), ("1%", 1)])
def test_max_unavailable_is_never_exceeded(limit: int | str, resolved: int) -> None:
    p = churning(limit)
    assert p.max_unavailable == resolved
    downs = [down for _, down in unavailable_over_time(p.events)]
    assert max(downs) == resolved  # the limit binds...
    assert min(downs) >= 0  # ...and is never exceeded
    assert all(down <= resolved for down in downs)


def test_deferred_leaves_wait_for_a_rejoin() -> None:
    p = churning(3)
    joins = {e.time_s for e in p.events if e.action == "join"}
    deferred = 0
    for before, event in zip(p.events, p.events[1:], strict=False):
        if event.action == "leave" and before.action == "join" and before.time_s == event.time_s:
            deferred += 1
    assert deferred > 10
    assert deferred <= len(joins)


def test_schedule_is_sorted_within_the_run_and_alternates_per_peer() -> None:
    p = churning("25%")
    times = [e.time_s for e in p.events]
    assert times == sorted(times)
    assert all(0 < t < p.duration_s for t in times)
    state: dict[int, str] = defaultdict(lambda: "join")
    for e in p.events:
        assert e.action != state[e.peer], f"peer {e.peer} cannot {e.action} twice"
        state[e.peer] = e.action


def test_bootstrap_peers_and_relays_never_churn() -> None:
    p = churning("50%")
    churned = {e.peer for e in p.events}
    assert churned.isdisjoint(p.bootstrap)
    assert churned.isdisjoint(p.relays)
    assert churned == set(p.churnable)


def test_restart_mode_keeps_identities() -> None:
    assert {e.generation for e in churning(5).events} == {0}


def test_replace_mode_gives_a_new_identity_on_each_rejoin() -> None:
    p = churning(5, mode="replace")
    generation: dict[int, int] = defaultdict(int)
    seen = {Identity.from_seed(peer.identity_seed).id for peer in p.peers}
    for e in p.events:
        if e.action == "leave":
            assert e.generation == generation[e.peer]
            continue
        assert e.generation == generation[e.peer] + 1
        generation[e.peer] = e.generation
        node_id = Identity.from_seed(p.identity_seed(e.peer, e.generation)).id
        assert node_id == p.node_id(e.peer, e.generation)
        assert node_id not in seen
        seen.add(node_id)
    assert max(generation.values()) >= 2


# Goodness of fit. The planner's schedule is drawn from each peer's own stream; with
# maxUnavailable at 100% nothing is deferred, so a session (join or start -> leave) and
# a downtime (leave -> join) are plain draws. Only intervals that start well before the
# end (40 means) are used, so none is cut short by the end of the run.


def intervals(p: Plan, mean_session: float, mean_down: float) -> tuple[list[float], list[float]]:
    last: dict[int, float] = dict.fromkeys(p.churnable, 0.0)
    sessions, downtimes = [], []
    for e in p.events:
        start = last[e.peer]
        if e.action == "leave" and start < p.duration_s - 40 * mean_session:
            sessions.append(e.time_s - start)
        if e.action == "join" and start < p.duration_s - 40 * mean_down:
            downtimes.append(e.time_s - start)
        last[e.peer] = e.time_s
    return sessions, downtimes


def fit_plan(session: dict[str, object], downtime: dict[str, object]) -> Plan:
    return plan(
        network(
            "fit",
            peers=201,
            bootstrapPeers=1,
            seed=2024,
            duration="4h",
            churn={
                "enabled": True,
                "sessionTime": session,
                "downtime": downtime,
                "maxUnavailable": "100%",
            },
        )
    )


@pytest.mark.parametrize(
    ("session", "downtime"),
    [
        (TimeDistribution(60.0), TimeDistribution(15.0)),
        (TimeDistribution(60.0, shape=0.7), TimeDistribution(15.0, shape=2.0)),
    ],
    ids=["exponential", "weibull"],
)
def test_schedule_follows_the_configured_distributions(
    session: TimeDistribution, downtime: TimeDistribution
) -> None:
    def spec_of(d: TimeDistribution) -> dict[str, object]:
        if d.shape == 1.0:
            return {"distribution": "exponential", "mean": f"{d.mean:g}s"}
        return {"distribution": "weibull", "mean": f"{d.mean:g}s", "shape": d.shape}

    p = fit_plan(spec_of(session), spec_of(downtime))
    sessions, downtimes = intervals(p, session.mean, downtime.mean)
    assert len(sessions) > 20_000 and len(downtimes) > 20_000
    for samples, dist in ((sessions, session), (downtimes, downtime)):
        d = ks_statistic(samples, dist.cdf)
        assert d < ks_critical(len(samples)), (dist, d, ks_critical(len(samples)))
        # The test has power: a 10% wrong mean is rejected by the same samples.
        wrong = TimeDistribution(dist.mean * 1.1, dist.shape)
        assert ks_statistic(samples, wrong.cdf) > ks_critical(len(samples))


@pytest.mark.parametrize("shape", [0.5, 1.0, 1.5, 3.0])
def test_draws_follow_the_distribution(shape: float) -> None:
    dist = TimeDistribution(mean=90.0, shape=shape)
    rng = random.Random(7)
    samples = [dist.draw(rng) for _ in range(50_000)]
    assert ks_statistic(samples, dist.cdf) < ks_critical(len(samples))
    mean = sum(samples) / len(samples)
    assert abs(mean - 90.0) < 0.05 * 90.0
