"""What each RPC of the p2pnet.v1 services looks like, read from the proto descriptors.

Servers and clients build their handlers and calls from this table, so adding an RPC to a
.proto file and regenerating the stubs is all it takes to wire it on both sides. Responses
are encoded and decoded by protobuf, except where ``RESPONSE_CODECS`` names a faster codec
for the same bytes (GetPieces: :mod:`p2pnet_peer.transfer.piece_wire`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from google.protobuf import descriptor_pool, message_factory

from p2pnet.v1 import (  # noqa: F401  (registers the descriptors)
    control_pb2,
    dht_pb2,
    membership_pb2,
    nat_pb2,
    transfer_pb2,
)
from p2pnet_peer.transfer import piece_wire

# path -> (encode, decode) for responses whose hot path skips protobuf's message objects
RESPONSE_CODECS: dict[str, tuple[Callable[[Any], bytes], Callable[[bytes], Any]]] = {
    "/p2pnet.v1.Transfer/GetPieces": (piece_wire.encode, piece_wire.decode),
}


@dataclass(frozen=True)
class RpcMethod:
    service: str  # full name, e.g. "p2pnet.v1.Dht"
    name: str  # e.g. "FindNode"
    request: Any  # message class
    response: Any
    server_streaming: bool

    @property
    def path(self) -> str:
        return f"/{self.service}/{self.name}"

    @property
    def encode_response(self) -> Callable[[Any], bytes]:
        codec = RESPONSE_CODECS.get(self.path)
        return codec[0] if codec else self.response.SerializeToString

    @property
    def decode_response(self) -> Callable[[bytes], Any]:
        """Raises DecodeError for bytes that are not a valid response."""
        codec = RESPONSE_CODECS.get(self.path)
        return codec[1] if codec else self.response.FromString


@cache
def methods_of(service: str) -> dict[str, RpcMethod]:
    desc = descriptor_pool.Default().FindServiceByName(service)
    return {
        m.name: RpcMethod(
            service,
            m.name,
            message_factory.GetMessageClass(m.input_type),
            message_factory.GetMessageClass(m.output_type),
            m.server_streaming,
        )
        for m in desc.methods
    }


def method(service: str, name: str) -> RpcMethod:
    try:
        return methods_of(service)[name]
    except KeyError:
        raise ValueError(f"no RPC {service}/{name}") from None
