"""Content addressing: a manifest lists the SHA-256 of every piece; the CID is its hash.

The canonical manifest bytes are what travels on the wire and what the CID hashes, so a
downloader checks a manifest by hashing it, and then every piece against the manifest:

    "P2PM" | version (1 byte) | piece_size (uint32) | size (uint64) | count (uint32)
    | count x SHA-256 digest (32 bytes each)            all integers big-endian

``count`` is ``ceil(size / piece_size)``; every piece is ``piece_size`` bytes but the
last, which holds the rest. Empty content has no manifest.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterable
from dataclasses import dataclass, field

from p2pnet_peer.swarm.config import MAX_PIECE_SIZE, MAX_PIECES, MIN_PIECE_SIZE

MAGIC = b"P2PM"
VERSION = 1
DIGEST_BYTES = 32
_HEADER = struct.Struct(">4sBIQI")
MAX_MANIFEST_BYTES = _HEADER.size + MAX_PIECES * DIGEST_BYTES


PieceData = bytes | memoryview  # a piece's bytes, or a view of those the wire delivered


def digest(data: PieceData) -> bytes:
    return hashlib.sha256(data).digest()


@dataclass(frozen=True, slots=True)
class Manifest:
    size: int
    piece_size: int
    hashes: tuple[bytes, ...]
    encoded: bytes = field(init=False, repr=False, compare=False)
    cid: bytes = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _check(self.size, self.piece_size, len(self.hashes))
        if any(len(h) != DIGEST_BYTES for h in self.hashes):
            raise ValueError(f"piece hashes must be {DIGEST_BYTES} bytes")
        header = _HEADER.pack(MAGIC, VERSION, self.piece_size, self.size, len(self.hashes))
        encoded = header + b"".join(self.hashes)
        object.__setattr__(self, "encoded", encoded)
        object.__setattr__(self, "cid", digest(encoded))

    @property
    def count(self) -> int:
        return len(self.hashes)

    def piece_length(self, index: int) -> int:
        if index == self.count - 1:
            return self.size - index * self.piece_size
        return self.piece_size

    def offset(self, index: int) -> int:
        return index * self.piece_size

    def verify(self, index: int, data: PieceData) -> bool:
        """``data`` is piece ``index``: right length and right SHA-256."""
        return len(data) == self.piece_length(index) and digest(data) == self.hashes[index]

    @classmethod
    def from_bytes(cls, data: bytes) -> Manifest:
        """Parse canonical bytes; ValueError says what is wrong."""
        if len(data) < _HEADER.size:
            raise ValueError(f"manifest: shorter than its {_HEADER.size}-byte header")
        if len(data) > MAX_MANIFEST_BYTES:
            raise ValueError(f"manifest: longer than {MAX_MANIFEST_BYTES} bytes")
        magic, version, piece_size, size, count = _HEADER.unpack_from(data)
        if magic != MAGIC or version != VERSION:
            raise ValueError("manifest: not a version-1 p2pnet manifest")
        body = data[_HEADER.size :]
        if len(body) != count * DIGEST_BYTES:
            raise ValueError(f"manifest: {count} pieces need {count * DIGEST_BYTES} hash bytes")
        hashes = tuple(body[i : i + DIGEST_BYTES] for i in range(0, len(body), DIGEST_BYTES))
        manifest = cls(size, piece_size, hashes)
        if manifest.encoded != data:
            raise ValueError("manifest: not canonical")
        return manifest

    @classmethod
    def of_pieces(cls, pieces: Iterable[bytes], piece_size: int) -> Manifest:
        """The manifest of content given piece by piece (all ``piece_size`` but the last)."""
        hashes, size = [], 0
        for piece in pieces:
            hashes.append(digest(piece))
            size += len(piece)
        return cls(size, piece_size, tuple(hashes))

    @classmethod
    def of_bytes(cls, content: bytes, piece_size: int) -> Manifest:
        return cls.of_pieces(split(content, piece_size), piece_size)


def split(content: bytes, piece_size: int) -> list[bytes]:
    view = memoryview(content)
    return [bytes(view[i : i + piece_size]) for i in range(0, len(content), piece_size)]


def _check(size: int, piece_size: int, count: int) -> None:
    if not MIN_PIECE_SIZE <= piece_size <= MAX_PIECE_SIZE:
        raise ValueError(f"manifest: piece size must be {MIN_PIECE_SIZE}..{MAX_PIECE_SIZE}")
    if size < 1:
        raise ValueError("manifest: content must not be empty")
    expected = -(-size // piece_size)
    if expected > MAX_PIECES:
        raise ValueError(f"manifest: at most {MAX_PIECES} pieces, content needs {expected}")
    if count != expected:
        raise ValueError(f"manifest: {size} bytes in {piece_size}-byte pieces is {expected} "
                         f"pieces, not {count}")  # fmt: skip
