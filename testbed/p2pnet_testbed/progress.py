"""Live progress: a rich table redrawn twice a second on a terminal, a plain line every
five seconds otherwise (CI logs, pipes)."""

from __future__ import annotations

import asyncio
import sys

from rich.console import Console
from rich.live import Live
from rich.table import Table

from p2pnet_testbed.live_stats import LiveStats


def _table(title: str, stats: LiveStats) -> Table:
    table = Table(title=title, show_header=False, min_width=48)
    table.add_column(style="bold cyan")
    table.add_column(justify="right")
    for name, value in stats.rows():
        table.add_row(name, value)
    return table


async def show_progress(title: str, stats: LiveStats, console: Console | None = None) -> None:
    """Until cancelled."""
    console = console or Console(stderr=True)
    if console.is_terminal:
        with Live(_table(title, stats), console=console, refresh_per_second=2) as live:
            while True:
                await asyncio.sleep(0.5)
                live.update(_table(title, stats))
    while True:
        await asyncio.sleep(5.0)
        line = ", ".join(f"{k} {v}" for k, v in stats.rows())
        print(f"[{title}] {line}", file=sys.stderr, flush=True)
