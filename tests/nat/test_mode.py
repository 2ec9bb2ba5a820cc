"""Which NAT mode a run gets, and the loud banner that says so."""

from __future__ import annotations

import pytest

from p2pnet_operator.planner import plan
from p2pnet_operator.spec import from_dict
from p2pnet_testbed.nat import mode as nat_mode
from p2pnet_testbed.nat import netns


def _plan(fraction: float):  # type: ignore[no-untyped-def]
    network = from_dict(
        {
            "apiVersion": "p2pnet.io/v1alpha1",
            "kind": "P2PNetwork",
            "metadata": {"name": "m"},
            "spec": {
                "peers": 8,
                "bootstrapPeers": 1,
                "dht": {"k": 4},
                "nat": {"fraction": fraction, "relays": 1},
            },
        }
    )
    return plan(network)


def test_no_nat_means_no_emulation() -> None:
    assert nat_mode.choose_mode(_plan(0.0), "p2pnt-x").name == "none"


def test_not_root_falls_back_and_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(netns.os, "geteuid", lambda: 1000)
    monkeypatch.delenv(nat_mode.FORCE_ENV, raising=False)
    chosen = nat_mode.choose_mode(_plan(0.5), "p2pnt-x")
    assert chosen.name == "fallback" and "not root" in chosen.reason
    assert "FALLBACK mode" in chosen.banner() and "not root" in chosen.banner()
    monkeypatch.setenv(nat_mode.FORCE_ENV, "netns")
    with pytest.raises(nat_mode.NatModeError, match="not root"):
        nat_mode.choose_mode(_plan(0.5), "p2pnt-x")


def test_fallback_can_be_forced(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(nat_mode.FORCE_ENV, "fallback")
    chosen = nat_mode.choose_mode(_plan(0.5), "p2pnt-x")
    assert chosen.name == "fallback" and "forced" in chosen.reason
