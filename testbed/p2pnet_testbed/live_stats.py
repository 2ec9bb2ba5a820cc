"""Rolling figures for the live progress view, fed by the run's events as they happen."""

from __future__ import annotations

import statistics
from collections import deque
from dataclasses import dataclass, field
from typing import Any

WINDOW_S = 10.0


@dataclass
class LiveStats:
    target_peers: int
    planned_churn: int
    duration_s: float
    up: int = 0
    now: float = 0.0
    started_at: float | None = None
    churn_done: int = 0
    errors: int = 0
    lookups: deque[tuple[float, bool, int]] = field(default_factory=deque)
    gets: deque[tuple[float, bool]] = field(default_factory=deque)
    latest_rounds: int | None = None
    transfer_bytes: deque[tuple[float, int]] = field(default_factory=deque)
    nat_paths: dict[str, int] = field(
        default_factory=lambda: {"direct": 0, "holepunch": 0, "relay": 0}
    )

    def consume(self, event: dict[str, Any]) -> None:
        t, kind = event["t"], event["type"]
        self.now = t
        if kind == "sample":
            self.up = event["up"]
        elif kind == "network_ready":
            self.started_at = t
        elif kind == "lookup":
            self.lookups.append((t, bool(event["ok"]), int(event.get("hops", 0))))
        elif kind == "get":
            self.gets.append((t, bool(event["ok"])))
        elif kind == "churn":
            self.churn_done += 1
        elif kind == "rumour" and event.get("rounds_max") is not None:
            self.latest_rounds = int(event["rounds_max"])
        elif kind == "transfer":
            self.transfer_bytes.append((t, int(event.get("bytes", 0))))
        elif kind == "error":
            self.errors += 1
        for window in (self.lookups, self.gets, self.transfer_bytes):
            while window and window[0][0] < t - WINDOW_S:
                window.popleft()

    def rows(self) -> list[tuple[str, str]]:
        lookups = list(self.lookups)
        ok = [x for x in lookups if x[1]]
        hops = [h for _, good, h in lookups if good]
        gets_ok = sum(1 for _, good in self.gets if good)
        elapsed = self.now - self.started_at if self.started_at is not None else 0.0
        mbps = sum(b for _, b in self.transfer_bytes) / WINDOW_S / 1e6
        return [
            ("elapsed", f"{elapsed:5.0f} / {self.duration_s:.0f} s"),
            ("peers up", f"{self.up} / {self.target_peers}"),
            ("churn events", f"{self.churn_done} / {self.planned_churn}"),
            ("lookups/s", f"{len(lookups) / WINDOW_S:.1f}"),
            ("lookup success", f"{len(ok) / len(lookups):.1%}" if lookups else "-"),
            ("hops p50", f"{statistics.median(hops):.0f}" if hops else "-"),
            ("gets ok", f"{gets_ok} / {len(self.gets)}"),
            (
                "convergence rounds",
                str(self.latest_rounds) if self.latest_rounds is not None else "-",
            ),
            ("transfer MB/s", f"{mbps:.2f}"),
            ("NAT paths", " ".join(f"{k}={v}" for k, v in self.nat_paths.items())),
            ("errors", str(self.errors)),
        ]
