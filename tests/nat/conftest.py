"""Fixtures for the NAT tests: netns mode needs root, iproute2 and nftables.

Outside CI those tests skip with the reason; in CI (CI=true, run as root) they must run,
so a missing capability fails them instead."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator

import pytest

from p2pnet_testbed.nat import cleanup, netns
from p2pnet_testbed.nat.topology import NatTopology

PROBE = [sys.executable, "-m", "p2pnet_testbed.nat.probe"]


def require_netns() -> None:
    netns.ensure_sbin_on_path()
    available = netns.availability(f"{cleanup.run_prefix('p2pnt')}-probe")
    if available.ok:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"netns mode must run in CI, but: {available.reason}")
    pytest.skip(f"netns mode unavailable: {available.reason}")


@pytest.fixture(scope="module")
def topology() -> Iterator[NatTopology]:
    """Three public hosts (X, Y, Z) and one NAT group per type, for a whole module."""
    require_netns()
    prefix = cleanup.run_prefix("p2pnt") + "-routers"
    with NatTopology(prefix) as topo:
        for h in range(3):
            topo.add_public_host(h)
        for g, nat_type in enumerate(
            ("full-cone", "address-restricted", "port-restricted", "symmetric")
        ):
            topo.add_nat_group(g, nat_type)
        yield topo
    assert cleanup.leftovers(prefix) == []


def _probe(ns: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        ["ip", "netns", "exec", ns, *PROBE, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
def probe() -> Callable[..., subprocess.Popen[str]]:
    """Start a probe program (p2pnet_testbed.nat.probe) inside a namespace."""
    return _probe


@pytest.fixture
def netns_ready() -> None:
    require_netns()
