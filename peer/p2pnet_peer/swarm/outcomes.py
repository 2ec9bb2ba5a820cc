"""What a swarm session answers: piece outcomes, refusals, and Haves to send."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class PieceOutcome(enum.Enum):
    VERIFIED = "verified"
    BAD = "bad"  # failed verification: discarded, sender penalised
    DUPLICATE = "duplicate"  # we had it already (endgame)
    UNEXPECTED = "unexpected"  # never requested from that peer


class Refusal(enum.Enum):
    CHOKED = "choked"
    NOT_HELD = "not_held"
    NOT_CONNECTED = "not_connected"
    ALREADY_OUT = "already_out"  # a seed serving first copies first


@dataclass(frozen=True, slots=True)
class PieceResult:
    outcome: PieceOutcome
    dropped: bool = False  # the sender is now banned and disconnected
    others: tuple[bytes, ...] = ()  # other peers the piece was requested from (endgame)


@dataclass(frozen=True, slots=True)
class Announcement:
    peer: bytes
    pieces: list[int]
    choking: bool
    super_seeding: bool = False
