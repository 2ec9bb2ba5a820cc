"""Sets of piece indices as Python ints (bit i = piece i), and their wire form.

On the wire a bitfield is ``ceil(count / 8)`` bytes, piece i at bit ``i % 8`` of byte
``i // 8`` (little-endian, least significant bit first); bits past the last piece are 0.
"""

from __future__ import annotations

from collections.abc import Iterable


def bits(mask: int) -> list[int]:
    """The set indices of ``mask``, ascending."""
    if not mask:
        return []
    text = bin(mask)[:1:-1]  # least significant bit first
    out, i = [], text.find("1")
    while i >= 0:
        out.append(i)
        i = text.find("1", i + 1)
    return out


def mask_of(indices: Iterable[int]) -> int:
    mask = 0
    for i in indices:
        mask |= 1 << i
    return mask


def full(count: int) -> int:
    return (1 << count) - 1


def to_wire(mask: int, count: int) -> bytes:
    return mask.to_bytes((count + 7) // 8, "little")


def from_wire(data: bytes, count: int) -> int:
    """Parse a wire bitfield for ``count`` pieces; ValueError says what is wrong."""
    expected = (count + 7) // 8
    if len(data) != expected:
        raise ValueError(f"must be {expected} bytes for {count} pieces, got {len(data)}")
    mask = int.from_bytes(data, "little")
    if mask >> count:
        raise ValueError(f"has bits set past piece {count - 1}")
    return mask
