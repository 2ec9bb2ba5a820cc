"""Pieces on disk, one directory per content ID under a peer's data dir; resumable.

    <data_dir>/<cid hex>/manifest   the canonical manifest bytes
    <data_dir>/<cid hex>/content    the content, each piece at its offset

The content file is allocated in full when the store opens (``posix_fallocate``; sparse
where the filesystem cannot), as libtorrent's full allocation does: a disk too small for
the content fails the open, not a write halfway through the download, and a piece's write
only copies its bytes instead of also allocating blocks (``benchmarks/piece_writes.py``
compares the two).

Only verified pieces are written. After a restart the store re-hashes every piece of
``content`` and reports those that verify, so a download resumes where it stopped and a
torn write is simply fetched again.
"""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

from p2pnet_peer.swarm.manifest import Manifest, PieceData

MANIFEST = "manifest"
CONTENT = "content"


class DiskPieceStore:
    def __init__(self, manifest: Manifest, directory: Path) -> None:
        self.manifest = manifest
        self.path = directory / CONTENT
        existed = self.path.exists()
        self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            self._allocate(manifest.size)
        except BaseException:
            os.close(self._fd)
            raise
        self._fresh = not existed

    def _allocate(self, size: int) -> None:
        """Make the file ``size`` bytes, keeping what it holds below that."""
        if os.fstat(self._fd).st_size > size:
            os.ftruncate(self._fd, size)
        if size:
            try:
                os.posix_fallocate(self._fd, 0, size)
            except OSError as exc:
                if exc.errno not in (errno.EOPNOTSUPP, errno.EINVAL):
                    raise  # ENOSPC above all: no room for the content
                os.ftruncate(self._fd, size)  # a filesystem without allocation: sparse

    def read(self, index: int) -> bytes:
        m = self.manifest
        return os.pread(self._fd, m.piece_length(index), m.offset(index))

    def write(self, index: int, data: PieceData) -> None:
        os.pwrite(self._fd, data, self.manifest.offset(index))
        self._fresh = False

    def verified(self) -> int:
        if self._fresh:
            return 0
        mask = 0
        for index in range(self.manifest.count):
            if self.manifest.verify(index, self.read(index)):
                mask |= 1 << index
        return mask

    def export(self, path: Path) -> None:
        if path.resolve() == self.path.resolve():
            return
        tmp = path.with_name(path.name + ".part")
        shutil.copyfile(self.path, tmp)
        tmp.replace(path)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


class DiskStorage:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self._stores: dict[bytes, DiskPieceStore] = {}

    def open(self, manifest: Manifest) -> DiskPieceStore:
        store = self._stores.get(manifest.cid)
        if store is not None:
            return store
        directory = self.root / manifest.cid.hex()
        directory.mkdir(exist_ok=True)
        path = directory / MANIFEST
        if not path.exists() or path.read_bytes() != manifest.encoded:
            tmp = directory / (MANIFEST + ".tmp")
            tmp.write_bytes(manifest.encoded)
            tmp.replace(path)
        store = self._stores[manifest.cid] = DiskPieceStore(manifest, directory)
        return store

    def manifests(self) -> list[Manifest]:
        found = (self._read(path) for path in sorted(self.root.glob(f"*/{MANIFEST}")))
        return [manifest for manifest in found if manifest is not None]

    def manifest(self, cid: bytes) -> Manifest | None:
        return self._read(self.root / cid.hex() / MANIFEST)

    @staticmethod
    def _read(path: Path) -> Manifest | None:
        """The manifest at ``path`` if it is readable, valid and its directory's."""
        try:
            manifest = Manifest.from_bytes(path.read_bytes())
        except (OSError, ValueError):
            return None
        return manifest if manifest.cid.hex() == path.parent.name else None

    def close(self) -> None:
        for store in self._stores.values():
            store.close()
        self._stores.clear()
