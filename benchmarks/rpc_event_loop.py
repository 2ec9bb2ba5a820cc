"""Loopback unary gRPC on asyncio's default event loop vs uvloop: rate and CPU per RPC.

    python benchmarks/rpc_event_loop.py

One process serves and calls (20 concurrent callers, 100-byte messages), so the CPU
figure covers both ends of each RPC, as for peers on one host. uvloop is not a
dependency of p2pnet: ``pip install uvloop`` first, or that half is skipped. Each loop
is measured ``--runs`` times in alternation; the last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections.abc import Callable, Coroutine
from typing import Any

import grpc

CALLERS = 20


async def _echo(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
    return request


async def measure(rpcs: int) -> tuple[float, float]:
    """(RPCs per second, CPU microseconds per RPC)."""
    server = grpc.aio.server()
    handler = grpc.unary_unary_rpc_method_handler(_echo)
    server.add_generic_rpc_handlers(
        (grpc.method_handlers_generic_handler("b.Echo", {"E": handler}),)
    )
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            call = channel.unary_unary("/b.Echo/E")
            await call(b"warm-up")
            wall, cpu = time.perf_counter(), time.process_time()

            async def caller() -> None:
                for _ in range(rpcs // CALLERS):
                    await call(b"x" * 100)

            await asyncio.gather(*(caller() for _ in range(CALLERS)))
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    finally:
        await server.stop(0)
    return rpcs / wall, cpu / rpcs * 1e6


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rpcs", type=int, default=4000)
    p.add_argument("--runs", type=int, default=2)
    args = p.parse_args()
    loops: dict[str, Callable[[Coroutine[Any, Any, tuple[float, float]]], Any]] = {
        "asyncio": asyncio.run
    }
    try:
        import uvloop

        loops["uvloop"] = uvloop.run
    except ImportError:
        print("uvloop is not installed: measuring asyncio only")
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in loops}
    for _ in range(args.runs):
        for name, run in loops.items():
            rate, cpu_us = run(measure(args.rpcs))
            results[name].append((rate, cpu_us))
            print(f"{name}: {rate:.0f} RPC/s, {cpu_us:.0f} us CPU per RPC (both ends)")
    summary: dict[str, object] = {"rpcs": args.rpcs, "runs": args.runs}
    for name, figures in results.items():
        summary[f"{name}_rps"] = round(sum(r for r, _ in figures) / len(figures))
        summary[f"{name}_cpu_us_per_rpc"] = round(sum(c for _, c in figures) / len(figures))
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
