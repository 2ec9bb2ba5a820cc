"""Field declarations: one `knob(...)` per spec field carries everything about it.

Validation (`decode.py`) and the CRD's OpenAPI schema (`schema.py`) both read these
declarations, so a bound or an enum is written exactly once.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any

# How a field's value is written, beyond its Python type.
PLAIN = "plain"
DURATION = "duration"  # Go-style duration string: "500ms", "60s", "5m", "1h30m"
SIZE = "size"  # bytes: an integer, or a string with a unit: "4MiB", "256KiB", "1GB"
RATE = "rate"  # bytes/s: an integer, or "2MiB/s"
INT_OR_PERCENT = "int-or-percent"  # a count, or a percentage of spec.peers: 3 or "25%"


@dataclass(frozen=True)
class Knob:
    """What one spec field means and which values it accepts.

    `minimum`/`maximum` are in the field's base unit: seconds for durations, bytes for
    sizes, bytes/s for rates. `name` is the camelCase key in YAML and in the CRD.
    """

    description: str
    name: str = ""
    kind: str = PLAIN
    units: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    enum: tuple[str, ...] | None = None
    pattern: str | None = None
    pattern_help: str | None = None  # the pattern in words, for messages and the CRD
    max_length: int | None = None
    max_items: int | None = None
    unique_key: str | None = None  # for a list of sections: the field that names an item
    required: bool = False


def knob(description: str, default: Any = dataclasses.MISSING, **details: Any) -> Any:
    """A dataclass field whose metadata is a `Knob`.

    `default` may be a value or a zero-argument callable (used as a default factory, for
    nested sections); leave it out for a required field.
    """
    meta = {"knob": Knob(description=description, **details)}
    if default is dataclasses.MISSING:
        return dataclasses.field(metadata=meta)
    if callable(default):
        return dataclasses.field(default_factory=default, metadata=meta)
    return dataclasses.field(default=default, metadata=meta)


def camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(part.capitalize() for part in rest)


def knobs_of(cls: type) -> list[tuple[dataclasses.Field[Any], Knob]]:
    """The dataclass's fields with their knobs, the knob's `name` filled in."""
    found = []
    for f in dataclasses.fields(cls):
        k: Knob = f.metadata["knob"]
        if not k.name:
            k = dataclasses.replace(k, name=camel(f.name))
        found.append((f, k))
    return found


def has_default(f: dataclasses.Field[Any]) -> bool:
    return f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING


def default_of(f: dataclasses.Field[Any]) -> Any:
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return f.default


def matches(pattern: str, text: str) -> bool:
    return re.fullmatch(pattern, text) is not None
