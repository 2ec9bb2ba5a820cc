"""Cross-field rules, each written once: checked in Python and, where CEL can say it, by
the API server as an `x-kubernetes-validations` rule of the CRD.

A rule belongs to the section it reads (`RULES[cls]`); `self` in its CEL is that section,
with defaults applied. Paths in messages are relative to the section.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from p2pnet_operator.spec.environment import NatSpec, TimeDistributionSpec
from p2pnet_operator.spec.model import P2PNetworkSpec

Violations = Iterator[tuple[str, str]]  # (path relative to the section, message)


@dataclass(frozen=True)
class Rule:
    check: Callable[[Any], Violations]
    cel: str | None = None
    # A static message: the API server's CEL cost estimate treats string(int) as unbounded,
    # so a messageExpression that prints a number is rejected ("exceeds budget by factor of
    # more than 100x"). The Python check gives the message with the numbers.
    message: str | None = None
    message_expression: str | None = None
    field_path: str | None = None  # CEL fieldPath, relative to the section: ".dht.k"

    def validation(self) -> dict[str, str]:
        """The `x-kubernetes-validations` entry."""
        assert self.cel is not None
        entry = {"rule": self.cel}
        if self.message_expression:
            entry["messageExpression"] = self.message_expression
        if self.message:
            entry["message"] = self.message
        if self.field_path:
            entry["fieldPath"] = self.field_path
        return entry


def _snake(path: str) -> list[str]:
    return [re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), p) for p in path.split(".")]


def _get(obj: Any, path: str) -> Any:
    for name in _snake(path):
        obj = getattr(obj, name)
    return obj


def at_most(field: str, limit: str, limit_text: str, optional: bool = False) -> Rule:
    """`field <= limit`, both written as CEL over the section (`limit` may be arithmetic);
    an `optional` field may also be unset.

    The Python side evaluates `limit` on the same names, so only `+ -` of field paths are
    allowed in it.
    """

    def value_of_limit(obj: Any) -> int:
        total, sign = 0, 1
        for token in limit.replace("self.", "").split():
            if token in "+-":
                sign = 1 if token == "+" else -1
            else:
                total += sign * _get(obj, token)
        return total

    def check(obj: Any) -> Violations:
        value, bound = _get(obj, field), value_of_limit(obj)
        if value is not None and value > bound:
            yield field, f"must be <= {limit_text} ({bound}), got {value}"

    cel = f"self.{field} <= {limit}"
    return Rule(
        check,
        cel=f"!has(self.{field}) || {cel}" if optional else cel,
        message=f"must be <= {limit_text}",
        field_path=f".{field}",
    )


def _nat_fits(spec: P2PNetworkSpec) -> Violations:
    behind_nat = int(spec.nat.fraction * spec.peers + 0.5)
    room = spec.peers - spec.bootstrap_peers - spec.nat.relays
    if behind_nat > room:
        yield (
            "nat.fraction",
            f"puts {behind_nat} peers behind NAT, more than spec.peers - spec.bootstrapPeers"
            f" - spec.nat.relays ({room}): bootstrap peers and relays stay public",
        )


def _files_fit(spec: P2PNetworkSpec) -> Violations:
    room = spec.peers - spec.nat.relays
    for i, f in enumerate(spec.workload.files):
        if f.seeders + f.downloaders > room:
            yield (
                f"workload.files[{i}].downloaders",
                f"seeders + downloaders must be <= spec.peers - spec.nat.relays ({room}),"
                f" got {f.seeders + f.downloaders}",
            )


def _types_or_weights(nat: NatSpec) -> Violations:
    if nat.types is not None and nat.weights is not None:
        yield "weights", "set either types or weights, not both"
    elif nat.weights is not None and not any(w > 0 for w in nat.weights.values()):
        yield "weights", "at least one weight must be > 0"


def _shape_for_weibull(dist: TimeDistributionSpec) -> Violations:
    if dist.distribution == "weibull" and dist.shape is None:
        yield "shape", "required for the weibull distribution"
    elif dist.distribution != "weibull" and dist.shape is not None:
        yield "shape", "only applies to the weibull distribution"


_ROOM = "self.peers - self.bootstrapPeers - self.nat.relays"

RULES: dict[type, tuple[Rule, ...]] = {
    P2PNetworkSpec: (
        at_most("bootstrapPeers", "self.peers", "spec.peers"),
        at_most("dht.k", "self.peers", "spec.peers"),
        at_most("dht.alpha", "self.dht.k", "spec.dht.k"),
        at_most("dht.beta", "self.dht.k", "spec.dht.k", optional=True),
        at_most(
            "nat.relays", "self.peers - self.bootstrapPeers", "spec.peers - spec.bootstrapPeers"
        ),
        Rule(
            _nat_fits,
            cel=f"int(self.nat.fraction * double(self.peers) + 0.5) <= {_ROOM}",
            message=(
                "puts more peers behind NAT than spec.peers - spec.bootstrapPeers"
                " - spec.nat.relays: bootstrap peers and relays stay public"
            ),
            field_path=".nat.fraction",
        ),
        Rule(
            _files_fit,
            cel=(
                "self.workload.files.all(f,"
                " f.seeders + f.downloaders <= self.peers - self.nat.relays)"
            ),
            message="seeders + downloaders must be <= spec.peers - spec.nat.relays for every file",
            field_path=".workload.files",
        ),
    ),
    NatSpec: (
        Rule(
            _types_or_weights,
            cel="!has(self.types) || !has(self.weights)",
            message="set either types or weights, not both",
            field_path=".weights",
        ),
    ),
    TimeDistributionSpec: (
        Rule(
            _shape_for_weibull,
            cel="self.distribution == 'weibull' ? has(self.shape) : !has(self.shape)",
            message="shape is required for the weibull distribution and only applies to it",
            field_path=".shape",
        ),
    ),
}
