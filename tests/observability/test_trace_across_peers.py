"""A lookup through 9 real gRPC peers (3 ``p2pnet-peer`` processes) is one trace whose
spans come from at least 3 peers, every parent link intact; background traffic (SWIM
probes, refreshes) records nothing. Tracing is configured the way users do it: by
environment (``P2PNET_TRACES_FILE`` -> the JSON-lines exporter)."""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest

from p2pnet.v1 import control_pb2, control_pb2_grpc
from p2pnet_testbed.local.processes import PeerProcess, stop_all
from p2pnet_testbed.report.trace_waterfall import LOOKUP, root_of, tree_order

PEER = "p2pnet.peer"


@pytest.fixture
def traced_network(tmp_path: Path) -> Iterator[tuple[list[str], Path]]:
    traces = tmp_path / "traces"
    env = {
        "P2PNET_TRACES_FILE": str(traces / "host-{pid}.jsonl"),
        "OTEL_BSP_SCHEDULE_DELAY": "100",  # export within 0.1 s of a span ending
    }
    procs: list[PeerProcess] = []
    try:
        seed = PeerProcess(tmp_path, "seed", metrics_port=-1, extra_env=env)
        procs.append(seed)
        seed_address = seed.wait_ready(timeout=120)[0].address
        for i in range(2):
            procs.append(
                PeerProcess(
                    tmp_path, f"host-{i}", count=4, bootstrap=[seed_address], metrics_port=-1,
                    extra_env=env,
                )
            )  # fmt: skip
        for p in procs:
            p.wait_ready(timeout=180, joined=True)
        yield [peer.address for p in procs for peer in p.peers], traces
    finally:
        stop_all(procs)


def settled(traces: Path, root_name: str, timeout: float = 60) -> list[dict[str, Any]]:
    """The spans once the root is written and nothing more arrives (each process exports
    on its own schedule: the root can be written before its callees' spans)."""
    deadline = time.monotonic() + timeout
    spans: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        previous, spans = len(spans), read(traces)
        if any(s["name"] == root_name for s in spans) and len(spans) == previous:
            return spans
        time.sleep(0.5)
    return spans


def read(traces: Path) -> list[dict[str, Any]]:
    spans = []
    for path in traces.glob("*.jsonl"):
        for line in path.read_text().splitlines():
            with contextlib.suppress(ValueError):  # a line being written
                spans.append(json.loads(line))
    return spans


@pytest.mark.slow
def test_one_lookup_is_one_trace_across_peers(traced_network: tuple[list[str], Path]) -> None:
    addresses, traces = traced_network
    assert len(addresses) == 9
    time.sleep(3)  # let background traffic (probes, refreshes) run: it must not be traced
    caller = addresses[4]
    with grpc.insecure_channel(caller) as channel:
        reply = control_pb2_grpc.ControlStub(channel).Lookup(
            control_pb2.LookupRequest(target=os.urandom(32)), timeout=60
        )
    assert reply.closest and reply.stats.rpcs >= 3

    spans = settled(traces, LOOKUP)
    trace_ids = Counter(s["trace_id"] for s in spans)
    assert len(trace_ids) == 1, f"expected one trace (the lookup's), got {trace_ids}"

    ids = {s["span_id"] for s in spans}
    roots = [s for s in spans if s["parent_id"] is None]
    assert len(roots) == 1 and roots[0]["name"] == LOOKUP, roots
    assert roots[0]["kind"] == "SERVER" and roots[0]["attributes"][PEER] == caller
    orphans = [s for s in spans if s["parent_id"] is not None and s["parent_id"] not in ids]
    assert not orphans, f"spans whose parent is missing: {orphans}"
    assert len(tree_order(spans, roots[0])) == len(spans)  # every span reachable from root
    assert root_of(spans) is roots[0]

    servers = [s for s in spans if s["kind"] == "SERVER" and s["name"].endswith("/FindNode")]
    clients = [s for s in spans if s["kind"] == "CLIENT" and s["name"].endswith("/FindNode")]
    assert len(clients) == reply.stats.rpcs  # one client span per request the lookup sent
    assert 3 <= len(servers) <= len(clients)  # a request cancelled at the end may not arrive
    by_id = {s["span_id"]: s for s in spans}
    for server in servers:  # each callee's span hangs under its caller's client span
        parent = by_id[server["parent_id"]]
        assert parent["kind"] == "CLIENT" and parent["attributes"][PEER] == caller
        assert parent["start"] <= server["start"] + 0.01  # clocks are the same machine's
    peers = {s["attributes"].get(PEER) for s in spans}
    assert len(peers) >= 3, peers
    assert peers <= set(addresses)


@pytest.mark.slow
def test_one_fetch_is_one_trace_across_peers(traced_network: tuple[list[str], Path]) -> None:
    addresses, traces = traced_network
    publisher, fetcher = addresses[1], addresses[6]
    with grpc.insecure_channel(publisher) as channel:
        published = control_pb2_grpc.ControlStub(channel).Publish(
            control_pb2.PublishRequest(data=os.urandom(300_000)), timeout=60
        )
    with grpc.insecure_channel(fetcher) as channel:
        replies = list(
            control_pb2_grpc.ControlStub(channel).Fetch(
                control_pb2.FetchRequest(cid=published.cid), timeout=120
            )
        )
    assert replies and replies[-1].done

    fetch = "/p2pnet.v1.Control/Fetch"
    spans = settled(traces, fetch)
    root = next(s for s in spans if s["name"] == fetch)
    trace = [s for s in spans if s["trace_id"] == root["trace_id"]]
    assert root["parent_id"] is None and root["attributes"][PEER] == fetcher
    ids = {s["span_id"] for s in trace}
    assert all(s["parent_id"] in ids for s in trace if s is not root)
    assert len(tree_order(trace, root)) == len(trace)
    names = {s["name"].rsplit("/", 1)[-1] for s in trace}
    assert {"GetManifest", "GetPieces"} <= names, names  # the swarm's calls, in the trace
    peers = {s["attributes"].get(PEER) for s in trace}
    assert {fetcher, publisher} <= peers and len(peers) >= 3, peers


@pytest.mark.slow
def test_one_broadcast_is_one_trace_across_peers(
    traced_network: tuple[list[str], Path],
) -> None:
    addresses, traces = traced_network
    caller = addresses[2]
    with grpc.insecure_channel(caller) as channel:
        control_pb2_grpc.ControlStub(channel).Broadcast(
            control_pb2.BroadcastRequest(payload=os.urandom(16)), timeout=60
        )
    broadcast = "/p2pnet.v1.Control/Broadcast"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # the rumour spreads over a few gossip rounds
        spans = settled(traces, broadcast)
        root = next(s for s in spans if s["name"] == broadcast)
        trace = [s for s in spans if s["trace_id"] == root["trace_id"]]
        peers = {s["attributes"].get(PEER) for s in trace}
        if len(peers) >= 3:
            break
        time.sleep(1)
    assert root["parent_id"] is None and root["attributes"][PEER] == caller
    ids = {s["span_id"] for s in trace}
    assert all(s["parent_id"] in ids for s in trace if s is not root)
    assert len(tree_order(trace, root)) == len(trace)
    names = {s["name"].rsplit("/", 1)[-1] for s in trace}
    assert names & {"Ping", "PingReq", "PushPull"}, names  # the gossip that carried it
    assert len(peers) >= 3 and peers <= set(addresses), peers
