from p2pnet.v1 import peer_pb2 as _peer_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PieceRefusal(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PIECE_REFUSAL_NONE: _ClassVar[PieceRefusal]
    PIECE_REFUSAL_CHOKED: _ClassVar[PieceRefusal]
    PIECE_REFUSAL_NOT_HELD: _ClassVar[PieceRefusal]
    PIECE_REFUSAL_NOT_CONNECTED: _ClassVar[PieceRefusal]
    PIECE_REFUSAL_ALREADY_OUT: _ClassVar[PieceRefusal]
PIECE_REFUSAL_NONE: PieceRefusal
PIECE_REFUSAL_CHOKED: PieceRefusal
PIECE_REFUSAL_NOT_HELD: PieceRefusal
PIECE_REFUSAL_NOT_CONNECTED: PieceRefusal
PIECE_REFUSAL_ALREADY_OUT: PieceRefusal

class GetManifestRequest(_message.Message):
    __slots__ = ("sender", "cid")
    SENDER_FIELD_NUMBER: _ClassVar[int]
    CID_FIELD_NUMBER: _ClassVar[int]
    sender: _peer_pb2.PeerInfo
    cid: bytes
    def __init__(self, sender: _Optional[_Union[_peer_pb2.PeerInfo, _Mapping]] = ..., cid: _Optional[bytes] = ...) -> None: ...

class GetManifestResponse(_message.Message):
    __slots__ = ("responder", "found", "manifest")
    RESPONDER_FIELD_NUMBER: _ClassVar[int]
    FOUND_FIELD_NUMBER: _ClassVar[int]
    MANIFEST_FIELD_NUMBER: _ClassVar[int]
    responder: _peer_pb2.PeerInfo
    found: bool
    manifest: bytes
    def __init__(self, responder: _Optional[_Union[_peer_pb2.PeerInfo, _Mapping]] = ..., found: _Optional[bool] = ..., manifest: _Optional[bytes] = ...) -> None: ...

class BitfieldRequest(_message.Message):
    __slots__ = ("sender", "cid", "bitfield", "choking", "super_seeding", "upload_unlimited")
    SENDER_FIELD_NUMBER: _ClassVar[int]
    CID_FIELD_NUMBER: _ClassVar[int]
    BITFIELD_FIELD_NUMBER: _ClassVar[int]
    CHOKING_FIELD_NUMBER: _ClassVar[int]
    SUPER_SEEDING_FIELD_NUMBER: _ClassVar[int]
    UPLOAD_UNLIMITED_FIELD_NUMBER: _ClassVar[int]
    sender: _peer_pb2.PeerInfo
    cid: bytes
    bitfield: bytes
    choking: bool
    super_seeding: bool
    upload_unlimited: bool
    def __init__(self, sender: _Optional[_Union[_peer_pb2.PeerInfo, _Mapping]] = ..., cid: _Optional[bytes] = ..., bitfield: _Optional[bytes] = ..., choking: _Optional[bool] = ..., super_seeding: _Optional[bool] = ..., upload_unlimited: _Optional[bool] = ...) -> None: ...

class BitfieldResponse(_message.Message):
    __slots__ = ("responder", "accepted", "bitfield", "choking", "super_seeding", "upload_unlimited")
    RESPONDER_FIELD_NUMBER: _ClassVar[int]
    ACCEPTED_FIELD_NUMBER: _ClassVar[int]
    BITFIELD_FIELD_NUMBER: _ClassVar[int]
    CHOKING_FIELD_NUMBER: _ClassVar[int]
    SUPER_SEEDING_FIELD_NUMBER: _ClassVar[int]
    UPLOAD_UNLIMITED_FIELD_NUMBER: _ClassVar[int]
    responder: _peer_pb2.PeerInfo
    accepted: bool
    bitfield: bytes
    choking: bool
    super_seeding: bool
    upload_unlimited: bool
    def __init__(self, responder: _Optional[_Union[_peer_pb2.PeerInfo, _Mapping]] = ..., accepted: _Optional[bool] = ..., bitfield: _Optional[bytes] = ..., choking: _Optional[bool] = ..., super_seeding: _Optional[bool] = ..., upload_unlimited: _Optional[bool] = ...) -> None: ...

class HaveRequest(_message.Message):
    __slots__ = ("sender", "cid", "pieces", "choking", "super_seeding")
    SENDER_FIELD_NUMBER: _ClassVar[int]
    CID_FIELD_NUMBER: _ClassVar[int]
    PIECES_FIELD_NUMBER: _ClassVar[int]
    CHOKING_FIELD_NUMBER: _ClassVar[int]
    SUPER_SEEDING_FIELD_NUMBER: _ClassVar[int]
    sender: _peer_pb2.PeerInfo
    cid: bytes
    pieces: _containers.RepeatedScalarFieldContainer[int]
    choking: bool
    super_seeding: bool
    def __init__(self, sender: _Optional[_Union[_peer_pb2.PeerInfo, _Mapping]] = ..., cid: _Optional[bytes] = ..., pieces: _Optional[_Iterable[int]] = ..., choking: _Optional[bool] = ..., super_seeding: _Optional[bool] = ...) -> None: ...

class HaveResponse(_message.Message):
    __slots__ = ("responder", "known")
    RESPONDER_FIELD_NUMBER: _ClassVar[int]
    KNOWN_FIELD_NUMBER: _ClassVar[int]
    responder: _peer_pb2.PeerInfo
    known: bool
    def __init__(self, responder: _Optional[_Union[_peer_pb2.PeerInfo, _Mapping]] = ..., known: _Optional[bool] = ...) -> None: ...

class GetPiecesRequest(_message.Message):
    __slots__ = ("sender", "cid", "pieces")
    SENDER_FIELD_NUMBER: _ClassVar[int]
    CID_FIELD_NUMBER: _ClassVar[int]
    PIECES_FIELD_NUMBER: _ClassVar[int]
    sender: _peer_pb2.PeerInfo
    cid: bytes
    pieces: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, sender: _Optional[_Union[_peer_pb2.PeerInfo, _Mapping]] = ..., cid: _Optional[bytes] = ..., pieces: _Optional[_Iterable[int]] = ...) -> None: ...

class GetPiecesResponse(_message.Message):
    __slots__ = ("index", "data", "refusal")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    REFUSAL_FIELD_NUMBER: _ClassVar[int]
    index: int
    data: bytes
    refusal: PieceRefusal
    def __init__(self, index: _Optional[int] = ..., data: _Optional[bytes] = ..., refusal: _Optional[_Union[PieceRefusal, str]] = ...) -> None: ...
