"""The file workload's Publish retry, against a real peer over real gRPC: a Publish that
finds its seeder gone (churn took it down after the workload saw it live) is logged as
failed, and made again once the seeder is back, until it succeeds.

The run's slot table is a stand-in, one slot the test marks live: a whole local run
would have to time its churn to land on the Publish, which is slow and flaky."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from p2pnet_operator.planner import FileAssignment
from p2pnet_peer.daemon import PeerHost
from p2pnet_peer.identity import Identity
from p2pnet_peer.peer import PeerConfig
from p2pnet_peer.swarm.manifest import Manifest, split
from p2pnet_testbed import workload_files
from p2pnet_testbed.events import EventLog, read_events
from p2pnet_testbed.local.network import PeerSlot
from p2pnet_testbed.workload import Workload


def publishes(run_dir: Path) -> list[dict]:
    return [e for e in read_events(run_dir) if e["type"] == "publish"]


async def test_a_publish_that_finds_its_seeder_down_is_made_again_once_it_is_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workload_files, "RETRY_S", 0.05)
    config = PeerConfig.local()
    seeder = Identity.from_seed(b"p" * 32)
    f = FileAssignment(name="blob.bin", size_bytes=700_000, seeders=(0,), downloaders=())
    source = workload_files.make_content(tmp_path, 7, f)
    log = EventLog(tmp_path, clock=time.monotonic)
    async with asyncio.timeout(60), PeerHost(config) as host:
        gone = await host.start_peer(seeder, "127.0.0.1:0")
        address = gone.address
        await host.stop_peer(gone)  # down, though the slot still says live
        slot = PeerSlot(0, None, "127.0.0.1", "none", up=True, joined=True, address=address)  # type: ignore[arg-type]
        network = SimpleNamespace(slots=[slot])
        w = Workload(network, log, lookups_per_s=0, puts_per_s=0, seed=7, run_dir=tmp_path)  # type: ignore[arg-type]
        try:
            publishing = asyncio.create_task(workload_files._publish(w, f, 0, source))
            while not publishes(tmp_path):
                await asyncio.sleep(0.02)
            assert not publishing.done()  # it failed, and waits to try again
            back = await host.start_peer(seeder, address)
            await host.run_peer(back, [])
            cid = await publishing
        finally:
            await w.pool.close()
            log.close()
    events = publishes(tmp_path)
    *failed, last = events
    assert failed and all(not e["ok"] and e["error"] and e["peer"] == 0 for e in failed)
    assert last["ok"] and last["cid"] == cid.hex() and last["bytes"] == f.size_bytes
    piece = config.swarm.piece_size
    assert cid == Manifest.of_pieces(split(source.read_bytes(), piece), piece).cid
