"""What a rejected spec reports: every problem, each with its field path and file position."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Mark:
    """A 1-based position in the spec file."""

    line: int
    column: int


@dataclass(frozen=True)
class Problem:
    path: str  # e.g. "spec.churn.sessionTime.mean"; "" for the document itself
    message: str
    mark: Mark | None = None

    def format(self, source: str) -> str:
        where = source if self.mark is None else f"{source}:{self.mark.line}:{self.mark.column}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class SpecError(ValueError):
    """The spec is invalid. `problems` lists all that were found, in file order."""

    def __init__(self, problems: Iterable[Problem], source: str = "<spec>") -> None:
        self.problems = sorted(problems, key=_file_order)
        self.source = source
        super().__init__("\n".join(p.format(source) for p in self.problems))

    @property
    def messages(self) -> list[str]:
        return [p.format(self.source) for p in self.problems]


def _file_order(problem: Problem) -> tuple[int, int]:
    if problem.mark is None:
        return (1 << 30, 0)
    return (problem.mark.line, problem.mark.column)
