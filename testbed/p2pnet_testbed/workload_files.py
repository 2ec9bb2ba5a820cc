"""Files: seeders publish, every downloader fetches until it has the file or the run ends.

The content is made from the run's seed (so a rerun distributes the same bytes) and written
under the run directory; seeders publish it by path. A downloader that leaves mid-download
retries when it is back (resuming from its verified pieces); each attempt is one event, and
so is each attempt to publish.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
import time
from pathlib import Path
from typing import TYPE_CHECKING

from p2pnet.v1 import control_pb2
from p2pnet_operator.planner import FileAssignment
from p2pnet_peer.transport.base import PeerUnreachable
from p2pnet_testbed.local.network import PeerSlot

if TYPE_CHECKING:
    from p2pnet_testbed.workload import Workload

RETRY_S = 1.0
FETCH_TIMEOUT_S = 3600.0


def make_content(run_dir: Path, seed: int, f: FileAssignment) -> Path:
    path = run_dir / "files" / f.name
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = random.Random(f"{seed}:{f.name}")
    with path.open("wb") as out:
        left = f.size_bytes
        while left > 0:
            chunk = min(left, 1 << 20)
            out.write(rng.randbytes(chunk))
            left -= chunk
    return path


async def _slot_when_live(w: Workload, index: int) -> PeerSlot:
    while True:
        slot = w.network.slots[index]
        if slot.up and slot.joined:
            return slot
        await asyncio.sleep(RETRY_S)


async def distribute(w: Workload, f: FileAssignment, run_dir: Path, seed: int) -> None:
    source = await asyncio.to_thread(make_content, run_dir, seed, f)
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    cids = set()
    for index in f.seeders:
        cids.add(await _publish(w, f, index, source))
    (cid,) = cids  # every seeder must compute the same content ID
    await asyncio.gather(*(_download(w, f, index, cid, run_dir, digest) for index in f.downloaders))


async def _publish(w: Workload, f: FileAssignment, index: int, source: Path) -> bytes:
    """Publish ``source`` on seeder ``index`` and return the content ID. A failed call
    (churn took the seeder down meanwhile, say) is logged and tried again once the seeder
    is live, until the run ends: publishing the same file twice is harmless."""
    request = control_pb2.PublishRequest(path=str(source.resolve()))
    while True:
        slot = await _slot_when_live(w, index)
        try:
            res = await w.call(slot, "Publish", request)
        except PeerUnreachable as exc:
            w.log.write("publish", ok=False, file=f.name, peer=index, error=exc.reason)
            await asyncio.sleep(RETRY_S)
            continue
        w.log.write("publish", ok=True, file=f.name, peer=index, cid=res.cid.hex(), bytes=res.size)
        return res.cid


async def _download(
    w: Workload, f: FileAssignment, index: int, cid: bytes, run_dir: Path, digest: str
) -> None:
    out = (run_dir / "downloads" / str(index) / f.name).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    while True:
        slot = await _slot_when_live(w, index)
        started = time.monotonic()
        seen = 0
        try:
            request = control_pb2.FetchRequest(cid=cid, output_path=str(out))
            async for msg in w.transport.stream(
                slot.control or slot.address, "p2pnet.v1.Control", "Fetch", request, FETCH_TIMEOUT_S
            ):
                got = msg.progress.downloaded_bytes
                if got > seen:
                    w.log.write("transfer", bytes=got - seen)
                    seen = got
                if msg.done:
                    ok = hashlib.sha256(out.read_bytes()).hexdigest() == digest
                    w.log.write(
                        "fetch",
                        ok=ok,
                        file=f.name,
                        peer=index,
                        bytes=f.size_bytes,
                        seconds=round(time.monotonic() - started, 3),
                        resumed_pieces=msg.resumed_pieces,
                        **({} if ok else {"error": "content differs from the published file"}),
                    )
                    return
            raise PeerUnreachable(slot.address, "stream ended before the download was done")
        except PeerUnreachable as exc:
            w.log.write("fetch", ok=False, file=f.name, peer=index, error=exc.reason)
            await asyncio.sleep(RETRY_S)
