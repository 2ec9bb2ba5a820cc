"""A gRPC server interceptor that tells handlers who called: it sets
:data:`~p2pnet_peer.transport.call_context.inbound` from the connection's peer address and
the call's metadata, for unary and server-streaming methods alike. In fallback mode the
observed address is the caller's emulated external endpoint (``p2pnet-nat-src``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import grpc

from p2pnet_peer.transport.call_context import (
    NAT_SOURCE,
    InboundCall,
    inbound,
    observed_from_grpc_peer,
)


def _inbound_call(context: grpc.aio.ServicerContext) -> InboundCall:
    metadata = {k: v for k, v in (context.invocation_metadata() or ()) if isinstance(v, str)}
    observed = metadata.get(NAT_SOURCE) or observed_from_grpc_peer(context.peer())
    return InboundCall(observed, metadata)


class InboundInterceptor(grpc.aio.ServerInterceptor):
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
                inbound.set(_inbound_call(context))
                return await inner(request, context)

            return grpc.unary_unary_rpc_method_handler(
                unary,
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        if handler.unary_stream is not None:
            inner_stream = handler.unary_stream

            async def stream(request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
                inbound.set(_inbound_call(context))
                async for item in inner_stream(request, context):
                    yield item

            return grpc.unary_stream_rpc_method_handler(
                stream,
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        return handler
