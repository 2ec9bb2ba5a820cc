"""Make a broadcast one trace: each rumour remembers the span it was injected or learned
in, and a message that piggybacks it is sent inside that span's context, so the receiver's
server span (and its own forwards) join the broadcast's trace. Without any proto change:
the context rides in the gRPC metadata of the message that carries the rumour.

No-ops while tracing is off. The membership driver calls three hooks::

    traces = RumourTraces(address)
    traces.learned(rumour.id)           # on Broadcast, and on each RumourLearned event
    with traces.sending(request):       # around the call that sends a Ping/PingReq/PushPull
        await transport.call(...)
"""

from __future__ import annotations

import contextlib
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from typing import Any

from p2pnet_peer.tracing.state import CURRENT_PEER, enabled

MAX_RUMOURS = 4096


def rumour_ids(request: Any) -> Iterable[bytes]:
    """IDs of the rumours a membership request piggybacks (Gossip or full state)."""
    gossip = getattr(request, "gossip", None)
    rumours = gossip.rumours if gossip is not None else getattr(request, "rumours", ())
    return (r.id for r in rumours)


class RumourTraces:
    def __init__(self, address: str, limit: int = MAX_RUMOURS) -> None:
        self.address = address
        self._limit = limit
        self._contexts: OrderedDict[bytes, Any] = OrderedDict()

    def learned(self, rumour_id: bytes) -> None:
        """Remember the current span (a Broadcast call, or the message that brought it)."""
        if not enabled():
            return
        from opentelemetry import trace

        span = trace.get_current_span()
        if not span.get_span_context().trace_flags.sampled:
            return
        self._contexts[rumour_id] = trace.set_span_in_context(span)
        while len(self._contexts) > self._limit:
            self._contexts.popitem(last=False)

    @contextlib.contextmanager
    def sending(self, request: Any) -> Iterator[None]:
        """Run the enclosed call in the trace of the first traced rumour it carries."""
        if not self._contexts:
            yield
            return
        ctx = next((self._contexts[i] for i in rumour_ids(request) if i in self._contexts), None)
        if ctx is None:
            yield
            return
        from opentelemetry import context

        token, peer = context.attach(ctx), CURRENT_PEER.set(self.address)
        try:
            yield
        finally:
            CURRENT_PEER.reset(peer)
            context.detach(token)
