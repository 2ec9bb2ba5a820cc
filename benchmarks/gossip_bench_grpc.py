"""The grpc backend of gossip_convergence.py: p2pnet-peer processes on loopback."""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import grpc

from p2pnet.v1 import control_pb2, control_pb2_grpc, membership_pb2
from p2pnet_peer.peer import PeerConfig
from p2pnet_testbed.local.processes import PeerInfo, PeerProcess, stop_all

GONE = (membership_pb2.MEMBER_STATE_DEAD, membership_pb2.MEMBER_STATE_LEFT)
RPC_TIMEOUT = 30.0  # generous: a busy 2-core machine


def wait_until(check: Callable[[], bool], limit: float, step: float = 0.2) -> float | None:
    """Poll ``check`` (an RPC failing counts as not yet) until true; the time, or None."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            if check():
                return time.monotonic()
        except grpc.RpcError:
            pass
        time.sleep(step)
    return None


def scrape(peers: list[PeerInfo], kind: str) -> float:
    """Sum over the peers' /metrics of p2pnet_gossip_messages_total{type=kind}, or of the
    series named ``kind`` if it starts with p2pnet_."""
    series = (
        kind if kind.startswith("p2pnet_") else f'p2pnet_gossip_messages_total{{type="{kind}"}}'
    )
    pattern = re.compile(rf"^{re.escape(series)} (\S+)$", re.M)
    total = 0.0
    for p in peers:
        with urllib.request.urlopen(
            f"http://127.0.0.1:{p.metrics_port}/metrics", timeout=RPC_TIMEOUT
        ) as r:
            found = pattern.search(r.read().decode())
        total += float(found.group(1)) if found else 0.0
    return total


def cpu_seconds(procs: list[PeerProcess]) -> float:
    """User + system CPU seconds the processes have used so far (Linux /proc)."""
    ticks = 0
    for p in procs:
        fields = Path(f"/proc/{p.pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def start(args: argparse.Namespace, workdir: Path) -> tuple[list[PeerProcess], list[PeerProcess]]:
    """A seed, one single-peer process per crash victim, the rest --per-process each."""
    seed = PeerProcess(workdir, "seed", preset=args.preset)
    procs = [seed]
    seed_addr = seed.wait_ready(timeout=120)[0].address
    victims = [
        PeerProcess(workdir, f"victim{i}", bootstrap=[seed_addr], preset=args.preset)
        for i in range(args.crashes)
    ]
    procs += victims
    remaining, i = args.peers - 1 - args.crashes, 0
    while remaining > 0:
        n = min(args.per_process, remaining)
        procs.append(
            PeerProcess(workdir, f"p{i}", count=n, bootstrap=[seed_addr], preset=args.preset)
        )
        remaining, i = remaining - n, i + 1
    for p in procs:
        p.wait_ready(timeout=300, joined=True)
    return procs, victims


def run_grpc(args: argparse.Namespace) -> dict[str, Any]:
    config = PeerConfig.lan() if args.preset == "lan" else PeerConfig.local()
    interval = config.swim.probe_interval
    rng = random.Random(args.seed)
    workdir = Path(tempfile.mkdtemp(prefix="p2pnet-gossip-"))
    procs: list[PeerProcess] = []
    out: dict[str, Any] = {}
    try:
        procs, victims = start(args, workdir)
        began = time.monotonic()
        peers = [info for p in procs for info in p.peers]
        stubs = {
            p.address: control_pb2_grpc.ControlStub(grpc.insecure_channel(p.address)) for p in peers
        }

        def status(p: PeerInfo) -> Any:
            return stubs[p.address].Status(control_pb2.StatusRequest(), timeout=RPC_TIMEOUT)

        full = args.peers - 1
        done = wait_until(lambda: all(status(p).members_alive == full for p in peers), 300)
        out["converged_periods"] = None if done is None else round((done - began) / interval, 1)
        _log(f"{len(peers)} peers in {len(procs)} processes, members converged", began)

        if args.measure_cpu:
            time.sleep(5 * interval)
            pings_before, cpu_before, t = scrape(peers, "ping"), cpu_seconds(procs), time.time()
            time.sleep(args.cpu_window)
            cpu, wall = cpu_seconds(procs) - cpu_before, time.time() - t
            pings = scrape(peers, "ping") - pings_before
            out["cpu_percent_of_one_core"] = round(100 * cpu / wall, 1)
            out["cpu_percent_of_machine"] = round(100 * cpu / wall / (os.cpu_count() or 1), 1)
            out["cpu_probes_per_peer_per_s"] = round(pings / wall / len(peers), 2)
            _log(f"CPU sampled for {wall:.0f} s", began)

        copies_before = scrape(peers, "rumour")
        ids = []
        for i in range(args.rumours):
            payload = f"rumour {i} ".encode().ljust(args.payload_bytes, b".")
            origin = rng.choice(peers)
            ids.append(
                stubs[origin.address]
                .Broadcast(control_pb2.BroadcastRequest(payload=payload), timeout=RPC_TIMEOUT)
                .rumour_id
            )
            time.sleep(args.gap * interval)

        def learned() -> dict[str, dict[bytes, int]]:
            request = control_pb2.RumoursRequest(ids=ids)
            return {
                p.address: {
                    r.id: r.rounds
                    for r in stubs[p.address].Rumours(request, timeout=RPC_TIMEOUT).rumours
                }
                for p in peers
            }

        wait_until(lambda: all(len(k) == len(ids) for k in learned().values()), 60 * interval, 1)
        time.sleep(5 * interval)  # transmit limits run out: count every copy
        known = learned()
        out["rounds"] = [max(k[i] for k in known.values() if i in k) for i in ids]
        out["informed"] = [sum(i in k for k in known.values()) / len(peers) for i in ids]
        out["rumour_copies"] = scrape(peers, "rumour") - copies_before
        _log(f"{args.rumours} rumours spread", began)
        out.update(crash(args, victims, peers, stubs, interval, config))
        _log(f"{args.crashes} crashes detected", began)
        return out
    finally:
        stop_all(procs)


def crash(
    args: argparse.Namespace,
    victims: list[PeerProcess],
    peers: list[PeerInfo],
    stubs: dict[str, Any],
    interval: float,
    config: PeerConfig,
) -> dict[str, Any]:
    live = list(peers)
    detection, everywhere = [], []
    false_dead: set[bytes] = set()
    for victim in victims:
        gone = victim.peers[0]
        victim.kill()
        crashed_at = time.monotonic()
        live = [p for p in live if p.address != gone.address]
        live_ids = {bytes.fromhex(p.id) for p in live}
        victim_id = bytes.fromhex(gone.id)
        limit = config.swim.suspicion_max_timeout(args.peers) + 30 * interval
        first = None
        while time.monotonic() < crashed_at + limit:
            try:
                views = [_members(stubs[p.address]) for p in live]
            except grpc.RpcError:
                continue
            now = time.monotonic()
            false_dead.update(i for v in views for i, s in v.items() if i in live_ids and s in GONE)
            seen = [v.get(victim_id) for v in views]
            if first is None and any(s is not None and s != 1 for s in seen):
                first = now
            if all(s is None or s in GONE for s in seen):
                everywhere.append((now - crashed_at) / interval)
                break
            time.sleep(0.1)
        if first is not None:
            detection.append((first - crashed_at) / interval)
    return {
        "detection_periods": detection,
        "dead_everywhere_periods": everywhere,
        "false_dead": len(false_dead),
        "false_suspicions": scrape(live, "p2pnet_membership_false_suspicions_total"),
    }


def _members(stub: Any) -> dict[bytes, int]:
    response = stub.Members(control_pb2.MembersRequest(), timeout=RPC_TIMEOUT)
    return {m.member.id: m.state for m in response.members}


def _log(what: str, began: float) -> None:
    print(f"{what} ({time.monotonic() - began:.0f} s)", file=sys.stderr)
