"""metav1.Condition bookkeeping: Ready, Progressing, Degraded.

A condition's lastTransitionTime only moves when its status does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

READY, PROGRESSING, DEGRADED = "Ready", "Progressing", "Degraded"
ORDER = (READY, PROGRESSING, DEGRADED)


def timestamp(when: dt.datetime, precise: bool = False) -> str:
    """RFC 3339 in UTC (`precise`: with microseconds, for times churn is measured from)."""
    when = when.astimezone(dt.UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ" if precise else "%Y-%m-%dT%H:%M:%SZ")


def parse_timestamp(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


@dataclass(frozen=True)
class Condition:
    type: str
    status: bool
    reason: str
    message: str = ""


def merge_conditions(
    old: Sequence[dict[str, Any]] | None,
    new: Sequence[Condition],
    generation: int,
    now: dt.datetime,
) -> list[dict[str, Any]]:
    previous = {c.get("type"): c for c in old or ()}
    out = []
    for cond in sorted(new, key=lambda c: ORDER.index(c.type) if c.type in ORDER else 99):
        status = "True" if cond.status else "False"
        before = previous.get(cond.type)
        changed = before is None or before.get("status") != status
        out.append(
            {
                "type": cond.type,
                "status": status,
                "reason": cond.reason,
                "message": cond.message[:32768],
                "observedGeneration": generation,
                "lastTransitionTime": timestamp(now)
                if changed
                else before.get("lastTransitionTime", timestamp(now)),  # type: ignore[union-attr]
            }
        )
    return out
