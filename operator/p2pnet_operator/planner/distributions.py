"""Session-time and downtime distributions, drawn by inverse transform from `rng.random()`
only (so plans stay the same across Python versions, whatever `random`'s helpers do).

Weibull with shape k and mean m has scale lambda = m / Gamma(1 + 1/k) and
CDF F(x) = 1 - exp(-(x / lambda)^k); a draw is lambda * (-ln(1 - U))^(1/k) for U uniform
on [0, 1). The exponential distribution is the Weibull with k = 1 (lambda = m).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from functools import cached_property

from p2pnet_operator.spec import TimeDistributionSpec


@dataclass(frozen=True)
class TimeDistribution:
    mean: float
    shape: float = 1.0  # 1.0: exponential

    @classmethod
    def from_spec(cls, spec: TimeDistributionSpec) -> TimeDistribution:
        shape = spec.shape if spec.distribution == "weibull" and spec.shape else 1.0
        return cls(mean=spec.mean_s, shape=shape)

    @cached_property
    def scale(self) -> float:
        return self.mean / math.gamma(1.0 + 1.0 / self.shape)

    def draw(self, rng: random.Random) -> float:
        return self.scale * (-math.log1p(-rng.random())) ** (1.0 / self.shape)

    def cdf(self, x: float) -> float:
        if x <= 0:
            return 0.0
        return -math.expm1(-((x / self.scale) ** self.shape))
