from p2pnet.v1 import peer_pb2 as _peer_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class MemberState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MEMBER_STATE_UNSPECIFIED: _ClassVar[MemberState]
    MEMBER_STATE_ALIVE: _ClassVar[MemberState]
    MEMBER_STATE_SUSPECT: _ClassVar[MemberState]
    MEMBER_STATE_DEAD: _ClassVar[MemberState]
    MEMBER_STATE_LEFT: _ClassVar[MemberState]
MEMBER_STATE_UNSPECIFIED: MemberState
MEMBER_STATE_ALIVE: MemberState
MEMBER_STATE_SUSPECT: MemberState
MEMBER_STATE_DEAD: MemberState
MEMBER_STATE_LEFT: MemberState

class MemberUpdate(_message.Message):
    __slots__ = ("member", "state", "incarnation", "reporter")
    MEMBER_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    INCARNATION_FIELD_NUMBER: _ClassVar[int]
    REPORTER_FIELD_NUMBER: _ClassVar[int]
    member: _peer_pb2.PeerInfo
    state: MemberState
    incarnation: int
    reporter: bytes
    def __init__(self, member: _Optional[_Union[_peer_pb2.PeerInfo, _Mapping]] = ..., state: _Optional[_Union[MemberState, str]] = ..., incarnation: _Optional[int] = ..., reporter: _Optional[bytes] = ...) -> None: ...

class Rumour(_message.Message):
    __slots__ = ("id", "origin", "payload", "rounds")
    ID_FIELD_NUMBER: _ClassVar[int]
    ORIGIN_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    ROUNDS_FIELD_NUMBER: _ClassVar[int]
    id: bytes
    origin: bytes
    payload: bytes
    rounds: int
    def __init__(self, id: _Optional[bytes] = ..., origin: _Optional[bytes] = ..., payload: _Optional[bytes] = ..., rounds: _Optional[int] = ...) -> None: ...

class Gossip(_message.Message):
    __slots__ = ("updates", "rumours")
    UPDATES_FIELD_NUMBER: _ClassVar[int]
    RUMOURS_FIELD_NUMBER: _ClassVar[int]
    updates: _containers.RepeatedCompositeFieldContainer[MemberUpdate]
    rumours: _containers.RepeatedCompositeFieldContainer[Rumour]
    def __init__(self, updates: _Optional[_Iterable[_Union[MemberUpdate, _Mapping]]] = ..., rumours: _Optional[_Iterable[_Union[Rumour, _Mapping]]] = ...) -> None: ...

class PingRequest(_message.Message):
    __slots__ = ("sender", "incarnation", "target_id", "gossip")
    SENDER_FIELD_NUMBER: _ClassVar[int]
    INCARNATION_FIELD_NUMBER: _ClassVar[int]
    TARGET_ID_FIELD_NUMBER: _ClassVar[int]
    GOSSIP_FIELD_NUMBER: _ClassVar[int]
    sender: _peer_pb2.PeerInfo
    incarnation: int
    target_id: bytes
    gossip: Gossip
    def __init__(self, sender: _Optional[_Union[_peer_pb2.PeerInfo, _Mapping]] = ..., incarnation: _Optional[int] = ..., target_id: _Optional[bytes] = ..., gossip: _Optional[_Union[Gossip, _Mapping]] = ...) -> None: ...

class PingResponse(_message.Message):
    __slots__ = ("responder", "incarnation", "gossip")
    RESPONDER_FIELD_NUMBER: _ClassVar[int]
    INCARNATION_FIELD_NUMBER: _ClassVar[int]
    GOSSIP_FIELD_NUMBER: _ClassVar[int]
    responder: _peer_pb2.PeerInfo
    incarnation: int
    gossip: Gossip
    def __init__(self, responder: _Optional[_Union[_peer_pb2.PeerInfo, _Mapping]] = ..., incarnation: _Optional[int] = ..., gossip: _Optional[_Union[Gossip, _Mapping]] = ...) -> None: ...

class PingReqRequest(_message.Message):
    __slots__ = ("sender", "incarnation", "target", "gossip", "timeout_ms")
    SENDER_FIELD_NUMBER: _ClassVar[int]
    INCARNATION_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    GOSSIP_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_MS_FIELD_NUMBER: _ClassVar[int]
    sender: _peer_pb2.PeerInfo
    incarnation: int
    target: _peer_pb2.PeerInfo
    gossip: Gossip
    timeout_ms: int
    def __init__(self, sender: _Optional[_Union[_peer_pb2.PeerInfo, _Mapping]] = ..., incarnation: _Optional[int] = ..., target: _Optional[_Union[_peer_pb2.PeerInfo, _Mapping]] = ..., gossip: _Optional[_Union[Gossip, _Mapping]] = ..., timeout_ms: _Optional[int] = ...) -> None: ...

class PingReqResponse(_message.Message):
    __slots__ = ("responder", "incarnation", "acked", "gossip")
    RESPONDER_FIELD_NUMBER: _ClassVar[int]
    INCARNATION_FIELD_NUMBER: _ClassVar[int]
    ACKED_FIELD_NUMBER: _ClassVar[int]
    GOSSIP_FIELD_NUMBER: _ClassVar[int]
    responder: _peer_pb2.PeerInfo
    incarnation: int
    acked: bool
    gossip: Gossip
    def __init__(self, responder: _Optional[_Union[_peer_pb2.PeerInfo, _Mapping]] = ..., incarnation: _Optional[int] = ..., acked: _Optional[bool] = ..., gossip: _Optional[_Union[Gossip, _Mapping]] = ...) -> None: ...

class PushPullRequest(_message.Message):
    __slots__ = ("sender", "incarnation", "members", "rumours")
    SENDER_FIELD_NUMBER: _ClassVar[int]
    INCARNATION_FIELD_NUMBER: _ClassVar[int]
    MEMBERS_FIELD_NUMBER: _ClassVar[int]
    RUMOURS_FIELD_NUMBER: _ClassVar[int]
    sender: _peer_pb2.PeerInfo
    incarnation: int
    members: _containers.RepeatedCompositeFieldContainer[MemberUpdate]
    rumours: _containers.RepeatedCompositeFieldContainer[Rumour]
    def __init__(self, sender: _Optional[_Union[_peer_pb2.PeerInfo, _Mapping]] = ..., incarnation: _Optional[int] = ..., members: _Optional[_Iterable[_Union[MemberUpdate, _Mapping]]] = ..., rumours: _Optional[_Iterable[_Union[Rumour, _Mapping]]] = ...) -> None: ...

class PushPullResponse(_message.Message):
    __slots__ = ("responder", "incarnation", "members", "rumours")
    RESPONDER_FIELD_NUMBER: _ClassVar[int]
    INCARNATION_FIELD_NUMBER: _ClassVar[int]
    MEMBERS_FIELD_NUMBER: _ClassVar[int]
    RUMOURS_FIELD_NUMBER: _ClassVar[int]
    responder: _peer_pb2.PeerInfo
    incarnation: int
    members: _containers.RepeatedCompositeFieldContainer[MemberUpdate]
    rumours: _containers.RepeatedCompositeFieldContainer[Rumour]
    def __init__(self, responder: _Optional[_Union[_peer_pb2.PeerInfo, _Mapping]] = ..., incarnation: _Optional[int] = ..., members: _Optional[_Iterable[_Union[MemberUpdate, _Mapping]]] = ..., rumours: _Optional[_Iterable[_Union[Rumour, _Mapping]]] = ...) -> None: ...
