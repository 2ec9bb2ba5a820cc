"""The DHT's knobs, in one frozen object."""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class DhtConfig:
    """Kademlia parameters.

    - ``k``: bucket size and replication factor: a lookup returns the k closest peers and a
      record is stored on the k closest to its key.
    - ``alpha``: lookup parallelism, requests in flight at once.
    - ``beta``: None for the paper's termination (a lookup ends when the k closest peers it
      knows of have all answered); a number for libp2p's resilient one (it ends when the
      ``beta`` closest have answered, and returns the k closest heard of): far fewer
      requests per lookup, at the risk of a result that includes a peer that is gone.
    - ``request_timeout``: seconds before an unanswered request counts as a failure.
    - ``refresh_interval``: a bucket with no lookup into its range for this long is refreshed
      by a lookup of a random ID in it (buckets from the closest occupied one outwards).
    - ``republish_interval``: a publisher re-stores its records and provider records this
      often, so they outlive the peers that held them (must be < ``record_ttl``).
    - ``record_ttl``: default lifetime of a record or provider record on the peers holding it.
    - ``max_failures``: consecutive failed requests before a contact is evicted when no
      replacement is waiting (with a replacement waiting, one failure evicts).
    - ``replacement_cache``: contacts kept per full bucket to replace evicted ones.
    - ``questionable_after``: a full bucket's least-recently-seen contact is pinged before a
      newcomer may take its place only once it has been silent this long (BEP 5: nodes
      become questionable after 15 minutes); a bucket heard from lately is not pinged.
    - ``max_value_bytes``, ``max_records``, ``max_providers_per_key``: storage bounds.
    - ``hand_off``: store our records on a newly seen peer that is among the k closest to
      their keys (the paper's join rule); off only to measure what it buys.
    """

    k: int = 20
    alpha: int = 3
    beta: int | None = None
    request_timeout: float = 5.0
    refresh_interval: float = 3600.0
    republish_interval: float = 3600.0
    record_ttl: float = 86400.0
    max_failures: int = 3
    replacement_cache: int = 8
    questionable_after: float = 900.0
    max_value_bytes: int = 65536
    max_records: int = 100_000
    max_providers_per_key: int = 1024
    hand_off: bool = True

    def __post_init__(self) -> None:
        if self.k < 1 or self.alpha < 1:
            raise ValueError("k and alpha must be at least 1")
        if self.alpha > self.k:
            raise ValueError("alpha must not exceed k")
        if self.beta is not None and not 1 <= self.beta <= self.k:
            raise ValueError("beta must be between 1 and k")
        if self.questionable_after < 0:
            raise ValueError("questionable_after must not be negative")
        if self.request_timeout <= 0:
            raise ValueError("request_timeout must be positive")
        if self.republish_interval >= self.record_ttl:
            raise ValueError("republish_interval must be shorter than record_ttl")

    @classmethod
    def lan(cls) -> DhtConfig:
        """The paper's defaults: k=20, alpha=3, hourly refresh and republish, 24 h TTL;
        contacts questionable after 15 minutes of silence (BEP 5)."""
        return cls()

    @classmethod
    def local(cls) -> DhtConfig:
        """Many peers on one machine: short timeouts, and minutes instead of hours."""
        return cls(
            request_timeout=2.0,
            refresh_interval=300.0,
            questionable_after=60.0,
            republish_interval=600.0,
            record_ttl=3600.0,
        )

    def with_overrides(self, **changes: object) -> DhtConfig:
        return replace(self, **changes)  # type: ignore[arg-type]
