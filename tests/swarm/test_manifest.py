"""Content addressing: canonical manifest bytes, CID, piece verification."""

import random

import pytest

from p2pnet_peer.swarm.bitfield import bits, from_wire, mask_of, to_wire
from p2pnet_peer.swarm.config import KIB, SwarmConfig
from p2pnet_peer.swarm.manifest import Manifest, digest, split

PIECE = 16 * KIB


def test_manifest_round_trips_and_cid_is_hash_of_canonical_bytes() -> None:
    content = random.Random(0).randbytes(3 * PIECE + 5)
    m = Manifest.of_bytes(content, PIECE)
    assert m.count == 4 and m.size == len(content)
    assert m.piece_length(0) == PIECE and m.piece_length(3) == 5
    assert m.cid == digest(m.encoded)
    assert Manifest.from_bytes(m.encoded) == m
    assert Manifest.from_bytes(m.encoded).cid == m.cid
    pieces = split(content, PIECE)
    assert all(m.verify(i, p) for i, p in enumerate(pieces))
    assert not m.verify(0, b"x" + pieces[0][1:])
    assert not m.verify(3, pieces[3] + b"!")


def test_same_content_same_cid_other_piece_size_other_cid() -> None:
    content = b"a" * (2 * PIECE)
    assert Manifest.of_bytes(content, PIECE).cid == Manifest.of_bytes(content, PIECE).cid
    assert Manifest.of_bytes(content, PIECE).cid != Manifest.of_bytes(content, 2 * PIECE).cid


@pytest.mark.parametrize(
    "mutate",
    [
        lambda b: b[:10],  # truncated header
        lambda b: b"XXXX" + b[4:],  # magic
        lambda b: b[:-1],  # hash bytes missing
        lambda b: b + b"\0" * 32,  # one hash too many
        lambda b: b[:4] + b"\x02" + b[5:],  # version
    ],
)
def test_malformed_manifests_are_rejected(mutate) -> None:
    m = Manifest.of_bytes(b"z" * (PIECE + 1), PIECE)
    with pytest.raises(ValueError, match="manifest"):
        Manifest.from_bytes(mutate(m.encoded))


def test_empty_content_and_bad_piece_sizes_are_rejected() -> None:
    with pytest.raises(ValueError):
        Manifest.of_bytes(b"", PIECE)
    with pytest.raises(ValueError):
        Manifest.of_bytes(b"x", 1000)
    with pytest.raises(ValueError):
        SwarmConfig(piece_size=1000)


def test_bitfield_wire_form() -> None:
    mask = mask_of([0, 3, 9])
    assert bits(mask) == [0, 3, 9]
    wire = to_wire(mask, 10)
    assert wire == bytes([0b00001001, 0b00000010])
    assert from_wire(wire, 10) == mask
    with pytest.raises(ValueError, match="bytes"):
        from_wire(wire, 17)
    with pytest.raises(ValueError, match="past piece"):
        from_wire(bytes([0, 0b100]), 10)
