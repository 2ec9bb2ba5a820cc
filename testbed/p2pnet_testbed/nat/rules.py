"""The nftables ruleset of one NAT router, per NAT type (pure: rendering only).

The router namespace has two interfaces: ``ext`` on the emulated internet (its external
address) and ``in`` towards the group's inside network. Per type (see
:mod:`p2pnet_peer.nat.behaviour`):

- mapping: ``snat to EXT`` keeps the inside port when it can (endpoint-independent,
  port-preserving); symmetric uses ``snat to EXT:1024-65535 random``: every new flow, so
  every new destination, gets a fresh random port (endpoint-dependent).
- filtering of *new* inbound flows (replies to flows the inside opened always pass, as
  conntrack matches them):
  - full-cone: a port the inside has sent from (dynamic set ``mapped``, refreshed by every
    outbound packet, ``MAPPING_TIMEOUT``) is forwarded from anyone (DNAT to the inside
    host, same port);
  - address-restricted: forwarded only from an IP that port has sent to (set ``contacted``);
  - port-restricted and symmetric: never; only conntrack's exact reply tuple gets in.
- everything else addressed to the router is dropped silently (no RST, no ICMP), as a
  home router does, so a hole-punching SYN that arrives early is retried, not refused.
"""

from __future__ import annotations

from p2pnet_peer.nat.behaviour import Filtering, Mapping, behaviour

TABLE = "p2pnet_nat"
MAPPING_TIMEOUT_S = 120
EXT_IF = "ext"
IN_IF = "in"


def _inbound_dnat(filtering: Filtering, ext_ip: str, inside_ip: str) -> list[str]:
    match = f'iifname "{EXT_IF}" ip daddr {ext_ip} meta l4proto {{ tcp, udp }}'
    if filtering is Filtering.ENDPOINT_INDEPENDENT:
        return [f"{match} meta l4proto . th dport @mapped dnat to {inside_ip}"]
    if filtering is Filtering.ADDRESS_DEPENDENT:
        return [f"{match} meta l4proto . th dport . ip saddr @contacted dnat to {inside_ip}"]
    return []


def _outbound_updates(filtering: Filtering) -> list[str]:
    out = f'iifname "{IN_IF}" oifname "{EXT_IF}" meta l4proto {{ tcp, udp }}'
    if filtering is Filtering.ENDPOINT_INDEPENDENT:
        return [f"{out} update @mapped {{ meta l4proto . th sport }}"]
    if filtering is Filtering.ADDRESS_DEPENDENT:
        return [f"{out} update @contacted {{ meta l4proto . th sport . ip daddr }}"]
    return []


def render(nat_type: str, ext_ip: str, inside_ip: str, inside_net: str) -> str:
    """The ruleset for ``nft -f -`` in the router namespace (replaces our table)."""
    b = behaviour(nat_type)
    if b.mapping is Mapping.NONE:
        raise ValueError("a public peer has no router")
    source = f'oifname "{EXT_IF}" ip saddr {inside_net}'
    snat = [f"{source} snat to {ext_ip}"]
    if b.mapping is Mapping.ENDPOINT_DEPENDENT:
        ports = f"meta l4proto {{ tcp, udp }} snat to {ext_ip}:1024-65535 random"
        snat.insert(0, f"{source} {ports}")
    t = MAPPING_TIMEOUT_S
    lines = [
        f"table ip {TABLE} {{",
        f"  set mapped {{ type inet_proto . inet_service; flags dynamic,timeout; timeout {t}s; }}",
        "  set contacted { type inet_proto . inet_service . ipv4_addr; "
        f"flags dynamic,timeout; timeout {t}s; }}",
        "  chain prerouting {",
        "    type nat hook prerouting priority dstnat; policy accept;",
        *(f"    {r}" for r in _inbound_dnat(b.filtering, ext_ip, inside_ip)),
        "  }",
        "  chain postrouting {",
        "    type nat hook postrouting priority srcnat; policy accept;",
        *(f"    {r}" for r in snat),
        "  }",
        "  chain forward {",
        "    type filter hook forward priority filter; policy drop;",
        *(f"    {r}" for r in _outbound_updates(b.filtering)),
        f'    iifname "{IN_IF}" oifname "{EXT_IF}" ip saddr {inside_net} accept',
        "    ct state established,related accept",
        f'    iifname "{EXT_IF}" oifname "{IN_IF}" ct status dnat accept',
        "  }",
        "  chain input {",
        "    type filter hook input priority filter; policy drop;",
        '    iif "lo" accept',
        "    ct state established,related accept",
        f'    iifname "{IN_IF}" icmp type echo-request accept',
        "  }",
        "}",
    ]
    # flush first so re-applying is idempotent (`table` + `delete table` in one batch)
    return f"table ip {TABLE}\ndelete table ip {TABLE}\n" + "\n".join(lines) + "\n"
