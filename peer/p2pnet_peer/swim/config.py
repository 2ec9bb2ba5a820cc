"""SWIM's knobs, in one frozen object, and the formulas that scale them with N."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class SwimConfig:
    """SWIM membership and dissemination parameters (after hashicorp/memberlist).

    N below is the number of members this peer believes alive or suspect, itself included.

    - ``probe_interval``: one protocol period, in seconds. Every period each peer probes
      one member (randomised round-robin) and all gossip rides on these probes, so
      rumour rounds are counted in periods.
    - ``probe_timeout``: seconds to wait for a direct ack before asking
      ``indirect_checks`` other members to probe the target; until the period ends any ack,
      direct or relayed, clears the target. No ack at all: the target becomes suspect.
    - Suspicion (Lifeguard): ``min = suspicion_mult * max(1, log10(N)) * probe_interval``,
      ``max = suspicion_max_timeout_mult * min``, expected confirmations
      ``k = suspicion_mult - 2`` (0 when N - 2 < k). With c independent confirmations the
      timeout, counted from when this peer learned the suspicion, is
      ``max(min, max - (max - min) * log(c + 1) / log(k + 1))``. Checked once a period.
    - Retransmits: every update and rumour is piggybacked at most
      ``retransmit_mult * ceil(log10(N + 1))`` times by each peer that learns it
      (memberlist's formula, not ``mult * log(N + 1)``), fewest-sent first, within
      ``piggyback_bytes`` per message.
    - Gossip (memberlist's): every ``gossip_interval`` seconds, while the peer has
      something left to retransmit, it also sends a Ping carrying it to ``gossip_nodes``
      random members (acks carry gossip back; a lost one is no suspicion). With nothing
      queued nothing is sent, so a quiet group costs one probe per peer per period.
    - Push-pull anti-entropy: a full state exchange with one random member every
      ``push_pull_interval * s`` seconds, ``s = 1`` for N <= 32 and
      ``ceil(log2(N) - log2(32)) + 1`` above (memberlist's pushPullScale).
    - ``dead_retention``: seconds a dead or left member stays in the table (so stale alive
      gossip cannot resurrect it) before it is forgotten.
    - Rumours: payloads of at most ``max_rumour_bytes``; a rumour whose round counter
      exceeds ``rumour_max_rounds`` is no longer accepted or sent in push-pull; a peer
      remembers at most ``max_rumours`` rumour IDs, each for ``2 * rumour_max_rounds``
      periods after it learned it, to drop duplicates.
    - ``awareness_max_multiplier``: Lifeguard local health: a peer that seems slow itself
      stretches its period and gossip interval up to this many times
      (:mod:`~p2pnet_peer.swim.local_health`).
    - ``request_timeout``: seconds for a push-pull exchange.
    """

    probe_interval: float = 1.0
    probe_timeout: float = 0.5
    indirect_checks: int = 3
    suspicion_mult: int = 4
    suspicion_max_timeout_mult: int = 6
    retransmit_mult: int = 4
    gossip_interval: float = 0.2
    gossip_nodes: int = 3
    piggyback_bytes: int = 8192
    push_pull_interval: float = 30.0
    dead_retention: float = 30.0
    max_rumour_bytes: int = 1024
    rumour_max_rounds: int = 600
    max_rumours: int = 1024
    awareness_max_multiplier: int = 8
    request_timeout: float = 10.0

    def __post_init__(self) -> None:
        if not 0 < self.probe_timeout < self.probe_interval:
            raise ValueError("probe_timeout must be positive and shorter than probe_interval")
        if self.indirect_checks < 0 or self.retransmit_mult < 1:
            raise ValueError("indirect_checks must be >= 0 and retransmit_mult >= 1")
        if self.gossip_interval <= 0 or self.gossip_nodes < 0:
            raise ValueError("gossip_interval must be positive and gossip_nodes >= 0")
        if self.suspicion_mult < 1 or self.suspicion_max_timeout_mult < 1:
            raise ValueError("suspicion_mult and suspicion_max_timeout_mult must be >= 1")
        if self.piggyback_bytes < 2 * self.max_rumour_bytes:
            raise ValueError("piggyback_bytes must hold at least two maximal rumours")
        if not 1 <= self.max_rumour_bytes <= 1024:
            raise ValueError("max_rumour_bytes must be 1..1024 (the wire limit)")
        if self.rumour_max_rounds < 1 or self.max_rumours < 1:
            raise ValueError("rumour_max_rounds and max_rumours must be >= 1")

    @classmethod
    def lan(cls) -> SwimConfig:
        """memberlist's DefaultLANConfig: 1 s periods, 500 ms probe timeout, 3 indirect
        probes, suspicion 4x / 6x, retransmit 4x, gossip to 3 members every 200 ms,
        push-pull every 30 s."""
        return cls()

    @classmethod
    def local(cls) -> SwimConfig:
        """Hundreds of peers on one busy machine: 2 s periods and 1 s probe timeouts (a
        loaded event loop is not a dead peer; half the probe traffic), gossip to 2 members
        every 500 ms, and retransmit 6x: a join storm of N newcomers is N^2 deliveries, and
        at 4x a few peers miss one (e^-8 each) until push-pull, every 30 s, repairs it."""
        return cls(
            probe_interval=2.0,
            probe_timeout=1.0,
            indirect_checks=3,
            gossip_interval=0.5,
            gossip_nodes=2,
            retransmit_mult=6,
            suspicion_mult=4,
            push_pull_interval=30.0,
            dead_retention=60.0,
            rumour_max_rounds=300,
        )

    def with_overrides(self, **changes: object) -> SwimConfig:
        return replace(self, **changes)  # type: ignore[arg-type]

    # -- formulas ------------------------------------------------------------------------

    def suspicion_min_timeout(self, n: int) -> float:
        return self.suspicion_mult * max(1.0, math.log10(max(1, n))) * self.probe_interval

    def suspicion_max_timeout(self, n: int) -> float:
        return self.suspicion_max_timeout_mult * self.suspicion_min_timeout(n)

    def expected_confirmations(self, n: int) -> int:
        k = self.suspicion_mult - 2
        return 0 if n - 2 < k else max(0, k)

    def retransmit_limit(self, n: int) -> int:
        return self.retransmit_mult * math.ceil(math.log10(n + 1))

    def push_pull_period(self, n: int) -> float:
        if n <= 32:
            return self.push_pull_interval
        return self.push_pull_interval * (math.ceil(math.log2(n) - math.log2(32)) + 1)
