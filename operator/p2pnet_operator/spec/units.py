"""Parsing of the written forms: durations, byte sizes, byte rates, counts or percentages.

Each `*_PATTERN` is the exact regular expression the CRD schema enforces, and each parser
accepts exactly what its pattern accepts.
"""

from __future__ import annotations

import math
import re

DURATION_PATTERN = r"^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$"
SIZE_PATTERN = r"^[0-9]+(\.[0-9]+)?(B|kB|KB|MB|GB|TB|KiB|MiB|GiB|TiB)?$"
RATE_PATTERN = r"^[0-9]+(\.[0-9]+)?(B|kB|KB|MB|GB|TB|KiB|MiB|GiB|TiB)?(/s)?$"
PERCENT_PATTERN = r"^(100|[1-9]?[0-9])%$"

_DURATION_PART = re.compile(r"([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)")
_DURATION_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
_SIZE = re.compile(r"([0-9]+(?:\.[0-9]+)?)([A-Za-z]*)(/s)?")
_SIZE_UNITS = {
    "": 1,
    "B": 1,
    "kB": 10**3,
    "KB": 10**3,
    "MB": 10**6,
    "GB": 10**9,
    "TB": 10**12,
    "KiB": 2**10,
    "MiB": 2**20,
    "GiB": 2**30,
    "TiB": 2**40,
}


def parse_duration(text: str) -> float:
    """Seconds in a Go-style duration: "500ms", "60s", "5m", "1h30m", "1.5s"."""
    if not re.fullmatch(DURATION_PATTERN, text):
        raise ValueError(f"expected a duration like '60s', '5m' or '1h30m', got {text!r}")
    seconds = sum(float(n) * _DURATION_UNITS[u] for n, u in _DURATION_PART.findall(text))
    return round(seconds, 9)


def format_duration(seconds: float) -> str:
    """The shortest exact written form: 60 -> "1m", 90 -> "90s", 0.25 -> "250ms"."""
    if seconds >= 3600 and seconds % 3600 == 0:
        return f"{int(seconds // 3600)}h"
    if seconds >= 60 and seconds % 60 == 0:
        return f"{int(seconds // 60)}m"
    if seconds == int(seconds):
        return f"{int(seconds)}s"
    millis = seconds * 1000
    if millis == int(millis):
        return f"{int(millis)}ms"
    return f"{seconds!r}s"


def _parse_bytes(value: int | str, pattern: str, what: str, example: str) -> int:
    if isinstance(value, bool):
        raise ValueError(f"expected {what} like {example}, got {value!r}")
    if isinstance(value, int):
        return value
    if not re.fullmatch(pattern, value):
        raise ValueError(f"expected {what} like {example}, got {value!r}")
    match = _SIZE.fullmatch(value)
    assert match is not None
    number, unit, _ = match.groups()
    return math.floor(float(number) * _SIZE_UNITS[unit])


def parse_size(value: int | str) -> int:
    """Bytes in an integer or a string with a unit ("4MiB" = 4 * 2**20, "1MB" = 10**6)."""
    return _parse_bytes(value, SIZE_PATTERN, "a size in bytes", "4194304 or '4MiB'")


def parse_rate(value: int | str) -> int:
    """Bytes per second in an integer or a string with a unit ("2MiB/s")."""
    return _parse_bytes(value, RATE_PATTERN, "a rate in bytes/s", "2097152 or '2MiB/s'")


def resolve_int_or_percent(value: int | str, total: int) -> int:
    """A count, or a percentage of `total` rounded down ("25%" of 64 -> 16)."""
    if isinstance(value, bool):
        raise ValueError(f"expected a count or a percentage like '25%', got {value!r}")
    if isinstance(value, int):
        return value
    if not re.fullmatch(PERCENT_PATTERN, value):
        raise ValueError(f"expected a count or a percentage like '25%', got {value!r}")
    return total * int(value[:-1]) // 100
