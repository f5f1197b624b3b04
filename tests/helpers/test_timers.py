"""Timers due at the same instant fire in the order they were scheduled (helpers/_timers.py)."""

from __future__ import annotations

import asyncio
import heapq
import random

import helpers
from helpers._timers import OrderedTimerHandle, schedule_timer


def _run_on(loop: asyncio.AbstractEventLoop, main):
    try:
        return loop.run_until_complete(main())
    finally:
        loop.close()


def test_plain_virtual_loop_fires_ties_in_scheduling_order():
    """No recorder involved: the loop's own call_at keeps ties in order."""
    loop = helpers.VirtualTimeLoop()
    log = []

    async def main():
        for i in range(50):
            loop.call_later(1.0, log.append, i)
        await asyncio.sleep(2)

    _run_on(loop, main)
    assert log == list(range(50))


def test_ties_mixed_with_other_deadlines():
    loop = helpers.VirtualTimeLoop()
    log = []
    rng = random.Random(7)
    plan = [(rng.choice([0.5, 1.0, 1.5]), i) for i in range(60)]

    async def main():
        for delay, i in plan:
            loop.call_later(delay, log.append, (delay, i))
        await asyncio.sleep(2)

    _run_on(loop, main)
    assert log == sorted(plan)  # by deadline, then by the order they were scheduled


def test_cancelled_timers_leave_the_rest_in_order():
    loop = helpers.VirtualTimeLoop()
    log = []

    async def main():
        handles = [loop.call_later(1.0, log.append, i) for i in range(40)]
        for handle in handles[::3]:
            handle.cancel()
        await asyncio.sleep(2)

    _run_on(loop, main)
    assert log == [i for i in range(40) if i % 3]


def test_ordering_against_asyncio_timer_handles():
    """A plain TimerHandle in the same heap still orders by deadline; ties with it are unordered, not an error."""
    loop = helpers.VirtualTimeLoop()
    try:
        ordered = schedule_timer(loop, OrderedTimerHandle, 1.0, print, (), None)
        plain = asyncio.TimerHandle(2.0, print, (), loop)
        same = asyncio.TimerHandle(1.0, print, (), loop)
        assert ordered < plain and plain > ordered and not plain < ordered
        assert not ordered < same and not same < ordered
        assert ordered <= same and ordered >= same
        heap = [plain, ordered]
        heapq.heapify(heap)
        assert heapq.heappop(heap) is ordered
        ordered.cancel()
    finally:
        loop.close()


def test_debug_mode_source_traceback_ends_in_the_caller():
    """In debug mode a timer remembers where it was scheduled: the caller's line, not ours."""
    loop = helpers.VirtualTimeLoop()
    loop.set_debug(True)
    try:

        def schedule_here():
            return loop.call_later(1.0, print)

        handle = schedule_here()
        assert handle._source_traceback[-1].name == "schedule_here"
        handle.cancel()
    finally:
        loop.close()


def test_recorded_callbacks_keep_ties_in_order_too():
    log = []

    async def main():
        loop = asyncio.get_running_loop()
        for i in range(30):
            loop.call_later(0.5, log.append, i)
        await asyncio.sleep(1)

    timeline = helpers.trace(main())
    assert log == list(range(30))
    assert len(timeline.callbacks) == 30


def test_taskgroup_errors_at_the_same_instant_in_start_order():
    """Notebook 03's example. Not in the semantics battery: on the real clock, whether a sibling's
    error makes it into the group before the group cancels it depends on how late the loop wakes."""

    async def fail_after(i):
        await asyncio.sleep(1)
        raise ValueError(i)

    async def main():
        async with asyncio.TaskGroup() as group:
            for i in range(8):
                group.create_task(fail_after(i), name=f"bad-{i}")

    try:
        helpers.trace(main())
    except ExceptionGroup as error:
        assert [e.args[0] for e in error.exceptions] == list(range(8))
    else:
        raise AssertionError("the group did not raise")
