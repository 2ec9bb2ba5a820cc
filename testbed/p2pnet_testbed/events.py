"""The run's event log: one JSON object per line, appended and flushed as things happen,
so a crash or Ctrl-C loses nothing that already happened and the report can be rebuilt."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

EVENTS_FILE = "events.jsonl"


class EventLog:
    def __init__(self, run_dir: Path, clock: Any) -> None:
        self.path = run_dir / EVENTS_FILE
        self._clock = clock
        self._file: TextIO = self.path.open("a", encoding="utf-8")
        self.listeners: list[Callable[[dict[str, Any]], None]] = []

    def write(self, type_: str, **fields: Any) -> dict[str, Any]:
        event = {"t": round(self._clock(), 4), "type": type_, **fields}
        self._file.write(json.dumps(event, separators=(",", ":")) + "\n")
        self._file.flush()
        for listener in self.listeners:
            listener(event)
        return event

    def close(self) -> None:
        self._file.close()


def read_events(run_dir: Path) -> list[dict[str, Any]]:
    """Every complete line of a run's log (a torn last line from a crash is skipped)."""
    out = []
    path = run_dir / EVENTS_FILE
    if not path.exists():
        return out
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            continue
    return out
