"""NAT traversal on the in-memory network (fallback emulation, virtual time): AutoNAT,
DHT client mode, relays with reservations and limits, hole punching per type pair."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from p2pnet.v1 import dht_pb2, nat_pb2, transfer_pb2
from p2pnet_peer.kademlia.ids import as_int
from p2pnet_peer.nat.behaviour import NAT_TYPES, holepunch_possible
from p2pnet_peer.nat.service import NatService
from p2pnet_peer.nat.simulated import NatSimulation
from p2pnet_peer.peer import Peer, PeerConfig
from p2pnet_peer.transport.base import PeerUnreachable
from p2pnet_peer.transport.memory import MemoryNetwork
from p2pnet_peer.virtual_time import run_virtual
from p2pnet_peer.wire import InvalidRequest

NAT = "p2pnet.v1.Nat"


def ping(caller: Peer, target: Peer, timeout: float = 5.0) -> Awaitable[Any]:
    request = nat_pb2.NatPingRequest(sender=caller.nat.wire_self())
    return caller.nat.transport.call(target.address, NAT, "Ping", request, timeout)


def counted(peer: Peer, path: str, outcome: str) -> float:
    return peer.metrics.nat_connections.labels(path, outcome)._value.get()


Scenario = Callable[[NatSimulation, list[Peer], Peer], Awaitable[None]]


def run(scenario: Scenario, *, config: PeerConfig | None = None, nat_types=NAT_TYPES) -> None:  # type: ignore[no-untyped-def]
    async def main() -> None:
        async with NatSimulation(MemoryNetwork(latency=0.002), config or PeerConfig.local()) as sim:
            for _ in range(3):
                sim.add("public")
            relay = sim.add("public", relay=True)
            natted = [sim.add(t, via=relay) for t in nat_types]
            await sim.join_all()
            await scenario(sim, natted, relay)

    run_virtual(main())


def test_autonat_verdicts_observed_hosts_and_dht_client_mode() -> None:
    async def scenario(sim: NatSimulation, natted: list[Peer], relay: Peer) -> None:
        public = [p for p in sim.peers if p not in natted]
        for peer in natted:
            assert peer.nat.reach.status == "private"
            assert peer.nat.observed_host.startswith("198.19.0.")
            assert peer.dht.client and peer.dht.wire_self().dht_client
            assert peer.nat.reservation is not None and peer.nat.reservation.active
            expected = (
                "endpoint-dependent"
                if peer.nat.setup.label == "symmetric"
                else ("endpoint-independent")
            )
            assert peer.nat.mapping == expected
        assert [p.nat.reach.status for p in public[1:]] == ["public"] * (len(public) - 1)
        assert not any(p.dht.client for p in public)
        nat_ids = {p.id for p in natted}
        for peer in sim.peers:
            assert not nat_ids & {c.id for c in peer.dht.table.closest(peer.id, 100)}
        # a DHT client's lookups find the true closest servers
        target = b"\x42" * 32
        out = await natted[0].dht.find_node(target)
        want = min(public, key=lambda p: as_int(p.id) ^ as_int(target))
        assert out.closest[0].id == want.id

    run(scenario)


def test_hole_punching_follows_the_type_pair_and_falls_back_to_the_relay() -> None:
    async def scenario(sim: NatSimulation, natted: list[Peer], relay: Peer) -> None:
        second_symmetric = sim.add("symmetric", via=relay)
        await sim.join(second_symmetric, sim.public_addresses())
        await asyncio.sleep(1.0)
        callers = [*natted, second_symmetric, sim.peers[1]]
        for a in callers:
            for b in natted:
                if a is not b:
                    reply = await ping(a, b)
                    assert reply.responder.id == b.id  # relayed: always reachable
        await asyncio.sleep(15.0)  # punches finish in the background
        for a in callers:
            for b in natted:
                if a is b:
                    continue
                punched = b.id in a.nat.routes
                assert punched == holepunch_possible(a.nat.setup.label, b.nat.setup.label), (
                    a.nat.setup.label,
                    b.nat.setup.label,
                )
                if punched:
                    assert (await ping(a, b)).responder.id == b.id  # over the punched route
        s1 = next(p for p in natted if p.nat.setup.label == "symmetric")
        for s in (s1, second_symmetric):
            other = second_symmetric if s is s1 else s1
            assert other.id not in s.nat.routes
        # symmetric <-> symmetric never even attempts: no hole punch counted
        assert counted(second_symmetric, "holepunch", "success") == 2  # full cone, addr.
        assert counted(second_symmetric, "holepunch", "failure") == 1  # port-restricted
        assert counted(second_symmetric, "relay", "success") >= 4

    run(scenario)


class Pieces:
    """A stand-in Transfer service whose GetPieces streams three items."""

    name = "p2pnet.v1.Transfer"

    async def GetPieces(
        self, request: transfer_pb2.GetPiecesRequest
    ) -> AsyncIterator[transfer_pb2.GetPiecesResponse]:
        for i in range(3):
            await asyncio.sleep(0.01)
            yield transfer_pb2.GetPiecesResponse(index=i, data=bytes([i]) * 1000)


def test_streams_over_the_relay_and_over_a_punched_route() -> None:
    async def scenario(sim: NatSimulation, natted: list[Peer], relay: Peer) -> None:
        seeder, caller = natted  # full cone, port restricted
        seeder.services[Pieces.name] = Pieces()
        sim.rebind(seeder)
        request = transfer_pb2.GetPiecesRequest()
        got = [
            item.index
            async for item in caller.nat.transport.stream(
                seeder.address, Pieces.name, "GetPieces", request, 5.0
            )
        ]
        assert got == [0, 1, 2]
        assert seeder.id not in caller.nat.routes or counted(caller, "relay", "success") >= 1
        await asyncio.sleep(10.0)
        assert seeder.id in caller.nat.routes
        relayed = counted(caller, "relay", "success") + counted(caller, "relay", "failure")
        got = [
            item.index
            async for item in caller.nat.transport.stream(
                seeder.address, Pieces.name, "GetPieces", request, 5.0
            )
        ]
        assert got == [0, 1, 2]
        assert seeder.id in caller.nat.routes, "the punched route carried the stream"
        assert counted(caller, "relay", "success") + counted(caller, "relay", "failure") == relayed

    run(scenario, nat_types=("full-cone", "port-restricted"))


def test_relay_limits() -> None:
    base = PeerConfig.local()
    config = dataclasses.replace(
        base,
        nat=dataclasses.replace(
            base.nat, relay_max_reservations=1, relay_max_circuits=1, holepunch_after_calls=99
        ),
    )

    async def scenario(sim: NatSimulation, natted: list[Peer], relay: Peer) -> None:
        active = [p for p in natted if p.nat.reservation and p.nat.reservation.active]
        assert len(active) == 1, "the relay holds one reservation"
        held = active[0]
        refused = next(p for p in natted if p is not held)
        caller = sim.peers[1]
        with pytest.raises(PeerUnreachable, match="NO_RESERVATION"):
            await ping(caller, refused)

        class Slow:
            name = "p2pnet.v1.Dht"

            async def Ping(self, request: Any) -> dht_pb2.DhtPingResponse:
                await asyncio.sleep(2.0)
                return dht_pb2.DhtPingResponse(responder=held.dht.wire_self())

        held.services[Slow.name] = Slow()
        sim.rebind(held)
        slow = caller.nat.transport.call(
            held.address, "p2pnet.v1.Dht", "Ping", dht_pb2.DhtPingRequest(), 5.0
        )
        first = asyncio.ensure_future(slow)
        await asyncio.sleep(0.1)
        with pytest.raises(PeerUnreachable, match="RESOURCE_LIMIT"):
            await ping(caller, held)
        assert (await first).responder.id == held.id
        big = nat_pb2.NatPingRequest(sender=caller.nat.wire_self())
        big.sender.address = "x" * 10  # still valid protobuf; the size check comes first
        wire = nat_pb2.RelayRequest(
            sender=caller.nat.wire_self(), target_id=held.id, service=NAT, method="Ping",
            payload=b"\0" * (5 * 1024 * 1024),
        )  # fmt: skip
        reply = await relay.nat.relay.relay(wire, "")  # type: ignore[union-attr]
        assert reply.status == nat_pb2.RELAY_STATUS_RESOURCE_LIMIT
        assert counted(caller, "relay", "failure") >= 1

    run(scenario, config=config, nat_types=("port-restricted", "full-cone"))


def test_bad_nat_requests_are_refused() -> None:
    async def scenario(sim: NatSimulation, natted: list[Peer], relay: Peer) -> None:
        service = NatService(relay.nat)
        me = natted[0].nat.wire_self()
        with pytest.raises(InvalidRequest, match="sender"):
            await service.Ping(nat_pb2.NatPingRequest())
        with pytest.raises(InvalidRequest, match="target_id"):
            await service.Relay(nat_pb2.RelayRequest(sender=me, target_id=b"x"))
        with pytest.raises(InvalidRequest, match="method"):
            await service.Relay(
                nat_pb2.RelayRequest(sender=me, target_id=b"x" * 32, service="nope", method="x")
            )
        with pytest.raises(InvalidRequest, match="Control"):
            await service.Relay(
                nat_pb2.RelayRequest(
                    sender=me, target_id=b"x" * 32, service="p2pnet.v1.Control", method="Get"
                )
            )
        with pytest.raises(InvalidRequest, match="port"):
            await service.DialBack(nat_pb2.DialBackRequest(sender=me, port=0))
        with pytest.raises(InvalidRequest, match="nonce"):
            await NatService(natted[0].nat).HolePunch(
                nat_pb2.HolePunchRequest(sender=relay.nat.wire_self(), nonce=b"1")
            )
        plain = NatService(sim.peers[1].nat)  # not a relay
        reply = await plain.Relay(
            nat_pb2.RelayRequest(sender=me, target_id=b"x" * 32, service=NAT, method="Ping")
        )
        assert reply.status == nat_pb2.RELAY_STATUS_NOT_A_RELAY

    run(scenario, nat_types=("full-cone",))
