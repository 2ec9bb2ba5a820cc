"""A local Prometheus (Debian's ``prometheus`` package) scraping every peer of a run.

It discovers the peers through the run's ``targets.json`` (file_sd, re-read as churn
changes it), also scrapes the supervisor's own metrics (:mod:`p2pnet_testbed.metrics`: the
target size and churn events), and keeps its data in ``<run>/prometheus/data`` so the run
can be inspected after it ended (``p2pnet observe RUN_DIR``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import socket
import urllib.request
from pathlib import Path

import yaml

from p2pnet_peer.metrics_http import bound_port, start_metrics_server
from p2pnet_testbed.metrics import TestbedMetrics

SCRAPE_INTERVAL = "2s"


class PrometheusUnavailable(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def config(targets_file: Path, network: str, testbed: str | None = None) -> dict[str, object]:
    jobs: list[dict[str, object]] = []
    if testbed is not None:
        jobs.append(
            {
                "job_name": "p2pnet-testbed",
                "static_configs": [{"targets": [testbed], "labels": {"network": network}}],
            }
        )
    return {
        "global": {"scrape_interval": SCRAPE_INTERVAL, "evaluation_interval": SCRAPE_INTERVAL},
        "scrape_configs": [
            {
                "job_name": "p2pnet-peer",
                "file_sd_configs": [{"files": [str(targets_file)], "refresh_interval": "2s"}],
                "relabel_configs": [
                    {"target_label": "network", "replacement": network},
                ],
            },
            *jobs,
        ],
    }


class LocalPrometheus:
    def __init__(self, run_dir: Path, network: str, target_peers: int = 0) -> None:
        self.dir = run_dir / "prometheus"
        self.network = network
        self.port = 0
        self.proc: asyncio.subprocess.Process | None = None
        self.metrics = TestbedMetrics(target_peers)
        self._metrics_server: asyncio.Server | None = None

    def consume(self, event: dict[str, object]) -> None:
        """An event-log listener: counts churn events into the testbed's metrics."""
        if event.get("type") == "churn":
            self.metrics.churn_events.labels(str(event["action"])).inc()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self, timeout: float = 60.0) -> str:
        binary = shutil.which("prometheus")
        if binary is None:
            raise PrometheusUnavailable(
                "--prometheus needs the prometheus binary (Debian: apt-get install prometheus)"
            )
        self.dir.mkdir(parents=True, exist_ok=True)
        cfg = self.dir / "prometheus.yml"
        self._metrics_server = await start_metrics_server(self.metrics.registry, "127.0.0.1", 0)
        testbed = f"127.0.0.1:{bound_port(self._metrics_server)}"
        targets = self.dir.parent / "targets.json"
        cfg.write_text(yaml.safe_dump(config(targets, self.network, testbed)))
        self.port = free_port()
        log = (self.dir / "prometheus.log").open("ab")
        try:
            self.proc = await asyncio.create_subprocess_exec(
                binary,
                f"--config.file={cfg}",
                f"--storage.tsdb.path={self.dir / 'data'}",
                f"--web.listen-address=127.0.0.1:{self.port}",
                "--web.enable-lifecycle",
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        finally:
            log.close()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            if self.proc.returncode is not None:
                raise PrometheusUnavailable(f"prometheus exited; see {self.dir / 'prometheus.log'}")
            with contextlib.suppress(OSError):
                ready = await asyncio.to_thread(self._get, "/-/ready")
                if ready:
                    return self.url
            await asyncio.sleep(0.3)
        raise PrometheusUnavailable(f"prometheus not ready after {timeout:.0f} s")

    def _get(self, path: str) -> bool:
        with urllib.request.urlopen(self.url + path, timeout=2) as response:
            return bool(response.status == 200)

    def _scraped_peers(self) -> int:
        """Peer targets that Prometheus has scraped successfully at least once."""
        with urllib.request.urlopen(self.url + "/api/v1/targets?state=active", timeout=2) as r:
            active = json.load(r)["data"]["activeTargets"]
        return sum(
            1
            for t in active
            if t.get("labels", {}).get("job") == "p2pnet-peer" and t.get("health") == "up"
        )

    async def wait_scraped(self, peers: int, timeout: float = 30.0) -> int:
        """Wait until every one of ``peers`` live peers has been scraped once.

        The workload starts only then: a counter's first increase is invisible to
        ``rate()`` unless a sample from before it exists, so without this wait what
        happens in a run's first seconds (a fast download, the first lookups) would be
        missing from every dashboard. Returns how many were scraped when it stopped
        waiting (fewer than ``peers`` only after ``timeout``)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        scraped = 0
        while True:
            with contextlib.suppress(OSError, ValueError, KeyError):
                scraped = await asyncio.to_thread(self._scraped_peers)
            if scraped >= peers or loop.time() >= deadline:
                return scraped
            await asyncio.sleep(0.5)

    async def stop(self) -> None:
        if self._metrics_server is not None:
            self._metrics_server.close()
            self._metrics_server = None
        if self.proc is None or self.proc.returncode is not None:
            return
        self.proc.terminate()
        try:
            await asyncio.wait_for(self.proc.wait(), 15)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()
