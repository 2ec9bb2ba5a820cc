"""The process's tracing state and the gRPC interceptors built from it.

Servers and channels are built in one place each (:func:`p2pnet_peer.rpc_server.build_server`,
:func:`p2pnet_peer.transport.grpc_channels.open_channel`); both ask here for interceptors.
While tracing is off they get none, so an untraced peer pays nothing.

Many peers share a process (and its TracerProvider), so spans say which peer made them:
server spans get ``p2pnet.peer`` (the serving peer's address) from :class:`PeerInterceptor`,
which also makes that address the current peer for the handler's task and the tasks it
starts; client spans get the same attribute from it, naming the calling peer.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import grpc

from p2pnet_peer.tracing.config import TracingConfig, from_env

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter
    from opentelemetry.sdk.trace.sampling import Sampler

log = logging.getLogger("p2pnet.tracing")

PEER_ATTRIBUTE = "p2pnet.peer"
ROOT_SERVICE = "/p2pnet.v1.Control/"
HEALTH_PREFIX = "/grpc.health.v1.Health/"
CURRENT_PEER: contextvars.ContextVar[str] = contextvars.ContextVar("p2pnet_peer", default="")


@dataclass
class PeerTag:
    """The serving peer's address, filled in once the server has bound its port."""

    address: str = ""


class _State:
    provider: TracerProvider | None = None
    resolved = False


_state = _State()


def _provider() -> TracerProvider | None:
    if not _state.resolved:
        _state.resolved = True
        config = from_env()
        if config.enabled:
            _state.provider = _build(config)
    return _state.provider


def enabled() -> bool:
    return _provider() is not None


def _exporter(name: str, config: TracingConfig) -> SpanExporter:
    if name == "jsonl":
        from p2pnet_peer.tracing.jsonl_exporter import JsonLinesSpanExporter

        return JsonLinesSpanExporter(config.traces_file)
    if name == "console":
        from opentelemetry.sdk.trace.export import ConsoleSpanExporter

        return ConsoleSpanExporter()
    if config.otlp_protocol.startswith("http"):
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        return OTLPSpanExporter()
    from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import (
        OTLPSpanExporter as GrpcOTLPSpanExporter,
    )

    return GrpcOTLPSpanExporter()


def _build(config: TracingConfig) -> TracerProvider:
    exporters = [_exporter(name, config) for name in config.exporters]
    provider = configure(exporters, sampler=None if config.sampler_from_env else "p2pnet")
    log.info("tracing on", extra={"exporters": list(config.exporters)})
    return provider


def configure(
    exporters: Sequence[SpanExporter],
    *,
    sampler: Sampler | str | None = "p2pnet",
    batch: bool = True,
) -> TracerProvider:
    """Turn tracing on for this process with these exporters (instead of the environment).

    ``sampler``: ``"p2pnet"`` (traces start at the Control service), an SDK sampler, or
    None for the SDK's choice from ``OTEL_TRACES_SAMPLER``. ``batch=False`` exports each
    span as it ends (tests). Call before building servers and channels."""
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

    from p2pnet_peer.tracing.sampler import control_roots

    chosen = control_roots() if sampler == "p2pnet" else sampler
    resource = Resource.create({"service.name": "p2pnet-peer"}).merge(Resource.create())
    provider = TracerProvider(sampler=chosen, resource=resource)  # type: ignore[arg-type]
    for exporter in exporters:
        processor = BatchSpanProcessor(exporter) if batch else SimpleSpanProcessor(exporter)
        provider.add_span_processor(processor)
    _state.provider, _state.resolved = provider, True
    return provider


def shutdown() -> None:
    """Flush and stop exporting; tracing is off afterwards."""
    if _state.provider is not None:
        _state.provider.shutdown()
    _state.provider, _state.resolved = None, True


def _not_health(details: Any) -> bool:
    method = details.method
    if isinstance(method, bytes):
        method = method.decode()
    return not str(method).startswith(HEALTH_PREFIX)


def server_interceptors(tag: PeerTag) -> list[grpc.aio.ServerInterceptor]:
    provider = _provider()
    if provider is None:
        return []
    from opentelemetry.instrumentation.grpc import aio_server_interceptor

    return [
        aio_server_interceptor(tracer_provider=provider, filter_=_not_health),
        PeerInterceptor(tag),
    ]


def _tag_caller(span: Any, request: Any) -> None:
    peer = CURRENT_PEER.get()
    if peer and span.is_recording():
        span.set_attribute(PEER_ATTRIBUTE, peer)


def client_interceptors() -> list[grpc.aio.ClientInterceptor]:
    provider = _provider()
    if provider is None:
        return []
    from opentelemetry.instrumentation.grpc import aio_client_interceptors

    return list(
        aio_client_interceptors(
            tracer_provider=provider, filter_=_not_health, request_hook=_tag_caller
        )
    )


class PeerInterceptor(grpc.aio.ServerInterceptor):
    """Inside the server span: name the serving peer on it and make it the current peer."""

    def __init__(self, tag: PeerTag) -> None:
        self._tag = tag

    def _enter(self) -> contextvars.Token[str]:
        from opentelemetry import trace

        span = trace.get_current_span()
        if span.is_recording():
            span.set_attribute(PEER_ATTRIBUTE, self._tag.address)
        return CURRENT_PEER.set(self._tag.address)

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Any],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> Any:
        handler = await continuation(handler_call_details)
        if handler is None:
            return handler
        if handler.unary_unary is not None:
            inner = handler.unary_unary

            async def unary(request: Any, context: grpc.aio.ServicerContext) -> Any:
                token = self._enter()
                try:
                    return await inner(request, context)
                finally:
                    CURRENT_PEER.reset(token)

            return grpc.unary_unary_rpc_method_handler(
                unary,
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        if handler.unary_stream is not None:
            inner_stream = handler.unary_stream

            async def stream(request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
                token = self._enter()
                try:
                    async for item in inner_stream(request, context):
                        yield item
                finally:
                    CURRENT_PEER.reset(token)

            return grpc.unary_stream_rpc_method_handler(
                stream,
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        return handler
