"""``p2pnet load RUN_DIR``: Locust headless against a running local network.

Locust runs as a subprocess (gevent monkey-patches everything it imports; the testbed is
asyncio), with this package's locustfile and the run directory as its ``--host``. Its CSV
and HTML go to ``RUN_DIR/load/``, and its final stats to ``locust.json``
(:func:`read_stats`).
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from p2pnet_testbed.load import locustfile_path
from p2pnet_testbed.load.targets import NoTargets, from_run_dir

OUT_DIR = "load"
PREFIX = "locust"


@dataclass
class MethodStats:
    name: str
    requests: int
    failures: int
    rps: float
    ms_p50: float
    ms_p99: float


@dataclass
class LoadResult:
    returncode: int
    stats: dict[str, MethodStats]  # by method name, plus "Aggregated"
    failures: int  # every failure, result checks included
    csv_prefix: Path
    html: Path


def _percentile(histogram: dict[float, int], q: float) -> float:
    """Nearest-rank percentile of Locust's response-time histogram (ms -> count)."""
    total = sum(histogram.values())
    if total == 0:
        return float("nan")
    rank, seen = max(1, math.ceil(q * total)), 0
    for ms in sorted(histogram):
        seen += histogram[ms]
        if seen >= rank:
            return ms
    return max(histogram)


def _stats(name: str, entries: list[dict[str, Any]]) -> MethodStats:
    histogram: dict[float, int] = defaultdict(int)
    for e in entries:
        for ms, count in e["response_times"].items():
            histogram[float(ms)] += int(count)
    requests = sum(int(e["num_requests"]) for e in entries)
    start = min(float(e["start_time"]) for e in entries)
    end = max(float(e["last_request_timestamp"] or start) for e in entries)
    return MethodStats(
        name,
        requests,
        sum(int(e["num_failures"]) for e in entries),
        requests / (end - start) if end > start else float("nan"),
        _percentile(histogram, 0.5),
        _percentile(histogram, 0.99),
    )


def read_stats(json_prefix: Path) -> dict[str, MethodStats]:
    """Locust's final stats (``--json-file``): gRPC calls by method, and "Aggregated".

    The JSON file, unlike the CSV (rewritten every second), holds the very last counts."""
    entries = json.loads((json_prefix.parent / f"{json_prefix.name}.json").read_text())
    grpc_calls = [e for e in entries if e["method"] == "grpc"]
    out = {e["name"]: _stats(e["name"], [e]) for e in grpc_calls}
    if grpc_calls:
        out["Aggregated"] = _stats("Aggregated", grpc_calls)
    return out


def failures(json_prefix: Path) -> int:
    """Every failure Locust recorded, result checks ("check") included."""
    entries = json.loads((json_prefix.parent / f"{json_prefix.name}.json").read_text())
    return sum(int(e["num_failures"]) for e in entries)


def run_load(
    run_dir: Path,
    *,
    users: int,
    rate: float,
    duration_s: float,
    processes: int = 1,
    weights: str = "",
    timeout_s: float | None = None,
) -> LoadResult:
    from_run_dir(run_dir, timeout=30)  # fail early, with a clear message, if nothing runs
    out = run_dir / OUT_DIR
    out.mkdir(parents=True, exist_ok=True)
    prefix, html = out / PREFIX, out / f"{PREFIX}.html"
    env = {
        **os.environ,
        "P2PNET_LOAD_RATE": str(rate),
        "P2PNET_LOAD_USERS": str(users),
        **({"P2PNET_LOAD_WEIGHTS": weights} if weights else {}),
    }
    args = [
        sys.executable, "-m", "locust",
        "-f", str(locustfile_path()),
        "--headless", "--only-summary",
        "--users", str(users), "--spawn-rate", str(users),
        "--run-time", f"{max(1, round(duration_s))}s",
        "--stop-timeout", "30",
        "--host", str(run_dir.resolve()),
        "--csv", str(prefix), "--html", str(html), "--json-file", str(prefix),
        "--exit-code-on-error", "0",
    ]  # fmt: skip
    if processes > 1:
        args += ["--processes", str(processes)]
    with (out / "locust.log").open("ab") as log:
        proc = subprocess.run(
            args, stdout=log, stderr=subprocess.STDOUT, env=env, check=False,
            timeout=timeout_s or duration_s + 180,
        )  # fmt: skip
    if not (out / f"{PREFIX}.json").exists():
        raise NoTargets(f"locust wrote no stats; see {out / 'locust.log'}")
    return LoadResult(proc.returncode, read_stats(prefix), failures(prefix), prefix, html)
