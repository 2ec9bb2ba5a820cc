"""Where a peer keeps pieces: the interface, and the in-memory store simulations use.

Only verified pieces are ever written. A store reopened after a restart reports which of
its pieces still verify, so a download resumes from them (see :mod:`.disk_storage`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from p2pnet_peer.swarm.bitfield import mask_of
from p2pnet_peer.swarm.manifest import Manifest, PieceData


class PieceStore(Protocol):
    manifest: Manifest

    def read(self, index: int) -> PieceData: ...

    def write(self, index: int, data: PieceData) -> None: ...

    def verified(self) -> int:
        """The pieces held whose bytes match the manifest, as a bitmask."""
        ...

    def export(self, path: Path) -> None:
        """Write the whole content to ``path`` (every piece must be held)."""
        ...

    def close(self) -> None: ...


class Storage(Protocol):
    def open(self, manifest: Manifest) -> PieceStore: ...

    def manifests(self) -> list[Manifest]:
        """Content this storage held before (for a restarted peer)."""
        ...

    def manifest(self, cid: bytes) -> Manifest | None:
        """The manifest of ``cid`` if this storage holds that content, else None."""
        ...

    def close(self) -> None: ...


class MemoryPieceStore:
    def __init__(self, manifest: Manifest, pool: dict[bytes, PieceData]) -> None:
        self.manifest = manifest
        self._pool = pool
        self._pieces: dict[int, PieceData] = {}

    def read(self, index: int) -> PieceData:
        return self._pieces[index]

    def write(self, index: int, data: PieceData) -> None:
        # Pieces are verified before they are written, so equal digests mean equal bytes:
        # peers that share a pool share one copy of each piece.
        self._pieces[index] = self._pool.setdefault(self.manifest.hashes[index], data)

    def verified(self) -> int:
        return mask_of(self._pieces)

    def export(self, path: Path) -> None:
        with open(path, "wb") as f:
            for index in range(self.manifest.count):
                f.write(self._pieces[index])

    def close(self) -> None:
        return None


class MemoryStorage:
    """Pieces in memory. Peers of one simulation may share ``pool`` (digest -> bytes)."""

    def __init__(self, pool: dict[bytes, PieceData] | None = None) -> None:
        self._pool = pool if pool is not None else {}
        self._stores: dict[bytes, MemoryPieceStore] = {}

    def open(self, manifest: Manifest) -> MemoryPieceStore:
        store = self._stores.get(manifest.cid)
        if store is None:
            store = self._stores[manifest.cid] = MemoryPieceStore(manifest, self._pool)
        return store

    def manifests(self) -> list[Manifest]:
        return [s.manifest for s in self._stores.values()]

    def manifest(self, cid: bytes) -> Manifest | None:
        store = self._stores.get(cid)
        return store.manifest if store is not None else None

    def close(self) -> None:
        return None
