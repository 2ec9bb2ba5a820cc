"""Hole punching with real TCP sockets: simultaneous open with port reuse (DCUtR over TCP).

Each side binds a fresh port P, listens on it, and dials the other's predicted endpoint
from P (SO_REUSEPORT lets the listener and the dialling socket share P). Whichever SYN a
NAT lets through first becomes the connection: a simultaneous open between the two
dialling sockets, or one side's listener accepting the other's SYN (when only one NAT
lets SYNs in, e.g. full cone facing symmetric). The caller then runs gRPC over the
socket (:class:`~p2pnet_peer.nat.pipe.SocketPipe`); the callee splices it to its own
gRPC server.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

from google.protobuf.message import Message

from p2pnet.v1 import nat_pb2
from p2pnet_peer.nat.addresses import host_of
from p2pnet_peer.nat.pipe import SocketPipe, splice
from p2pnet_peer.nat.punching import Remote
from p2pnet_peer.transport.base import PeerUnreachable
from p2pnet_peer.transport.grpc_channels import ChannelPool, GrpcTransport

SERVICE = "p2pnet.v1.Nat"
RETRY_S = 0.1


def _reuse_socket() -> socket.socket:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    s.setblocking(False)
    return s


class _Prepared:
    def __init__(self, host: str) -> None:
        self.sock = _reuse_socket()
        self.sock.bind((host, 0))
        self.sock.listen(16)
        self.port: int = self.sock.getsockname()[1]

    def close(self) -> None:
        self.sock.close()


class PipeRoute:
    """gRPC calls over one punched connection."""

    def __init__(self, pipe: SocketPipe) -> None:
        self.pipe = pipe
        self._pool = ChannelPool(max_channels=1)
        self._transport = GrpcTransport(self._pool)

    async def call(self, service: str, method: str, request: Message, timeout: float) -> Any:
        if self.pipe.closed:
            raise PeerUnreachable(self.pipe.address, "punched connection closed")
        return await self._transport.call(self.pipe.address, service, method, request, timeout)

    async def stream(
        self, service: str, method: str, request: Message, timeout: float
    ) -> AsyncIterator[Any]:
        if self.pipe.closed:
            raise PeerUnreachable(self.pipe.address, "punched connection closed")
        async for item in self._transport.stream(
            self.pipe.address, service, method, request, timeout
        ):
            yield item

    async def close(self) -> None:
        self.pipe.close()
        await self._pool.close()


class SocketPuncher:
    def __init__(
        self,
        listen: str,
        wire_self: Callable[[], Any],
        spawn: Callable[[Coroutine[Any, Any, None]], None],
    ) -> None:
        self.listen = listen
        self.host = host_of(listen)
        self.wire_self = wire_self
        self.spawn = spawn

    async def prepare(self) -> _Prepared:
        return _Prepared(self.host)

    async def _dial(self, port: int, target: tuple[str, int], deadline: float) -> socket.socket:
        loop = asyncio.get_running_loop()
        while True:
            s = _reuse_socket()
            try:
                s.bind((self.host, port))
                left = deadline - loop.time()
                async with asyncio.timeout(max(0.05, min(2.0, left))):
                    await loop.sock_connect(s, target)
                return s
            except (OSError, TimeoutError):
                s.close()
            await asyncio.sleep(RETRY_S)

    async def _accept(self, prepared: _Prepared, host: str) -> socket.socket:
        loop = asyncio.get_running_loop()
        while True:
            conn, (peer_host, _) = await loop.sock_accept(prepared.sock)
            if peer_host == host:
                return conn
            conn.close()

    async def _race(
        self, prepared: _Prepared, remote: Remote, deadline: float
    ) -> socket.socket | None:
        tasks = [
            asyncio.ensure_future(self._dial(prepared.port, (remote.host, remote.port), deadline)),
            asyncio.ensure_future(self._accept(prepared, remote.host)),
        ]
        chosen: socket.socket | None = None
        try:
            async with asyncio.timeout_at(deadline):
                done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
                chosen = next(iter(done)).result()
        except (TimeoutError, OSError):
            chosen = None
        finally:
            for task in tasks:
                task.cancel()
            for result in await asyncio.gather(*tasks, return_exceptions=True):
                if isinstance(result, socket.socket) and result is not chosen:
                    result.close()
            prepared.close()
        return chosen

    async def connect(
        self, prepared: _Prepared, remote: Remote, nonce: bytes, deadline: float
    ) -> PipeRoute | None:
        sock = await self._race(prepared, remote, deadline)
        if sock is None:
            return None
        pipe = SocketPipe(sock)
        self.spawn(pipe.run())
        await pipe.ready()
        return PipeRoute(pipe)

    async def serve(
        self, prepared: _Prepared, remote: Remote, nonce: bytes, deadline: float
    ) -> None:
        sock = await self._race(prepared, remote, deadline)
        if sock is not None:
            host, _, port = self.listen.rpartition(":")
            await splice(sock, host, int(port))

    async def observe(self, port: int, server: str) -> str | None:
        host, _, server_port = server.rpartition(":")
        loop = asyncio.get_running_loop()
        try:
            sock = await asyncio.wait_for(
                self._dial(port, (host, int(server_port)), loop.time() + 2.0), 2.5
            )
        except TimeoutError:
            return None
        pipe = SocketPipe(sock)
        runner = asyncio.ensure_future(pipe.run())
        route = PipeRoute(pipe)
        try:
            await pipe.ready()
            request = nat_pb2.NatPingRequest(sender=self.wire_self())
            reply = await route.call(SERVICE, "Ping", request, 2.0)
            return str(reply.observed) or None
        except PeerUnreachable:
            return None
        finally:
            await route.close()
            runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await runner
