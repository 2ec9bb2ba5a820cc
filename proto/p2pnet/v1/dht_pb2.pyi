from p2pnet.v1 import peer_pb2 as _peer_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class DhtPingRequest(_message.Message):
    __slots__ = ("sender",)
    SENDER_FIELD_NUMBER: _ClassVar[int]
    sender: _peer_pb2.PeerInfo
    def __init__(self, sender: _Optional[_Union[_peer_pb2.PeerInfo, _Mapping]] = ...) -> None: ...

class DhtPingResponse(_message.Message):
    __slots__ = ("responder",)
    RESPONDER_FIELD_NUMBER: _ClassVar[int]
    responder: _peer_pb2.PeerInfo
    def __init__(self, responder: _Optional[_Union[_peer_pb2.PeerInfo, _Mapping]] = ...) -> None: ...

class FindNodeRequest(_message.Message):
    __slots__ = ("sender", "target")
    SENDER_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    sender: _peer_pb2.PeerInfo
    target: bytes
    def __init__(self, sender: _Optional[_Union[_peer_pb2.PeerInfo, _Mapping]] = ..., target: _Optional[bytes] = ...) -> None: ...

class FindNodeResponse(_message.Message):
    __slots__ = ("responder", "closer")
    RESPONDER_FIELD_NUMBER: _ClassVar[int]
    CLOSER_FIELD_NUMBER: _ClassVar[int]
    responder: _peer_pb2.PeerInfo
    closer: _containers.RepeatedCompositeFieldContainer[_peer_pb2.PeerInfo]
    def __init__(self, responder: _Optional[_Union[_peer_pb2.PeerInfo, _Mapping]] = ..., closer: _Optional[_Iterable[_Union[_peer_pb2.PeerInfo, _Mapping]]] = ...) -> None: ...

class Record(_message.Message):
    __slots__ = ("key", "value", "ttl_seconds", "publisher")
    KEY_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    TTL_SECONDS_FIELD_NUMBER: _ClassVar[int]
    PUBLISHER_FIELD_NUMBER: _ClassVar[int]
    key: bytes
    value: bytes
    ttl_seconds: int
    publisher: bytes
    def __init__(self, key: _Optional[bytes] = ..., value: _Optional[bytes] = ..., ttl_seconds: _Optional[int] = ..., publisher: _Optional[bytes] = ...) -> None: ...

class FindValueRequest(_message.Message):
    __slots__ = ("sender", "key")
    SENDER_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    sender: _peer_pb2.PeerInfo
    key: bytes
    def __init__(self, sender: _Optional[_Union[_peer_pb2.PeerInfo, _Mapping]] = ..., key: _Optional[bytes] = ...) -> None: ...

class FindValueResponse(_message.Message):
    __slots__ = ("responder", "record", "closer")
    RESPONDER_FIELD_NUMBER: _ClassVar[int]
    RECORD_FIELD_NUMBER: _ClassVar[int]
    CLOSER_FIELD_NUMBER: _ClassVar[int]
    responder: _peer_pb2.PeerInfo
    record: Record
    closer: _containers.RepeatedCompositeFieldContainer[_peer_pb2.PeerInfo]
    def __init__(self, responder: _Optional[_Union[_peer_pb2.PeerInfo, _Mapping]] = ..., record: _Optional[_Union[Record, _Mapping]] = ..., closer: _Optional[_Iterable[_Union[_peer_pb2.PeerInfo, _Mapping]]] = ...) -> None: ...

class StoreRequest(_message.Message):
    __slots__ = ("sender", "record")
    SENDER_FIELD_NUMBER: _ClassVar[int]
    RECORD_FIELD_NUMBER: _ClassVar[int]
    sender: _peer_pb2.PeerInfo
    record: Record
    def __init__(self, sender: _Optional[_Union[_peer_pb2.PeerInfo, _Mapping]] = ..., record: _Optional[_Union[Record, _Mapping]] = ...) -> None: ...

class StoreResponse(_message.Message):
    __slots__ = ("responder", "stored")
    RESPONDER_FIELD_NUMBER: _ClassVar[int]
    STORED_FIELD_NUMBER: _ClassVar[int]
    responder: _peer_pb2.PeerInfo
    stored: bool
    def __init__(self, responder: _Optional[_Union[_peer_pb2.PeerInfo, _Mapping]] = ..., stored: _Optional[bool] = ...) -> None: ...

class AddProviderRequest(_message.Message):
    __slots__ = ("sender", "key", "provider", "ttl_seconds")
    SENDER_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    TTL_SECONDS_FIELD_NUMBER: _ClassVar[int]
    sender: _peer_pb2.PeerInfo
    key: bytes
    provider: _peer_pb2.PeerInfo
    ttl_seconds: int
    def __init__(self, sender: _Optional[_Union[_peer_pb2.PeerInfo, _Mapping]] = ..., key: _Optional[bytes] = ..., provider: _Optional[_Union[_peer_pb2.PeerInfo, _Mapping]] = ..., ttl_seconds: _Optional[int] = ...) -> None: ...

class AddProviderResponse(_message.Message):
    __slots__ = ("responder", "stored")
    RESPONDER_FIELD_NUMBER: _ClassVar[int]
    STORED_FIELD_NUMBER: _ClassVar[int]
    responder: _peer_pb2.PeerInfo
    stored: bool
    def __init__(self, responder: _Optional[_Union[_peer_pb2.PeerInfo, _Mapping]] = ..., stored: _Optional[bool] = ...) -> None: ...

class GetProvidersRequest(_message.Message):
    __slots__ = ("sender", "key")
    SENDER_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    sender: _peer_pb2.PeerInfo
    key: bytes
    def __init__(self, sender: _Optional[_Union[_peer_pb2.PeerInfo, _Mapping]] = ..., key: _Optional[bytes] = ...) -> None: ...

class GetProvidersResponse(_message.Message):
    __slots__ = ("responder", "providers", "closer")
    RESPONDER_FIELD_NUMBER: _ClassVar[int]
    PROVIDERS_FIELD_NUMBER: _ClassVar[int]
    CLOSER_FIELD_NUMBER: _ClassVar[int]
    responder: _peer_pb2.PeerInfo
    providers: _containers.RepeatedCompositeFieldContainer[_peer_pb2.PeerInfo]
    closer: _containers.RepeatedCompositeFieldContainer[_peer_pb2.PeerInfo]
    def __init__(self, responder: _Optional[_Union[_peer_pb2.PeerInfo, _Mapping]] = ..., providers: _Optional[_Iterable[_Union[_peer_pb2.PeerInfo, _Mapping]]] = ..., closer: _Optional[_Iterable[_Union[_peer_pb2.PeerInfo, _Mapping]]] = ...) -> None: ...
