"""Run the cross-field rules over a decoded spec, placing each problem in the file."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from p2pnet_operator.spec.errors import Mark, Problem
from p2pnet_operator.spec.knobs import knobs_of
from p2pnet_operator.spec.rules import RULES


def check_rules(section: Any, path: str, marks: dict[str, Mark]) -> list[Problem]:
    """Problems from every rule of `section` and of the sections inside it."""
    problems = []
    for rule in RULES.get(type(section), ()):
        for relative, message in rule.check(section):
            where = f"{path}.{relative}" if path else relative
            problems.append(Problem(where, message, nearest_mark(where, marks)))
    for f, k in knobs_of(type(section)):
        value = getattr(section, f.name)
        child = f"{path}.{k.name}" if path else k.name
        if dataclasses.is_dataclass(value):
            problems += check_rules(value, child, marks)
        elif isinstance(value, tuple):
            for i, item in enumerate(value):
                if dataclasses.is_dataclass(item):
                    problems += check_rules(item, f"{child}[{i}]", marks)
    return problems


def nearest_mark(path: str, marks: dict[str, Mark]) -> Mark | None:
    """The mark of `path`, or of its closest ancestor written in the file."""
    while path:
        if path in marks:
            return marks[path]
        path = re.sub(r"(\.[^.\[]*|\[\d+\])$", "", path) if re.search(r"[.\[]", path) else ""
    return marks.get("")
