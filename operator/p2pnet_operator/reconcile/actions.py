"""What the reconciler decided to do: API writes, as plain data the tests can read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Action:
    verb: str  # "create", "delete" or "patch"
    kind: str  # "Pod", "Service", "ConfigMap", "NetworkPolicy"
    name: str
    body: dict[str, Any] | None = None  # the manifest (create) or merge patch (patch)
    uid: str | None = None  # delete precondition: never delete a namesake created since
    reason: str = ""  # why, for logs: "missing", "outdated", "not desired", "stale owner", ...

    def __str__(self) -> str:
        return f"{self.verb} {self.kind}/{self.name} ({self.reason})"


@dataclass
class Changes:
    """Deletes run first (they free names and the roll budget), then creates in the
    desired order, then patches. `waiting` counts desired objects that cannot be written
    yet (a namesake is still terminating, or the roll budget is spent): the reconciler
    comes back for them at the next tick."""

    deletes: list[Action] = field(default_factory=list)
    creates: list[Action] = field(default_factory=list)
    patches: list[Action] = field(default_factory=list)
    waiting: int = 0
    outdated: int = 0  # pods whose spec differs from the desired one (rolled or waiting)

    @property
    def actions(self) -> list[Action]:
        return [*self.deletes, *self.creates, *self.patches]

    @property
    def in_sync(self) -> bool:
        return not self.actions and self.waiting == 0

    def count(self, verb: str, kind: str | None = None) -> int:
        return sum(1 for a in self.actions if a.verb == verb and kind in (None, a.kind))
