"""Content on disk: a fetch looks its own CID up, not every manifest the peer holds; the
content file is allocated when the store opens."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from p2pnet_peer.swarm.manifest import Manifest
from p2pnet_peer.transfer.disk_storage import MANIFEST, DiskStorage

PIECE = 256 * 1024


def manifest(pieces: int) -> Manifest:
    return Manifest(pieces * PIECE, PIECE, tuple(os.urandom(32) for _ in range(pieces)))


def test_a_stored_manifest_is_found_by_its_cid_and_survives_a_restart(tmp_path: Path) -> None:
    first, second = manifest(3), manifest(5)
    storage = DiskStorage(tmp_path)
    storage.open(first)
    storage.open(second)
    storage.close()

    again = DiskStorage(tmp_path)
    assert again.manifest(second.cid) == second
    assert again.manifest(manifest(1).cid) is None  # never stored
    assert sorted(m.cid for m in again.manifests()) == sorted([first.cid, second.cid])


def test_a_damaged_manifest_file_is_not_taken_for_the_content(tmp_path: Path) -> None:
    stored, other = manifest(2), manifest(4)
    storage = DiskStorage(tmp_path)
    storage.open(stored)
    path = tmp_path / stored.cid.hex() / MANIFEST
    path.write_bytes(other.encoded)  # valid, but another content's
    assert storage.manifest(stored.cid) is None
    path.write_bytes(b"not a manifest")
    assert storage.manifest(stored.cid) is None
    assert storage.manifests() == []


def test_a_new_content_file_is_allocated_in_full_and_a_reopen_keeps_its_pieces(
    tmp_path: Path,
) -> None:
    """Allocated up front, so a full disk fails the open, not a write mid-download; a
    restarted peer's store keeps the pieces written before."""
    probe = tmp_path / "probe"
    fd = os.open(probe, os.O_RDWR | os.O_CREAT)
    try:
        os.posix_fallocate(fd, 0, PIECE)
    except OSError:
        pytest.skip("this filesystem cannot allocate files")
    finally:
        os.close(fd)
    data = os.urandom(3 * PIECE)
    content = Manifest.of_bytes(data, PIECE)
    storage = DiskStorage(tmp_path)
    store = storage.open(content)
    stat = os.stat(store.path)
    assert stat.st_size == content.size and stat.st_blocks * 512 >= content.size
    store.write(1, data[PIECE : 2 * PIECE])
    storage.close()
    assert DiskStorage(tmp_path).open(content).verified() == 0b010


def test_a_full_disk_fails_the_open_and_no_allocation_support_gives_a_sparse_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """posix_fallocate is replaced here: a full disk and a filesystem without allocation
    cannot be had on demand in a test."""
    content = manifest(2)

    def no_space(fd: int, offset: int, length: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "posix_fallocate", no_space)
    with pytest.raises(OSError) as caught:
        DiskStorage(tmp_path / "full").open(content)
    assert caught.value.errno == errno.ENOSPC

    def unsupported(fd: int, offset: int, length: int) -> None:
        raise OSError(errno.EOPNOTSUPP, os.strerror(errno.EOPNOTSUPP))

    monkeypatch.setattr(os, "posix_fallocate", unsupported)
    store = DiskStorage(tmp_path / "plain").open(content)
    assert os.stat(store.path).st_size == content.size
