"""Serve peers over real gRPC: one process can host one peer or hundreds.

Each hosted peer has its own grpc.aio server (its own port), its own Prometheus registry
and /metrics port, and the standard health service (NOT_SERVING until it has joined).
All of them share the process's channel pool. Every background task is owned by the
host's TaskGroup and cancelled on shutdown.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import socket
from dataclasses import dataclass, field
from pathlib import Path

import grpc

from p2pnet_peer.identity import Identity
from p2pnet_peer.metrics import PeerMetrics
from p2pnet_peer.metrics_http import bound_port, start_metrics_server
from p2pnet_peer.nat.node import NatSetup
from p2pnet_peer.peer import Peer, PeerConfig
from p2pnet_peer.rpc_server import NOT_SERVING, SERVING, add_services, build_server
from p2pnet_peer.tracing import PeerTag
from p2pnet_peer.transfer.disk_storage import DiskStorage
from p2pnet_peer.transport.grpc_channels import ChannelPool, GrpcTransport
from p2pnet_peer.transport.grpc_inbound import InboundInterceptor

log = logging.getLogger("p2pnet.daemon")


class StartError(RuntimeError):
    """A peer could not start (e.g. its port is taken); the message says which and why."""


def split_host_port(address: str) -> tuple[str, int]:
    host, sep, port = address.rpartition(":")
    if not sep or not port.isdigit():
        raise ValueError(f"expected host:port, got {address!r}")
    return host.strip("[]") or "0.0.0.0", int(port)


def default_advertise_host(listen_host: str) -> str:
    if listen_host not in ("0.0.0.0", "::", ""):
        return listen_host
    try:
        return socket.gethostbyname(socket.gethostname())
    except OSError:
        return "127.0.0.1"


@dataclass
class HostedPeer:
    peer: Peer
    server: grpc.aio.Server
    health: object
    metrics_server: asyncio.Server | None
    metrics_port: int | None
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)  # e.g. the planner's NAT group

    @property
    def address(self) -> str:
        return self.peer.address

    def describe(self) -> dict[str, object]:
        return {
            "id": self.peer.id.hex(),
            "address": self.peer.address,
            "metrics_port": self.metrics_port,
            **self.labels,
        }


class PeerHost:
    def __init__(self, config: PeerConfig, *, max_channels: int = 1024) -> None:
        self.config = config
        self.pool = ChannelPool(max_channels)
        self.transport = GrpcTransport(self.pool)
        self.peers: list[HostedPeer] = []
        self._group: asyncio.TaskGroup | None = None

    async def __aenter__(self) -> PeerHost:
        self._group = asyncio.TaskGroup()
        await self._group.__aenter__()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop_all()
        assert self._group is not None
        await self._group.__aexit__(None, None, None)
        await self.pool.close()

    async def start_peer(
        self,
        identity: Identity,
        listen: str,
        *,
        advertise: str | None = None,
        metrics_listen: str | None = None,
        nat: NatSetup | None = None,
        control_listen: str | None = None,
        data_dir: Path | None = None,
    ) -> HostedPeer:
        """Bind and start one peer's servers. Raises StartError if a port is unavailable.

        ``nat``: NAT traversal for this peer (its ``listen`` is filled in once bound);
        ``control_listen``: one more listening address, e.g. ``unix:/path`` for a peer in a
        network namespace that the supervisor drives from outside; ``data_dir``: where
        swarm transfer keeps pieces (resumable), default in memory."""
        host, port = split_host_port(listen)
        metrics = PeerMetrics()
        tag = PeerTag()
        inbound = [InboundInterceptor()] if nat is not None else []
        server, health = build_server(metrics, peer_tag=tag, extra_interceptors=inbound)
        try:
            bound = server.add_insecure_port(f"{host}:{port}")
            if control_listen and not server.add_insecure_port(control_listen):
                raise RuntimeError(f"cannot listen on {control_listen}")
        except RuntimeError as exc:
            raise StartError(f"cannot listen on {listen}: {exc}") from None
        if not bound:
            raise StartError(f"cannot listen on {listen}: address in use or not available")
        address = advertise or f"{default_advertise_host(host)}:{bound}"
        tag.address = address
        if nat is not None:
            nat = dataclasses.replace(nat, listen=f"{host}:{bound}")
        storage = DiskStorage(data_dir) if data_dir is not None else None
        peer = Peer(
            identity,
            address,
            self.config,
            self.transport,
            metrics=metrics,
            nat=nat,
            storage=storage,
        )
        add_services(server, peer.nat.inbound(peer.services))
        await server.start()
        metrics_server = None
        metrics_port = None
        if metrics_listen is not None:
            m_host, m_port = split_host_port(metrics_listen)
            try:
                metrics_server = await start_metrics_server(metrics.registry, m_host, m_port)
            except OSError as exc:
                await server.stop(None)
                raise StartError(f"cannot serve metrics on {metrics_listen}: {exc}") from None
            metrics_port = bound_port(metrics_server)
        await health.set("", NOT_SERVING)
        hosted = HostedPeer(peer, server, health, metrics_server, metrics_port)
        self.peers.append(hosted)
        log.info(
            "listening",
            extra={"peer": identity.id[:4].hex(), "address": address, "metrics_port": metrics_port},
        )
        return hosted

    async def run_peer(self, hosted: HostedPeer, bootstrap: list[str]) -> None:
        """Join the network, mark the peer SERVING, and start its background work."""
        await hosted.peer.join(bootstrap)
        await hosted.health.set("", SERVING)  # type: ignore[attr-defined]
        assert self._group is not None
        hosted.tasks.append(self._group.create_task(hosted.peer.maintain()))

    async def stop_peer(self, hosted: HostedPeer, grace: float = 1.0) -> None:
        with contextlib.suppress(Exception):
            await hosted.health.enter_graceful_shutdown()  # type: ignore[attr-defined]
        for task in hosted.tasks:
            task.cancel()
        await asyncio.gather(*hosted.tasks, return_exceptions=True)
        await hosted.server.stop(grace)
        hosted.peer.transfer.close()
        if hosted.metrics_server is not None:
            hosted.metrics_server.close()
            await hosted.metrics_server.wait_closed()
        if hosted in self.peers:
            self.peers.remove(hosted)

    async def stop_all(self, grace: float = 1.0) -> None:
        await asyncio.gather(*(self.stop_peer(p, grace) for p in list(self.peers)))
