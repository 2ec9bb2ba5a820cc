"""The nftables rulesets per NAT type (rendering only; no root needed)."""

from __future__ import annotations

import pytest

from p2pnet_peer.nat.behaviour import NAT_TYPES, holepunch_possible, punch_direction_works
from p2pnet_testbed.nat import addressing, rules


def render(nat_type: str) -> str:
    return rules.render(nat_type, "198.19.0.1", "10.0.0.2", "10.0.0.0/24")


def test_full_cone_forwards_any_mapped_port() -> None:
    text = render("full-cone")
    assert "th dport @mapped dnat to 10.0.0.2" in text
    assert "update @mapped { meta l4proto . th sport }" in text
    assert "@contacted dnat" not in text
    assert "random" not in text


def test_address_restricted_forwards_only_contacted_addresses() -> None:
    text = render("address-restricted")
    assert "th dport . ip saddr @contacted dnat to 10.0.0.2" in text
    assert "update @contacted { meta l4proto . th sport . ip daddr }" in text
    assert "@mapped dnat" not in text


@pytest.mark.parametrize("nat_type", ["port-restricted", "symmetric"])
def test_port_restricted_and_symmetric_forward_nothing_new(nat_type: str) -> None:
    text = render(nat_type)
    assert "dnat" not in text.split("chain postrouting")[0].split("chain prerouting")[1]
    assert ("snat to 198.19.0.1:1024-65535 random" in text) == (nat_type == "symmetric")


@pytest.mark.parametrize("nat_type", NAT_TYPES)
def test_everything_else_is_dropped_silently(nat_type: str) -> None:
    text = render(nat_type)
    assert "type filter hook forward priority filter; policy drop;" in text
    assert "type filter hook input priority filter; policy drop;" in text
    assert "reject" not in text
    assert text.startswith(f"table ip {rules.TABLE}\ndelete table ip {rules.TABLE}\n")


def test_public_has_no_router() -> None:
    with pytest.raises(ValueError, match="public"):
        render("public")


def test_address_plan_uses_only_test_ranges() -> None:
    assert addressing.public_host_ip(0) == "198.18.0.2"
    assert addressing.router_ip(0) == "198.19.0.1"
    assert str(addressing.inside_network(300)) == "10.1.44.0/24"
    assert addressing.inside_host_ip(300) == "10.1.44.2"
    for ip in (addressing.public_host_ip(64999), addressing.router_ip(64999)):
        assert addressing.is_emulated_internet(ip)


@pytest.mark.parametrize(
    ("a", "b", "possible"),
    [
        ("public", "symmetric", True),
        ("full-cone", "symmetric", True),
        ("address-restricted", "symmetric", True),
        ("port-restricted", "symmetric", False),
        ("symmetric", "symmetric", False),
        ("port-restricted", "port-restricted", True),
        ("full-cone", "port-restricted", True),
    ],
)
def test_which_pairs_can_hole_punch(a: str, b: str, possible: bool) -> None:
    assert holepunch_possible(a, b) is possible
    assert holepunch_possible(b, a) is possible
    assert holepunch_possible(a, b, same_nat=True) is False


def test_symmetric_listener_never_takes_a_punch() -> None:
    for dialer in ("public", *NAT_TYPES):
        assert not punch_direction_works(dialer, "symmetric")
