"""Content on disk: a fetch looks its own CID up, not every manifest the peer holds."""

from __future__ import annotations

import os
from pathlib import Path

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
