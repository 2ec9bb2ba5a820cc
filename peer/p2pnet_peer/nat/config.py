"""NAT traversal knobs for one peer, in one frozen dataclass with presets.

- AutoNAT: ask up to ``autonat_servers`` peers to dial back (each waits at most
  ``dial_back_timeout``); ``autonat_confidence`` agreeing answers make the peer public
  or private, fewer leave it unknown. Re-checked every ``autonat_interval``.
- Relay (a peer planned as one): at most ``relay_max_reservations`` reservations of
  ``reservation_ttl`` each; at most ``relay_max_circuits`` calls in flight per reserved
  peer; payloads up to ``relay_max_payload_bytes``; a relayed call waits at most
  ``relay_call_timeout``. The reserving peer serves at most ``relay_max_in_flight``
  relayed calls at once.
- Hole punching: after ``holepunch_after_calls`` relayed calls to a peer, try to upgrade
  to a direct connection (``holepunch_timeout`` per attempt). A failed attempt is retried
  after ``holepunch_backoff``; after ``holepunch_attempts`` failures in a row the pair
  stays relayed (DCUtR retries 3 times).
"""

from __future__ import annotations

from dataclasses import dataclass

MIB = 1024 * 1024


@dataclass(frozen=True)
class NatConfig:
    dial_back_timeout: float = 3.0
    autonat_servers: int = 3
    autonat_confidence: int = 2
    autonat_interval: float = 900.0
    reservation_ttl: float = 3600.0
    relay_max_reservations: int = 128
    relay_max_circuits: int = 32
    relay_max_payload_bytes: int = 4 * MIB
    relay_call_timeout: float = 30.0
    relay_max_in_flight: int = 64
    holepunch_after_calls: int = 1
    holepunch_timeout: float = 5.0
    holepunch_attempts: int = 3
    holepunch_backoff: float = 60.0

    @classmethod
    def lan(cls) -> NatConfig:
        return cls()

    @classmethod
    def local(cls) -> NatConfig:
        """Many peers on one machine: short waits, frequent re-checks."""
        return cls(
            dial_back_timeout=1.5,
            autonat_interval=300.0,
            reservation_ttl=600.0,
            relay_call_timeout=15.0,
            holepunch_timeout=4.0,
            holepunch_backoff=20.0,
        )
