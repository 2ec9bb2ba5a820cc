"""What a dashboard is, as plain data: panels of PromQL queries with units.

Queries use Grafana's template variables: ``$network`` and ``$namespace`` (regexes, so
"All" is ``.*``; a local run has no ``namespace`` label and ``.*`` matches its absence)
and ``$__rate_interval``. :func:`expand` substitutes them for evaluation outside Grafana.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SELECTOR = 'network=~"$network", namespace=~"$namespace"'

# Grafana unit ids (https://grafana.com/docs/grafana/latest/panels-visualizations/).
UNITS = {"none", "short", "percentunit", "s", "Bps", "cps", "ops", "reqps"}
FEATURES = ("core", "dht", "gossip", "transfer", "nat", "churn")


def sel(*matchers: str) -> str:
    """The standard label selector plus extra matchers, e.g. sel('kind="lookup"')."""
    return "{" + ", ".join((SELECTOR, *matchers)) + "}"


@dataclass(frozen=True)
class Query:
    expr: str
    legend: str


@dataclass(frozen=True)
class Panel:
    title: str
    queries: tuple[Query, ...]
    unit: str
    feature: str
    description: str = ""
    kind: str = "timeseries"  # or "stat"
    width: int = 12
    min: float | None = 0.0
    max: float | None = None

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise ValueError(f"{self.title}: unknown unit {self.unit!r}")
        if self.feature not in FEATURES:
            raise ValueError(f"{self.title}: unknown feature {self.feature!r}")


@dataclass(frozen=True)
class Annotation:
    name: str
    expr: str
    title: str
    color: str


@dataclass(frozen=True)
class Dashboard:
    uid: str
    title: str
    description: str
    panels: tuple[Panel, ...]
    annotations: tuple[Annotation, ...] = field(default=())

    @property
    def file_name(self) -> str:
        return f"{self.uid.removeprefix('p2pnet-')}.json"


def expand(expr: str, *, network: str, namespace: str = ".*", rate_interval: str) -> str:
    """``expr`` with the template variables Grafana would substitute."""
    return (
        expr.replace("$__rate_interval", rate_interval)
        .replace("$__interval", rate_interval)
        .replace("$network", network)
        .replace("$namespace", namespace)
    )
