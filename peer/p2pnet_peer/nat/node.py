"""NatNode: one peer's NAT traversal, driving the sans-I/O parts over its transport.

It owns the per-peer routing transport (:class:`~p2pnet_peer.nat.transport.NatTransport`),
the AutoNAT verdict, the relay server (a relay peer) or the reservation on our relay (a
peer with a circuit address), the punched routes, and the background tasks all of that
needs (one TaskGroup, in :meth:`maintain`). With ``setup=None`` NAT traversal is off:
calls go straight through and are only counted.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from google.protobuf.message import DecodeError, Message

from p2pnet.v1 import nat_pb2
from p2pnet_peer.identity import Identity
from p2pnet_peer.metrics import PeerMetrics
from p2pnet_peer.nat import autonat
from p2pnet_peer.nat.addresses import host_of, parse_circuit
from p2pnet_peer.nat.config import NatConfig
from p2pnet_peer.nat.emulation import EmulatedNat
from p2pnet_peer.nat.holepunch import HolePunch
from p2pnet_peer.nat.paths import ConnectionLog, PathBook
from p2pnet_peer.nat.punch_emulated import EmulatedPuncher
from p2pnet_peer.nat.punch_socket import SocketPuncher
from p2pnet_peer.nat.punching import Puncher, Route
from p2pnet_peer.nat.reachability import MAPPING_UNKNOWN, Reachability
from p2pnet_peer.nat.relay import RelayServer
from p2pnet_peer.nat.reservation import ReservationClient
from p2pnet_peer.nat.transport import NatTransport
from p2pnet_peer.rpc_methods import method
from p2pnet_peer.transport.base import PeerUnreachable, Transport
from p2pnet_peer.transport.nat_emulation import EmulatingTransport, InboundGate
from p2pnet_peer.wire import contact_to_wire

SERVICE = "p2pnet.v1.Nat"
OK = nat_pb2.RELAY_STATUS_OK
ADOPT_S = 60.0  # a reservation served from start() must be adopted by maintain() by then
log = logging.getLogger("p2pnet.nat")


@dataclass(frozen=True)
class NatSetup:
    """Where a peer stands (deployment facts, not knobs)."""

    listen: str  # the address it really listens on, host:port
    relay: bool = False  # it serves as a circuit relay
    emulation: EmulatedNat | None = None  # fallback mode: its emulated NAT
    label: str = "public"  # the planner's NAT type: for reports only, never for decisions


class NatNode:
    def __init__(
        self,
        identity: Identity,
        address: str,
        config: NatConfig,
        transport: Transport,
        *,
        metrics: PeerMetrics | None = None,
        setup: NatSetup | None = None,
    ) -> None:
        self.identity = identity
        self.address = address
        self.config = config
        self.metrics = metrics or PeerMetrics()
        self.enabled = setup is not None
        self.setup = setup or NatSetup(listen=address)
        emulation = self.setup.emulation
        self.inner: Transport = EmulatingTransport(transport, emulation) if emulation else transport
        self.gate = InboundGate(emulation) if emulation else None
        self.transport = NatTransport(self.inner, self)
        self.reach = Reachability(config.autonat_confidence)
        self.mapping = MAPPING_UNKNOWN
        self.paths = PathBook(config)
        self.log = ConnectionLog()
        self.routes: dict[bytes, Route] = {}
        self.relay = RelayServer(config) if self.setup.relay else None
        self._wire_self = contact_to_wire(identity.contact(address))
        self.puncher: Puncher = (
            EmulatedPuncher(self.inner, emulation, self.gate, self.wire_self)  # type: ignore[arg-type]
            if emulation
            else SocketPuncher(self.setup.listen, self.wire_self, self.spawn)
        )
        self.holepunch = HolePunch(self)
        circuit = parse_circuit(address)
        self.reservation = (
            ReservationClient(
                circuit[0],
                self.inner,
                self.wire_self,
                lambda: self._services,
                ttl=config.reservation_ttl,
                max_in_flight=config.relay_max_in_flight,
                on_change=self._reservation_changed,
            )
            if self.enabled and circuit is not None and circuit[1] == identity.id
            else None
        )
        self.listeners: list[Callable[[dict[str, Any]], None]] = []
        self.on_reachability: list[Callable[[str], None]] = []
        self._services: dict[str, object] = {}
        self._servers: Callable[[], list[str]] = list
        self._group: asyncio.TaskGroup | None = None
        self._waiting: list[Coroutine[Any, Any, None]] = []
        self._early: asyncio.Task[None] | None = None  # serves the reservation from start()
        self._adopted = False
        self._maintained = False

    # -- wiring ----------------------------------------------------------------------------

    def bind(self, services: dict[str, object], servers: Callable[[], list[str]]) -> None:
        """This peer's services (relayed calls are served by them) and where to find
        AutoNAT servers later (peers from the routing table)."""
        self._services = services
        self._servers = servers

    def inbound(self, services: dict[str, object]) -> dict[str, object]:
        """The services to serve on the network: behind the gate in fallback mode."""
        return self.gate.wrap(services) if self.gate is not None else dict(services)

    def wire_self(self) -> Any:
        return self._wire_self

    @staticmethod
    def now() -> float:
        return asyncio.get_running_loop().time()

    @property
    def observed_host(self) -> str:
        return self.reach.observed_host or host_of(self.setup.listen)

    @property
    def listen_port(self) -> int:
        return int(self.setup.listen.rpartition(":")[2] or 0)

    # -- lifecycle ------------------------------------------------------------------------

    async def start(self, bootstrap: list[str]) -> str:
        """AutoNAT against the bootstrap peers, before anything else is sent; then reserve
        on our relay and serve relayed calls at once, while the peer joins (others learn
        of it as it joins). :meth:`maintain` adopts that task; :meth:`abort` (a join that
        failed) or a watchdog (no maintain within ``ADOPT_S``) ends it."""
        if self.enabled:
            await autonat.check(self, bootstrap)
            if self.reservation is not None and await self.reservation.open():
                self._early = asyncio.create_task(self.reservation.run())
                asyncio.get_running_loop().call_later(ADOPT_S, self._orphaned)
        return self.reach.status

    def _orphaned(self) -> None:
        if not self._adopted and self._early is not None:
            self._early.cancel()  # the peer never came up: it must not stay reachable

    def abort(self) -> None:
        """The join failed or was cancelled: stop serving relayed calls."""
        if self._early is not None:
            self._early.cancel()
        for coro in self._waiting:
            coro.close()
        self._waiting.clear()

    async def maintain(self) -> None:
        if not self.enabled:
            return
        self._maintained = True
        try:
            async with asyncio.TaskGroup() as group:
                self._group = group
                for coro in self._waiting:
                    group.create_task(self._guarded(coro))
                self._waiting.clear()
                if self._early is not None and not self._early.done():
                    self._adopted = True
                    group.create_task(self._adopt(self._early))
                elif self.reservation is not None:
                    group.create_task(self.reservation.run())
                group.create_task(self._recheck())
        finally:
            self._group = None
            for route in list(self.routes.values()):
                with contextlib.suppress(Exception):
                    await route.close()
            self.routes.clear()

    @staticmethod
    async def _adopt(task: asyncio.Task[None]) -> None:
        await task  # cancelling this cancels the task too

    def spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        """Run ``coro`` in the node's task group; before :meth:`maintain` runs, in the
        reservation's (served from :meth:`start`), else queued until maintain."""
        if self._group is None and not self._maintained:
            if self.reservation is None or not self.reservation.spawn(self._guarded, coro):
                self._waiting.append(coro)
            return
        wrapped = self._guarded(coro)
        try:
            if self._group is None:
                raise RuntimeError("stopped")
            self._group.create_task(wrapped)
        except RuntimeError:  # the peer is stopping: nothing new starts
            wrapped.close()
            coro.close()

    async def _guarded(self, coro: Coroutine[Any, Any, None]) -> None:
        try:
            await coro
        except Exception as exc:  # one punch or pipe failing never stops the peer
            log.warning("NAT task failed", extra={"error": repr(exc)})

    async def _recheck(self) -> None:
        while True:
            await asyncio.sleep(self.config.autonat_interval)
            await autonat.check(self, self._servers())

    # -- events and counting -------------------------------------------------------------

    def event(self, kind: str, **fields: Any) -> None:
        if self.enabled:
            for listener in self.listeners:
                try:
                    listener({"kind": kind, **fields})
                except Exception as exc:  # a listener never breaks the caller's RPC
                    log.warning("NAT event listener failed", extra={"error": repr(exc)})

    def connection(
        self, path: str, remote: str, ok: bool, *, every: bool = False, reason: str = ""
    ) -> None:
        """Count a connection by path and outcome (transitions only, unless ``every``)."""
        if not (every or self.log.counts(path, remote, ok)):
            return
        outcome = "success" if ok else "failure"
        self.metrics.nat_connections.labels(path, outcome).inc()
        extra = {"reason": reason[:120]} if reason and not ok else {}
        self.event("connection", path=path, outcome=outcome, remote=remote, **extra)

    def reachability_changed(self) -> None:
        status = self.reach.status
        self.event(
            "reachability",
            status=status,
            observed_host=self.reach.observed_host,
            mapping=self.mapping,
            answers=self.reach.answers,
        )
        for callback in self.on_reachability:
            callback(status)

    def _reservation_changed(self, active: bool, reason: str) -> None:
        self.event("reservation", active=active, reason=reason)

    # -- relayed and punched paths ---------------------------------------------------------

    def _relay_request(
        self, peer: bytes, service: str, name: str, request: Message, timeout: float
    ) -> nat_pb2.RelayRequest:
        return nat_pb2.RelayRequest(
            sender=self._wire_self,
            target_id=peer,
            service=service,
            method=name,
            payload=request.SerializeToString(),
            timeout_ms=max(1, int(timeout * 900)),
        )

    def _relayed(self, relay: str, peer: bytes, address: str, status: int, error: str) -> None:
        ok = status == OK or error.startswith("invalid argument")
        reason = f"relay {relay}: {nat_pb2.RelayStatus.Name(status)} {error}".strip()
        self.connection("relay", address, ok, reason=reason)
        if status != OK:
            raise PeerUnreachable(address, reason)
        if self.paths.relayed(peer, self.now()):
            self.spawn(self.holepunch.upgrade(relay, peer, address))

    async def relay_call(
        self,
        relay: str,
        peer: bytes,
        address: str,
        service: str,
        name: str,
        request: Message,
        timeout: float,
    ) -> Any:
        wire = self._relay_request(peer, service, name, request, timeout)
        try:
            if self._is_me(relay):  # a relay calling through itself
                reply = await self.relay.relay(wire, self.setup.listen)  # type: ignore[union-attr]
            else:
                reply = await self.inner.call(relay, SERVICE, "Relay", wire, timeout)
        except PeerUnreachable as exc:
            self.connection("relay", address, False, reason=exc.reason)
            raise PeerUnreachable(address, f"relay {relay}: {exc.reason}") from None
        self._relayed(relay, peer, address, reply.status, reply.error)
        try:
            return method(service, name).decode_response(reply.payload)
        except DecodeError:
            raise PeerUnreachable(
                address, f"relay {relay}: answer is not a valid response"
            ) from None

    async def relay_stream(
        self,
        relay: str,
        peer: bytes,
        address: str,
        service: str,
        name: str,
        request: Message,
        timeout: float,
    ) -> AsyncIterator[Any]:
        wire = self._relay_request(peer, service, name, request, timeout)
        decode = method(service, name).decode_response
        first = True
        items = (
            self.relay.relay_stream(wire, self.setup.listen)  # type: ignore[union-attr]
            if self._is_me(relay)
            else self.inner.stream(relay, SERVICE, "RelayStream", wire, timeout)
        )
        try:
            async for item in items:
                if first or item.status != OK:
                    first = False
                    self._relayed(relay, peer, address, item.status, item.error)
                try:
                    decoded = decode(item.payload)
                except DecodeError:
                    raise PeerUnreachable(address, f"relay {relay}: not a valid item") from None
                yield decoded
        except PeerUnreachable as exc:
            if first:
                self.connection("relay", address, False, reason=exc.reason)
            raise PeerUnreachable(address, f"relay {relay}: {exc.reason}") from None

    def _is_me(self, relay: str) -> bool:
        return self.relay is not None and relay in (self.address, self.setup.listen)

    def set_route(self, peer: bytes, route: Route) -> None:
        old = self.routes.pop(peer, None)
        if old is not None:
            self.spawn(old.close())
        self.routes[peer] = route

    async def route_lost(self, peer: bytes, route: Route) -> None:
        if self.routes.get(peer) is route:
            del self.routes[peer]
            self.paths.lost(peer, self.now())
            self.event("route_lost", remote=peer.hex())
        with contextlib.suppress(Exception):
            await route.close()
