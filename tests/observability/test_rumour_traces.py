"""The broadcast hook: a message piggybacking a traced rumour is sent in that rumour's
trace (what the membership driver wraps its calls in), and it costs nothing when off."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from p2pnet_peer import tracing
from p2pnet_peer.tracing import state
from p2pnet_peer.tracing.rumours import RumourTraces


@pytest.fixture
def exporter() -> Iterator[InMemorySpanExporter]:
    saved = (state._state.provider, state._state.resolved)
    memory = InMemorySpanExporter()
    tracing.configure([memory], batch=False)
    try:
        yield memory
    finally:
        tracing.shutdown()
        state._state.provider, state._state.resolved = saved


def ping(*ids: bytes) -> SimpleNamespace:
    return SimpleNamespace(gossip=SimpleNamespace(rumours=[SimpleNamespace(id=i) for i in ids]))


def test_a_forward_joins_the_broadcast_trace(exporter: InMemorySpanExporter) -> None:
    provider = state._state.provider
    assert provider is not None
    tracer = provider.get_tracer("test")
    traces = RumourTraces("127.0.0.2:7000")
    with tracer.start_as_current_span("/p2pnet.v1.Control/Broadcast") as broadcast:
        traces.learned(b"r1")
    with traces.sending(ping(b"other", b"r1")):
        assert state.CURRENT_PEER.get() == "127.0.0.2:7000"
        with tracer.start_as_current_span("/p2pnet.v1.Membership/Ping"):
            pass
    assert state.CURRENT_PEER.get() == ""
    with (
        traces.sending(ping(b"unknown")),
        tracer.start_as_current_span("/p2pnet.v1.Membership/Ping"),
    ):
        pass  # an untraced rumour: a root, dropped by the sampler (not a Control call)
    spans = {s.name: s for s in exporter.get_finished_spans()}
    forward = spans["/p2pnet.v1.Membership/Ping"]
    assert forward.parent is not None
    assert forward.parent.span_id == broadcast.get_span_context().span_id
    assert forward.context.trace_id == broadcast.get_span_context().trace_id
    assert len(exporter.get_finished_spans()) == 2


def test_off_is_a_no_op() -> None:
    saved = (state._state.provider, state._state.resolved)
    state._state.provider, state._state.resolved = None, True
    try:
        traces = RumourTraces("a")
        traces.learned(b"r1")
        with traces.sending(ping(b"r1")):
            assert state.CURRENT_PEER.get() == ""
        assert not traces._contexts
    finally:
        state._state.provider, state._state.resolved = saved
