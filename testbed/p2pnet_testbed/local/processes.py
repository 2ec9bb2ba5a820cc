"""Start, watch and stop ``p2pnet-peer`` processes on this machine.

Each process hosts one or more peers and reports their IDs and addresses through a ready
file. Nothing is left behind: :class:`PeerProcess` kills its process group on exit, and
:func:`stop_all` escalates SIGTERM to SIGKILL after a grace period.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path


class PeerStartError(RuntimeError):
    """A peer process exited or did not report ready in time; includes its log tail."""


@dataclass
class PeerInfo:
    id: str
    address: str
    metrics_port: int | None


class PeerProcess:
    def __init__(
        self,
        workdir: Path,
        name: str,
        *,
        listen: str = "127.0.0.1:0",
        count: int = 1,
        bootstrap: list[str] | None = None,
        identity_seed: str | None = None,
        preset: str = "local",
        metrics_port: int = 0,
        extra_env: dict[str, str] | None = None,
        own_session: bool = True,
    ) -> None:
        """``own_session``: start it in a session of its own (the default), so a
        terminal's signals do not reach it and, with autogroup on, the kernel schedules it
        as its own group, as a peer on its own host would be; else only in a process group
        of its own, in this process's session (``benchmarks/pair_sessions.py`` compares).
        Either way :meth:`signal` reaches it and its children."""
        self.name = name
        self.workdir = workdir
        self.ready_file = workdir / f"{name}.ready.json"
        self.log_file = workdir / f"{name}.log"
        self.ready_file.unlink(missing_ok=True)
        args = [
            sys.executable,
            "-m",
            "p2pnet_peer.cli",
            "--listen",
            listen,
            "--count",
            str(count),
            "--preset",
            preset,
            "--metrics-port",
            str(metrics_port),
            "--ready-file",
            str(self.ready_file),
        ]
        if bootstrap:
            args += ["--bootstrap", ",".join(bootstrap)]
        if identity_seed:
            args += ["--identity-seed", identity_seed]
        env = {**os.environ, **(extra_env or {})}
        self._log = self.log_file.open("ab")
        self.proc = subprocess.Popen(
            args,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=own_session,
            process_group=None if own_session else 0,
        )
        self.peers: list[PeerInfo] = []

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def wait_ready(self, timeout: float = 60.0, joined: bool = False) -> list[PeerInfo]:
        """Block until the ready file lists the peers (and, if ``joined``, they joined)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise PeerStartError(
                    f"{self.name} exited with code {self.proc.returncode}:\n{self.log_tail()}"
                )
            with contextlib.suppress(OSError, ValueError):
                body = json.loads(self.ready_file.read_text())
                if not joined or body.get("joined"):
                    self.peers = [
                        PeerInfo(p["id"], p["address"], p.get("metrics_port"))
                        for p in body["peers"]
                    ]
                    return self.peers
            time.sleep(0.05)
        raise PeerStartError(f"{self.name} not ready after {timeout:.0f} s:\n{self.log_tail()}")

    def signal(self, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, sig)

    def kill(self) -> None:
        """Crash it: SIGKILL, no goodbye (what churn does)."""
        self.signal(signal.SIGKILL)
        self.proc.wait()
        self._log.close()

    def stop(self, grace: float = 5.0) -> int:
        """SIGTERM, then SIGKILL after ``grace`` seconds. Returns the exit code."""
        if self.proc.poll() is None:
            self.signal(signal.SIGTERM)
            try:
                self.proc.wait(grace)
            except subprocess.TimeoutExpired:
                self.signal(signal.SIGKILL)
                self.proc.wait()
        self._log.close()
        return self.proc.returncode


def stop_all(processes: list[PeerProcess], grace: float = 5.0) -> None:
    for p in processes:
        if p.alive():
            p.signal(signal.SIGTERM)
    deadline = time.monotonic() + grace
    for p in processes:
        with contextlib.suppress(subprocess.TimeoutExpired):
            p.proc.wait(max(0.0, deadline - time.monotonic()))
        p.stop(grace=0.0)
