from p2pnet.v1 import membership_pb2 as _membership_pb2
from p2pnet.v1 import peer_pb2 as _peer_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class LookupStats(_message.Message):
    __slots__ = ("hops", "rpcs", "failed_rpcs", "duration_seconds")
    HOPS_FIELD_NUMBER: _ClassVar[int]
    RPCS_FIELD_NUMBER: _ClassVar[int]
    FAILED_RPCS_FIELD_NUMBER: _ClassVar[int]
    DURATION_SECONDS_FIELD_NUMBER: _ClassVar[int]
    hops: int
    rpcs: int
    failed_rpcs: int
    duration_seconds: float
    def __init__(self, hops: _Optional[int] = ..., rpcs: _Optional[int] = ..., failed_rpcs: _Optional[int] = ..., duration_seconds: _Optional[float] = ...) -> None: ...

class PutRequest(_message.Message):
    __slots__ = ("key", "value", "ttl_seconds")
    KEY_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    TTL_SECONDS_FIELD_NUMBER: _ClassVar[int]
    key: bytes
    value: bytes
    ttl_seconds: int
    def __init__(self, key: _Optional[bytes] = ..., value: _Optional[bytes] = ..., ttl_seconds: _Optional[int] = ...) -> None: ...

class PutResponse(_message.Message):
    __slots__ = ("dht_key", "replicas", "stats")
    DHT_KEY_FIELD_NUMBER: _ClassVar[int]
    REPLICAS_FIELD_NUMBER: _ClassVar[int]
    STATS_FIELD_NUMBER: _ClassVar[int]
    dht_key: bytes
    replicas: int
    stats: LookupStats
    def __init__(self, dht_key: _Optional[bytes] = ..., replicas: _Optional[int] = ..., stats: _Optional[_Union[LookupStats, _Mapping]] = ...) -> None: ...

class GetRequest(_message.Message):
    __slots__ = ("key",)
    KEY_FIELD_NUMBER: _ClassVar[int]
    key: bytes
    def __init__(self, key: _Optional[bytes] = ...) -> None: ...

class GetResponse(_message.Message):
    __slots__ = ("found", "value", "stats")
    FOUND_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    STATS_FIELD_NUMBER: _ClassVar[int]
    found: bool
    value: bytes
    stats: LookupStats
    def __init__(self, found: _Optional[bool] = ..., value: _Optional[bytes] = ..., stats: _Optional[_Union[LookupStats, _Mapping]] = ...) -> None: ...

class LookupRequest(_message.Message):
    __slots__ = ("target",)
    TARGET_FIELD_NUMBER: _ClassVar[int]
    target: bytes
    def __init__(self, target: _Optional[bytes] = ...) -> None: ...

class LookupResponse(_message.Message):
    __slots__ = ("closest", "stats")
    CLOSEST_FIELD_NUMBER: _ClassVar[int]
    STATS_FIELD_NUMBER: _ClassVar[int]
    closest: _containers.RepeatedCompositeFieldContainer[_peer_pb2.PeerInfo]
    stats: LookupStats
    def __init__(self, closest: _Optional[_Iterable[_Union[_peer_pb2.PeerInfo, _Mapping]]] = ..., stats: _Optional[_Union[LookupStats, _Mapping]] = ...) -> None: ...

class StatusRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class StatusResponse(_message.Message):
    __slots__ = ("self", "routing_table_peers", "records", "provider_records", "uptime_seconds", "members_alive", "members_suspect", "members_dead", "transfers")
    SELF_FIELD_NUMBER: _ClassVar[int]
    ROUTING_TABLE_PEERS_FIELD_NUMBER: _ClassVar[int]
    RECORDS_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_RECORDS_FIELD_NUMBER: _ClassVar[int]
    UPTIME_SECONDS_FIELD_NUMBER: _ClassVar[int]
    MEMBERS_ALIVE_FIELD_NUMBER: _ClassVar[int]
    MEMBERS_SUSPECT_FIELD_NUMBER: _ClassVar[int]
    MEMBERS_DEAD_FIELD_NUMBER: _ClassVar[int]
    TRANSFERS_FIELD_NUMBER: _ClassVar[int]
    self: _peer_pb2.PeerInfo
    routing_table_peers: int
    records: int
    provider_records: int
    uptime_seconds: float
    members_alive: int
    members_suspect: int
    members_dead: int
    transfers: _containers.RepeatedCompositeFieldContainer[TransferProgress]
    def __init__(self_, self: _Optional[_Union[_peer_pb2.PeerInfo, _Mapping]] = ..., routing_table_peers: _Optional[int] = ..., records: _Optional[int] = ..., provider_records: _Optional[int] = ..., uptime_seconds: _Optional[float] = ..., members_alive: _Optional[int] = ..., members_suspect: _Optional[int] = ..., members_dead: _Optional[int] = ..., transfers: _Optional[_Iterable[_Union[TransferProgress, _Mapping]]] = ...) -> None: ...

class BroadcastRequest(_message.Message):
    __slots__ = ("payload",)
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    payload: bytes
    def __init__(self, payload: _Optional[bytes] = ...) -> None: ...

class BroadcastResponse(_message.Message):
    __slots__ = ("rumour_id",)
    RUMOUR_ID_FIELD_NUMBER: _ClassVar[int]
    rumour_id: bytes
    def __init__(self, rumour_id: _Optional[bytes] = ...) -> None: ...

class MembersRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class MembersResponse(_message.Message):
    __slots__ = ("members",)
    MEMBERS_FIELD_NUMBER: _ClassVar[int]
    members: _containers.RepeatedCompositeFieldContainer[_membership_pb2.MemberUpdate]
    def __init__(self, members: _Optional[_Iterable[_Union[_membership_pb2.MemberUpdate, _Mapping]]] = ...) -> None: ...

class RumoursRequest(_message.Message):
    __slots__ = ("ids",)
    IDS_FIELD_NUMBER: _ClassVar[int]
    ids: _containers.RepeatedScalarFieldContainer[bytes]
    def __init__(self, ids: _Optional[_Iterable[bytes]] = ...) -> None: ...

class LearnedRumour(_message.Message):
    __slots__ = ("id", "origin", "rounds", "payload_bytes")
    ID_FIELD_NUMBER: _ClassVar[int]
    ORIGIN_FIELD_NUMBER: _ClassVar[int]
    ROUNDS_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_BYTES_FIELD_NUMBER: _ClassVar[int]
    id: bytes
    origin: bytes
    rounds: int
    payload_bytes: int
    def __init__(self, id: _Optional[bytes] = ..., origin: _Optional[bytes] = ..., rounds: _Optional[int] = ..., payload_bytes: _Optional[int] = ...) -> None: ...

class RumoursResponse(_message.Message):
    __slots__ = ("rumours",)
    RUMOURS_FIELD_NUMBER: _ClassVar[int]
    rumours: _containers.RepeatedCompositeFieldContainer[LearnedRumour]
    def __init__(self, rumours: _Optional[_Iterable[_Union[LearnedRumour, _Mapping]]] = ...) -> None: ...

class PublishRequest(_message.Message):
    __slots__ = ("path", "data")
    PATH_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    path: str
    data: bytes
    def __init__(self, path: _Optional[str] = ..., data: _Optional[bytes] = ...) -> None: ...

class PublishResponse(_message.Message):
    __slots__ = ("cid", "size", "pieces", "provider_replicas")
    CID_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    PIECES_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_REPLICAS_FIELD_NUMBER: _ClassVar[int]
    cid: bytes
    size: int
    pieces: int
    provider_replicas: int
    def __init__(self, cid: _Optional[bytes] = ..., size: _Optional[int] = ..., pieces: _Optional[int] = ..., provider_replicas: _Optional[int] = ...) -> None: ...

class FetchRequest(_message.Message):
    __slots__ = ("cid", "output_path")
    CID_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_PATH_FIELD_NUMBER: _ClassVar[int]
    cid: bytes
    output_path: str
    def __init__(self, cid: _Optional[bytes] = ..., output_path: _Optional[str] = ...) -> None: ...

class TransferProgress(_message.Message):
    __slots__ = ("cid", "size", "pieces_total", "pieces_have", "neighbours", "unchoked", "downloaded_bytes", "uploaded_bytes", "complete")
    CID_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    PIECES_TOTAL_FIELD_NUMBER: _ClassVar[int]
    PIECES_HAVE_FIELD_NUMBER: _ClassVar[int]
    NEIGHBOURS_FIELD_NUMBER: _ClassVar[int]
    UNCHOKED_FIELD_NUMBER: _ClassVar[int]
    DOWNLOADED_BYTES_FIELD_NUMBER: _ClassVar[int]
    UPLOADED_BYTES_FIELD_NUMBER: _ClassVar[int]
    COMPLETE_FIELD_NUMBER: _ClassVar[int]
    cid: bytes
    size: int
    pieces_total: int
    pieces_have: int
    neighbours: int
    unchoked: int
    downloaded_bytes: int
    uploaded_bytes: int
    complete: bool
    def __init__(self, cid: _Optional[bytes] = ..., size: _Optional[int] = ..., pieces_total: _Optional[int] = ..., pieces_have: _Optional[int] = ..., neighbours: _Optional[int] = ..., unchoked: _Optional[int] = ..., downloaded_bytes: _Optional[int] = ..., uploaded_bytes: _Optional[int] = ..., complete: _Optional[bool] = ...) -> None: ...

class FetchResponse(_message.Message):
    __slots__ = ("progress", "done", "path", "duration_seconds", "resumed_pieces")
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    DONE_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    DURATION_SECONDS_FIELD_NUMBER: _ClassVar[int]
    RESUMED_PIECES_FIELD_NUMBER: _ClassVar[int]
    progress: TransferProgress
    done: bool
    path: str
    duration_seconds: float
    resumed_pieces: int
    def __init__(self, progress: _Optional[_Union[TransferProgress, _Mapping]] = ..., done: _Optional[bool] = ..., path: _Optional[str] = ..., duration_seconds: _Optional[float] = ..., resumed_pieces: _Optional[int] = ...) -> None: ...
