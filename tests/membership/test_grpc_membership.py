"""Real gRPC between 16 p2pnet-peer processes on loopback: SWIM member lists converge to
one identical list, a broadcast reaches everyone, and a killed peer is declared dead by
every other one."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest

from p2pnet.v1 import control_pb2, control_pb2_grpc, membership_pb2
from p2pnet_peer.peer import PeerConfig
from p2pnet_testbed.local.processes import PeerProcess, stop_all

PEERS = 16
GONE = (membership_pb2.MEMBER_STATE_DEAD, membership_pb2.MEMBER_STATE_LEFT)
SWIM = PeerConfig.local().swim  # PeerProcess's default preset


@pytest.fixture
def network(tmp_path: Path) -> Iterator[list[PeerProcess]]:
    """16 single-peer processes: one seed, 15 joining through it."""
    procs: list[PeerProcess] = []
    try:
        seed = PeerProcess(tmp_path, "peer-00", metrics_port=-1)
        procs.append(seed)
        seed_addr = seed.wait_ready(timeout=120)[0].address
        for i in range(1, PEERS):
            procs.append(
                PeerProcess(tmp_path, f"peer-{i:02d}", bootstrap=[seed_addr], metrics_port=-1)
            )
        for p in procs:
            p.wait_ready(timeout=180, joined=True)
        yield procs
    finally:
        stop_all(procs)
    for p in procs:
        assert not p.alive()


def eventually(check: Callable[[], Any], timeout: float, what: str) -> Any:
    """Poll ``check`` until it returns something truthy; fail with ``what`` on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} within {timeout:.0f} s; last: {result!r}")
        time.sleep(0.25)


@pytest.mark.slow
def test_16_processes_converge_and_all_detect_a_killed_peer(
    network: list[PeerProcess],
) -> None:
    stubs = {
        p.peers[0].address: control_pb2_grpc.ControlStub(grpc.insecure_channel(p.peers[0].address))
        for p in network
    }
    ids = {bytes.fromhex(p.peers[0].id) for p in network}

    def views(addresses: list[str]) -> dict[str, dict[bytes, int]]:
        out = {}
        for address in addresses:
            response = stubs[address].Members(control_pb2.MembersRequest(), timeout=10)
            out[address] = {m.member.id: m.state for m in response.members}
        return out

    def identical_full_lists() -> bool:
        live = [
            {i for i, s in view.items() if s not in GONE} for view in views(list(stubs)).values()
        ]
        return all(members == ids for members in live)

    eventually(identical_full_lists, 60, "16 identical member lists")

    rumour = (
        stubs[network[3].peers[0].address]
        .Broadcast(control_pb2.BroadcastRequest(payload=b"hello, everyone"), timeout=10)
        .rumour_id
    )

    def everyone_heard() -> bool:
        request = control_pb2.RumoursRequest(ids=[rumour])
        return all(len(stub.Rumours(request, timeout=10).rumours) == 1 for stub in stubs.values())

    eventually(everyone_heard, 60, "the rumour reached every peer")

    victim = network[9]
    victim_id = bytes.fromhex(victim.peers[0].id)
    victim.kill()
    others = [a for a in stubs if a != victim.peers[0].address]

    def all_declare_it_dead() -> bool:
        return all(view.get(victim_id, GONE[0]) in GONE for view in views(others).values())

    # detection plus the maximum Lifeguard timeout plus dissemination, on a busy machine
    eventually(all_declare_it_dead, SWIM.suspicion_max_timeout(PEERS) + 30, "all saw it die")
    for address, view in views(others).items():
        alive = {i for i, s in view.items() if s not in GONE}
        assert alive == ids - {victim_id}, f"{address} lost a live peer"
