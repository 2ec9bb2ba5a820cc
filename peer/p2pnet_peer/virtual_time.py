"""Run coroutines on a virtual clock: time jumps to the next timer whenever nothing is ready.

With only the in-memory transport (no sockets), an hour of protocol time passes in
however long the CPU work takes. Built on ``looptime``'s event loop with no no-op cycles:
the loop only computes a positive timeout when nothing is ready to run, so jumping
straight to the next timer is exact.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

import looptime

T = TypeVar("T")


def new_virtual_loop() -> asyncio.AbstractEventLoop:
    return looptime.new_event_loop(start=0.0, noop_cycles=0)


def run_virtual(main: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` on a virtual clock starting at 0."""
    with asyncio.Runner(loop_factory=new_virtual_loop) as runner:
        return runner.run(main)
