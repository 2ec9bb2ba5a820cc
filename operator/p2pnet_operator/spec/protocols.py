"""Spec sections for the three protocols: Kademlia DHT, SWIM gossip, swarm transfer.

A preset picks the protocol's base configuration (as in `DhtConfig.lan()/local()`); a
field left unset keeps the preset's value.
"""

from __future__ import annotations

from dataclasses import dataclass

from p2pnet_operator.spec.knobs import DURATION, RATE, SIZE, knob
from p2pnet_operator.spec.units import parse_duration, parse_rate, parse_size

PRESETS = ("lan", "local")
FROM_PRESET = "Unset: taken from the preset."


@dataclass(frozen=True, kw_only=True)
class DhtSpec:
    preset: str = knob(
        "Kademlia base configuration: lan (paper defaults) or local (short timeouts, minutes "
        "instead of hours, for many peers on one machine).",
        "lan",
        enum=PRESETS,
    )
    k: int = knob("Bucket size and replication factor.", 20, minimum=1, maximum=256)
    alpha: int = knob("Lookup parallelism: requests in flight at once.", 3, minimum=1, maximum=32)
    beta: int | None = knob(
        "Resilient lookup termination (as libp2p's): a lookup ends once this many of the "
        "closest peers it knows of have answered, and returns the k closest it heard of. "
        "Unset: the paper's rule (it ends once the k closest have all answered).",
        None,
        minimum=1,
        maximum=256,
    )
    request_timeout: str | None = knob(
        f"Time before an unanswered request fails. {FROM_PRESET}",
        None,
        kind=DURATION,
        minimum=0.01,
        maximum=300,
    )


@dataclass(frozen=True, kw_only=True)
class GossipSpec:
    preset: str = knob(
        "SWIM membership base configuration: lan or local (as memberlist's DefaultLANConfig "
        "and DefaultLocalConfig).",
        "lan",
        enum=PRESETS,
    )
    protocol_period: str | None = knob(
        "Time between failure-detection probes; a probe waits half of it for a direct ack "
        f"(as memberlist's LAN defaults, 1 s and 500 ms). {FROM_PRESET}",
        None,
        kind=DURATION,
        minimum=0.01,
        maximum=300,
    )
    gossip_interval: str | None = knob(
        f"Time between gossip rounds. {FROM_PRESET}", None, kind=DURATION, minimum=0.01, maximum=300
    )
    fanout: int | None = knob(
        f"Peers gossiped to per round. {FROM_PRESET}", None, minimum=1, maximum=64
    )
    indirect_checks: int | None = knob(
        f"Peers asked to probe a peer that missed a direct probe. {FROM_PRESET}",
        None,
        minimum=0,
        maximum=16,
    )
    retransmit_mult: int | None = knob(
        f"A rumour is retransmitted retransmitMult * log(N+1) times. {FROM_PRESET}",
        None,
        minimum=1,
        maximum=16,
    )
    suspicion_mult: int | None = knob(
        "Suspicion timeout: suspicionMult * log10(max(1, N)) * protocolPeriod. " + FROM_PRESET,
        None,
        minimum=1,
        maximum=32,
    )

    @property
    def protocol_period_s(self) -> float | None:
        return None if self.protocol_period is None else parse_duration(self.protocol_period)

    @property
    def gossip_interval_s(self) -> float | None:
        return None if self.gossip_interval is None else parse_duration(self.gossip_interval)


@dataclass(frozen=True, kw_only=True)
class TransferSpec:
    piece_size: int | str = knob(
        "Size of one piece of a file.",
        "256KiB",
        kind=SIZE,
        units="bytes",
        minimum=1024,
        maximum=16 * 2**20,
    )
    upload_limit: int | str = knob(
        "Upload limit per peer; 0 means unlimited.",
        0,
        kind=RATE,
        units="bytes/s",
        minimum=0,
        maximum=10 * 2**30,
    )
    unchoke_slots: int = knob(
        "Regular unchoke slots: peers a peer uploads to at once, plus one optimistic.",
        4,
        minimum=1,
        maximum=64,
    )

    @property
    def piece_size_bytes(self) -> int:
        return parse_size(self.piece_size)

    @property
    def upload_limit_bytes_per_s(self) -> int:
        return parse_rate(self.upload_limit)
