"""Render the example timelines in docs/images/ from real traced programs.

Run: python docs/make_images.py [NAME ...]   (all of them by default)
"""

from __future__ import annotations

import asyncio
import pathlib
import random
import time

import helpers
from helpers import _plot

IMAGES = pathlib.Path(__file__).parent / "images"


async def three_workers() -> None:
    """Three downloads at once, one of which blocks the loop with time.sleep."""

    async def download(name: str, seconds: float) -> str:
        await asyncio.sleep(seconds / 2)
        await asyncio.sleep(seconds / 2)
        return name

    async def parse() -> None:
        await asyncio.sleep(0.5)
        time.sleep(0.3)  # a blocking call: every other task waits
        await asyncio.to_thread(time.sleep, 0.4)

    async with asyncio.TaskGroup() as group:
        group.create_task(download("a", 1.0), name="download-a")
        group.create_task(download("b", 2.0), name="download-b")
        group.create_task(parse(), name="parse")


async def pipeline() -> None:
    """Two producers, three consumers, a bounded queue, 200 tasks of work items in all."""
    rng = random.Random(7)
    queue: asyncio.Queue[float] = asyncio.Queue(maxsize=5)

    async def producer() -> None:
        for _ in range(30):
            await asyncio.sleep(rng.choice((0.05, 0.1, 0.2)))
            await queue.put(rng.choice((0.1, 0.2, 0.3)))

    async def handle(cost: float) -> None:
        await asyncio.sleep(cost)

    async def consumer() -> None:
        while True:
            cost = await queue.get()
            await asyncio.create_task(handle(cost))
            queue.task_done()

    consumers = [asyncio.create_task(consumer(), name=f"consumer-{i}") for i in range(3)]
    async with asyncio.TaskGroup() as group:
        for i in range(2):
            group.create_task(producer(), name=f"producer-{i}")
    await queue.join()
    for task in consumers:
        task.cancel()


async def many_sleepers() -> None:
    """200 tasks, each sleeping a few times: readable at scale."""
    rng = random.Random(1)

    async def sleeper() -> None:
        for _ in range(4):
            await asyncio.sleep(rng.uniform(0.1, 1.0))

    await asyncio.gather(*(asyncio.create_task(sleeper(), name=f"sleeper-{i}") for i in range(200)))


async def off_the_loop() -> None:
    """Work off the loop: a two-thread pool for four parsing jobs, a to_thread call, two child processes."""
    import concurrent.futures
    import sys

    def parse(seconds: float) -> float:
        time.sleep(seconds)  # virtual in a worker thread: exactly this long, in no wall time
        return seconds

    async def fetch() -> None:
        await asyncio.to_thread(time.sleep, 1.5)

    async def convert(seconds: float) -> bytes:
        code = f"import time; time.sleep({seconds}); print('converted')"  # the child's sleep is virtual too
        child = await asyncio.create_subprocess_exec(sys.executable, "-c", code, stdout=asyncio.subprocess.PIPE)
        out, _ = await child.communicate()
        return out

    loop = asyncio.get_running_loop()
    with concurrent.futures.ThreadPoolExecutor(max_workers=2, thread_name_prefix="parser") as pool:
        jobs = [loop.run_in_executor(pool, parse, s) for s in (0.5, 1.0, 0.75, 0.5)]
        await asyncio.gather(
            asyncio.gather(*jobs),
            asyncio.create_task(fetch(), name="fetch"),
            asyncio.create_task(convert(1.0), name="convert-1"),
            asyncio.create_task(convert(2.0), name="convert-2"),
        )


async def cancellation() -> None:
    """cancel() by hand, a timeout, and a TaskGroup cancelling a sibling; one task catches it."""

    async def nap(seconds: float) -> None:
        await asyncio.sleep(seconds)

    async def stubborn() -> str:
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            return "caught it"
        return "slept"

    async def fail() -> None:
        await asyncio.sleep(0.5)
        raise ValueError("no")

    slow = asyncio.create_task(nap(10), name="slow")
    keeper = asyncio.create_task(stubborn(), name="stubborn")
    await asyncio.sleep(1)
    slow.cancel()
    keeper.cancel()
    await asyncio.gather(slow, keeper, return_exceptions=True)
    try:
        async with asyncio.timeout(0.5):
            await nap(2)
    except TimeoutError:
        pass
    try:
        async with asyncio.TaskGroup() as group:
            group.create_task(nap(10), name="sibling")
            group.create_task(fail(), name="failer")
    except* ValueError:
        pass


async def late_timer() -> None:
    """A cruncher that yields with sleep(0) between blocking chunks; a ticker's sleep(0.1) wakes late."""

    async def cruncher() -> None:
        for _ in range(5):
            time.sleep(0.1)  # a chunk of CPU work: it blocks the loop
            await asyncio.sleep(0)

    async def ticker() -> None:
        for _ in range(3):
            await asyncio.sleep(0.1)

    await asyncio.gather(ticker(), cruncher())


async def by_turn() -> None:
    """An ordering lesson: no time passes, so the chart is drawn by loop turn."""

    async def say(word: str) -> None:
        await asyncio.sleep(0)
        print(word)

    tasks = [asyncio.create_task(say(w)) for w in ("one", "two", "three")]
    await asyncio.sleep(0)
    await asyncio.gather(*tasks)


PROGRAMS = {
    "three-workers": three_workers,
    "pipeline": pipeline,
    "200-tasks": many_sleepers,
    "off-the-loop": off_the_loop,
    "cancellation": cancellation,
    "late-timer": late_timer,
    "by-turn": by_turn,
}


def main(names: list[str]) -> None:
    IMAGES.mkdir(exist_ok=True)
    for name in names or PROGRAMS:
        program = PROGRAMS[name]
        timeline = helpers.trace(program())
        (IMAGES / f"{name}.png").write_bytes(_plot.png_bytes(timeline))
        (IMAGES / f"{name}.txt").write_text(str(timeline) + "\n")
        print(f"{name}: {timeline!r}")


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
