"""Build and tear down an emulated network: internet bridge, public hosts, NAT groups.

    with NatTopology("p2pnet-1234") as topo:
        a = topo.add_public_host(0)              # namespace + 198.18.0.2 on the bridge
        g = topo.add_nat_group(0, "symmetric")   # router (nft) + inside namespace 10.0.0.2
        ... run programs with `ip netns exec a.netns ...` ...

Namespaces are created in order and deleted in reverse; deleting a namespace removes
its veth ends (and so the peer ends) and its nftables tables. Processes still running
inside are killed first: a namespace lives as long as a process is in it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from types import TracebackType

from p2pnet_testbed.nat import addressing as net
from p2pnet_testbed.nat import netns, rules

BRIDGE = "br0"


@dataclass(frozen=True)
class PublicHost:
    index: int
    netns: str
    ip: str


@dataclass(frozen=True)
class NatGroupNet:
    index: int
    nat_type: str
    router_netns: str
    netns: str  # the inside namespace, where the group's peers run
    ext_ip: str
    ip: str  # the inside host address all the group's peers listen on


class NatTopology:
    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.internet = f"{prefix}-inet"
        self.namespaces: list[str] = []
        self.public: dict[int, PublicHost] = {}
        self.groups: dict[int, NatGroupNet] = {}

    # -- building --------------------------------------------------------------------------

    def _netns(self, suffix: str) -> str:
        name = f"{self.prefix}-{suffix}"
        netns.add_netns(name)
        self.namespaces.append(name)
        return name

    def create(self) -> NatTopology:
        self._netns("inet")
        netns.ip("link", "add", BRIDGE, "type", "bridge", ns=self.internet)
        netns.ip("link", "set", BRIDGE, "up", ns=self.internet)
        return self

    def _plug(self, ns: str, ifname: str, port: str, address: str) -> None:
        """A veth from ``ns`` (as ``ifname``, with ``address``) to the internet bridge."""
        netns.ip(
            "link", "add", ifname, "netns", ns, "type", "veth",
            "peer", "name", port, "netns", self.internet,
        )  # fmt: skip
        netns.ip("link", "set", port, "master", BRIDGE, "up", ns=self.internet)
        netns.ip("addr", "add", f"{address}/{net.PREFIX_LEN}", "dev", ifname, ns=ns)
        netns.ip("link", "set", ifname, "up", ns=ns)

    def add_public_host(self, index: int) -> PublicHost:
        ns = self._netns(f"p{index}")
        host = PublicHost(index, ns, net.public_host_ip(index))
        self._plug(ns, "eth0", f"p{index}", host.ip)
        self.public[index] = host
        return host

    def add_nat_group(self, index: int, nat_type: str) -> NatGroupNet:
        router = self._netns(f"r{index}")
        inside = self._netns(f"h{index}")
        group = NatGroupNet(
            index, nat_type, router, inside, net.router_ip(index), net.inside_host_ip(index)
        )
        subnet = net.inside_network(index)
        self._plug(router, rules.EXT_IF, f"r{index}", group.ext_ip)
        netns.ip(
            "link", "add", rules.IN_IF, "netns", router, "type", "veth",
            "peer", "name", "eth0", "netns", inside,
        )  # fmt: skip
        netns.ip("addr", "add", f"{net.inside_router_ip(index)}/24", "dev", rules.IN_IF, ns=router)
        netns.ip("link", "set", rules.IN_IF, "up", ns=router)
        netns.ip("addr", "add", f"{group.ip}/24", "dev", "eth0", ns=inside)
        netns.ip("link", "set", "eth0", "up", ns=inside)
        netns.ip("route", "add", "default", "via", net.inside_router_ip(index), ns=inside)
        netns.sysctl(router, "net.ipv4.ip_forward", "1")
        netns.nft_apply(router, rules.render(nat_type, group.ext_ip, group.ip, str(subnet)))
        self.groups[index] = group
        return group

    # -- tearing down ----------------------------------------------------------------------

    def teardown(self) -> float:
        """Kill what runs inside, delete every namespace; idempotent. Returns seconds."""
        started = time.monotonic()
        for name in reversed(self.namespaces):
            netns.kill_netns_processes(name)
        for name in reversed(self.namespaces):
            netns.del_netns(name)
        self.namespaces.clear()
        self.public.clear()
        self.groups.clear()
        return time.monotonic() - started

    def __enter__(self) -> NatTopology:
        try:
            return self.create()
        except BaseException:
            self.teardown()
            raise

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.teardown()
