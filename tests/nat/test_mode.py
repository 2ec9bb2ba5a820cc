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


@pytest.mark.parametrize("mode", ["netns", "fallback"])
def test_placement_puts_every_peer_once_and_relays_apart(mode: str) -> None:
    from p2pnet_testbed.nat.placement import NatPlacement

    network = from_dict(
        {
            "apiVersion": "p2pnet.io/v1alpha1",
            "kind": "P2PNetwork",
            "metadata": {"name": "m"},
            "spec": {
                "peers": 32, "bootstrapPeers": 3, "dht": {"k": 8},
                "nat": {"fraction": 0.5, "relays": 2, "peersPerGroup": 2},
            },
        }
    )  # fmt: skip
    p = plan(network)
    placement = NatPlacement(p, nat_mode.NatMode(mode, ""), "p2pnt-9", peers_per_host=16)
    placed = sorted(i for h in placement.hosts for i in h.peers)
    assert placed == list(range(32))
    relays = set(p.relays)
    for host in placement.hosts:
        assert not (relays & set(host.peers)) or set(host.peers) <= relays, "relays apart"
    if mode == "netns":
        groups = {
            p.peers[i].nat_group
            for h in placement.hosts
            for i in h.peers
            if h.name.startswith("host-nat")
        }
        assert len(groups) == 8 and all(
            h.netns and h.netns.startswith("p2pnt-9-") for h in placement.hosts
        )
        fields = placement.start_fields(next(i for i in placement.group_of), ["198.18.0.2:1"])
        assert fields["via"] == "198.18.0.2:1" and fields["nat_mode"] == "netns"
    else:
        assert all(h.netns is None for h in placement.hosts)
        natted = next(i for i in placement.group_of)
        assert placement.start_fields(natted, [])["ext_host"].startswith("198.19.0.")
        assert placement.listen_host(natted) == f"127.0.0.{2 + natted}"
