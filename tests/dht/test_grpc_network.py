"""Real gRPC between real processes on loopback: join, put/get, and a peer killed mid-run."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest

from p2pnet.v1 import control_pb2, control_pb2_grpc
from p2pnet_testbed.local.processes import PeerProcess, stop_all

PEERS = 16


@pytest.fixture
def network(tmp_path: Path) -> Iterator[list[PeerProcess]]:
    """16 single-peer processes: one seed, 15 bootstrapping from it."""
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
    for p in procs:  # nothing left behind
        assert not p.alive()
        with pytest.raises(ProcessLookupError):
            os.kill(p.pid, 0)


def control(address: str) -> control_pb2_grpc.ControlStub:
    return control_pb2_grpc.ControlStub(grpc.insecure_channel(address))


@pytest.mark.slow
def test_16_processes_put_get_and_survive_a_killed_peer(network: list[PeerProcess]) -> None:
    addresses = [p.peers[0].address for p in network]
    writer = control(addresses[1])
    put = writer.Put(control_pb2.PutRequest(key=b"greeting", value=b"hello"), timeout=30)
    assert put.replicas >= min(PEERS - 2, 20) - 2, put
    for address in addresses[2:]:
        got = control(address).Get(control_pb2.GetRequest(key=b"greeting"), timeout=30)
        assert got.found and got.value == b"hello", address

    victim = network[7]
    victim.kill()
    dead = victim.peers[0].address
    for address in addresses:
        if address == dead:
            continue
        stub = control(address)
        status = stub.Status(control_pb2.StatusRequest(), timeout=30)
        out = stub.Lookup(control_pb2.LookupRequest(target=status.self.id), timeout=60)
        assert out.closest, address
        assert dead not in {c.address for c in out.closest}, "a dead peer answered a lookup"
        got = stub.Get(control_pb2.GetRequest(key=b"greeting"), timeout=60)
        assert got.found and got.value == b"hello"
