"""The upload link: its rate, and rarest pieces first when it is busy (virtual time)."""

from __future__ import annotations

import asyncio

from p2pnet_peer.transfer.upload_link import UploadLink
from p2pnet_peer.virtual_time import run_virtual

PIECE = 100_000


def test_waiting_pieces_go_rarest_first_at_the_link_rate() -> None:
    async def main() -> list[tuple[str, float]]:
        loop = asyncio.get_running_loop()
        link = UploadLink(rate=PIECE, burst=PIECE, now=loop.time())  # one piece per second
        start, done = loop.time(), []

        async def send(name: str, holders: int, after: float) -> None:
            await asyncio.sleep(after)
            await link.send(PIECE, holders)
            done.append((name, round(loop.time() - start, 3)))

        await asyncio.gather(
            send("first", 9, 0.0),  # the link is free: goes at once (the burst)
            send("common", 7, 0.1),
            send("more common", 8, 0.2),
            send("rare", 1, 0.3),  # queued last, sent first among the waiting
        )
        return done

    done = run_virtual(main())
    assert [name for name, _ in done] == ["first", "common", "rare", "more common"]
    # one piece per second of link time: "first" went on the burst, the rest queued
    assert [t for _, t in done] == [0.0, 1.0, 2.0, 3.0]


def test_a_cancelled_waiter_gives_its_turn_to_the_next() -> None:
    async def main() -> float:
        loop = asyncio.get_running_loop()
        link = UploadLink(rate=PIECE, burst=PIECE, now=loop.time())
        start = loop.time()
        await link.send(PIECE, 0)  # burst
        await link.send(PIECE, 0)  # 1 s
        doomed = asyncio.create_task(link.send(PIECE, 0))
        survivor = asyncio.create_task(link.send(PIECE, 5))
        await asyncio.sleep(0.5)
        doomed.cancel()
        await survivor
        return loop.time() - start

    assert 2.0 <= run_virtual(main()) <= 2.01  # the cancelled piece took no link time
