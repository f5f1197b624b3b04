"""Recording overhead: traced / untraced wall time, median of alternating runs.

Run: python benchmarks/overhead.py [--runs 9] [--only tasks|queue] [--clock real|virtual]

Each run is timed by the wall clock and by the process's CPU time; on a machine shared with
other work the CPU-time ratio moves less (waiting for a core counts in wall time only).
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


def untraced(program) -> tuple[float, float]:
    start, cpu = time.perf_counter(), time.process_time()
    asyncio.run(program())
    return time.perf_counter() - start, time.process_time() - cpu


def traced(program, virtual: bool) -> tuple[float, float]:
    start, cpu = time.perf_counter(), time.process_time()
    helpers.trace(program(), virtual=virtual)
    return time.perf_counter() - start, time.process_time() - cpu


def measure(program, virtual: bool, runs: int) -> dict[str, float]:
    """Medians of alternating runs: wall and CPU seconds, their ratios, and the spread of the wall ratio."""
    plain, recorded = [], []
    for _ in range(runs):
        gc.collect()
        plain.append(untraced(program))
        gc.collect()
        recorded.append(traced(program, virtual))
    # each traced run over the untraced run just before it: the spread of these shows the noise
    pairs = sorted(r[0] / p[0] for p, r in zip(plain, recorded))
    p, r = statistics.median(w for w, _ in plain), statistics.median(w for w, _ in recorded)
    p_cpu, r_cpu = statistics.median(c for _, c in plain), statistics.median(c for _, c in recorded)
    return {
        "plain": p,
        "traced": r,
        "ratio": r / p,
        "cpu_ratio": r_cpu / p_cpu,
        "low": pairs[len(pairs) // 4],
        "high": pairs[(3 * len(pairs)) // 4],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--only", choices=("tasks", "queue"))
    parser.add_argument("--clock", choices=("real", "virtual"))
    args = parser.parse_args()
    accelerated = helpers._recorder._speedups is not None
    print(f"Python {sys.version.split()[0]} ({'C accelerator' if accelerated else 'pure Python'}), "
          f"median of {args.runs} alternating runs; quartiles of the per-pair wall ratio")
    print(f"{'program':<34} {'clock':<8} {'untraced s':>10} {'traced s':>9} {'ratio':>6} {'quartiles':>11} "
          f"{'cpu ratio':>9}")
    for key, label, program, target in (
        ("tasks", f"{TASKS:,} tasks x {SLEEPS} sleep(0)", many_tasks, 1.35),
        ("queue", f"{QUEUE_ITEMS:,}-item queue pipeline", queue_pipeline, 1.10),
    ):
        if args.only not in (None, key):
            continue
        for virtual in (False, True):
            clock = "virtual" if virtual else "real"
            if args.clock not in (None, clock):
                continue
            m = measure(program, virtual, args.runs)
            verdict = "ok" if m["ratio"] <= target else f"OVER {target}"
            print(f"{label:<34} {clock:<8} {m['plain']:>10.3f} {m['traced']:>9.3f} {m['ratio']:>6.2f} "
                  f"{m['low']:>5.2f}-{m['high']:<5.2f} {m['cpu_ratio']:>9.2f}  target <= {target} {verdict}")


if __name__ == "__main__":
    main()
