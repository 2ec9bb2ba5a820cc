"""The relay side of circuit relaying: reservations held as server streams, relayed calls
pushed down them, answers matched back to the waiting callers (unary or streaming).

All limits come from :class:`~p2pnet_peer.nat.relay_book.RelayBook` and the config; a
refused call answers with a status, never an exception, so the caller can tell a full
relay from a dead one.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from p2pnet.v1 import nat_pb2
from p2pnet_peer.nat import relay_book
from p2pnet_peer.nat.config import NatConfig

S = nat_pb2.RelayStatus
_STATUS: dict[str, nat_pb2.RelayStatus] = {
    relay_book.OK: S.RELAY_STATUS_OK,
    relay_book.NO_RESERVATION: S.RELAY_STATUS_NO_RESERVATION,
    relay_book.RESOURCE_LIMIT: S.RELAY_STATUS_RESOURCE_LIMIT,
}
STREAM_BUFFER = 16


@dataclass
class _Pending:
    target: bytes
    answers: asyncio.Queue[nat_pb2.AnswerRequest] = field(
        default_factory=lambda: asyncio.Queue(STREAM_BUFFER)
    )


class RelayServer:
    def __init__(self, config: NatConfig) -> None:
        self.config = config
        self.book = relay_book.RelayBook(
            config.relay_max_reservations, config.relay_max_circuits, config.reservation_ttl
        )
        self._queues: dict[bytes, tuple[int, asyncio.Queue[nat_pb2.RelayedCall | None]]] = {}
        self._pending: dict[int, _Pending] = {}
        self._ids = itertools.count(1)
        self.relayed = 0

    @staticmethod
    def now() -> float:
        return asyncio.get_running_loop().time()

    async def reserve(self, peer: bytes, ttl: float) -> AsyncIterator[nat_pb2.RelayedCall]:
        status, granted, generation = self.book.reserve(peer, ttl, self.now())
        if status != relay_book.OK:
            yield nat_pb2.RelayedCall(status=_STATUS[status])
            return
        old = self._queues.get(peer)
        if old is not None:
            old[1].put_nowait(None)  # a newer reservation replaces the old stream
        queue: asyncio.Queue[nat_pb2.RelayedCall | None] = asyncio.Queue()
        self._queues[peer] = (generation, queue)
        try:
            yield nat_pb2.RelayedCall(status=S.RELAY_STATUS_OK, ttl_seconds=int(granted))
            deadline = self.now() + granted
            while True:
                try:
                    async with asyncio.timeout_at(deadline):
                        call = await queue.get()
                except TimeoutError:
                    return
                if call is None:
                    return
                yield call
        finally:
            self.book.release(peer, generation)
            if self._queues.get(peer, (None,))[0] == generation:
                del self._queues[peer]

    def _open(
        self, request: nat_pb2.RelayRequest, observed: str, streaming: bool
    ) -> tuple[int, float] | nat_pb2.RelayStatus:
        """(call id, timeout) of a call pushed to the target, or a refusal status."""
        if len(request.payload) > self.config.relay_max_payload_bytes:
            return S.RELAY_STATUS_RESOURCE_LIMIT
        status = self.book.open_circuit(request.target_id, self.now())
        held = self._queues.get(request.target_id)
        if status != relay_book.OK or held is None:
            if status == relay_book.OK:
                self.book.close_circuit(request.target_id)
                status = relay_book.NO_RESERVATION
            return _STATUS[status]
        timeout = min(self.config.relay_call_timeout, (request.timeout_ms or 1e9) / 1000)
        call_id = next(self._ids)
        self._pending[call_id] = _Pending(request.target_id)
        self.relayed += 1
        held[1].put_nowait(
            nat_pb2.RelayedCall(
                call_id=call_id,
                service=request.service,
                method=request.method,
                payload=request.payload,
                observed=observed,
                timeout_ms=int(timeout * 1000),
                streaming=streaming,
            )
        )
        return call_id, timeout

    def _close(self, call_id: int, target: bytes) -> None:
        self._pending.pop(call_id, None)
        self.book.close_circuit(target)

    async def relay(self, request: nat_pb2.RelayRequest, observed: str) -> nat_pb2.RelayResponse:
        opened = self._open(request, observed, streaming=False)
        if not isinstance(opened, tuple):
            return nat_pb2.RelayResponse(status=opened)
        call_id, timeout = opened
        try:
            async with asyncio.timeout(timeout):
                answer = await self._pending[call_id].answers.get()
        except TimeoutError:
            return nat_pb2.RelayResponse(status=S.RELAY_STATUS_FAILED, error="no answer in time")
        finally:
            self._close(call_id, request.target_id)
        return nat_pb2.RelayResponse(
            status=answer.status, payload=answer.payload, error=answer.error
        )

    async def relay_stream(
        self, request: nat_pb2.RelayRequest, observed: str
    ) -> AsyncIterator[nat_pb2.RelayResponse]:
        opened = self._open(request, observed, streaming=True)
        if not isinstance(opened, tuple):
            yield nat_pb2.RelayResponse(status=opened)
            return
        call_id, timeout = opened
        answers = self._pending[call_id].answers
        try:
            while True:
                try:
                    async with asyncio.timeout(timeout):
                        answer = await answers.get()
                except TimeoutError:
                    yield nat_pb2.RelayResponse(
                        status=S.RELAY_STATUS_FAILED, error="no answer in time"
                    )
                    return
                if answer.status != S.RELAY_STATUS_OK:
                    yield nat_pb2.RelayResponse(status=answer.status, error=answer.error)
                    return
                if answer.end:
                    return
                yield nat_pb2.RelayResponse(status=answer.status, payload=answer.payload)
        finally:
            self._close(call_id, request.target_id)

    async def answer(self, sender: bytes, request: nat_pb2.AnswerRequest) -> bool:
        pending = self._pending.get(request.call_id)
        if pending is None or pending.target != sender:
            return False
        await pending.answers.put(request)  # a slow caller slows the answering peer down
        return True
