"""Memory for a million recorded steps, and the wall time of one simulated year.

Run: python benchmarks/memory_and_virtual_time.py
"""

from __future__ import annotations

import asyncio
import gc
import statistics
import sys
import time
import tracemalloc

import helpers

YEAR = 365 * 86400.0


async def million_steps() -> None:
    async def worker() -> None:
        for _ in range(1000):
            await asyncio.sleep(0)

    await asyncio.gather(*(worker() for _ in range(1000)))


async def one_year() -> None:
    """A year of sleeps: a daily job, a weekly report, a monthly bill and one long sleeper."""

    async def every(period: float) -> None:
        elapsed = 0.0
        while elapsed + period <= YEAR:
            await asyncio.sleep(period)
            elapsed += period

    await asyncio.gather(every(86400.0), every(7 * 86400.0), every(YEAR / 12), asyncio.sleep(YEAR))


def memory() -> None:
    gc.collect()
    tracemalloc.start()
    timeline = helpers.trace(million_steps())
    _, peak = tracemalloc.get_traced_memory()
    held = tracemalloc.get_traced_memory()[0]
    tracemalloc.reset_peak()
    timeline.step_columns()  # what the plot, the text view and the Chrome export ask for
    _, columns_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    steps = timeline.step_count
    print(f"{steps:,} steps recorded: peak {peak / 2**20:.1f} MB while tracing, {held / 2**20:.1f} MB held by "
          f"the timeline afterwards ({held / steps:.1f} bytes per step); target under 64 MB")
    print(f"with step_columns(): peak {columns_peak / 2**20:.1f} MB; target under 64 MB")


def year() -> None:
    walls = []
    for _ in range(7):
        start = time.perf_counter()
        timeline = helpers.trace(one_year(), until=2 * YEAR)
        walls.append(time.perf_counter() - start)
    print(f"one simulated year ({timeline.duration / 86400:.0f} days, {timeline.step_count} steps): "
          f"median {statistics.median(walls) * 1000:.1f} ms of wall time; target under 50 ms")


if __name__ == "__main__":
    print(f"Python {sys.version.split()[0]}")
    year()
    memory()
