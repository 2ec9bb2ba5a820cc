"""p2pnet's default sampler: a trace starts only where a tool called a peer's Control
service (a Lookup, Put, Get, Broadcast, Publish, Fetch); every other span follows its
parent. Background traffic (SWIM probes, bucket refreshes, republishing) has no sampled
parent and is never recorded."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from opentelemetry.sdk.trace.sampling import (
    Decision,
    ParentBased,
    Sampler,
    SamplingResult,
)

CONTROL = "/p2pnet.v1.Control/"


class ControlRoots(Sampler):
    def should_sample(
        self,
        parent_context: Any,
        trace_id: int,
        name: str,
        kind: Any = None,
        attributes: Any = None,
        links: Sequence[Any] | None = None,
        trace_state: Any = None,
    ) -> SamplingResult:
        decision = Decision.RECORD_AND_SAMPLE if name.startswith(CONTROL) else Decision.DROP
        return SamplingResult(decision, attributes if decision.is_sampled() else None)

    def get_description(self) -> str:
        return "ControlRoots"


def control_roots() -> Sampler:
    return ParentBased(root=ControlRoots())
