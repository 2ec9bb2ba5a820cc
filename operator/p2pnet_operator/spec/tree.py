"""A spec document as a tree of values that remember where they were written.

`from_yaml` builds it from YAML text through PyYAML's node API (`yaml.compose` with the
safe loader), so every mapping entry keeps the line and column of its key; `from_plain`
builds it from dicts and lists (a custom resource handed over by the API server), where
positions are unknown. Input is bounded: the text by `MAX_SPEC_BYTES` before any parsing,
the tree by `MAX_NODES` and `MAX_DEPTH` (YAML aliases can multiply a small text).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from p2pnet_operator.spec.errors import Mark, Problem, SpecError

MAX_SPEC_BYTES = 1 << 20
MAX_NODES = 20_000
MAX_DEPTH = 32


@dataclass
class Node:
    """A value (dict[str, Node], list[Node] or a scalar) and where it was written.

    For a mapping entry the mark is its key's position, for a list item the item's own.
    """

    value: Any
    mark: Mark | None = None


class _Budget:
    def __init__(self) -> None:
        self.nodes = 0

    def spend(self, depth: int, mark: Mark | None) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise SpecError([Problem("", f"document has more than {MAX_NODES} values", mark)])
        if depth > MAX_DEPTH:
            raise SpecError([Problem("", f"document is nested deeper than {MAX_DEPTH}", mark)])


def check_size(size: int, source: str) -> None:
    """Refuse a spec of `size` bytes over the cap (call it before reading or parsing)."""
    if size > MAX_SPEC_BYTES:
        raise SpecError(
            [Problem("", f"spec is {size} bytes, more than the {MAX_SPEC_BYTES} byte limit")],
            source,
        )


def from_yaml(text: str, source: str = "<spec>") -> Node:
    """Parse one YAML document. Raises SpecError (size, syntax, duplicate keys, ...)."""
    big = len(text) > MAX_SPEC_BYTES  # more characters than the cap: more bytes too
    check_size(len(text) if big else len(text.encode("utf-8", "surrogatepass")), source)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        where = Mark(mark.line + 1, mark.column + 1) if mark else None
        reason = " ".join(part for part in (e.context, e.problem) if part)
        raise SpecError([Problem("", f"invalid YAML: {reason}", where)], source) from None
    except yaml.YAMLError as e:
        raise SpecError([Problem("", f"invalid YAML: {e}")], source) from None
    if root is None:
        raise SpecError([Problem("", "the spec is empty")], source)
    problems: list[Problem] = []
    try:
        tree = _convert(root, _mark(root), 0, _Budget(), problems, SafeConstructor())
    except SpecError as e:
        raise SpecError(e.problems, source) from None
    if problems:
        raise SpecError(problems, source)
    return tree


def _mark(node: yaml.Node) -> Mark:
    return Mark(node.start_mark.line + 1, node.start_mark.column + 1)


def _convert(
    node: yaml.Node,
    mark: Mark,
    depth: int,
    budget: _Budget,
    problems: list[Problem],
    constructor: SafeConstructor,
) -> Node:
    budget.spend(depth, mark)
    if isinstance(node, yaml.MappingNode):
        entries: dict[str, Node] = {}
        for key_node, value_node in node.value:
            key_mark = _mark(key_node)
            if not isinstance(key_node, yaml.ScalarNode):
                problems.append(Problem("", "a key must be a plain string", key_mark))
                continue
            if key_node.value in entries:
                problems.append(Problem("", f"duplicate key {key_node.value!r}", key_mark))
                continue
            entries[key_node.value] = _convert(
                value_node, key_mark, depth + 1, budget, problems, constructor
            )
        return Node(entries, mark)
    if isinstance(node, yaml.SequenceNode):
        items = [
            _convert(item, _mark(item), depth + 1, budget, problems, constructor)
            for item in node.value
        ]
        return Node(items, mark)
    return Node(constructor.construct_object(node, deep=True), mark)


def from_plain(data: Any, depth: int = 0, budget: _Budget | None = None) -> Node:
    """The tree of already-parsed data (dicts, lists, scalars), without positions."""
    budget = budget or _Budget()
    budget.spend(depth, None)
    if isinstance(data, Mapping):
        return Node({str(k): from_plain(v, depth + 1, budget) for k, v in data.items()})
    if isinstance(data, list | tuple):
        return Node([from_plain(v, depth + 1, budget) for v in data])
    return Node(data)


def to_plain(node: Node) -> Any:
    if isinstance(node.value, dict):
        return {k: to_plain(v) for k, v in node.value.items()}
    if isinstance(node.value, list):
        return [to_plain(v) for v in node.value]
    return node.value
