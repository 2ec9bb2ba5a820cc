"""Where each peer of a plan runs when NAT is emulated, and what its host is told.

- **netns mode**: public peers (bootstrap peers and relays included) run in public host
  namespaces on the emulated internet, up to ``peers_per_host`` per host, each host on
  one address; each NAT group's peers run together in the group's inside namespace,
  behind its router. Peers listen on their host's address with OS-assigned ports; the
  supervisor drives each through a unix socket (the root namespace cannot reach them).
- **fallback mode**: hosts and addresses as without NAT (127.0.0.x); each peer emulates
  its NAT in its transport, its group showing the same external host as in netns mode.

Peers behind NAT advertise a circuit address through relay ``relays[index % len]``.
"""

from __future__ import annotations

import itertools
import math
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from p2pnet_operator.planner import Plan
from p2pnet_peer.nat.emulation import external_host
from p2pnet_testbed.nat import addressing, cleanup
from p2pnet_testbed.nat.topology import NatTopology

if TYPE_CHECKING:
    from p2pnet_testbed.nat.mode import NatMode

PUBLIC = "public"
MAX_RELAY_HOSTS = 8


@dataclass(frozen=True)
class HostPlan:
    name: str
    netns: str | None
    listen_host: str  # "" in fallback mode: each peer keeps its own 127.0.0.x
    peers: tuple[int, ...]


class NatPlacement:
    def __init__(self, plan: Plan, mode: NatMode, prefix: str, peers_per_host: int) -> None:
        self.plan = plan
        self.mode = mode
        self.prefix = prefix
        self.netns = mode.name == "netns"
        self.topology = NatTopology(prefix) if self.netns else None
        groups = sorted({p.nat_group for p in plan.peers if p.nat_group}, key=_group_number)
        self.group_of = {p.index: groups.index(p.nat_group) for p in plan.peers if p.nat_group}
        self.hosts = self._layout(peers_per_host)
        self._host_of = {i: h for h, host in enumerate(self.hosts) for i in host.peers}
        self.sockets: Path | None = None
        self._starts = itertools.count()
        self.setup_s = 0.0
        self.teardown_s = 0.0

    def _layout(self, per_host: int) -> list[HostPlan]:
        """Relays get hosts of their own (up to ``MAX_RELAY_HOSTS``): every relayed byte
        passes through them, and a host is one process on one core. The other public
        peers (the DHT servers) share hosts of ``per_host / 2``: every lookup lands on them."""
        peers = self.plan.peers
        relays = [p.index for p in peers if p.role == "relay"]
        chunks = _chunks(relays, math.ceil(len(relays) / MAX_RELAY_HOSTS)) if relays else []
        if not self.netns:
            others = [p.index for p in peers if p.role != "relay"]
            n = math.ceil(len(others) / per_host)
            chunks += [tuple(others[h::n]) for h in range(n)]
            return [HostPlan(f"host-{h}", None, "", members) for h, members in enumerate(chunks)]
        public = [p.index for p in peers if p.nat == PUBLIC and p.role != "relay"]
        chunks += _chunks(public, max(1, per_host // 2))
        hosts = [
            HostPlan(f"host-p{h}", f"{self.prefix}-p{h}", addressing.public_host_ip(h), members)
            for h, members in enumerate(chunks)
        ]
        for g in sorted(set(self.group_of.values())):
            members = tuple(i for i, group in self.group_of.items() if group == g)
            hosts.append(
                HostPlan(
                    f"host-nat{g}", f"{self.prefix}-h{g}", addressing.inside_host_ip(g), members
                )
            )
        return hosts

    def host_index(self, peer: int) -> int:
        return self._host_of[peer]

    def listen_host(self, peer: int) -> str:
        host = self.hosts[self._host_of[peer]]
        return host.listen_host or f"127.0.0.{2 + peer % 250}"

    # -- the emulated network ------------------------------------------------------------

    def setup(self) -> float:
        """Build the namespaces (netns mode); removes stale setups of killed runs first."""
        started = time.monotonic()
        if self.topology is not None:
            cleanup.clean_stale()
            self.sockets = Path(tempfile.mkdtemp(prefix=f"{self.prefix}-sock-"))
            try:
                self.topology.create()
                for h in range(sum(1 for h in self.hosts if h.name.startswith("host-p"))):
                    self.topology.add_public_host(h)
                for peer, group in sorted(self.group_of.items()):
                    if group not in self.topology.groups:
                        self.topology.add_nat_group(group, self.plan.peers[peer].nat)
            except BaseException:
                self.teardown()
                raise
        self.setup_s = time.monotonic() - started
        return self.setup_s

    def teardown(self) -> float:
        started = time.monotonic()
        if self.topology is not None:
            self.topology.teardown()
        if self.sockets is not None:
            shutil.rmtree(self.sockets, ignore_errors=True)
        self.teardown_s = time.monotonic() - started
        return self.teardown_s

    # -- what hosts are told -------------------------------------------------------------

    def start_fields(self, peer: int, relays: list[str]) -> dict[str, Any]:
        plan = self.plan.peers[peer]
        fields: dict[str, Any] = {"nat_mode": self.mode.name, "relay": plan.role == "relay"}
        if plan.nat != PUBLIC and relays:
            fields["via"] = relays[peer % len(relays)]
        if not self.netns:
            group = self.group_of.get(peer)
            fields["ext_host"] = external_host(group) if group is not None else None
        elif self.sockets is not None:
            fields["control_path"] = str(self.sockets / f"p{peer}-{next(self._starts)}.sock")
            fields["metrics_netns"] = f"/proc/{os.getpid()}/ns/net"  # the supervisor's
            fields["metrics_outside"] = f"127.0.0.{2 + peer % 250}:0"
        return fields

    def same_nat(self, a: int, b: int | None) -> bool:
        return b is not None and a in self.group_of and self.group_of[a] == self.group_of.get(b)


def _chunks(items: list[int], size: int) -> list[tuple[int, ...]]:
    return [tuple(items[i : i + size]) for i in range(0, len(items), size)]


def _group_number(name: str | None) -> int:
    tail = (name or "").rpartition("-")[2]
    return int(tail) if tail.isdigit() else 0
