"""gRPC servers and their interceptors, built in one place.

Every p2pnet service is registered from its proto descriptor with a deserializer that
never throws: a request that is not valid protobuf, or that the service rejects with
:class:`~p2pnet_peer.wire.InvalidRequest`, gets INVALID_ARGUMENT, one it has no room for
(:class:`~p2pnet_peer.wire.OutOfSpace`) RESOURCE_EXHAUSTED, and the server keeps serving.
Interceptors wrap every method: metrics, then tracing when it is on
(:mod:`p2pnet_peer.tracing`), then any extra ones.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

import grpc
from google.protobuf.message import DecodeError
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from p2pnet_peer import tracing
from p2pnet_peer.metrics import PeerMetrics
from p2pnet_peer.rpc_methods import RpcMethod, methods_of
from p2pnet_peer.wire import InvalidRequest, OutOfSpace

log = logging.getLogger("p2pnet.rpc")

MAX_MESSAGE_BYTES = 8 * 1024 * 1024
SERVER_OPTIONS = (
    ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
    ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
    ("grpc.so_reuseport", 0),
)


REJECTED = {  # what a service raises for a request it will not carry out -> the status
    InvalidRequest: grpc.StatusCode.INVALID_ARGUMENT,
    OutOfSpace: grpc.StatusCode.RESOURCE_EXHAUSTED,
}


class _Malformed:
    def __init__(self, reason: str) -> None:
        self.reason = reason


def _safe_deserializer(message_cls: Any) -> Callable[[bytes], Any]:
    def deserialize(data: bytes) -> Any:
        try:
            return message_cls.FromString(data)
        except (DecodeError, RuntimeWarning, ValueError) as exc:
            return _Malformed(f"not a valid {message_cls.DESCRIPTOR.full_name}: {exc}")

    return deserialize


def _unary(rpc: RpcMethod, impl: Callable[[Any], Any]) -> grpc.RpcMethodHandler:
    async def behaviour(request: Any, context: grpc.aio.ServicerContext) -> Any:
        if isinstance(request, _Malformed):
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, request.reason)
        try:
            return await impl(request)
        except (InvalidRequest, OutOfSpace) as exc:
            await context.abort(REJECTED[type(exc)], str(exc))

    return grpc.unary_unary_rpc_method_handler(
        behaviour,
        request_deserializer=_safe_deserializer(rpc.request),
        response_serializer=rpc.encode_response,
    )


def _stream(rpc: RpcMethod, impl: Callable[[Any], AsyncIterator[Any]]) -> grpc.RpcMethodHandler:
    async def behaviour(request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
        if isinstance(request, _Malformed):
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, request.reason)
        try:
            async for item in impl(request):
                yield item
        except (InvalidRequest, OutOfSpace) as exc:
            await context.abort(REJECTED[type(exc)], str(exc))

    return grpc.unary_stream_rpc_method_handler(
        behaviour,
        request_deserializer=_safe_deserializer(rpc.request),
        response_serializer=rpc.encode_response,
    )


def service_handler(service: str, impl: object) -> grpc.GenericRpcHandler:
    """A generic handler for ``service`` whose methods are ``impl``'s same-named coroutines."""
    handlers = {}
    for name, rpc in methods_of(service).items():
        fn = getattr(impl, name, None)
        if fn is None:
            continue
        handlers[name] = _stream(rpc, fn) if rpc.server_streaming else _unary(rpc, fn)
    return grpc.method_handlers_generic_handler(service, handlers)


class MetricsInterceptor(grpc.aio.ServerInterceptor):
    """Counts every served RPC by service, method and status code, and times it (a server
    stream is counted once, when it ends, and timed from its start to its end)."""

    def __init__(self, metrics: PeerMetrics) -> None:
        self._metrics = metrics

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Any],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> Any:
        handler = await continuation(handler_call_details)
        if handler is None or (handler.unary_unary is None and handler.unary_stream is None):
            return handler
        _, service, method = handler_call_details.method.split("/")
        service = service.rsplit(".", 1)[-1]
        requests = self._metrics.rpc_server_requests
        duration = self._metrics.rpc_server_duration.labels(service, method)

        def done(started: float, code: str) -> None:
            requests.labels(service, method, code).inc()
            duration.observe(time.perf_counter() - started)

        if handler.unary_stream is not None:
            inner_stream = handler.unary_stream

            async def stream(request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
                started, code = time.perf_counter(), "OK"
                try:
                    async for item in inner_stream(request, context):
                        yield item
                except BaseException:
                    code = _code(context)
                    raise
                finally:
                    done(started, code)

            return grpc.unary_stream_rpc_method_handler(
                stream,
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        inner = handler.unary_unary

        async def behaviour(request: Any, context: grpc.aio.ServicerContext) -> Any:
            started, code = time.perf_counter(), "OK"
            try:
                return await inner(request, context)
            except BaseException:
                code = _code(context)
                raise
            finally:
                done(started, code)

        return grpc.unary_unary_rpc_method_handler(
            behaviour,
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )


def _code(context: grpc.aio.ServicerContext) -> str:
    status = context.code()
    return status.name if isinstance(status, grpc.StatusCode) else "UNKNOWN"


def build_server(
    metrics: PeerMetrics,
    *,
    extra_interceptors: Sequence[grpc.aio.ServerInterceptor] = (),
    peer_tag: tracing.PeerTag | None = None,
) -> tuple[grpc.aio.Server, health.aio.HealthServicer]:
    """A grpc.aio server with the standard health service and the interceptors.

    Bind its port (``add_insecure_port``), then :func:`add_services`, then start it: the
    services usually need the bound port to know their own advertised address (set it on
    ``peer_tag`` too: traces name the serving peer by it)."""
    traced = tracing.server_interceptors(peer_tag or tracing.PeerTag())
    server = grpc.aio.server(
        interceptors=[MetricsInterceptor(metrics), *traced, *extra_interceptors],
        options=SERVER_OPTIONS,
    )
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    return server, health_servicer


def add_services(server: grpc.aio.Server, services: dict[str, object]) -> None:
    for name, impl in services.items():
        server.add_generic_rpc_handlers((service_handler(name, impl),))


SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING
