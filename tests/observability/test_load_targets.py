"""Locust's targets: a local run's peers.json, or every address a headless Service's DNS
name resolves to."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from p2pnet_testbed.load.targets import NoTargets, resolve


def test_run_directory(tmp_path: Path) -> None:
    (tmp_path / "peers.json").write_text(
        json.dumps([{"address": "127.0.0.2:4000"}, {"address": "127.0.0.3:4001"}])
    )
    assert resolve(str(tmp_path)) == ["127.0.0.2:4000", "127.0.0.3:4001"]


def test_headless_service_name() -> None:
    addresses = resolve("dns:///localhost:7000")
    assert "127.0.0.1:7000" in addresses
    assert all(a.endswith(":7000") for a in addresses)


def test_bad_targets() -> None:
    with pytest.raises(NoTargets, match="expected a run directory"):
        resolve("no-port-here")
    with pytest.raises(NoTargets, match="cannot resolve"):
        resolve("name.invalid:7000")
