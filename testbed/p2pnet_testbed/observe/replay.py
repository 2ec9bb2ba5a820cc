"""A Prometheus (Debian's ``prometheus``) serving a finished run's TSDB for queries only.

It scrapes nothing; retention is long so an old run's blocks are never deleted on start.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any

from p2pnet_testbed.local.prometheus import free_port


class ReplayError(RuntimeError):
    pass


class PrometheusApi:
    """The HTTP API of a Prometheus at ``url``."""

    def __init__(self, url: str) -> None:
        self.url = url

    def get(self, path: str, **params: Any) -> Any:
        query = urllib.parse.urlencode(params)
        try:
            with urllib.request.urlopen(f"{self.url}{path}?{query}", timeout=30) as response:
                body = json.loads(response.read())
        except urllib.error.HTTPError as exc:
            body = json.loads(exc.read() or b"{}")
            raise ReplayError(f"{path}: {body.get('error', exc)}") from None
        if body.get("status") != "success":
            raise ReplayError(f"{path}: {body.get('error', body)}")
        return body["data"]

    def query_range(self, expr: str, start: float, end: float, step: float) -> list[Any]:
        data = self.get("/api/v1/query_range", query=expr, start=start, end=end, step=step)
        return list(data["result"])

    def ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/-/ready", timeout=2) as response:
                return bool(response.status == 200)
        except OSError:
            return False


class ReplayPrometheus:
    def __init__(self, data_dir: Path, work_dir: Path) -> None:
        self.data_dir = data_dir
        self.work_dir = work_dir
        self.proc: subprocess.Popen[bytes] | None = None
        self.api = PrometheusApi("")

    def __enter__(self) -> PrometheusApi:
        binary = shutil.which("prometheus")
        if binary is None:
            raise ReplayError("needs the prometheus binary (Debian: apt-get install prometheus)")
        if not self.data_dir.is_dir():
            raise ReplayError(f"no Prometheus data in {self.data_dir} (run with --prometheus)")
        self.work_dir.mkdir(parents=True, exist_ok=True)
        config = self.work_dir / "replay.yml"
        config.write_text("global:\n  evaluation_interval: 1h\n")
        port = free_port()
        self.api = PrometheusApi(f"http://127.0.0.1:{port}")
        with (self.work_dir / "replay.log").open("ab") as log:
            self.proc = subprocess.Popen(
                [
                    binary,
                    f"--config.file={config}",
                    f"--storage.tsdb.path={self.data_dir}",
                    "--storage.tsdb.retention.time=100y",
                    f"--web.listen-address=127.0.0.1:{port}",
                ],
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        deadline = time.monotonic() + 120
        while not self.api.ready():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self._stop()
                raise ReplayError(f"prometheus did not start; see {self.work_dir / 'replay.log'}")
            time.sleep(0.2)
        return self.api

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop()

    def _stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                self.proc.kill()
            self.proc.wait()
