"""What hole punching needs from a puncher, whatever punches: real TCP sockets (netns
mode, or no NAT at all) or the fallback emulation."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Protocol

from google.protobuf.message import Message

CALLER, CALLEE = "caller", "callee"


@dataclass(frozen=True)
class Remote:
    """Where the other side punches from: its observed external host and punch port
    (the predicted endpoint), and its own listening address."""

    host: str
    port: int
    listen: str

    @property
    def predicted(self) -> str:
        return f"{self.host}:{self.port}"


class Prepared(Protocol):
    port: int

    def close(self) -> None: ...


class Route(Protocol):
    """A direct connection to one peer: calls addressed to it, not by address."""

    async def call(self, service: str, method: str, request: Message, timeout: float) -> Any: ...

    def stream(
        self, service: str, method: str, request: Message, timeout: float
    ) -> AsyncIterator[Any]: ...

    async def close(self) -> None: ...


class Puncher(Protocol):
    """``prepared`` is what this puncher's own :meth:`prepare` returned."""

    async def prepare(self) -> Prepared:
        """Bind a fresh local punch port (and listen on it)."""
        ...

    async def connect(
        self, prepared: Any, remote: Remote, nonce: bytes, deadline: float
    ) -> Route | None:
        """Caller: punch towards ``remote``; a route to it, or None."""
        ...

    async def serve(self, prepared: Any, remote: Remote, nonce: bytes, deadline: float) -> None:
        """Callee: punch towards ``remote`` and serve what connects, until it closes."""
        ...

    async def observe(self, port: int, server: str) -> str | None:
        """Send from local ``port`` to ``server``: the endpoint it observed (or None)."""
        ...
