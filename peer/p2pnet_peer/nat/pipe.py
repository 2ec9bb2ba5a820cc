"""gRPC over a socket gRPC did not open: a punched TCP connection.

Caller side: :class:`SocketPipe` listens on an abstract unix socket (per network
namespace, nothing on disk), a private gRPC channel connects to it, and the bytes are
copied to and from the punched socket. Callee side: :func:`splice` copies the punched
socket to and from a fresh connection to the peer's own gRPC server, which serves it
like any other connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import socket

CHUNK = 256 * 1024
_names = itertools.count()


async def _copy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(CHUNK):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        with contextlib.suppress(ConnectionError, OSError, RuntimeError):
            writer.close()


async def _both_ways(
    a: tuple[asyncio.StreamReader, asyncio.StreamWriter],
    b: tuple[asyncio.StreamReader, asyncio.StreamWriter],
) -> None:
    copies = [asyncio.ensure_future(_copy(a[0], b[1])), asyncio.ensure_future(_copy(b[0], a[1]))]
    try:
        await asyncio.wait(copies, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for copy in copies:
            copy.cancel()
        await asyncio.gather(*copies, return_exceptions=True)
        for _, writer in (a, b):
            with contextlib.suppress(ConnectionError, OSError, RuntimeError):
                writer.close()


async def splice(sock: socket.socket, host: str, port: int) -> None:
    """Copy ``sock`` to and from a new connection to ``host:port``, until either closes."""
    try:
        local = await asyncio.open_connection(host, port)
    except OSError:
        sock.close()
        return
    remote = await asyncio.open_connection(sock=sock)
    await _both_ways(remote, local)


class SocketPipe:
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.name = f"p2pnet-pipe-{os.getpid()}-{next(_names)}-{os.urandom(4).hex()}"
        self.address = f"unix-abstract:{self.name}"
        self._ready = asyncio.Event()
        self._done = asyncio.Event()
        self._used = False
        self._adopted = False  # a transport owns the socket (and closes it)

    async def run(self) -> None:
        """Serve until the punched connection closes or :meth:`close` (owned by a group)."""
        server = await asyncio.start_unix_server(self._on_channel, path="\0" + self.name)
        self._ready.set()
        try:
            async with server:
                await self._done.wait()
        finally:
            if not self._adopted:
                self.sock.close()

    async def ready(self) -> None:
        await self._ready.wait()

    async def _on_channel(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self._used or self._done.is_set():
            writer.close()  # one connection only: the punched one cannot be reopened
            return
        self._used = True
        try:
            remote = await asyncio.open_connection(sock=self.sock)
            self._adopted = True
            await _both_ways((reader, writer), remote)
        finally:
            self._done.set()

    @property
    def closed(self) -> bool:
        return self._done.is_set()

    def close(self) -> None:
        self._done.set()
