"""Peer-host processes (:mod:`p2pnet_testbed.local.agent`) seen from the supervisor.

Each host runs in its own session (a terminal's Ctrl-C reaches only the supervisor, which
then stops everything in order) and dies with the supervisor: the kernel sends it SIGKILL
when its parent exits (PR_SET_PDEATHSIG), and it exits by itself when its stdin closes.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import json
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


class HostError(RuntimeError):
    pass


class HostProcess:
    def __init__(
        self,
        name: str,
        log_path: Path,
        on_event: Callable[[HostProcess, dict[str, Any]], None],
        env: dict[str, str] | None = None,
        netns: str | None = None,
    ) -> None:
        self.name = name
        self.env = env or {}  # extra environment, e.g. P2PNET_TRACES_FILE
        self.netns = netns  # run inside this network namespace (NAT emulation)
        self.log_path = log_path
        self._on_event = on_event
        self.proc: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()
        self.exited = asyncio.Event()

    async def start(self, config_json: str, timeout: float = 60.0) -> None:
        log = self.log_path.open("ab")
        try:
            self.proc = await asyncio.create_subprocess_exec(
                *(["ip", "netns", "exec", self.netns] if self.netns else []),
                sys.executable,
                "-m",
                "p2pnet_testbed.local.agent",
                "--config",
                config_json,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=log,
                env={**os.environ, **self.env} if self.env else None,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )
        finally:
            log.close()
        self._reader = asyncio.create_task(self._read())
        try:
            await asyncio.wait_for(self._ready.wait(), timeout)
        except TimeoutError:
            raise HostError(
                f"{self.name} did not start in {timeout:.0f} s: {self.log_tail()}"
            ) from None
        if self.exited.is_set():
            raise HostError(f"{self.name} exited at start: {self.log_tail()}")

    async def _read(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        try:
            while line := await self.proc.stdout.readline():
                try:
                    event = json.loads(line)
                except ValueError:
                    continue
                if event.get("event") == "ready":
                    self._ready.set()
                self._on_event(self, event)
        finally:
            self.exited.set()
            self._ready.set()

    def send(self, **command: Any) -> None:
        if self.proc is None or self.proc.stdin is None or self.exited.is_set():
            raise HostError(f"{self.name} is not running: {self.log_tail()}")
        self.proc.stdin.write((json.dumps(command) + "\n").encode())

    def log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    async def stop(self, grace: float = 10.0) -> None:
        """Ask it to stop its peers and exit; SIGKILL after ``grace`` seconds."""
        if self.proc is None:
            return
        if self.proc.returncode is None:
            with contextlib.suppress(HostError, ConnectionError):
                self.send(op="exit")
                assert self.proc.stdin is not None
                self.proc.stdin.close()
            try:
                await asyncio.wait_for(self.proc.wait(), grace)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    self.proc.kill()
                await self.proc.wait()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)
