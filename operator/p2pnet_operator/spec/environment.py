"""Spec sections for what happens to the network: churn and NAT."""

# knob() returns a dataclasses.field(), which ruff cannot see through.
# ruff: noqa: RUF009

from __future__ import annotations

from dataclasses import dataclass

from p2pnet_operator.spec.knobs import DURATION, INT_OR_PERCENT, knob
from p2pnet_operator.spec.units import parse_duration

NAT_TYPES = ("full-cone", "address-restricted", "port-restricted", "symmetric")
DISTRIBUTIONS = ("exponential", "weibull")
CHURN_MODES = ("restart", "replace")


@dataclass(frozen=True, kw_only=True)
class TimeDistributionSpec:
    distribution: str = knob(
        "exponential, or weibull (which needs shape).", "exponential", enum=DISTRIBUTIONS
    )
    mean: str = knob(
        "Mean of the distribution.", kind=DURATION, minimum=0.01, maximum=7 * 86400, required=True
    )
    shape: float | None = knob(
        "Weibull shape k (< 1: heavy tail, 1: exponential); scale = mean / Gamma(1 + 1/k).",
        None,
        minimum=0.1,
        maximum=10,
    )

    @property
    def mean_s(self) -> float:
        return parse_duration(self.mean)


@dataclass(frozen=True, kw_only=True)
class ChurnSpec:
    enabled: bool = knob(
        "Apply the churn schedule (bootstrap peers and relays never churn).", False
    )
    mode: str = knob(
        "restart: a peer rejoins with the same identity; replace: with a new one.",
        "restart",
        enum=CHURN_MODES,
    )
    session_time: TimeDistributionSpec = knob(
        "How long a peer stays up each time.", lambda: TimeDistributionSpec(mean="5m")
    )
    downtime: TimeDistributionSpec = knob(
        "How long a peer stays down before it rejoins.", lambda: TimeDistributionSpec(mean="30s")
    )
    max_unavailable: int | str = knob(
        "Most peers down at once (a percentage is rounded down, at least 1). A leave beyond "
        "it waits for the next rejoin.",
        "25%",
        kind=INT_OR_PERCENT,
        minimum=1,
        maximum=100_000,
    )


@dataclass(frozen=True, kw_only=True)
class NatSpec:
    fraction: float = knob(
        "Fraction of peers behind a NAT (bootstrap peers and relays are public).",
        0.0,
        minimum=0.0,
        maximum=1.0,
    )
    types: tuple[str, ...] | None = knob(
        "NAT types, equally likely (or use weights). Default: port-restricted.",
        None,
        enum=NAT_TYPES,
        max_items=4,
    )
    weights: dict[str, float] | None = knob(
        "Relative weight per NAT type, instead of types.", None, enum=NAT_TYPES, minimum=0
    )
    relays: int = knob(
        "Relay peers: public peers that relay for NATed ones.", 0, minimum=0, maximum=1000
    )
    peers_per_group: int = knob(
        "Peers behind one NAT device (one NAT group).", 1, minimum=1, maximum=256
    )

    def type_weights(self) -> dict[str, float]:
        if self.weights is not None:
            return {t: w for t, w in self.weights.items() if w > 0}
        return dict.fromkeys(self.types or ("port-restricted",), 1.0)
