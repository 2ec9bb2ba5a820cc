"""What each RPC of the p2pnet.v1 services looks like, read from the proto descriptors.

Servers and clients build their handlers and calls from this table, so adding an RPC to a
.proto file and regenerating the stubs is all it takes to wire it on both sides.
"""

from __future__ import annotations

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
