"""Nothing outlives a setup: teardown kills what runs inside and deletes every namespace,
and a killed run's stale setup (owner pid gone) is removed at the next start."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from p2pnet_testbed.nat import cleanup, netns
from p2pnet_testbed.nat.topology import NatTopology

pytestmark = [pytest.mark.nat, pytest.mark.slow]


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _sleeper(ns: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(["ip", "netns", "exec", ns, "sleep", "300"])


def test_teardown_kills_processes_and_removes_namespaces(netns_ready: None) -> None:
    prefix = cleanup.run_prefix("p2pnt") + "-teardown"
    topo = NatTopology(prefix).create()
    try:
        group = topo.add_nat_group(0, "port-restricted")
        host = topo.add_public_host(0)
        sleepers = [_sleeper(group.netns), _sleeper(host.netns)]
        assert netns.nft_tables(group.router_netns) == ["p2pnet_nat"]
    finally:
        seconds = topo.teardown()
    assert cleanup.leftovers(prefix) == []
    for proc in sleepers:
        assert proc.wait(timeout=10) != 0  # killed
    assert seconds < 30
    assert topo.teardown() == pytest.approx(0.0, abs=1.0)  # idempotent


def test_stale_setup_of_a_dead_run_is_cleaned(netns_ready: None, tmp_path: Path) -> None:
    pid = _dead_pid()
    prefix = cleanup.run_prefix("p2pnt", pid)
    topo = NatTopology(prefix).create()
    group = topo.add_nat_group(3, "symmetric")
    sleeper = _sleeper(group.netns)
    time.sleep(0.2)
    live = NatTopology(cleanup.run_prefix("p2pnt") + "-live").create()  # ours: alive
    try:
        removed = cleanup.clean_stale("p2pnt")
        assert sorted(removed) == sorted([f"{prefix}-inet", f"{prefix}-r3", f"{prefix}-h3"])
        assert cleanup.leftovers(prefix) == []
        assert sleeper.wait(timeout=10) != 0
        assert cleanup.leftovers(live.prefix) == [live.internet]
    finally:
        live.teardown()
