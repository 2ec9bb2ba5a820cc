"""The transport interface protocol drivers use."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, Protocol

from google.protobuf.message import Message


class PeerUnreachable(Exception):
    """A call failed: refused, timed out, lost, or the remote end rejected it."""

    def __init__(self, address: str, reason: str) -> None:
        super().__init__(f"{address}: {reason}")
        self.address = address
        self.reason = reason


class Transport(Protocol):
    async def call(
        self, address: str, service: str, method: str, request: Message, timeout: float
    ) -> Any:
        """One request, one response; raises PeerUnreachable on any failure."""
        ...

    def stream(
        self, address: str, service: str, method: str, request: Message, timeout: float
    ) -> AsyncIterator[Any]:
        """One request, a stream of responses; raises PeerUnreachable on any failure."""
        ...

    async def close(self) -> None: ...
