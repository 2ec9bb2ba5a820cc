"""Where Locust's users send their calls: the peers' gRPC addresses.

``host`` (Locust's ``--host``) is either a local run directory (its ``peers.json``, which
``p2pnet run`` keeps current) or ``name:port`` of a Kubernetes headless Service, whose DNS
name resolves to every ready peer pod (``dns:///`` in front is accepted).
"""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

PEERS_FILE = "peers.json"


class NoTargets(RuntimeError):
    pass


def from_run_dir(run_dir: Path, timeout: float = 60.0) -> list[str]:
    deadline = time.monotonic() + timeout
    while True:
        try:
            peers = json.loads((run_dir / PEERS_FILE).read_text())
            if peers:
                return [str(p["address"]) for p in peers]
        except (OSError, ValueError):
            pass
        if time.monotonic() > deadline:
            raise NoTargets(f"{run_dir / PEERS_FILE}: no joined peers (is the run going?)")
        time.sleep(0.5)


def from_service(name: str) -> list[str]:
    host, sep, port = name.removeprefix("dns:///").rpartition(":")
    if not sep or not port.isdigit():
        raise NoTargets(f"expected a run directory or <headless service>:<port>, got {name!r}")
    try:
        infos = socket.getaddrinfo(host, int(port), type=socket.SOCK_STREAM)
    except OSError as exc:
        raise NoTargets(f"cannot resolve {host}: {exc}") from None
    addresses = sorted({str(info[4][0]) for info in infos})
    return [f"[{a}]:{port}" if ":" in a else f"{a}:{port}" for a in addresses]


def resolve(host: str) -> list[str]:
    path = Path(host)
    return from_run_dir(path) if path.is_dir() else from_service(host)
