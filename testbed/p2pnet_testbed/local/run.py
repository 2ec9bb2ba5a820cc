"""``p2pnet run`` on the local backend: plan -> peer hosts -> workload + churn -> report.

The run directory gets, as the run goes: spec.yaml, plan.json, events.jsonl (every
operation and churn event, flushed as it happens), targets.json (Prometheus file_sd), the
hosts' logs, and at the end (also after Ctrl-C or a failure) report.json, the plots and
report.html.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import time
from collections.abc import Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from p2pnet_operator.planner import Plan
from p2pnet_operator.render.peer_config import peer_config_json
from p2pnet_operator.spec import NetworkSpec
from p2pnet_testbed.events import EventLog
from p2pnet_testbed.live_stats import LiveStats
from p2pnet_testbed.local.network import LocalNetwork, RunError
from p2pnet_testbed.local.prometheus import LocalPrometheus, PrometheusUnavailable
from p2pnet_testbed.nat.mode import prepare_nat
from p2pnet_testbed.nat.netns import NetnsError
from p2pnet_testbed.progress import show_progress
from p2pnet_testbed.workload import Workload

SAMPLE_EVERY_S = 1.0


def trace_env(run_dir: Path) -> dict[str, str]:
    """Host environment for ``--traces``: each host appends its spans to
    ``traces/host-<pid>.jsonl`` (besides any OTLP export the user's OTEL_* ask for)."""
    env = {"P2PNET_TRACES_FILE": str(run_dir.resolve() / "traces" / "host-{pid}.jsonl")}
    listed = os.environ.get("OTEL_TRACES_EXPORTER", "")
    if listed and "jsonl" not in listed:
        env["OTEL_TRACES_EXPORTER"] = f"{listed},jsonl"
    return env


@dataclass
class RunOutcome:
    run_dir: Path
    complete: bool
    reason: str


async def _apply_churn(plan: Plan, network: LocalNetwork, log: EventLog, start: float) -> None:
    for event in plan.events:
        await asyncio.sleep(max(0.0, start + event.time_s - time.monotonic()))
        if event.action == "leave":
            network.leave(event.peer)
        else:
            network.join(event.peer, event.generation)
        log.write(
            "churn",
            action=event.action,
            peer=event.peer,
            generation=event.generation,
            planned_t=event.time_s,
        )


async def _sample(network: LocalNetwork, log: EventLog, name: str) -> None:
    while True:
        log.write("sample", up=len(network.live()))
        network.write_targets(name)
        await asyncio.sleep(SAMPLE_EVERY_S)


async def run_local(
    network_spec: NetworkSpec,
    plan: Plan,
    run_dir: Path,
    *,
    show: bool = True,
    peers_per_host: int = 16,
    prometheus: bool = False,
    traces: bool = False,
) -> RunOutcome:
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "spec.yaml").write_text(yaml.safe_dump(network_spec.to_dict(), sort_keys=False))
    (run_dir / "plan.json").write_text(json.dumps(plan.to_dict()))
    t0 = time.monotonic()
    log = EventLog(run_dir, lambda: time.monotonic() - t0)
    spec = network_spec.spec
    stats = LiveStats(len(plan.peers), len(plan.events), plan.duration_s)
    log.listeners.append(stats.consume)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    nat_mode, placement = prepare_nat(plan, peers_per_host)
    network = LocalNetwork(
        plan,
        run_dir,
        peer_config_json(spec),
        peers_per_host=peers_per_host,
        emit=log.write,
        host_env=trace_env(run_dir) if traces else None,
        nat=placement,
    )
    log.write(
        "run_start",
        backend="local",
        peers=len(plan.peers),
        duration_s=plan.duration_s,
        wall=time.time(),
        nat_mode=nat_mode.name,
        nat_reason=nat_mode.reason,
    )
    complete, reason = False, "interrupted"
    scraper = LocalPrometheus(run_dir, network_spec.name, len(plan.peers)) if prometheus else None
    if scraper is not None:
        log.listeners.append(scraper.consume)  # churn events -> p2pnet_churn_events_total
    try:
        if nat_mode.error:
            raise RunError(nat_mode.reason)
        if placement is not None:
            seconds = await asyncio.to_thread(placement.setup)
            log.write(
                "nat_setup", mode=nat_mode.name, prefix=placement.prefix, seconds=round(seconds, 3)
            )
        if scraper is not None:
            network.write_targets(network_spec.name)
            log.write("prometheus", url=await scraper.start())
        async with asyncio.TaskGroup() as group:
            tasks: list[asyncio.Task[object]] = []

            def spawn(coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
                tasks.append(group.create_task(coro))
                return tasks[-1]

            if show:
                spawn(show_progress(network_spec.name, stats))
            spawn(_sample(network, log, network_spec.name))
            starting = spawn(network.start())
            stopping = spawn(stop.wait())
            await asyncio.wait({starting, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if starting.done():
                starting.result()
                if scraper is not None:
                    targets = len(network.targets(network_spec.name))
                    scraped = await scraper.wait_scraped(targets)
                    log.write("prometheus_scraping", targets=targets, scraped=scraped)
                begin = time.monotonic()
                log.write("network_ready", up=len(network.live()))
                spawn(_apply_churn(plan, network, log, begin))
                workload = Workload(
                    network,
                    log,
                    lookups_per_s=spec.workload.lookups_per_second,
                    puts_per_s=spec.workload.puts_per_second,
                    seed=plan.seed,
                    rumours_per_min=spec.workload.rumours_per_minute,
                    files=plan.files,
                    run_dir=run_dir,
                )
                spawn(workload.run())
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stopping, plan.duration_s)
                if not stop.is_set():
                    complete, reason = True, "finished"
            for task in tasks:
                task.cancel()
    except* (RunError, PrometheusUnavailable, NetnsError) as group_error:
        reason = str(group_error.exceptions[0])
        log.write("error", reason=reason)
    finally:
        if scraper is not None:
            await scraper.stop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        await network.stop()
        if placement is not None:
            seconds = await asyncio.to_thread(placement.teardown)
            log.write("nat_teardown", mode=nat_mode.name, seconds=round(seconds, 3))
        log.write("run_end", complete=complete, reason=reason, wall=time.time())
        log.close()
    return RunOutcome(run_dir, complete, reason)
