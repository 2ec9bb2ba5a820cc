from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class PeerInfo(_message.Message):
    __slots__ = ("id", "address", "public_key", "dht_client")
    ID_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_KEY_FIELD_NUMBER: _ClassVar[int]
    DHT_CLIENT_FIELD_NUMBER: _ClassVar[int]
    id: bytes
    address: str
    public_key: bytes
    dht_client: bool
    def __init__(self, id: _Optional[bytes] = ..., address: _Optional[str] = ..., public_key: _Optional[bytes] = ..., dht_client: _Optional[bool] = ...) -> None: ...
