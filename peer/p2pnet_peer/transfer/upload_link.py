"""The emulated access link: one token bucket, and the order waiting pieces take it.

Pieces that find the link free go at once (the bucket's burst). Pieces that find it
busy wait in a queue ordered by priority, lowest first (the caller passes how many of
our neighbours already hold the piece), then by arrival: a piece few neighbours hold
leaves before common ones queued earlier, so a new piece spreads through the swarm one
piece time per hop instead of waiting behind everyone's older requests. Each granted
piece then waits out its own transmission time, as with the bare bucket.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools

from p2pnet_peer.swarm.token_bucket import TokenBucket

MIN_WAIT_S = 1e-4


class UploadLink:
    def __init__(self, rate: float, burst: float, now: float) -> None:
        self.bucket = TokenBucket(rate, burst, now)
        self._waiting: list[tuple[int, int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._dispatcher: asyncio.Task[None] | None = None

    @staticmethod
    def _now() -> float:
        return asyncio.get_running_loop().time()

    async def send(self, nbytes: int, priority: int) -> None:
        """Return when ``nbytes`` have crossed the link (cancel to give the slot back)."""
        if self.bucket.rate <= 0:
            return
        if not self._waiting and self.bucket.balance(self._now()) > -1:
            granted = self._now()
        else:
            turn = asyncio.get_running_loop().create_future()
            heapq.heappush(self._waiting, (priority, next(self._order), nbytes, turn))
            if self._dispatcher is None or self._dispatcher.done():
                self._dispatcher = asyncio.create_task(self._dispatch())
            await turn  # cancelled: the dispatcher skips it (nothing was reserved yet)
            granted = self._now()
        delay = self.bucket.reserve(nbytes, granted)
        try:
            if delay > 0:
                await asyncio.sleep(delay)
        except asyncio.CancelledError:
            self.bucket.refund(nbytes, self._now())
            raise

    async def _dispatch(self) -> None:
        """Grant the best waiter each time the bucket is out of debt."""
        while self._waiting:
            debt = -self.bucket.balance(self._now())
            if debt >= 1:  # bytes; below that the clock cannot resolve the wait
                await asyncio.sleep(max(debt / self.bucket.rate, MIN_WAIT_S))
                continue
            _, _, _, turn = heapq.heappop(self._waiting)
            if not turn.done():
                turn.set_result(None)
                await asyncio.sleep(0)  # let it reserve before the next grant
