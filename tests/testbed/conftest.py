"""Fixtures for tests that run ``p2pnet`` as a user would: a subprocess in a temp dir."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

Runner = Callable[..., subprocess.CompletedProcess[str]]


def _p2pnet(*args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "p2pnet_testbed.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _host_pids(run_dir: Path) -> list[int]:
    pids: list[int] = []
    for line in (run_dir / "events.jsonl").read_text().splitlines():
        event = json.loads(line)
        if event["type"] == "hosts":
            pids += event["pids"]
    return pids


def _assert_gone(pids: list[int]) -> None:
    alive = []
    for pid in pids:
        stat = Path(f"/proc/{pid}/stat")
        try:
            state = stat.read_text().split()[2]
        except OSError:
            continue  # gone
        if state != "Z":  # a zombie holds nothing; its parent reaps it
            alive.append(pid)
    assert not alive, f"processes left behind: {alive}"


@pytest.fixture
def p2pnet() -> Runner:
    return _p2pnet


@pytest.fixture
def host_pids() -> Callable[[Path], list[int]]:
    return _host_pids


@pytest.fixture
def assert_gone() -> Callable[[list[int]], None]:
    return _assert_gone


@pytest.fixture
def repo() -> Path:
    return REPO


@pytest.fixture
def env_without_color() -> dict[str, str]:
    return {**os.environ, "NO_COLOR": "1", "TERM": "dumb"}
