"""The address plan of an emulated network. Only private / reserved test ranges, and only
inside namespaces the run creates: nothing here is ever configured in the root namespace.

- internet: 198.18.0.0/15 (RFC 2544 benchmarking range, never routed on the internet),
  one L2 segment (a bridge in the internet namespace). Public host h is 198.18.0.0 + 2 + h;
  router g's external address is 198.19.0.0 + 1 + g.
- inside networks: 10.(g >> 8).(g & 255).0/24 for NAT group g; the router is .1 and the
  group's host namespace .2 (all peers of a group share that address, on their own ports).
"""

from __future__ import annotations

import ipaddress

from p2pnet_peer.nat.emulation import EMULATED_INTERNET, external_host

INTERNET = EMULATED_INTERNET
PUBLIC_BASE = ipaddress.ip_address("198.18.0.2")
MAX_HOSTS = 65000


def public_host_ip(host: int) -> str:
    if not 0 <= host < MAX_HOSTS:
        raise ValueError(f"public host index out of range: {host}")
    return str(PUBLIC_BASE + host)


def router_ip(group: int) -> str:
    if not 0 <= group < MAX_HOSTS:
        raise ValueError(f"NAT group index out of range: {group}")
    return external_host(group)


def inside_network(group: int) -> ipaddress.IPv4Network:
    if not 0 <= group < MAX_HOSTS:
        raise ValueError(f"NAT group index out of range: {group}")
    return ipaddress.ip_network(f"10.{group >> 8}.{group & 255}.0/24")


def inside_router_ip(group: int) -> str:
    return str(inside_network(group).network_address + 1)


def inside_host_ip(group: int) -> str:
    return str(inside_network(group).network_address + 2)


def is_emulated_internet(host: str) -> bool:
    """Is ``host`` an address of the emulated internet (never to be dialled outside it)?"""
    try:
        return ipaddress.ip_address(host) in INTERNET
    except ValueError:
        return False


PREFIX_LEN = INTERNET.prefixlen
