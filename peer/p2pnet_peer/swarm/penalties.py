"""Penalties for peers that send pieces failing verification: count, then drop and ban."""

from __future__ import annotations


class Penalties:
    """Every bad piece is counted against its sender; at ``max_bad`` the sender is banned.

    A banned peer is dropped from the swarm: no requests to it, its handshakes and requests
    refused. (The piece itself is discarded and re-requested from someone else.)
    """

    def __init__(self, max_bad: int) -> None:
        self._max = max_bad
        self._bad: dict[bytes, int] = {}
        self._banned: set[bytes] = set()
        self.total = 0

    def bad_piece(self, peer: bytes) -> bool:
        """Count a bad piece from ``peer``; True if the peer is now banned."""
        self.total += 1
        count = self._bad[peer] = self._bad.get(peer, 0) + 1
        if count >= self._max:
            self._banned.add(peer)
            return True
        return False

    def bad_pieces(self, peer: bytes) -> int:
        return self._bad.get(peer, 0)

    def is_banned(self, peer: bytes) -> bool:
        return peer in self._banned
