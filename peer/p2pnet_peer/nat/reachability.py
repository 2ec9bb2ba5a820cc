"""AutoNAT's verdict from several dial-backs, and the mapping behaviour from observations.

Each dial-back server answers "I reached you at your observed host and listening port"
or "I did not". The latest answer per server counts; ``confidence`` agreeing answers
(and more of them than the other way) make the verdict public or private, anything
else is unknown. The observed host is the one most servers saw.

The mapping behaviour comes from sending from one local port to several peers and
comparing the ports they observed: all equal means endpoint-independent mapping (a
hole punch can predict its port), different means endpoint-dependent (symmetric).
"""

from __future__ import annotations

from collections import Counter

PUBLIC = "public"
PRIVATE = "private"
UNKNOWN = "unknown"

INDEPENDENT = "endpoint-independent"
DEPENDENT = "endpoint-dependent"
MAPPING_UNKNOWN = "unknown"


class Reachability:
    def __init__(self, confidence: int, remember: int = 8) -> None:
        self.confidence = confidence
        self.remember = remember
        self._answers: dict[bytes, tuple[bool, str | None]] = {}

    def record(self, server: bytes, reachable: bool, observed: str | None) -> None:
        self._answers.pop(server, None)
        self._answers[server] = (reachable, observed)
        while len(self._answers) > self.remember:
            del self._answers[next(iter(self._answers))]

    @property
    def status(self) -> str:
        yes = sum(1 for ok, _ in self._answers.values() if ok)
        no = len(self._answers) - yes
        if yes >= self.confidence and yes > no:
            return PUBLIC
        if no >= self.confidence and no > yes:
            return PRIVATE
        return UNKNOWN

    @property
    def observed_host(self) -> str | None:
        hosts = Counter(o.rpartition(":")[0] for _, o in self._answers.values() if o)
        return hosts.most_common(1)[0][0] if hosts else None

    @property
    def answers(self) -> int:
        return len(self._answers)


def classify_mapping(observed: list[str]) -> str:
    """From what several peers observed of one local port: the mapping behaviour."""
    ports = {o.rpartition(":")[2] for o in observed if o}
    if len([o for o in observed if o]) < 2:
        return MAPPING_UNKNOWN
    return INDEPENDENT if len(ports) == 1 else DEPENDENT
