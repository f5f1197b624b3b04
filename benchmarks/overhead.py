"""Recording overhead: traced / untraced wall time, median of alternating runs.

Run: python benchmarks/overhead.py [--runs 9]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import sys
import time

import helpers

TASKS, SLEEPS = 10_000, 10
QUEUE_ITEMS = 100_000


async def many_tasks() -> None:
    async def worker() -> None:
        for _ in range(SLEEPS):
            await asyncio.sleep(0)

    await asyncio.gather(*(worker() for _ in range(TASKS)))


async def queue_pipeline() -> None:
    queue: asyncio.Queue[int | None] = asyncio.Queue(maxsize=100)

    async def producer() -> None:
        for i in range(QUEUE_ITEMS):
            await queue.put(i)
        await queue.put(None)

    async def consumer() -> int:
        total = 0
        while (item := await queue.get()) is not None:
            total += item
        return total

    await asyncio.gather(producer(), consumer())


def untraced(program) -> float:
    start = time.perf_counter()
    asyncio.run(program())
    return time.perf_counter() - start


def traced(program, virtual: bool) -> float:
    start = time.perf_counter()
    helpers.trace(program(), virtual=virtual)
    return time.perf_counter() - start


def measure(program, virtual: bool, runs: int) -> tuple[float, float, float]:
    plain, recorded = [], []
    for _ in range(runs):
        gc.collect()
        plain.append(untraced(program))
        gc.collect()
        recorded.append(traced(program, virtual))
    p, r = statistics.median(plain), statistics.median(recorded)
    return p, r, r / p


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    print(f"Python {sys.version.split()[0]}, median of {args.runs} alternating runs")
    print(f"{'program':<34} {'clock':<8} {'untraced s':>10} {'traced s':>9} {'ratio':>6}")
    for label, program, target in (
        (f"{TASKS:,} tasks x {SLEEPS} sleep(0)", many_tasks, 1.35),
        (f"{QUEUE_ITEMS:,}-item queue pipeline", queue_pipeline, 1.10),
    ):
        for virtual in (False, True):
            p, r, ratio = measure(program, virtual, args.runs)
            verdict = "ok" if ratio <= target else f"OVER {target}"
            clock = "virtual" if virtual else "real"
            print(f"{label:<34} {clock:<8} {p:>10.3f} {r:>9.3f} {ratio:>6.2f}  target <= {target} {verdict}")


if __name__ == "__main__":
    main()
