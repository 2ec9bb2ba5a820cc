from __future__ import annotations

import pytest

from p2pnet_operator.spec.units import (
    format_duration,
    parse_duration,
    parse_rate,
    parse_size,
    resolve_int_or_percent,
)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("60s", 60), ("5m", 300), ("1h30m", 5400), ("500ms", 0.5), ("1.5s", 1.5), ("2h", 7200)],
)
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds
    assert parse_duration(format_duration(seconds)) == seconds


@pytest.mark.parametrize("text", ["60", "5 m", "1d", "", "m", "-1s", "1e3s"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


def test_sizes_and_rates() -> None:
    assert parse_size("4MiB") == 4 * 2**20
    assert parse_size("1MB") == 10**6
    assert parse_size("1.5KiB") == 1536
    assert parse_size(1234) == 1234
    assert parse_rate("2MiB/s") == 2 * 2**20
    assert parse_rate("2MiB") == 2 * 2**20
    for bad in ("4 MiB", "4mib", "MiB", "4MiB/s"):
        with pytest.raises(ValueError):
            parse_size(bad)


def test_int_or_percent() -> None:
    assert resolve_int_or_percent("25%", 64) == 16
    assert resolve_int_or_percent("10%", 15) == 1
    assert resolve_int_or_percent(7, 64) == 7
    for bad in ("25", "101%", "x%", True):
        with pytest.raises(ValueError):
            resolve_int_or_percent(bad, 64)
