"""Which NAT emulation a run gets, and why: it is printed and recorded (run_start).

- "none": no peer is behind NAT;
- "netns": real address translation in network namespaces (root, iproute2, nftables);
- "fallback": reachability filtering in the transport, when netns mode cannot run.

``P2PNET_NAT_MODE=fallback`` forces the fallback (CI exercises both paths as root);
``P2PNET_NAT_MODE=netns`` makes a missing capability an error instead of a fallback.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

from p2pnet_operator.planner import Plan
from p2pnet_testbed.nat import cleanup, netns
from p2pnet_testbed.nat.placement import NatPlacement

FORCE_ENV = "P2PNET_NAT_MODE"


class NatModeError(RuntimeError):
    pass


@dataclass(frozen=True)
class NatMode:
    name: str
    reason: str
    error: bool = False  # the mode asked for cannot run: the run must not start

    def banner(self) -> str:
        if self.name == "netns":
            return (
                f"NAT: netns mode (real address translation in network namespaces: {self.reason})"
            )
        if self.name == "fallback":
            return (
                f"NAT: FALLBACK mode, reachability filtering in the transport only, no real "
                f"address translation ({self.reason})"
            )
        return f"NAT: none ({self.reason})"


def choose_mode(plan: Plan, prefix: str) -> NatMode:
    if all(p.nat == "public" for p in plan.peers):
        return NatMode("none", "no peer is behind NAT")
    forced = os.environ.get(FORCE_ENV, "").strip().lower()
    if forced == "fallback":
        return NatMode("fallback", f"forced by {FORCE_ENV}=fallback")
    netns.ensure_sbin_on_path()
    available = netns.availability(f"{prefix}-probe")
    if available.ok:
        return NatMode("netns", available.reason)
    if forced == "netns":
        raise NatModeError(f"{FORCE_ENV}=netns, but netns mode cannot run: {available.reason}")
    return NatMode("fallback", available.reason)


def prepare_nat(plan: Plan, peers_per_host: int) -> tuple[NatMode, NatPlacement | None]:
    """Choose the mode, say it loudly (stderr), and place the peers for it."""
    prefix = cleanup.run_prefix()
    try:
        mode = choose_mode(plan, prefix)
    except NatModeError as exc:
        return NatMode("netns", str(exc), error=True), None
    if mode.name != "none":
        print(f"p2pnet: {mode.banner()}", file=sys.stderr, flush=True)
        return mode, NatPlacement(plan, mode, prefix, peers_per_host)
    return mode, None
