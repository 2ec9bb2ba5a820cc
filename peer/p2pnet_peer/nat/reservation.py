"""The reserving side: hold a reservation on our relay and serve the calls it relays.

The reservation is one long server stream (Reserve); each relayed call is dispatched to
this peer's own services, as if it had arrived directly, and answered with Answer (one
per item for streaming methods). A broken or refused reservation is retried with a
growing backoff; an expired one is renewed at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

from google.protobuf.message import DecodeError

from p2pnet.v1 import nat_pb2
from p2pnet_peer.rpc_methods import method
from p2pnet_peer.transport.base import PeerUnreachable, Transport
from p2pnet_peer.transport.call_context import InboundCall, inbound
from p2pnet_peer.wire import InvalidRequest

SERVICE = "p2pnet.v1.Nat"
UNRELAYED = ("p2pnet.v1.Control",)
OK, FAILED = nat_pb2.RELAY_STATUS_OK, nat_pb2.RELAY_STATUS_FAILED
log = logging.getLogger("p2pnet.nat")


class ReservationClient:
    def __init__(
        self,
        relay: str,
        transport: Transport,
        wire_self: Callable[[], Any],
        services: Callable[[], dict[str, object]],
        *,
        ttl: float,
        max_in_flight: int,
        on_change: Callable[[bool, str], None],
    ) -> None:
        self.relay = relay
        self.transport = transport
        self.wire_self = wire_self
        self.services = services
        self.ttl = ttl
        self.on_change = on_change
        self._slots = asyncio.Semaphore(max_in_flight)
        self.active = False
        self.served = 0
        self._open: AsyncIterator[nat_pb2.RelayedCall] | None = None
        self._group: asyncio.TaskGroup | None = None

    async def open(self) -> bool:
        """Reserve now (before the peer joins), so it is reachable as soon as it is known;
        :meth:`run` then serves the open reservation. False if refused or unreachable."""
        stream = aiter(self._reserve())
        try:
            first = await anext(stream)
        except (PeerUnreachable, StopAsyncIteration) as exc:
            self.on_change(False, getattr(exc, "reason", "no answer"))
            return False
        if first.status != OK:
            self.on_change(False, nat_pb2.RelayStatus.Name(first.status))
            return False
        self.active, self._open = True, stream
        self.on_change(True, "reserved")
        return True

    def _reserve(self) -> AsyncIterator[nat_pb2.RelayedCall]:
        request = nat_pb2.ReserveRequest(sender=self.wire_self(), ttl_seconds=int(self.ttl))
        return self.transport.stream(self.relay, SERVICE, "Reserve", request, self.ttl + 30)

    def spawn(
        self,
        wrap: Callable[[Coroutine[Any, Any, None]], Coroutine[Any, Any, None]],
        coro: Coroutine[Any, Any, None],
    ) -> bool:
        """Run ``wrap(coro)`` under this reservation's task group, if it runs (before the
        peer's own background tasks start, the reservation already serves: a hole punch
        it answered must start now). False if it does not run; ``coro`` is then untouched."""
        if self._group is None:
            return False
        wrapped = wrap(coro)
        try:
            self._group.create_task(wrapped)
        except RuntimeError:  # shutting down
            wrapped.close()
            coro.close()
        return True

    async def run(self) -> None:
        backoff = 0.5
        async with asyncio.TaskGroup() as group:
            self._group = group
            while True:
                stream, self._open = self._open or self._reserve(), None
                reason = "expired"
                try:
                    async for message in stream:
                        if not self.active:
                            if message.status != OK:
                                reason = nat_pb2.RelayStatus.Name(message.status)
                                break
                            self.active, backoff = True, 0.5
                            self.on_change(True, "reserved")
                            continue
                        await self._slots.acquire()
                        group.create_task(self._serve(message))
                except PeerUnreachable as exc:
                    reason = exc.reason
                if self.active:
                    self.active = False
                    self.on_change(False, reason)
                if reason != "expired":
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, 30.0)

    async def _answer(self, call_id: int, **fields: Any) -> bool:
        request = nat_pb2.AnswerRequest(sender=self.wire_self(), call_id=call_id, **fields)
        try:
            reply = await self.transport.call(self.relay, SERVICE, "Answer", request, 15.0)
        except PeerUnreachable:
            return False
        return bool(reply.accepted)

    async def _serve(self, call: nat_pb2.RelayedCall) -> None:
        try:
            await self._dispatch(call)
        except InvalidRequest as exc:
            await self._answer(
                call.call_id, status=FAILED, error=f"invalid argument: {exc}", end=True
            )
        except Exception as exc:  # answered as a failure; the reservation goes on
            log.info("relayed call failed", extra={"method": call.method, "error": repr(exc)})
            await self._answer(call.call_id, status=FAILED, error=repr(exc)[:200], end=True)
        finally:
            self._slots.release()

    async def _dispatch(self, call: nat_pb2.RelayedCall) -> None:
        impl = None if call.service in UNRELAYED else self.services().get(call.service)
        fn = getattr(impl, call.method, None) if impl is not None else None
        if fn is None:
            raise InvalidRequest(f"method: no {call.service}/{call.method} here")
        rpc = method(call.service, call.method)
        try:
            request = rpc.request.FromString(call.payload)
        except DecodeError as exc:
            raise InvalidRequest(f"payload: not a valid {rpc.request.DESCRIPTOR.name}") from exc
        self.served += 1
        inbound.set(InboundCall(observed=call.observed or None, relayed_by=self.relay))
        timeout = (call.timeout_ms or 30_000) / 1000
        if not rpc.server_streaming:
            async with asyncio.timeout(timeout):
                response = await fn(request)
            await self._answer(
                call.call_id, status=OK, payload=rpc.encode_response(response), end=True
            )
            return
        async with asyncio.timeout(timeout):
            async for item in fn(request):
                payload = rpc.encode_response(item)
                if not await self._answer(call.call_id, status=OK, payload=payload):
                    return  # the caller went away
        await self._answer(call.call_id, status=OK, end=True)
