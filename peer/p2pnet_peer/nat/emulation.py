"""Fallback mode: a transport-level model of one peer's NAT (no root, no nftables).

It keeps what a router would keep for the peer's *listening* side: which destinations
each local endpoint has sent to (the mappings and their filters), and which flows were
admitted. The inbound gate (:mod:`p2pnet_peer.transport.nat_emulation`) asks it whether
a new inbound call may pass, with the same rules the nftables routers implement
(:mod:`p2pnet_peer.nat.behaviour`):

- mapping: endpoint-independent types map local port p to ``ext_host:p``; symmetric maps
  (p, destination) to a port derived from both (a new mapping per destination);
- a new inbound flow to ``ext_host:q`` from ``src`` passes when q is a live mapping of
  some local port p and p's filter admits ``src``: anyone (full cone), a host p sent to
  (address-restricted), exactly an endpoint p sent to (port-restricted, symmetric).

Only deliberate sends from a listening endpoint open anything (hole punching): ordinary
outbound calls leave from ephemeral ports, whose mappings never lead to the peer's
listening port, exactly as with a real router. Addresses are ``host:port`` strings.
"""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass, field

from p2pnet_peer.nat.behaviour import Filtering, Mapping, behaviour

# The emulated internet's range (RFC 2544 benchmarking, never routed). In fallback mode
# its addresses only name emulated external endpoints: they are never dialled.
EMULATED_INTERNET = ipaddress.ip_network("198.18.0.0/15")
ROUTER_BASE = ipaddress.ip_address("198.19.0.1")  # NAT group g's external address: + g
EPHEMERAL_PORT = 0  # "some ephemeral port": ordinary outbound calls
DEFAULT_TIMEOUT_S = 120.0


def split(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    return host, int(port) if port.isdigit() else 0


def external_host(group: int) -> str:
    """The external address of NAT group ``group`` (the same in netns mode)."""
    return str(ROUTER_BASE + group)


def in_emulated_internet(address: str) -> bool:
    try:
        return ipaddress.ip_address(split(address)[0]) in EMULATED_INTERNET
    except ValueError:
        return False


@dataclass
class EmulatedNat:
    nat_type: str
    ext_host: str  # public: the peer's own host; behind NAT: its group's external address
    mapping_timeout: float = DEFAULT_TIMEOUT_S
    _sent: dict[int, dict[str, float]] = field(default_factory=dict)  # port -> dest -> expiry
    _flows: dict[str, float] = field(default_factory=dict)  # admitted flow id -> expiry

    @property
    def public(self) -> bool:
        return behaviour(self.nat_type).mapping is Mapping.NONE

    def external(self, local_port: int, destination: str) -> str:
        """The external endpoint ``local_port`` shows ``destination``."""
        b = behaviour(self.nat_type)
        if b.mapping is Mapping.ENDPOINT_DEPENDENT:
            digest = hashlib.sha256(f"{self.ext_host}|{local_port}|{destination}".encode())
            return f"{self.ext_host}:{1024 + int.from_bytes(digest.digest()[:4], 'big') % 64000}"
        return f"{self.ext_host}:{local_port}"

    def sent(self, local_port: int, destination: str, now: float) -> None:
        """``local_port`` sent a packet to ``destination`` (creates / refreshes a mapping)."""
        self._sent.setdefault(local_port, {})[destination] = now + self.mapping_timeout

    def _live(self, local_port: int, now: float) -> list[str]:
        dests = self._sent.get(local_port, {})
        for dest in [d for d, expiry in dests.items() if expiry <= now]:
            del dests[dest]
        return list(dests)

    def admits(self, dialed: str, source: str, now: float) -> bool:
        """May a new inbound flow from ``source`` to ``dialed`` pass?"""
        b = behaviour(self.nat_type)
        if b.mapping is Mapping.NONE:
            return True
        host, port = split(dialed)
        if host != self.ext_host:
            return False
        if b.mapping is Mapping.ENDPOINT_DEPENDENT:
            return any(
                source in self._live(p, now) and self.external(p, source) == dialed
                for p in list(self._sent)
            )
        dests = self._live(port, now)
        if not dests:
            return False  # no mapping at that port
        if b.filtering is Filtering.ENDPOINT_INDEPENDENT:
            return True
        if b.filtering is Filtering.ADDRESS_DEPENDENT:
            return split(source)[0] in {split(d)[0] for d in dests}
        return source in dests

    # -- admitted flows (what conntrack remembers) -------------------------------------------

    def open_flow(self, flow: str, now: float) -> None:
        self._flows[flow] = now + self.mapping_timeout

    def has_flow(self, flow: str, now: float) -> bool:
        expiry = self._flows.get(flow)
        if expiry is None or expiry <= now:
            self._flows.pop(flow, None)
            return False
        self._flows[flow] = now + self.mapping_timeout  # traffic refreshes it
        return True
