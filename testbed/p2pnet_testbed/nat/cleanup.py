"""Remove what a killed run left behind: namespaces (with their veths, nftables tables and
any process still inside) and socket directories named ``<base>-<pid>-...`` whose
supervisor ``pid`` is gone. Setups of live runs are never touched."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

from p2pnet_testbed.nat import netns, rules

BASE = "p2pnet"


def run_prefix(base: str = BASE, pid: int | None = None) -> str:
    return f"{base}-{os.getpid() if pid is None else pid}"


def owner_pid(name: str, base: str = BASE) -> int | None:
    head = f"{base}-"
    if not name.startswith(head):
        return None
    pid = name[len(head) :].split("-", 1)[0]
    return int(pid) if pid.isdigit() else None


def _alive(pid: int) -> bool:
    return Path(f"/proc/{pid}").exists()


def stale_namespaces(base: str = BASE) -> list[str]:
    return [
        name
        for name in netns.list_netns()
        if (pid := owner_pid(name, base)) is not None and not _alive(pid)
    ]


def stale_socket_dirs(base: str = BASE) -> list[Path]:
    root = Path(tempfile.gettempdir())
    return [
        p
        for p in root.glob(f"{base}-*")
        if p.is_dir() and (pid := owner_pid(p.name, base)) is not None and not _alive(pid)
    ]


def clean_stale(base: str = BASE) -> list[str]:
    """Delete stale namespaces (killing what runs inside) and socket dirs; returns names."""
    removed = []
    names = stale_namespaces(base)
    for name in names:
        netns.kill_netns_processes(name)
    for name in sorted(names, reverse=True):
        netns.del_netns(name)
        removed.append(name)
    for path in stale_socket_dirs(base):
        shutil.rmtree(path, ignore_errors=True)
        removed.append(str(path))
    return removed


def leftovers(prefix: str) -> list[str]:
    """What is left of a setup named ``prefix`` (a test asserts this is empty): its
    namespaces, and (never expected: nothing is created there) veths or an nftables table
    of ours in the root namespace."""
    left = [n for n in netns.list_netns() if n == prefix or n.startswith(prefix + "-")]
    links = netns.ip("-o", "link", "show", check=False)
    left += [
        line.split(":")[1].strip()
        for line in links.splitlines()
        if re.match(r"^\d+: (r\d+|p\d+|ext|in)@", line)
    ]
    tables = netns.run(["nft", "list", "tables"], check=False)
    left += [line for line in tables.splitlines() if line.strip().endswith(rules.TABLE)]
    return left
