"""Which path to a peer behind NAT, and when to try hole punching (sans-I/O).

Calls to a circuit address go through the relay first. After ``holepunch_after_calls``
relayed calls the caller tries to upgrade the pair to a direct connection; a failed try
is retried after the backoff, and after ``holepunch_attempts`` failures in a row (or when
the callee refuses: both symmetric, or both behind the same NAT) the pair stays relayed.

:class:`ConnectionLog` decides which outcomes count as a *connection*: the first outcome
per (path, peer) and every change between success and failure, so a connection is
counted once when it comes up and once when it fails, not once per call.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from p2pnet_peer.nat.config import NatConfig
from p2pnet_peer.nat.reachability import DEPENDENT


def punch_refusal(
    local_mapping: str, remote_mapping: str, local_host: str | None, remote_host: str | None
) -> str | None:
    """Why a hole punch between these two cannot work (None: try it)."""
    if local_mapping == DEPENDENT and remote_mapping == DEPENDENT:
        return "both mappings endpoint-dependent (symmetric NATs): relay only"
    if local_host and local_host == remote_host:
        return "behind the same NAT (no hairpinning): relay only"
    return None


@dataclass
class _Target:
    relayed_calls: int = 0
    punching: bool = False
    failures: int = 0
    retry_at: float = 0.0
    relay_only: bool = False
    direct: bool = False


class PathBook:
    def __init__(self, config: NatConfig) -> None:
        self.config = config
        self._targets: dict[bytes, _Target] = {}

    def _get(self, peer: bytes) -> _Target:
        return self._targets.setdefault(peer, _Target())

    def relayed(self, peer: bytes, now: float) -> bool:
        """A call went through the relay; True when a hole punch should start now."""
        t = self._get(peer)
        t.relayed_calls += 1
        if t.punching or t.relay_only or t.direct or now < t.retry_at:
            return False
        if t.relayed_calls < self.config.holepunch_after_calls:
            return False
        t.punching = True
        return True

    def punched(self, peer: bytes, ok: bool, now: float) -> None:
        t = self._get(peer)
        t.punching = False
        t.direct = ok
        if ok:
            t.failures = 0
            return
        t.failures += 1
        t.retry_at = now + self.config.holepunch_backoff
        if t.failures >= self.config.holepunch_attempts:
            t.relay_only = True

    def refused(self, peer: bytes) -> None:
        t = self._get(peer)
        t.punching = False
        t.relay_only = True

    def lost(self, peer: bytes, now: float) -> None:
        """The direct connection broke: relay again, and punch again later."""
        t = self._get(peer)
        t.direct = False
        t.retry_at = max(t.retry_at, now + self.config.holepunch_backoff)

    def forget(self, peer: bytes) -> None:
        self._targets.pop(peer, None)


class ConnectionLog:
    def __init__(self, size: int = 4096) -> None:
        self._last: OrderedDict[tuple[str, str], bool] = OrderedDict()
        self._size = size

    def counts(self, path: str, peer: str, ok: bool) -> bool:
        key = (path, peer)
        previous = self._last.pop(key, None)
        self._last[key] = ok
        if len(self._last) > self._size:
            self._last.popitem(last=False)
        return previous is None or previous != ok
