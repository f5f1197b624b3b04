"""Tests for helpers._loop: the virtual clock's rules, virtual ``time.sleep``, deadlock reports, end of time."""

import asyncio
import concurrent.futures
import random
import sys
import threading
import time

import pytest

import helpers
from helpers import _loop

YEAR = 365 * 86400.0


class WallClock:
    """A generous upper bound on real time, only to catch hangs (never to check timing)."""

    def __init__(self, limit: float) -> None:
        self.limit = limit

    def __enter__(self) -> "WallClock":
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.elapsed = time.perf_counter() - self.t0
        assert self.elapsed < self.limit, f"took {self.elapsed:.2f} s of real time, expected under {self.limit} s"


# ------------------------------------------------------------- exact timestamps
async def _clock_after_sleeps(delays):
    loop = asyncio.get_running_loop()
    seen = [loop.time()]
    for delay in delays:
        await asyncio.sleep(delay)
        seen.append(loop.time())
    return seen


def test_virtual_clock_lands_exactly_on_each_timer():
    seen = helpers.trace(_clock_after_sleeps([0.1, 0.2, 1 / 3, 0.25])).result
    expected = [0.0, 0.1, 0.1 + 0.2, 0.1 + 0.2 + 1 / 3, 0.1 + 0.2 + 1 / 3 + 0.25]
    assert seen == expected, "the clock must be set to each timer's exact float value, never rounded"


def test_virtual_runs_are_identical():
    async def main():
        async def worker(k):
            for _ in range(3):
                await asyncio.sleep(0.1 * k)

        # named: default names (Task-N) count up over the whole process, so they differ between runs
        await asyncio.gather(*(asyncio.create_task(worker(k), name=f"worker-{k}") for k in range(1, 5)))

    runs = [helpers.trace(main()) for _ in range(3)]
    assert len({str(t) for t in runs}) == 1, "the text chart differs between runs"
    assert len({tuple((s.task, s.start, s.end) for s in t.steps) for t in runs}) == 1
    assert runs[0].duration == pytest.approx(1.2)


def test_an_hour_of_sleep_is_instant():
    with WallClock(2.0):
        timeline = helpers.trace(_clock_after_sleeps([3600]))
    assert timeline.result == [0.0, 3600.0]
    assert timeline.duration == 3600.0
    assert [(i.start, i.end) for i in timeline.idle] == [(0.0, 3600.0)]


def test_a_year_of_sleep_is_instant_and_exact():
    with WallClock(2.0):
        timeline = helpers.trace(_clock_after_sleeps([YEAR]), until=2 * YEAR)
    assert timeline.result == [0.0, YEAR]


def test_a_year_of_many_short_sleeps_does_not_spin():
    """Past 3e7 s the float spacing grows: a loop rounding its clock would stall on a due timer."""

    async def main():
        await asyncio.sleep(YEAR)
        for _ in range(1000):
            await asyncio.sleep(1e-6)
        return asyncio.get_running_loop().time()

    with WallClock(5.0):
        end = helpers.trace(main(), until=2 * YEAR).result
    assert end > YEAR


def test_many_timers_fire_in_order_at_their_times():
    rng = random.Random(7)
    delays = [rng.randrange(1, 10_000) / 100 for _ in range(5000)]
    woke: list[tuple[float, float]] = []

    async def sleeper(delay):
        await asyncio.sleep(delay)
        woke.append((delay, asyncio.get_running_loop().time()))

    async def main():
        await asyncio.gather(*(sleeper(d) for d in delays))

    with WallClock(20.0):
        timeline = helpers.trace(main())
    assert all(delay == at for delay, at in woke), "a sleeper woke at another time than its timer"
    assert [d for d, _ in woke] == sorted(delays)
    assert timeline.duration == max(delays)


# ---------------------------------------------------------------- time.sleep
def test_time_sleep_in_a_coroutine_moves_the_clock_and_blocks_the_loop():
    async def main():
        loop = asyncio.get_running_loop()
        before = loop.time()
        time.sleep(0.5)
        after = loop.time()
        await asyncio.sleep(1)
        return before, after

    with WallClock(2.0):
        timeline = helpers.trace(main())
    assert timeline.result == (0.0, 0.5)
    (blocking,) = timeline.blocking()
    assert (blocking.task, blocking.start, blocking.end, blocking.waits_on) == ("main", 0.0, 0.5, "sleep(1)")
    assert timeline.duration == 1.5


def test_to_thread_time_sleep_three_at_once_end_at_exactly_one_second():
    async def main():
        await asyncio.gather(*(asyncio.to_thread(time.sleep, 1) for _ in range(3)))
        return asyncio.get_running_loop().time()

    with WallClock(5.0):
        timeline = helpers.trace(main())
    assert timeline.result == 1.0
    assert timeline.duration == 1.0


def test_time_sleep_in_a_thread_wakes_in_virtual_order_with_timers():
    log = []

    def in_thread():
        time.sleep(2)
        log.append("thread")

    async def main():
        async def timer(delay):
            await asyncio.sleep(delay)
            log.append(delay)

        await asyncio.gather(asyncio.to_thread(in_thread), timer(1), timer(3))

    with WallClock(5.0):
        helpers.trace(main())
    assert log == [1, "thread", 3]


def test_real_work_in_a_thread_costs_no_virtual_time():
    def busy():
        deadline = time.perf_counter() + 0.1
        n = 0
        while time.perf_counter() < deadline:
            n += 1
        return n > 0

    async def main():
        loop = asyncio.get_running_loop()
        sleeper = asyncio.create_task(asyncio.sleep(10), name="sleeper")
        worked = await asyncio.to_thread(busy)
        at = loop.time()
        await sleeper
        return worked, at, loop.time()

    with WallClock(5.0):
        timeline = helpers.trace(main())
    assert timeline.result == (True, 0.0, 10.0), "quick real work must not move the virtual clock"
    assert timeline.task("sleeper").ended == 10.0


def test_timeout_around_slow_real_work_still_fires():
    def slow():
        time_left = time.perf_counter() + 0.5
        while time.perf_counter() < time_left:
            pass

    async def main():
        try:
            async with asyncio.timeout(0.05):
                await asyncio.to_thread(slow)
        except TimeoutError:
            return asyncio.get_running_loop().time()

    with WallClock(5.0):
        assert helpers.trace(main()).result == 0.05


def test_thread_results_never_race_into_a_false_deadlock():
    """Thread work that ends while the loop checks what is busy must wake the loop, not end the run."""

    def quick():
        return 1

    async def main():
        for _ in range(200):
            await asyncio.to_thread(quick)
        return asyncio.get_running_loop().time()

    with WallClock(20.0):
        for _ in range(10):
            assert helpers.trace(main()).result == 0.0


def test_time_sleep_is_virtual_only_while_the_loop_runs_and_restored_after():
    real = time.sleep

    async def main():
        assert _loop.virtual_sleep_installed()
        raise RuntimeError("the program failed")

    with pytest.raises(RuntimeError, match="the program failed"):
        helpers.trace(main())
    assert time.sleep is real and not _loop.virtual_sleep_installed()
    with pytest.raises(helpers.DeadlockError):
        helpers.trace(asyncio.Event().wait())
    assert time.sleep is real


def test_time_sleep_in_an_unrelated_thread_stays_real():
    started = threading.Event()
    done = threading.Event()
    result = {}

    def outside():
        started.set()
        t0 = time.perf_counter()
        time.sleep(0.05)
        result["real"] = time.perf_counter() - t0
        done.set()

    thread = threading.Thread(target=outside)
    thread.start()
    started.wait()

    async def main():
        await asyncio.sleep(1000)

    helpers.trace(main())
    done.wait(5)
    thread.join()
    assert result["real"] >= 0.04, "a thread that is not the loop's slept on the virtual clock"


def test_time_sleep_rejects_bad_arguments_like_the_real_one():
    errors: list[str] = []

    async def main():
        for bad in (-1, "1"):
            try:
                time.sleep(bad)
            except (ValueError, TypeError) as exc:
                errors.append(type(exc).__name__)

    helpers.trace(main())
    assert errors == ["ValueError", "TypeError"]


def test_endless_time_sleep_in_a_coroutine_stops_at_the_end_of_time():
    """``while True: time.sleep(1)`` never yields: the sleep itself must stop at the end of time."""

    async def main():
        while True:
            time.sleep(1)

    with WallClock(5.0), pytest.raises(helpers.TimeLimitError) as excinfo:
        helpers.trace(main(), until=100)
    assert excinfo.value.until == 100
    assert time.sleep is _loop._real_sleep


# ------------------------------------------------------------------ deadlock
async def _stuck_program(delay):
    queue: asyncio.Queue = asyncio.Queue()
    event = asyncio.Event()
    lock = asyncio.Lock()
    never = asyncio.get_running_loop().create_future()

    async def consumer():
        await queue.get()

    async def hold_lock():
        await lock.acquire()
        await event.wait()

    async def want_lock():
        async with lock:
            pass

    async def await_future():
        await never

    consumers = [asyncio.create_task(consumer(), name=f"consumer-{k}") for k in (1, 2)]
    asyncio.create_task(hold_lock(), name="holder")
    await asyncio.sleep(delay)
    asyncio.create_task(want_lock(), name="locker")
    future_waiter = asyncio.create_task(await_future(), name="future-waiter")

    async def await_stuck_task():
        await future_waiter

    asyncio.create_task(await_stuck_task(), name="waits-on-task")
    await asyncio.gather(*consumers)


@pytest.mark.parametrize("virtual", [True, False], ids=["virtual", "real"])
def test_deadlock_lists_each_stuck_task_and_its_wait(virtual):
    with WallClock(3.0), pytest.raises(helpers.DeadlockError) as excinfo:
        helpers.trace(_stuck_program(1.0 if virtual else 0.01), virtual=virtual)
    error = excinfo.value
    assert error.waiting == [
        "consumer-1 waits on Queue.get (queue empty, and no task left that could put)",
        "consumer-2 waits on Queue.get (queue empty, and no task left that could put)",
        "future-waiter waits on a Future that nothing will ever complete",
        "holder waits on Event.wait (the event is never set)",
        "locker waits on Lock.acquire (held, and never released)",
        "main waits on gather(2)",
        "waits-on-task waits on task 'future-waiter'",
    ], error.waiting
    if virtual:
        assert error.at == 1.0
    assert "consumer-1 waits on Queue.get" in str(error)
    assert error.timeline is not None and "consumer-1" in error.timeline.task_names


def test_deadlock_of_the_main_task_alone():
    with WallClock(3.0), pytest.raises(helpers.DeadlockError) as excinfo:
        helpers.trace(asyncio.Event().wait())
    assert excinfo.value.waiting == ["main waits on Event.wait (the event is never set)"]


def test_deadlock_on_the_real_time_loop_is_found_fast():
    async def main():
        await asyncio.sleep(0.01)
        await asyncio.Queue().get()

    with WallClock(3.0), pytest.raises(helpers.DeadlockError, match="main waits on Queue.get"):
        helpers.trace(main(), virtual=False)


def test_no_deadlock_while_a_subprocess_runs():
    import sys

    async def main():
        proc = await asyncio.create_subprocess_exec(sys.executable, "-c", "import time; time.sleep(0.2)")
        return await proc.wait()

    with WallClock(10.0):
        assert helpers.trace(main()).result == 0


# --------------------------------------------------------------- end of time
async def _forever(period):
    while True:
        await asyncio.sleep(period)


def test_endless_periodic_task_stops_at_the_default_end_of_time():
    from helpers._run import DEFAULT_UNTIL

    with WallClock(20.0), pytest.raises(helpers.TimeLimitError) as excinfo:
        helpers.trace(_forever(60))
    assert excinfo.value.until == DEFAULT_UNTIL
    assert excinfo.value.running == ["main"]
    assert "until=" in str(excinfo.value)
    assert excinfo.value.timeline.duration <= DEFAULT_UNTIL


def test_endless_program_stops_at_a_custom_end_of_time():
    async def main():
        asyncio.create_task(_forever(1), name="ticker")
        await _forever(7)

    with WallClock(5.0), pytest.raises(helpers.TimeLimitError) as excinfo:
        helpers.trace(main(), until=100)
    assert excinfo.value.until == 100
    assert excinfo.value.running == ["main", "ticker"]
    ticker = excinfo.value.timeline.task("ticker")
    assert max(s.end for s in ticker.steps) <= 100


def test_a_program_ending_exactly_at_the_end_of_time_is_fine():
    assert helpers.trace(_clock_after_sleeps([50, 50]), until=100).result == [0.0, 50.0, 100.0]


def test_virtual_loop_used_directly():
    loop = helpers.VirtualTimeLoop()
    try:
        assert loop.time() == 0.0
        assert loop.run_until_complete(_clock_after_sleeps([5])) == [0.0, 5.0]
        assert loop.time() == 5.0
    finally:
        loop.close()


def _sleep_then_return(value: int, seconds: float) -> int:
    time.sleep(seconds)
    return value


def _square(value: int) -> int:
    return value * value


def test_work_queued_behind_sleeping_workers_waits_on_the_virtual_clock():
    """One worker, three one-second jobs: 3.0 virtual seconds, and no real second spent waiting for them."""

    async def main():
        loop = asyncio.get_running_loop()
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            return await asyncio.gather(*(loop.run_in_executor(pool, _sleep_then_return, i, 1.0) for i in range(3)))

    started = time.perf_counter()
    timeline = helpers.trace(main())
    assert timeline.result == [0, 1, 2]
    assert timeline.duration == 3.0
    assert time.perf_counter() - started < 0.9, "queued jobs made the loop wait in real time"


def test_a_coroutine_waiting_on_a_thread_that_sleeps_does_not_hang():
    """`pool.submit(f).result()` blocks the loop while f sleeps: virtual time cannot move, so f sleeps for real."""

    async def main():
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(_sleep_then_return, 7, 0.1).result()

    started = time.perf_counter()
    timeline = helpers.trace(main(), wall_limit=20)
    assert timeline.result == 7
    assert time.perf_counter() - started < 10
    assert timeline.blocking(), "the step that waited on the thread held the loop"


def test_run_in_executor_with_a_process_pool():
    async def main():
        loop = asyncio.get_running_loop()
        with concurrent.futures.ProcessPoolExecutor(max_workers=1) as pool:
            return await loop.run_in_executor(pool, _square, 12)

    assert helpers.trace(main()).result == 144


# ------------------------------------------------- work on threads the loop did not start
def _busy_for(seconds: float) -> float:
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        pass
    return seconds


def test_wrap_future_of_a_pool_whose_workers_exist_before_the_run():
    """A pool made, and its worker started, before the run: its jobs count, and their sleeps are virtual."""
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=2)
    pool.submit(int).result()  # the worker thread exists before the loop does

    async def main():
        await asyncio.gather(*(asyncio.wrap_future(pool.submit(time.sleep, 1)) for _ in range(2)))
        return asyncio.get_running_loop().time()

    try:
        with WallClock(0.9):
            assert helpers.trace(main()).result == 1.0
    finally:
        pool.shutdown()


def test_real_work_in_a_pool_made_during_the_run_is_waited_for():
    async def main():
        with concurrent.futures.ThreadPoolExecutor() as pool:
            return await asyncio.wrap_future(pool.submit(_busy_for, 0.2))

    with WallClock(5.0):
        timeline = helpers.trace(main())
    assert timeline.result == 0.2
    assert timeline.duration == 0.0, "real work in a thread costs no virtual time"


def test_work_submitted_before_the_run_is_waited_for_not_a_deadlock():
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    future = pool.submit(_busy_for, 0.3)

    async def main():
        return await asyncio.wrap_future(future)

    try:
        with WallClock(5.0):
            assert helpers.trace(main()).result == 0.3
    finally:
        pool.shutdown()


def test_an_idle_pool_made_before_the_run_is_still_a_deadlock():
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    pool.submit(int).result()

    async def main():
        await asyncio.get_running_loop().create_future()

    try:
        with WallClock(3.0), pytest.raises(helpers.DeadlockError):
            helpers.trace(main())
    finally:
        pool.shutdown()


def test_run_coroutine_threadsafe_from_a_plain_thread_on_virtual_time():
    """The plain thread waits on the loop's result: the loop must not wait for it in real time."""

    async def main():
        loop = asyncio.get_running_loop()

        handed_back = asyncio.Event()

        async def on_loop(x):
            await asyncio.sleep(5)
            return x * 2

        def plain():
            result.append(asyncio.run_coroutine_threadsafe(on_loop(21), loop).result())
            loop.call_soon_threadsafe(handed_back.set)

        result = []
        thread = threading.Thread(target=plain)
        thread.start()
        await handed_back.wait()
        thread.join()
        return result[0], loop.time()

    with WallClock(2.0):
        assert helpers.trace(main()).result == (42, 5.0)


def test_streams_on_localhost_on_virtual_time():
    async def main():
        async def handle(reader, writer):
            line = await reader.readline()
            await asyncio.sleep(0.5)
            writer.write(line.upper())
            await writer.drain()
            writer.close()

        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        async with server:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"ping\n")
            reply = await reader.readline()
            writer.close()
            await writer.wait_closed()
        return reply, asyncio.get_running_loop().time()

    with WallClock(5.0):
        assert helpers.trace(main()).result == (b"PING\n", 0.5)


def test_a_child_killed_after_wait_for_times_out_is_reaped():
    async def main():
        proc = await asyncio.create_subprocess_exec(sys.executable, "-c", "import time; time.sleep(3600)")
        try:
            await asyncio.wait_for(proc.wait(), 2)
        except TimeoutError:
            proc.kill()
        return await proc.wait(), asyncio.get_running_loop().time()

    with WallClock(10.0):
        timeline = helpers.trace(main())
    assert timeline.result == (-9, 2.0)
    (child,) = timeline.jobs
    assert (child.outcome, child.returncode, child.ended) == ("killed", -9, 2.0)


@pytest.mark.parametrize("how", ["kill", "terminate"])
def test_a_sleeping_child_killed_exits_when_killed_even_if_the_signal_is_slow(monkeypatch, how):
    """Rule 9: the clock must not jump to the end of the child's sleep while the signal is on its way."""
    import queue
    import subprocess

    send = subprocess.Popen.send_signal
    signals = queue.Queue()

    def deliver():  # a thread from before the run: the loop does not wait for it
        while (item := signals.get()) is not None:
            time.sleep(0.2)  # the child dies 0.2 real seconds after the call, as on a busy machine
            send(*item)

    courier = threading.Thread(target=deliver)
    courier.start()
    monkeypatch.setattr(subprocess.Popen, "send_signal", lambda popen, sig: signals.put((popen, sig)))

    async def main():
        proc = await asyncio.create_subprocess_exec(sys.executable, "-c", "import time; time.sleep(30)")
        try:
            await asyncio.wait_for(proc.wait(), 1.5)
        except TimeoutError:
            getattr(proc, how)()
        return await proc.wait(), asyncio.get_running_loop().time() - 1000

    try:
        with WallClock(10.0):
            timeline = helpers.trace(main(), start=1000.0)
    finally:
        signals.put(None)
        courier.join()
    assert timeline.result == (-9 if how == "kill" else -15, 1.5)


def test_a_sleeping_child_that_ignores_the_signal_sleeps_on_on_virtual_time():
    code = "import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\ntime.sleep(30)\nprint('woke')"

    async def main():
        proc = await asyncio.create_subprocess_exec(sys.executable, "-c", code, stdout=asyncio.subprocess.PIPE)
        await asyncio.sleep(1)
        proc.terminate()
        out, _ = await proc.communicate()
        return out, proc.returncode

    with WallClock(10.0):
        timeline = helpers.trace(main())
    assert timeline.result == (b"woke\n", 0) and timeline.duration == 30.0


def test_a_child_reading_lines_as_they_arrive_on_virtual_time():
    code = "import time\nfor i in range(3):\n    time.sleep(0.5)\n    print(i, flush=True)\n"

    async def main():
        loop = asyncio.get_running_loop()
        proc = await asyncio.create_subprocess_exec(sys.executable, "-c", code, stdout=asyncio.subprocess.PIPE)
        seen = [(loop.time(), line.strip()) async for line in proc.stdout]
        return seen, await proc.wait()

    with WallClock(10.0):
        assert helpers.trace(main()).result == ([(0.5, b"0"), (1.0, b"1"), (1.5, b"2")], 0)


@pytest.mark.parametrize("virtual", [True, False])
def test_subprocesses_on_windows_fail_with_a_message_that_says_what_to_do(monkeypatch, virtual):
    async def main():
        await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")

    monkeypatch.setattr(sys, "platform", "win32")
    with pytest.raises(NotImplementedError, match=r"selector loop cannot start subprocesses.*asyncio\.run") as info:
        helpers.trace(main(), virtual=virtual)
    assert "in a notebook cell: await it directly" in str(info.value), "asyncio.run fails in a cell: say what works"


def test_a_child_that_closes_its_output_and_works_on_gets_its_eof_before_it_exits():
    code = "import os, time\nos.close(1)\nend = time.perf_counter() + 1.5\nwhile time.perf_counter() < end:\n    pass\n"

    async def main():
        proc = await asyncio.create_subprocess_exec(sys.executable, "-c", code, stdout=asyncio.subprocess.PIPE)
        assert await proc.stdout.read() == b""
        running_at_eof = proc.returncode is None
        return running_at_eof, await proc.wait()

    with WallClock(10.0):
        assert helpers.trace(main()).result == (True, 0)


def test_first_step_timing_passes_values_exceptions_and_cancellation_through():
    noted = []

    async def inner(fail):
        value = await asyncio.sleep(0, "slept")
        if fail:
            raise ValueError(value)
        return value

    async def main():
        ok = await _loop._FirstStepTimed(inner(False), noted.append)
        try:
            await _loop._FirstStepTimed(inner(True), noted.append)
        except ValueError as exc:
            failed = str(exc)
        waiter = asyncio.create_task(_await(_loop._FirstStepTimed(asyncio.sleep(10), noted.append)))
        await asyncio.sleep(1)
        waiter.cancel()
        try:
            await waiter
        except asyncio.CancelledError:
            return ok, failed, "cancelled"

    assert helpers.trace(main()).result == ("slept", "slept", "cancelled")
    assert len(noted) == 3 and all(wall >= 0 for wall in noted), "one note per awaited coroutine"


async def _await(awaitable):
    return await awaitable


def test_threads_due_at_the_same_instant_finish_in_the_order_their_jobs_were_submitted():
    """As on the real clock, where the job submitted first starts sleeping first; here on every run.

    A timer due at the same instant as a thread may come before or after it: the thread's result
    crosses threads in real time (docs/helpers.md, Limits), so that case is not part of this test.
    """

    def work(name):
        time.sleep(1)
        return name

    async def main():
        loop = asyncio.get_running_loop()
        with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
            futures = [asyncio.wrap_future(pool.submit(work, name)) for name in "ab"]
            futures += [loop.run_in_executor(pool, work, name) for name in "cd"]
            return [await f for f in asyncio.as_completed(futures)]

    with WallClock(10.0):
        assert {tuple(helpers.trace(main()).result) for _ in range(5)} == {("a", "b", "c", "d")}


# ------------------------------------------------------------- a clock not at 0
START = 1000.0


def test_virtual_loop_can_start_its_clock_elsewhere():
    loop = helpers.VirtualTimeLoop(start=START)
    try:
        assert loop.time() == START
        assert loop.run_until_complete(_clock_after_sleeps([5, 0.5])) == [START, START + 5, START + 5.5]
    finally:
        loop.close()


@pytest.mark.parametrize("start", [float("nan"), float("inf")])
def test_virtual_loop_refuses_a_start_that_is_not_a_time(start):
    with pytest.raises(ValueError, match="finite"):
        helpers.VirtualTimeLoop(start=start)


def test_a_deadline_is_not_a_delay_when_the_clock_does_not_start_at_0():
    async def wait_until(deadline):
        try:
            async with asyncio.timeout_at(deadline):
                await asyncio.sleep(10)
        except TimeoutError:
            return asyncio.get_running_loop().time()

    assert helpers.trace(wait_until(2)).result == 2, "at start 0 a deadline of 2 looks like a delay of 2"
    assert helpers.trace(wait_until(2), start=START).result == START, "deadline 2 is long past at t=1000"
    assert helpers.trace(wait_until(START + 2), start=START).result == START + 2


def test_the_end_of_time_counts_from_the_start():
    with WallClock(5.0), pytest.raises(helpers.TimeLimitError) as excinfo:
        helpers.trace(_forever(7), until=100, start=START)
    assert excinfo.value.until == 100
    assert excinfo.value.timeline.duration == pytest.approx(98)  # the last sleep(7) that fits
    assert helpers.trace(_clock_after_sleeps([50, 50]), until=100, start=START).result[-1] == START + 100


def test_endless_time_sleep_stops_at_the_end_of_time_counted_from_the_start():
    async def main():
        while True:
            time.sleep(1)

    with WallClock(5.0), pytest.raises(helpers.TimeLimitError) as excinfo:
        helpers.trace(main(), until=100, start=START)
    assert excinfo.value.until == 100
    assert excinfo.value.timeline.duration == 100


def test_time_sleep_moves_a_clock_that_starts_elsewhere():
    async def main():
        time.sleep(0.5)
        await asyncio.to_thread(time.sleep, 1)
        return asyncio.get_running_loop().time()

    timeline = helpers.trace(main(), start=START)
    assert timeline.result == START + 1.5
    assert [(s.start - timeline.start, s.end - timeline.start) for s in timeline.steps] == [(0, 0.5), (1.5, 1.5)]


def test_a_deadlock_is_reported_at_a_time_counted_from_the_start():
    async def main():
        await asyncio.sleep(3)
        await asyncio.Event().wait()

    with pytest.raises(helpers.DeadlockError, match=r"deadlock at t=3:") as excinfo:
        helpers.trace(main(), start=START)
    assert excinfo.value.at == 3


@pytest.mark.parametrize("make_loop", [lambda: helpers.VirtualTimeLoop(start=100.0), helpers.RealTimeLoop])
def test_a_loop_in_a_thread_of_its_own_waits_idle_for_work_from_other_threads(make_loop):
    """No task at all is not a deadlock: run_forever() in a thread waits for work handed over from outside."""
    loop = make_loop()
    errors = []

    def serve():
        try:
            loop.run_forever()
        except BaseException as exc:  # pragma: no cover - what this test guards against
            errors.append(exc)

    async def job(x):
        await asyncio.sleep(2)
        return x, asyncio.get_running_loop().time()

    thread = threading.Thread(target=serve, name="loop-thread")
    with WallClock(10.0):
        with helpers.tracing(loop) as timeline:
            thread.start()
            time.sleep(0.2)  # the loop is idle, with no task: it must wait, not call a deadlock
            first = asyncio.run_coroutine_threadsafe(job("a"), loop).result(5)
            time.sleep(0.1)
            second = asyncio.run_coroutine_threadsafe(job("b"), loop).result(5)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(5)
    assert not thread.is_alive() and errors == []
    loop.close()
    assert [first[0], second[0]] == ["a", "b"]
    if isinstance(loop, helpers.VirtualTimeLoop):
        assert (first[1], second[1]) == (102.0, 104.0), "each job takes exactly 2 virtual seconds"
        assert len(timeline.tasks) == 2


def test_a_loop_with_a_task_that_waits_forever_is_still_a_deadlock():
    loop = helpers.VirtualTimeLoop()
    task = loop.create_task(_wait_forever(), name="stuck")
    try:
        with WallClock(3.0), pytest.raises(helpers.DeadlockError, match="stuck waits on a Future"):
            loop.run_until_complete(task)
    finally:
        task.cancel()
        loop.run_until_complete(asyncio.gather(task, return_exceptions=True))
        loop.close()


async def _wait_forever():
    await asyncio.get_running_loop().create_future()


def test_a_job_waiting_for_the_loop_does_not_hold_the_clock():
    """A to_thread job blocked in run_coroutine_threadsafe(...).result() waits for the loop: no real-time wait."""

    async def on_loop(seconds):
        await asyncio.sleep(seconds)
        return asyncio.get_running_loop().time()

    def in_a_job(loop):
        return [asyncio.run_coroutine_threadsafe(on_loop(s), loop).result() for s in (30, 60)]

    async def main():
        return await asyncio.to_thread(in_a_job, asyncio.get_running_loop())

    with WallClock(5.0):
        timeline = helpers.trace(main(), start=10.0)
    assert timeline.result == [40.0, 100.0]
    assert timeline.duration == 90.0
