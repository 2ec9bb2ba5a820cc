"""Helpers for tests that start ``p2pnet run`` as a user would (a subprocess)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]


def write_spec(path: Path, name: str, spec: dict[str, Any]) -> Path:
    path.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "p2pnet.io/v1alpha1",
                "kind": "P2PNetwork",
                "metadata": {"name": name},
                "spec": spec,
            }
        )
    )
    return path


def start_run(spec: Path, run_dir: Path, *flags: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "p2pnet_testbed.cli", "run", str(spec), "--out", str(run_dir),
         "--quiet", *flags],
        cwd=run_dir.parent, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def events(run_dir: Path) -> list[dict[str, Any]]:
    path = run_dir / "events.jsonl"
    if not path.exists():
        return []
    out = []
    for line in path.read_text().splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            continue
    return out


def wait_ready(proc: subprocess.Popen[str], run_dir: Path, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(e["type"] == "network_ready" for e in events(run_dir)):
            return
        if proc.poll() is not None:
            raise AssertionError(f"p2pnet run exited: {proc.stderr.read() if proc.stderr else ''}")
        time.sleep(0.5)
    raise AssertionError("the network did not become ready")


def require_prometheus() -> None:
    """Skip without Debian's prometheus, except in CI, which must have it."""
    if shutil.which("prometheus") is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install Debian's prometheus (hack/ci-system-packages.sh)")
        pytest.skip("prometheus is not installed (apt-get install prometheus)")
