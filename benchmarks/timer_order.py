"""What keeping timer ties in scheduling order costs on virtual time (helpers/_timers.py).

Two programs, each run on a ``VirtualTimeLoop`` with ordered timers and with asyncio's own
``TimerHandle`` (ties in heap order), alternating, median of the runs (CPU time):

- ``sleeping tasks``: 10,000 tasks, each sleeping 10 times for 1 to 5 ticks of 10 ms: many ties;
- ``200k timers``: 200,000 ``call_later`` in 100 tie groups, all pending at once: the worst case
  for the heap.

Run: python benchmarks/timer_order.py [--runs 7]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

import helpers


async def sleeping_tasks() -> None:
    async def worker(i: int) -> None:
        for k in range(10):
            await asyncio.sleep(0.01 * (1 + (i + k) % 5))

    await asyncio.gather(*(worker(i) for i in range(10_000)))


async def many_timers() -> None:
    loop = asyncio.get_running_loop()
    for i in range(200_000):
        loop.call_later((i % 100) * 0.01, int)
    await asyncio.sleep(2)


def run(program, ordered: bool) -> float:
    loop = helpers.VirtualTimeLoop()
    if not ordered:  # asyncio's own call_at: TimerHandle compares deadlines only

        def call_at(when, callback, *args, context=None):
            return asyncio.BaseEventLoop.call_at(loop, when, callback, *args, context=context)

        loop.call_at = call_at
    start = time.process_time()
    try:
        loop.run_until_complete(program())
    finally:
        loop.close()
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    print(f"{'program':<16} {'asyncio order':>14} {'ordered':>9} {'ratio':>7}")
    for name, program in (("sleeping tasks", sleeping_tasks), ("200k timers", many_timers)):
        plain, ordered = [], []
        for i in range(runs):  # alternate which goes first, so drift hits both
            pair = (False, True) if i % 2 else (True, False)
            for flag in pair:
                (ordered if flag else plain).append(run(program, flag))
        p, o = statistics.median(plain), statistics.median(ordered)
        print(f"{name:<16} {p:>13.3f}s {o:>8.3f}s {o / p:>7.3f}")


if __name__ == "__main__":
    main()
