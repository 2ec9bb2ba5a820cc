from p2pnet.v1 import peer_pb2 as _peer_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RelayStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RELAY_STATUS_UNSPECIFIED: _ClassVar[RelayStatus]
    RELAY_STATUS_OK: _ClassVar[RelayStatus]
    RELAY_STATUS_NO_RESERVATION: _ClassVar[RelayStatus]
    RELAY_STATUS_RESOURCE_LIMIT: _ClassVar[RelayStatus]
    RELAY_STATUS_NOT_A_RELAY: _ClassVar[RelayStatus]
    RELAY_STATUS_FAILED: _ClassVar[RelayStatus]
RELAY_STATUS_UNSPECIFIED: RelayStatus
RELAY_STATUS_OK: RelayStatus
RELAY_STATUS_NO_RESERVATION: RelayStatus
RELAY_STATUS_RESOURCE_LIMIT: RelayStatus
RELAY_STATUS_NOT_A_RELAY: RelayStatus
RELAY_STATUS_FAILED: RelayStatus

class NatPingRequest(_message.Message):
    __slots__ = ("sender",)
    SENDER_FIELD_NUMBER: _ClassVar[int]
    sender: _peer_pb2.PeerInfo
    def __init__(self, sender: _Optional[_Union[_peer_pb2.PeerInfo, _Mapping]] = ...) -> None: ...

class NatPingResponse(_message.Message):
    __slots__ = ("responder", "observed")
    RESPONDER_FIELD_NUMBER: _ClassVar[int]
    OBSERVED_FIELD_NUMBER: _ClassVar[int]
    responder: _peer_pb2.PeerInfo
    observed: str
    def __init__(self, responder: _Optional[_Union[_peer_pb2.PeerInfo, _Mapping]] = ..., observed: _Optional[str] = ...) -> None: ...

class DialBackRequest(_message.Message):
    __slots__ = ("sender", "port", "listen")
    SENDER_FIELD_NUMBER: _ClassVar[int]
    PORT_FIELD_NUMBER: _ClassVar[int]
    LISTEN_FIELD_NUMBER: _ClassVar[int]
    sender: _peer_pb2.PeerInfo
    port: int
    listen: str
    def __init__(self, sender: _Optional[_Union[_peer_pb2.PeerInfo, _Mapping]] = ..., port: _Optional[int] = ..., listen: _Optional[str] = ...) -> None: ...

class DialBackResponse(_message.Message):
    __slots__ = ("responder", "observed", "reachable", "dialed")
    RESPONDER_FIELD_NUMBER: _ClassVar[int]
    OBSERVED_FIELD_NUMBER: _ClassVar[int]
    REACHABLE_FIELD_NUMBER: _ClassVar[int]
    DIALED_FIELD_NUMBER: _ClassVar[int]
    responder: _peer_pb2.PeerInfo
    observed: str
    reachable: bool
    dialed: str
    def __init__(self, responder: _Optional[_Union[_peer_pb2.PeerInfo, _Mapping]] = ..., observed: _Optional[str] = ..., reachable: _Optional[bool] = ..., dialed: _Optional[str] = ...) -> None: ...

class ReserveRequest(_message.Message):
    __slots__ = ("sender", "ttl_seconds")
    SENDER_FIELD_NUMBER: _ClassVar[int]
    TTL_SECONDS_FIELD_NUMBER: _ClassVar[int]
    sender: _peer_pb2.PeerInfo
    ttl_seconds: int
    def __init__(self, sender: _Optional[_Union[_peer_pb2.PeerInfo, _Mapping]] = ..., ttl_seconds: _Optional[int] = ...) -> None: ...

class RelayedCall(_message.Message):
    __slots__ = ("status", "ttl_seconds", "call_id", "service", "method", "payload", "observed", "timeout_ms", "streaming")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    TTL_SECONDS_FIELD_NUMBER: _ClassVar[int]
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    OBSERVED_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_MS_FIELD_NUMBER: _ClassVar[int]
    STREAMING_FIELD_NUMBER: _ClassVar[int]
    status: RelayStatus
    ttl_seconds: int
    call_id: int
    service: str
    method: str
    payload: bytes
    observed: str
    timeout_ms: int
    streaming: bool
    def __init__(self, status: _Optional[_Union[RelayStatus, str]] = ..., ttl_seconds: _Optional[int] = ..., call_id: _Optional[int] = ..., service: _Optional[str] = ..., method: _Optional[str] = ..., payload: _Optional[bytes] = ..., observed: _Optional[str] = ..., timeout_ms: _Optional[int] = ..., streaming: _Optional[bool] = ...) -> None: ...

class RelayRequest(_message.Message):
    __slots__ = ("sender", "target_id", "service", "method", "payload", "timeout_ms")
    SENDER_FIELD_NUMBER: _ClassVar[int]
    TARGET_ID_FIELD_NUMBER: _ClassVar[int]
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_MS_FIELD_NUMBER: _ClassVar[int]
    sender: _peer_pb2.PeerInfo
    target_id: bytes
    service: str
    method: str
    payload: bytes
    timeout_ms: int
    def __init__(self, sender: _Optional[_Union[_peer_pb2.PeerInfo, _Mapping]] = ..., target_id: _Optional[bytes] = ..., service: _Optional[str] = ..., method: _Optional[str] = ..., payload: _Optional[bytes] = ..., timeout_ms: _Optional[int] = ...) -> None: ...

class RelayResponse(_message.Message):
    __slots__ = ("status", "payload", "error")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    status: RelayStatus
    payload: bytes
    error: str
    def __init__(self, status: _Optional[_Union[RelayStatus, str]] = ..., payload: _Optional[bytes] = ..., error: _Optional[str] = ...) -> None: ...

class AnswerRequest(_message.Message):
    __slots__ = ("sender", "call_id", "status", "payload", "error", "end")
    SENDER_FIELD_NUMBER: _ClassVar[int]
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    sender: _peer_pb2.PeerInfo
    call_id: int
    status: RelayStatus
    payload: bytes
    error: str
    end: bool
    def __init__(self, sender: _Optional[_Union[_peer_pb2.PeerInfo, _Mapping]] = ..., call_id: _Optional[int] = ..., status: _Optional[_Union[RelayStatus, str]] = ..., payload: _Optional[bytes] = ..., error: _Optional[str] = ..., end: _Optional[bool] = ...) -> None: ...

class AnswerResponse(_message.Message):
    __slots__ = ("accepted",)
    ACCEPTED_FIELD_NUMBER: _ClassVar[int]
    accepted: bool
    def __init__(self, accepted: _Optional[bool] = ...) -> None: ...

class HolePunchRequest(_message.Message):
    __slots__ = ("sender", "observed_host", "punch_port", "mapping", "listen", "nonce")
    SENDER_FIELD_NUMBER: _ClassVar[int]
    OBSERVED_HOST_FIELD_NUMBER: _ClassVar[int]
    PUNCH_PORT_FIELD_NUMBER: _ClassVar[int]
    MAPPING_FIELD_NUMBER: _ClassVar[int]
    LISTEN_FIELD_NUMBER: _ClassVar[int]
    NONCE_FIELD_NUMBER: _ClassVar[int]
    sender: _peer_pb2.PeerInfo
    observed_host: str
    punch_port: int
    mapping: str
    listen: str
    nonce: bytes
    def __init__(self, sender: _Optional[_Union[_peer_pb2.PeerInfo, _Mapping]] = ..., observed_host: _Optional[str] = ..., punch_port: _Optional[int] = ..., mapping: _Optional[str] = ..., listen: _Optional[str] = ..., nonce: _Optional[bytes] = ...) -> None: ...

class HolePunchResponse(_message.Message):
    __slots__ = ("responder", "accepted", "reason", "observed_host", "punch_port", "mapping", "listen")
    RESPONDER_FIELD_NUMBER: _ClassVar[int]
    ACCEPTED_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    OBSERVED_HOST_FIELD_NUMBER: _ClassVar[int]
    PUNCH_PORT_FIELD_NUMBER: _ClassVar[int]
    MAPPING_FIELD_NUMBER: _ClassVar[int]
    LISTEN_FIELD_NUMBER: _ClassVar[int]
    responder: _peer_pb2.PeerInfo
    accepted: bool
    reason: str
    observed_host: str
    punch_port: int
    mapping: str
    listen: str
    def __init__(self, responder: _Optional[_Union[_peer_pb2.PeerInfo, _Mapping]] = ..., accepted: _Optional[bool] = ..., reason: _Optional[str] = ..., observed_host: _Optional[str] = ..., punch_port: _Optional[int] = ..., mapping: _Optional[str] = ..., listen: _Optional[str] = ...) -> None: ...
