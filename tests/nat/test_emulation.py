"""Fallback mode: the transport-level NAT model and the gate, against the same probes the
router tests send (so both modes agree), over the in-memory network and real gRPC."""

from __future__ import annotations

import asyncio

import grpc
import pytest

from p2pnet.v1 import dht_pb2, peer_pb2
from p2pnet_peer.metrics import PeerMetrics
from p2pnet_peer.nat.behaviour import NAT_TYPES
from p2pnet_peer.nat.emulation import EmulatedNat
from p2pnet_peer.rpc_server import add_services, build_server
from p2pnet_peer.transport.base import PeerUnreachable
from p2pnet_peer.transport.call_context import inbound
from p2pnet_peer.transport.grpc_channels import ChannelPool, GrpcTransport
from p2pnet_peer.transport.grpc_inbound import InboundInterceptor
from p2pnet_peer.transport.memory import MemoryNetwork
from p2pnet_peer.transport.nat_emulation import (
    EmulatedSend,
    EmulatingTransport,
    InboundGate,
    sending_as,
)
from p2pnet_peer.virtual_time import run_virtual

X, Y, Z = "127.0.0.10", "127.0.0.11", "127.0.0.12"
EXPECTED = {  # the router tests' UDP table
    "full-cone": {"reply", "other-port", "stranger", "other-dest"},
    "address-restricted": {"reply", "other-port", "other-dest"},
    "port-restricted": {"reply", "other-dest"},
    "symmetric": {"reply"},
}


@pytest.mark.parametrize("nat_type", NAT_TYPES)
def test_model_agrees_with_the_router_probes(nat_type: str) -> None:
    nat = EmulatedNat(nat_type, "198.19.0.9")
    nat.sent(4000, f"{X}:5000", now=0.0)
    nat.sent(4000, f"{Y}:5000", now=0.0)
    seen_by_x, seen_by_y = nat.external(4000, f"{X}:5000"), nat.external(4000, f"{Y}:5000")
    if nat_type == "symmetric":
        assert seen_by_x != seen_by_y
    else:
        assert seen_by_x == seen_by_y == "198.19.0.9:4000"
    probes = {
        "reply": f"{X}:5000",
        "other-port": f"{X}:6000",
        "stranger": f"{Z}:5000",
        "other-dest": f"{Y}:5000",
    }
    passed = {tag for tag, src in probes.items() if nat.admits(seen_by_x, src, now=1.0)}
    assert passed == EXPECTED[nat_type]
    assert not nat.admits(seen_by_x, f"{X}:5000", now=1000.0), "mappings expire"
    assert not nat.admits("198.19.0.9:4001", f"{X}:5000", now=1.0), "no mapping there"


def test_public_admits_everyone() -> None:
    nat = EmulatedNat("public", X)
    assert nat.public and nat.admits(f"{X}:7000", f"{Z}:1", now=0.0)
    assert nat.external(0, f"{Y}:1") == f"{X}:0"


class Echo:
    """A stand-in Dht service: Ping answers with the caller's observed address."""

    name = "p2pnet.v1.Dht"

    def __init__(self) -> None:
        self.seen: list[str | None] = []

    async def Ping(self, request: dht_pb2.DhtPingRequest) -> dht_pb2.DhtPingResponse:
        call = inbound.get()
        self.seen.append(call.observed if call else None)
        return dht_pb2.DhtPingResponse(responder=peer_pb2.PeerInfo(address="echo:1"))


PING = dht_pb2.DhtPingRequest()


async def _ping(transport: EmulatingTransport, address: str, timeout: float = 2.0) -> bool:
    try:
        await transport.call(address, "p2pnet.v1.Dht", "Ping", PING, timeout)
        return True
    except PeerUnreachable:
        return False


@pytest.mark.parametrize("nat_type", NAT_TYPES)
def test_memory_network_gate(nat_type: str) -> None:
    """A: behind NAT at 127.0.0.2; B public (X). Direct calls to A are dropped until A
    punches towards B's endpoint; then B's probe passes exactly as the type says, and the
    admitted flow carries later calls."""

    async def main() -> None:
        net = MemoryNetwork(latency=0.001)
        a_nat = EmulatedNat(nat_type, "198.19.0.1")
        b_nat = EmulatedNat("public", X)
        a_echo, b_echo = Echo(), Echo()
        gate = InboundGate(a_nat)
        net.bind("127.0.0.2:7000", gate.wrap({Echo.name: a_echo}))
        net.bind(f"{X}:7000", InboundGate(b_nat).wrap({Echo.name: b_echo}))
        a = EmulatingTransport(net.transport("127.0.0.2:7000"), a_nat)
        b = EmulatingTransport(net.transport(f"{X}:7000"), b_nat)
        loop = asyncio.get_running_loop()

        started = loop.time()
        assert not await _ping(b, "127.0.0.2:7000"), "unsolicited inbound is dropped"
        assert loop.time() - started == pytest.approx(2.0, abs=0.01), "after the timeout"
        assert await _ping(a, f"{X}:7000")
        assert (b_echo.seen[-1] or "").startswith("198.19.0.1:"), "B sees A's external address"

        # A punches from port 4000 towards B's endpoint X:5000 ...
        token = sending_as.set(EmulatedSend(4000, f"{X}:5000", "flow-1"))
        assert await _ping(a, f"{X}:7000")
        sending_as.reset(token)
        mapped = a_nat.external(4000, f"{X}:5000")
        # ... and B, from X:5000, aims at the mapping it was told (A's port 4000 kept):
        token = sending_as.set(EmulatedSend(5000, "198.19.0.1:4000", "flow-1"))
        passed = await _ping(b, "127.0.0.2:7000", timeout=0.5)
        sending_as.reset(token)
        assert passed is (mapped == "198.19.0.1:4000"), "only a predictable mapping is found"
        if passed:
            token = sending_as.set(EmulatedSend(5000, "198.19.0.1:4000", "flow-1"))
            assert await _ping(b, "127.0.0.2:7000"), "the admitted flow carries later calls"
            sending_as.reset(token)
        token = sending_as.set(EmulatedSend(5001, "198.19.0.1:4000", "flow-2"))
        other_port = await _ping(b, "127.0.0.2:7000", timeout=0.5)
        sending_as.reset(token)
        assert other_port is (nat_type in ("full-cone", "address-restricted"))
        assert gate.dropped >= 1

    run_virtual(main())


def test_emulated_external_addresses_are_never_dialled() -> None:
    async def main() -> None:
        net = MemoryNetwork()
        t = EmulatingTransport(net.transport("127.0.0.2:7000"), EmulatedNat("public", "x"))
        with pytest.raises(PeerUnreachable, match="never dialled"):
            await t.call("198.19.0.1:4000", "p2pnet.v1.Dht", "Ping", PING, 1.0)

    run_virtual(main())


async def _serve(services: dict[str, object]) -> tuple[grpc.aio.Server, str]:
    server, _ = build_server(PeerMetrics(), extra_interceptors=[InboundInterceptor()])
    port = server.add_insecure_port("127.0.0.1:0")
    add_services(server, services)
    await server.start()
    return server, f"127.0.0.1:{port}"


@pytest.mark.slow
async def test_grpc_gate_and_observed_addresses() -> None:
    a_nat, b_nat = EmulatedNat("port-restricted", "198.19.0.1"), EmulatedNat("public", X)
    a_echo, b_echo = Echo(), Echo()
    a_server, a_addr = await _serve(InboundGate(a_nat).wrap({Echo.name: a_echo}))
    b_server, b_addr = await _serve(InboundGate(b_nat).wrap({Echo.name: b_echo}))
    pool = ChannelPool()
    a = EmulatingTransport(GrpcTransport(pool), a_nat)
    b = EmulatingTransport(GrpcTransport(pool), b_nat)
    try:
        assert not await _ping(b, a_addr, timeout=0.5)
        assert await _ping(a, b_addr)
        assert b_echo.seen[-1] == "198.19.0.1:0"
        token = sending_as.set(EmulatedSend(4000, f"{X}:5000", "f"))
        assert await _ping(a, b_addr)
        sending_as.reset(token)
        token = sending_as.set(EmulatedSend(5000, "198.19.0.1:4000", "f"))
        assert await _ping(b, a_addr)
        sending_as.reset(token)
        assert a_echo.seen[-1] == f"{X}:5000"
        # without the emulation, the interceptor reports the real connection's address
        plain = GrpcTransport(pool)
        await plain.call(b_addr, "p2pnet.v1.Dht", "Ping", PING, 2.0)
        assert (b_echo.seen[-1] or "").startswith("127.0.0.1:")
    finally:
        await pool.close()
        await a_server.stop(None)
        await b_server.stop(None)
