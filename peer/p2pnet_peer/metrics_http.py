"""A tiny asyncio HTTP endpoint per peer: ``GET /metrics`` (Prometheus) and ``/healthz``.

prometheus_client's own server starts a thread per port; hundreds of peers in one process
would mean hundreds of threads. This serves each peer's registry on the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

MAX_REQUEST_BYTES = 8192


def _response(status: str, content_type: str, body: bytes) -> bytes:
    head = (
        f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    return head.encode() + body


async def start_metrics_server(
    registry: CollectorRegistry, host: str, port: int, *, sock: socket.socket | None = None
) -> asyncio.Server:
    """Serve ``registry`` on ``host:port``, or on ``sock`` (already bound and listening,
    e.g. in another network namespace than this process's)."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=10)
            method, _, rest = head.decode("latin-1").partition(" ")
            path = rest.split(" ", 1)[0].split("?", 1)[0]
            if method != "GET":
                out = _response("405 Method Not Allowed", "text/plain", b"GET only\n")
            elif path == "/metrics":
                out = _response("200 OK", CONTENT_TYPE_LATEST, generate_latest(registry))
            elif path == "/healthz":
                out = _response("200 OK", "text/plain", b"ok\n")
            else:
                out = _response("404 Not Found", "text/plain", b"try /metrics\n")
            writer.write(out)
            await writer.drain()
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError):
            pass
        except ConnectionError:
            pass
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    if sock is not None:
        return await asyncio.start_server(handle, sock=sock, limit=MAX_REQUEST_BYTES)
    return await asyncio.start_server(handle, host, port, limit=MAX_REQUEST_BYTES)


def bound_port(server: asyncio.Server) -> int:
    return int(server.sockets[0].getsockname()[1])
