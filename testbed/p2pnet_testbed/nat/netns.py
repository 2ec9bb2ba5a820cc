"""Thin wrappers over iproute2 and nftables, and the check whether netns mode can run.

Every command names the namespace it acts in (``ip -n NS``, ``ip netns exec NS``): nothing
here configures the root namespace.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
from dataclasses import dataclass

COMMAND_TIMEOUT_S = 30.0


class NetnsError(RuntimeError):
    """An ip / nft command failed; the message has the command and its stderr."""


def run(args: list[str], *, stdin: str | None = None, check: bool = True) -> str:
    try:
        done = subprocess.run(
            args,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise NetnsError(f"{' '.join(args)}: {exc}") from None
    if check and done.returncode != 0:
        raise NetnsError(f"{' '.join(args)}: {done.stderr.strip() or done.returncode}")
    return done.stdout


def ip(*args: str, ns: str | None = None, check: bool = True) -> str:
    return run(["ip", *(["-n", ns] if ns else []), *args], check=check)


def netns_exec(ns: str, *args: str, stdin: str | None = None) -> str:
    return run(["ip", "netns", "exec", ns, *args], stdin=stdin)


def nft_apply(ns: str, ruleset: str) -> None:
    netns_exec(ns, "nft", "-f", "-", stdin=ruleset)


def nft_tables(ns: str) -> list[str]:
    out = netns_exec(ns, "nft", "list", "tables")
    return [line.split()[-1] for line in out.splitlines() if line.startswith("table")]


def sysctl(ns: str, key: str, value: str) -> None:
    """Set a per-namespace sysctl (written through /proc/sys inside the namespace)."""
    path = "/proc/sys/" + key.replace(".", "/")
    netns_exec(ns, "sh", "-c", f"echo {value} > {path}")


def add_netns(name: str) -> None:
    ip("netns", "add", name)
    ip("link", "set", "lo", "up", ns=name)


def list_netns() -> list[str]:
    out = ip("netns", "list", check=False)
    return [line.split()[0] for line in out.splitlines() if line.strip()]


def netns_pids(name: str) -> list[int]:
    out = ip("netns", "pids", name, check=False)
    return [int(p) for p in out.split() if p.isdigit()]


def kill_netns_processes(name: str) -> int:
    """SIGKILL what still runs in a namespace this run created; returns how many."""
    pids = [p for p in netns_pids(name) if p != os.getpid()]
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return len(pids)


def del_netns(name: str) -> None:
    kill_netns_processes(name)
    ip("netns", "del", name, check=False)


@dataclass(frozen=True)
class Availability:
    ok: bool
    reason: str


def availability(probe_name: str) -> Availability:
    """Can this process run netns mode? Root, iproute2, nft, and a namespace + table."""
    if os.geteuid() != 0:
        return Availability(False, "not root (network namespaces need CAP_SYS_ADMIN)")
    for tool in ("ip", "nft"):
        if shutil.which(tool) is None and not os.path.exists(f"/usr/sbin/{tool}"):
            package = "iproute2" if tool == "ip" else "nftables"
            return Availability(False, f"{tool} not found (Debian: apt-get install {package})")
    try:
        add_netns(probe_name)
        try:
            nft_apply(probe_name, "table ip p2pnet_probe { }\n")
        finally:
            del_netns(probe_name)
    except NetnsError as exc:
        return Availability(False, f"cannot create a namespace with an nftables table: {exc}")
    return Availability(True, "root with iproute2 and nftables")


def ensure_sbin_on_path() -> None:
    """Debian keeps ip and nft in /usr/sbin, which a non-login root shell may not list."""
    path = os.environ.get("PATH", "")
    missing = [d for d in ("/usr/sbin", "/sbin") if d not in path.split(os.pathsep)]
    if missing:
        os.environ["PATH"] = os.pathsep.join([path, *missing]) if path else ":".join(missing)
