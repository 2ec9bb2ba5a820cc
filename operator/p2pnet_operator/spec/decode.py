"""Turn a document tree into spec dataclasses, checking each field against its knob.

Every problem is collected (none stops the walk): an unknown field (with a did-you-mean),
a wrong type, a value out of range or not in the enum, a missing required field. A field
with a problem takes its default so that the walk can go on; the caller discards the
result when there are problems. A null value counts as absent, as in Kubernetes.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import types
import typing
from typing import Any

from p2pnet_operator.spec.errors import Mark, Problem
from p2pnet_operator.spec.knobs import (
    DURATION,
    INT_OR_PERCENT,
    RATE,
    SIZE,
    Knob,
    default_of,
    has_default,
    knobs_of,
    matches,
)
from p2pnet_operator.spec.tree import Node
from p2pnet_operator.spec.units import (
    format_duration,
    parse_duration,
    parse_rate,
    parse_size,
    resolve_int_or_percent,
)

_BAD = object()
_TYPE_NAMES = {bool: "a boolean", int: "an integer", float: "a number", str: "a string"}
_EXPECTED = {
    DURATION: "a duration like '60s', '5m' or '1h30m'",
    SIZE: "a size in bytes like 4194304 or '4MiB'",
    RATE: "a rate in bytes/s like 2097152 or '2MiB/s'",
    INT_OR_PERCENT: "a count or a percentage like '25%'",
}


def join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def did_you_mean(word: str, choices: typing.Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


class Decoder:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.marks: dict[str, Mark] = {}

    def problem(self, path: str, message: str, node: Node | None) -> None:
        self.problems.append(Problem(path, message, node.mark if node else None))

    def remember(self, path: str, node: Node) -> None:
        if node.mark is not None:
            self.marks[path] = node.mark

    def section(self, cls: type, node: Node, path: str) -> Any:
        """An instance of the dataclass `cls` from a mapping node."""
        self.remember(path, node)
        if not isinstance(node.value, dict):
            self.problem(path, f"expected a mapping, got {describe(node.value)}", node)
            node = Node({}, node.mark)
        hints = typing.get_type_hints(cls)
        fields = knobs_of(cls)
        known = {k.name for _, k in fields}
        for key, child in node.value.items():
            if key not in known:
                self.problem(join(path, key), f"unknown field{did_you_mean(key, known)}", child)
        values = {}
        for f, k in fields:
            child = node.value.get(k.name)
            if child is not None and child.value is not None:
                value = self.value(hints[f.name], k, child, join(path, k.name))
                if value is not _BAD:
                    values[f.name] = value
                    continue
            elif not has_default(f):
                self.problem(join(path, k.name), "required field is missing", node)
            if has_default(f):
                values[f.name] = default_of(f)
            else:
                values[f.name] = _placeholder(hints[f.name])
        return cls(**values)

    def value(self, hint: Any, knob: Knob, node: Node, path: str) -> Any:
        self.remember(path, node)
        if knob.kind == DURATION:
            return self._duration(knob, node, path)
        if knob.kind in (SIZE, RATE):
            return self._bytes(knob, node, path)
        if knob.kind == INT_OR_PERCENT:
            return self._int_or_percent(knob, node, path)
        args = typing.get_args(hint)
        if isinstance(hint, types.UnionType) and type(None) in args:
            (hint,) = [a for a in args if a is not type(None)]
            args = typing.get_args(hint)
        origin = typing.get_origin(hint)
        if dataclasses.is_dataclass(hint):
            return self.section(typing.cast(type, hint), node, path)
        if origin is tuple:
            return self._items(args[0], knob, node, path)
        if origin is dict:
            return self._weights(knob, node, path)
        return self._scalar(hint, knob, node, path)

    def _scalar(self, kind: type, knob: Knob, node: Node, path: str) -> Any:
        value = node.value
        ok = isinstance(value, kind) and not (kind is not bool and isinstance(value, bool))
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value, ok = float(value), True
        if not ok or (kind is float and not math.isfinite(value)):
            self.problem(path, f"expected {_TYPE_NAMES[kind]}, got {describe(value)}", node)
            return _BAD
        if kind is str:
            return self._text(knob, node, path, value)
        if kind in (int, float) and not self._in_range(knob, node, path, value, value):
            return _BAD
        return value

    def _text(self, knob: Knob, node: Node, path: str, value: str) -> Any:
        if knob.enum is not None and value not in knob.enum:
            choices = ", ".join(knob.enum)
            hint = did_you_mean(value, knob.enum)
            self.problem(path, f"must be one of {choices}; got {value!r}{hint}", node)
            return _BAD
        if knob.max_length is not None and len(value) > knob.max_length:
            self.problem(path, f"must be at most {knob.max_length} characters long", node)
            return _BAD
        if knob.pattern is not None and not matches(knob.pattern, value):
            rule = knob.pattern_help or f"match {knob.pattern}"
            self.problem(path, f"must {rule}; got {value!r}", node)
            return _BAD
        return value

    def _in_range(self, knob: Knob, node: Node, path: str, number: float, shown: Any) -> bool:
        unit = f" {knob.units}" if knob.units and knob.kind != DURATION else ""
        fmt = format_duration if knob.kind == DURATION else _number
        if knob.minimum is not None and number < knob.minimum:
            self.problem(path, f"must be >= {fmt(knob.minimum)}{unit}, got {shown}", node)
            return False
        if knob.maximum is not None and number > knob.maximum:
            self.problem(path, f"must be <= {fmt(knob.maximum)}{unit}, got {shown}", node)
            return False
        return True

    def _parsed(self, knob: Knob, node: Node, path: str, parse: Any, accepted: tuple) -> Any:
        value = node.value
        try:
            if not isinstance(value, accepted) or isinstance(value, bool):
                raise ValueError(value)
            number = parse(value)
        except ValueError:
            self.problem(path, f"expected {_EXPECTED[knob.kind]}, got {describe(value)}", node)
            return _BAD
        return value if self._in_range(knob, node, path, number, repr(value)) else _BAD

    def _duration(self, knob: Knob, node: Node, path: str) -> Any:
        return self._parsed(knob, node, path, parse_duration, (str,))

    def _bytes(self, knob: Knob, node: Node, path: str) -> Any:
        parse = parse_size if knob.kind == SIZE else parse_rate
        return self._parsed(knob, node, path, parse, (int, str))

    def _int_or_percent(self, knob: Knob, node: Node, path: str) -> Any:
        return self._parsed(knob, node, path, lambda v: resolve_int_or_percent(v, 100), (int, str))

    def _items(self, item: Any, knob: Knob, node: Node, path: str) -> Any:
        if not isinstance(node.value, list):
            self.problem(path, f"expected a list, got {describe(node.value)}", node)
            return _BAD
        if knob.max_items is not None and len(node.value) > knob.max_items:
            self.problem(path, f"must have at most {knob.max_items} items", node)
            return _BAD
        item_knob = dataclasses.replace(knob, max_items=None)
        values = [self.value(item, item_knob, n, f"{path}[{i}]") for i, n in enumerate(node.value)]
        if any(v is _BAD for v in values):
            return _BAD
        if item is str and len(set(values)) != len(values):
            self.problem(path, "must not repeat an item", node)
            return _BAD
        if knob.unique_key is not None and not self._unique(knob.unique_key, values, node, path):
            return _BAD
        return tuple(values)

    def _unique(self, key: str, values: list[Any], node: Node, path: str) -> bool:
        seen: set[Any] = set()
        for i, value in enumerate(values):
            name = getattr(value, key)
            if name in seen:
                item = node.value[i].value
                where = item[key] if isinstance(item, dict) and key in item else node.value[i]
                self.problem(f"{path}[{i}].{key}", f"duplicate {key} {name!r}", where)
                return False
            seen.add(name)
        return True

    def _weights(self, knob: Knob, node: Node, path: str) -> Any:
        if not isinstance(node.value, dict):
            self.problem(path, f"expected a mapping, got {describe(node.value)}", node)
            return _BAD
        assert knob.enum is not None
        weights = {}
        for key, child in node.value.items():
            child_path = join(path, key)
            if key not in knob.enum:
                hint = did_you_mean(key, knob.enum)
                self.problem(child_path, f"must be one of {', '.join(knob.enum)}{hint}", child)
                continue
            weight = self.value(float, knob, child, child_path)
            if weight is not _BAD:
                weights[key] = weight
        return weights if len(weights) == len(node.value) else _BAD


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _placeholder(hint: Any) -> Any:
    """A stand-in for a missing required field, only so the walk can go on."""
    if dataclasses.is_dataclass(hint):
        return None
    return {str: "", int: 0, float: 0.0}.get(hint, "")
