"""Each check passes on a right answer and fails, with a message that helps, on a plausible wrong one."""

from __future__ import annotations

import asyncio
import contextlib
import re
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

import helpers
from helpers import checks, trace
from helpers.checks import CheckFailed


async def fetch(delay: float) -> float:
    await asyncio.sleep(delay)
    return delay


async def concurrent(delays: list[float]) -> list[float]:
    return await asyncio.gather(*(asyncio.create_task(fetch(d), name=f"fetch-{d:g}") for d in delays))


async def sequential(delays: list[float]) -> list[float]:
    results = []
    for d in delays:
        results.append(await asyncio.create_task(fetch(d), name=f"fetch-{d:g}"))
    return results


async def awaiting_coroutines(delays: list[float]) -> list[float]:
    return [await fetch(d) for d in delays]  # no tasks at all


async def blocking(delays: list[float]) -> None:
    async def fetch_blocking(delay: float) -> None:
        time.sleep(delay)

    await asyncio.gather(*(asyncio.create_task(fetch_blocking(d), name=f"fetch-{d:g}") for d in delays))


def test_run_returns_the_timeline_with_the_result():
    timeline = checks.run(concurrent([1, 2]))
    assert timeline.result == [1, 2]


def test_run_explains_a_deadlock():
    async def stuck() -> None:
        await asyncio.Queue().get()

    with pytest.raises(CheckFailed, match=r"got stuck(.|\n)*main waits on Queue.get \(queue empty"):
        checks.run(stuck())


def test_run_stops_an_endless_program():
    async def forever() -> None:
        while True:
            await asyncio.sleep(1)

    started = time.perf_counter()
    with pytest.raises(CheckFailed, match="still running after 100 s"):
        checks.run(forever(), until=100)
    assert time.perf_counter() - started < 5


def test_run_names_a_step_that_blocks_until_the_end_of_time():
    async def blocks() -> None:
        await asyncio.sleep(1)
        time.sleep(10**6)

    with pytest.raises(CheckFailed, match=r"Task 'main' blocked the event loop: one of its steps took 99 s"):
        checks.run(blocks(), until=100)


def test_run_stops_a_spinning_program():
    async def spin() -> None:
        while True:
            pass

    with pytest.raises(CheckFailed, match="kept the event loop busy"):
        checks.run(spin(), wall_limit=0.5)


def test_run_needs_a_coroutine():
    with pytest.raises(CheckFailed, match="Expected a coroutine to run, but got None"):
        checks.run(None)


def test_run_lets_the_learners_own_exception_through():
    async def unfinished() -> None:
        raise NotImplementedError("Student exercise")

    with pytest.raises(NotImplementedError):
        checks.run(unfinished())


def test_ran_concurrently_passes_and_catches_sequential_code():
    checks.ran_concurrently(checks.run(concurrent([1, 2, 3])), at_least=3)
    expected = (
        r"one after another: each one was created only after the one before it had finished.\n"
        r"    fetch-1: 0.000 to 1.000 s\n    fetch-2: 1.000 to 3.000 s"
    )
    with pytest.raises(CheckFailed, match=expected):
        checks.ran_concurrently(checks.run(sequential([1, 2, 3])), at_least=3)


def test_ran_concurrently_explains_when_no_task_was_made():
    with pytest.raises(CheckFailed, match="only 0 task"):
        checks.ran_concurrently(checks.run(awaiting_coroutines([1, 2])))


def test_ran_concurrently_with_names_reports_a_missing_task():
    with pytest.raises(CheckFailed, match=r"No task called 'worker-9' ran"):
        checks.ran_concurrently(checks.run(concurrent([1, 2])), ["fetch-1", "worker-9"])


def test_ran_one_at_a_time():
    checks.ran_one_at_a_time(checks.run(sequential([1, 2])))
    with pytest.raises(CheckFailed, match="2 were in progress at once"):
        checks.ran_one_at_a_time(checks.run(concurrent([1, 2])))


def test_took_about_compares_virtual_durations():
    checks.took_about(checks.run(concurrent([1, 2, 3])), 3.0)
    with pytest.raises(CheckFailed, match=r"took 6.000 s of virtual time; expected about 3.000 s(.|\n)*longer"):
        checks.took_about(checks.run(sequential([1, 2, 3])), 3.0)
    with pytest.raises(CheckFailed, match="shorter than expected"):
        checks.took_about(checks.run(concurrent([1])), 3.0)


def test_never_blocked_names_the_task_and_the_step():
    checks.never_blocked(checks.run(concurrent([0.5, 0.5])))
    expected = r"'fetch-0.5' held the event loop for 0.500 s in one step, starting at t=0.000"
    with pytest.raises(CheckFailed, match=expected):
        checks.never_blocked(checks.run(blocking([0.5, 0.2])))


def test_awaited_checks_the_labels():
    async def in_thread() -> None:
        await asyncio.to_thread(time.sleep, 1)

    checks.awaited(checks.run(in_thread()), "main", "to_thread(sleep")
    with pytest.raises(CheckFailed, match=r"to await to_thread\.\.\., but it awaited: sleep\(1\)"):
        checks.awaited(checks.run(fetch(1)), "main", "to_thread")


def test_finished_in_order():
    timeline = checks.run(concurrent([3, 1, 2]))
    checks.finished_in_order(timeline, ["fetch-1", "fetch-2", "fetch-3"])
    expected = r"finished as \['fetch-1', 'fetch-3'\] \(fetch-1 at t=1.000 s, fetch-3 at t=3.000 s\)\.$"
    with pytest.raises(CheckFailed, match=expected):
        checks.finished_in_order(timeline, ["fetch-3", "fetch-1"])


class Connection:
    def __init__(self) -> None:
        self.closed = False


async def cancel_worker(worker, connection: Connection) -> None:
    task = asyncio.create_task(worker(connection), name="worker")
    await asyncio.sleep(1)
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        pass


async def good_worker(connection: Connection) -> None:
    try:
        await asyncio.sleep(10)
    finally:
        connection.closed = True


async def swallowing_worker(connection: Connection) -> str:
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        connection.closed = True
        return "swallowed"
    return "done"


async def no_cleanup_worker(connection: Connection) -> None:
    await asyncio.sleep(10)


def test_cancelled_and_cleaned_up_passes_on_try_finally():
    connection = Connection()
    timeline = checks.run(cancel_worker(good_worker, connection))
    checks.cancelled_and_cleaned_up(timeline, "worker", cleanup=lambda: connection.closed)
    checks.reraised_cancellation(timeline, "worker")


def test_a_swallowed_cancelled_error_is_caught():
    connection = Connection()
    timeline = checks.run(cancel_worker(swallowing_worker, connection))
    with pytest.raises(CheckFailed, match=r"cancelled at t=1.000 s but then returned normally \('swallowed'\)"):
        checks.reraised_cancellation(timeline, "worker")


def test_missing_cleanup_is_caught():
    connection = Connection()
    timeline = checks.run(cancel_worker(no_cleanup_worker, connection))
    with pytest.raises(CheckFailed, match="cleanup did not happen"):
        checks.cancelled_and_cleaned_up(timeline, "worker", cleanup=lambda: connection.closed)


def test_a_task_never_cancelled_is_reported():
    timeline = checks.run(concurrent([1]))
    with pytest.raises(CheckFailed, match=r"'fetch-1' was never cancelled: it ended \(returned\)"):
        checks.reraised_cancellation(timeline, "fetch-1")


# --------------------------------------------------------------------- leftovers
async def fetch_named(name: str, delay: float) -> str:
    await asyncio.sleep(delay)
    return name


async def wait_with_timeout_and_forget() -> int:
    tasks = [asyncio.create_task(fetch(d), name=f"fetch-{d:g}") for d in (1, 5)]
    done, _ = await asyncio.wait(tasks, timeout=2)
    return len(done)


async def wait_with_timeout_then_cancel() -> int:
    tasks = [asyncio.create_task(fetch(d), name=f"fetch-{d:g}") for d in (1, 5)]
    done, pending = await asyncio.wait(tasks, timeout=2)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    return len(done)


async def shielded_job() -> None:
    job = asyncio.create_task(fetch(5), name="job")
    try:
        async with asyncio.timeout(1):
            await asyncio.shield(job)
    except TimeoutError:
        pass


async def pending_call_later() -> None:
    asyncio.get_running_loop().call_later(3, print, "late")
    await asyncio.sleep(1)


async def abandoned_thread_job() -> None:
    try:
        await asyncio.wait_for(asyncio.to_thread(time.sleep, 5), 1)
    except TimeoutError:
        pass


async def unjoined_thread() -> None:
    threading.Thread(target=time.sleep, args=(0.2,), name="sleeper").start()


async def unwaited_child() -> None:
    await asyncio.create_subprocess_exec(sys.executable, "-c", "import time; time.sleep(0.5)")


async def fire_and_forget() -> None:
    asyncio.create_task(fetch(1), name="goodbye")


async def cancelled_not_awaited() -> None:
    async def closing() -> None:
        try:
            await asyncio.sleep(10)
        finally:
            await asyncio.sleep(0.5)  # closing a connection

    task = asyncio.create_task(closing(), name="connection")
    await asyncio.sleep(1)
    task.cancel()


LEFTOVERS = {
    wait_with_timeout_and_forget: ["task 'fetch-5' (fetch): waiting on sleep(5)"],
    shielded_job: ["task 'job' (fetch): waiting on sleep(5)"],
    pending_call_later: ["callback print: a timer due at t=3.000 s"],
    abandoned_thread_job: ["job to_thread(sleep) handed to an executor: still running"],
    unjoined_thread: ["thread 'sleeper': still running"],
    fire_and_forget: ["task 'goodbye' (fetch): waiting on sleep(1)"],
    cancelled_not_awaited: ["task 'connection' (closing): cancelled, but not finished: waiting on sleep(0.5)"],
}


@pytest.mark.parametrize("program", LEFTOVERS, ids=lambda p: p.__name__)
@pytest.mark.parametrize("start", [0.0, 1000.0])
def test_run_fails_on_work_left_running_and_names_it(program, start):
    with pytest.raises(CheckFailed, match="your code returned, but left work running") as excinfo:
        checks.run(program(), start=start)
    message = str(excinfo.value)
    for line in LEFTOVERS[program]:
        assert f"  - {line}\n" in message
    assert message.count("\n  - ") == len(LEFTOVERS[program]), message
    assert excinfo.value.timeline is not None and excinfo.value.timeline.leftovers


def test_a_child_process_not_waited_for_is_a_leftover():
    expected = r"  - child process '.*python.*' \(pid \d+\): still running, or ended without the program waiting"
    with pytest.raises(CheckFailed, match=expected):
        checks.run(unwaited_child())


def test_leftovers_are_on_the_timeline_in_its_own_terms():
    timeline = checks.run(shielded_job(), leftovers="allow", start=1000.0)
    (job,) = timeline.leftovers
    assert (job.kind, job.name, job.waits_on, job.cancelling) == ("task", "job", "sleep(5)", False)
    assert timeline.task("job").outcome == "cancelled", "then cancelled at the end, as asyncio.run does"
    (timer,) = checks.run(pending_call_later(), leftovers="allow", start=1000.0).leftovers
    assert (timer.kind, timer.name, timer.waits_on, timer.due) == ("callback", "print", "timer", 1003.0)


def test_trace_records_leftovers_and_no_leftovers_checks_them():
    timeline = trace(wait_with_timeout_and_forget())
    assert [(x.kind, x.name) for x in timeline.leftovers] == [("task", "fetch-5")]
    with pytest.raises(CheckFailed, match=r"At t=2.000 s, your code returned, but left work running"):
        checks.no_leftovers(timeline)
    checks.no_leftovers(trace(wait_with_timeout_then_cancel()))


def test_leftovers_allowed_where_leaving_work_is_the_lesson():
    timeline = checks.run(fire_and_forget(), leftovers="allow")
    assert [x.name for x in timeline.leftovers] == ["goodbye"]
    with pytest.raises(ValueError, match="'fail' or 'allow'"):
        checks.run(fire_and_forget(), leftovers="ignore")


async def join_thread() -> None:
    thread = threading.Thread(target=time.sleep, args=(0.2,), name="sleeper")
    thread.start()
    await asyncio.to_thread(thread.join)


async def wait_for_child() -> int:
    child = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
    return await child.wait()


async def shield_then_await() -> str:
    job = asyncio.create_task(fetch_named("job", 2), name="job")
    try:
        async with asyncio.timeout(1):
            await asyncio.shield(job)
    except TimeoutError:
        pass
    return await job


async def task_group() -> None:
    async with asyncio.TaskGroup() as group:
        for d in (1, 2):
            group.create_task(fetch(d))


async def thread_job_awaited() -> None:
    await asyncio.gather(asyncio.get_running_loop().run_in_executor(None, time.sleep, 1), asyncio.sleep(1))


async def cancel_and_await() -> None:
    task = asyncio.create_task(fetch(5))
    await asyncio.sleep(1)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def timer_cancelled() -> None:
    handle = asyncio.get_running_loop().call_later(3, print, "late")
    await asyncio.sleep(1)
    handle.cancel()


@pytest.mark.parametrize(
    "program",
    [concurrent([1, 2]), wait_with_timeout_then_cancel(), join_thread(), wait_for_child(), shield_then_await(),
     task_group(), thread_job_awaited(), cancel_and_await(), timer_cancelled()],
    ids=lambda coro: coro.__qualname__,
)
def test_programs_that_wait_for_what_they_start_pass(program):
    assert checks.run(program, start=1000.0).leftovers == []


def test_tracing_records_the_tasks_a_block_left_running():
    async def main():
        async with helpers.tracing() as timeline:
            asyncio.create_task(fetch(1), name="left")
            await asyncio.create_task(fetch(0.01), name="awaited")
        return timeline

    timeline = asyncio.run(main())
    assert [(x.kind, x.name, x.waits_on) for x in timeline.leftovers] == [("task", "left", "sleep(1)")]


def test_a_leftover_task_that_closes_an_async_generator_is_named_by_what_it_runs():
    async def rows():
        yield 1
        yield 2

    async def outer():
        async for row in rows():
            yield row

    async def main():
        stream = outer()
        await anext(stream)
        await stream.aclose()  # rows() is left open: asyncio closes it later, in a task of its own

    timeline = checks.run(main(), leftovers="allow")
    assert [(x.kind, x.coroutine) for x in timeline.leftovers] == [("task", "async_generator_athrow")]


def test_a_task_created_as_a_tracing_block_ends_never_started():
    async def main():
        with helpers.tracing() as timeline:
            task = asyncio.create_task(fetch(0), name="late")
        await task
        return timeline

    timeline = asyncio.run(main())
    assert [(x.name, x.waits_on) for x in timeline.leftovers] == [("late", "not started")]
    expected = r"^When the traced block ended, it left work running(.|\n)*\n  - task 'late' \(fetch\): created, never"
    with pytest.raises(CheckFailed, match=expected):
        checks.no_leftovers(timeline)


# ----------------------------------------------------------------------- messages
async def busy_wait_on_the_clock() -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 1
    while loop.time() < deadline:
        await asyncio.sleep(0)


def test_a_busy_wait_with_sleep_0_is_not_called_never_awaiting():
    with pytest.raises(CheckFailed) as excinfo:
        checks.run(busy_wait_on_the_clock(), wall_limit=0.3)
    message = str(excinfo.value)
    assert "without ever awaiting" not in message
    assert "at t=0.000 s for 0.3 s of real time" in message
    assert "the loop never went idle, so virtual time could not move" in message
    assert re.search(r"\n    main: \d+ steps, waiting on sleep\(0\) x\d+\n", message), message
    assert "is busy-waiting" in message


def test_tasks_that_take_turns_forever_are_named_without_a_sleep_0_hint():
    async def ping_pong() -> None:
        ping, pong = asyncio.Event(), asyncio.Event()

        async def player(mine: asyncio.Event, theirs: asyncio.Event) -> None:
            while True:
                await mine.wait()
                mine.clear()
                theirs.set()

        ping.set()
        await asyncio.gather(
            asyncio.create_task(player(ping, pong), name="ping"), asyncio.create_task(player(pong, ping), name="pong")
        )

    with pytest.raises(CheckFailed, match=r"\n    ping: \d+ steps, waiting on Event.wait x\d+") as excinfo:
        checks.run(ping_pong(), wall_limit=0.3)
    assert "pong:" in str(excinfo.value) and "sleep(0)" not in str(excinfo.value)


def test_a_step_that_never_awaits_is_named():
    async def spin_after_a_second() -> None:
        await asyncio.sleep(1)
        while True:
            pass

    expected = r"Task 'main' kept the event loop busy for 0.3 s of real time in one step, starting at t=1.000 s"
    with pytest.raises(CheckFailed, match=expected):
        checks.run(spin_after_a_second(), wall_limit=0.3, start=1000.0)


def test_a_wait_for_a_slow_thread_is_not_called_busy():
    async def slow_thread() -> None:
        await asyncio.sleep(1)
        await asyncio.to_thread(threading.Event().wait, 2)

    with pytest.raises(CheckFailed) as excinfo:
        checks.run(slow_thread(), wall_limit=0.3)
    message = str(excinfo.value)
    assert message.startswith("Your code was stopped after 0.3 s of real time at t=1.000 s, while the event loop was")
    assert "\n    main: 2 steps, waiting on to_thread(wait) x1" in message
    assert "busy" not in message


def test_a_result_read_too_early_is_explained_and_still_an_invalid_state_error():
    async def reads_too_early() -> None:
        task = asyncio.create_task(fetch(1))
        await asyncio.sleep(0.5)
        return task.result()

    with pytest.raises(asyncio.InvalidStateError) as excinfo:
        checks.run(reads_too_early())
    failure = excinfo.value
    assert isinstance(failure, CheckFailed)
    assert str(failure).startswith("At t=0.500 s, your code asked a task or future for its result before it had one")
    assert isinstance(failure.__cause__, asyncio.InvalidStateError) and not isinstance(failure.__cause__, CheckFailed)
    assert failure.timeline is not None


def test_a_timeout_that_ran_out_is_explained_and_still_a_timeout_error():
    async def too_slow() -> None:
        await asyncio.sleep(0.5)
        async with asyncio.timeout(1):
            await asyncio.sleep(2)

    with pytest.raises(TimeoutError) as excinfo:
        checks.run(too_slow(), start=1000.0)
    assert isinstance(excinfo.value, CheckFailed)
    assert str(excinfo.value).startswith(
        "At t=1.500 s, your code ended with TimeoutError: an asyncio.timeout() or wait_for() ran out"
    )


def test_a_timeout_error_of_the_programs_own_is_not_blamed_on_a_timeout():
    async def gives_up() -> None:
        raise TimeoutError("server too slow")

    with pytest.raises(CheckFailed, match=r"TimeoutError: server too slow. It was not raised by an asyncio.timeout"):
        checks.run(gives_up())


def test_ran_concurrently_when_no_task_ever_waited():
    async def cpu_only(n: int) -> int:
        return sum(range(n))

    async def main() -> None:
        await asyncio.gather(*(asyncio.create_task(cpu_only(n), name=f"sum-{n}") for n in (10, 20)))

    with pytest.raises(CheckFailed, match="none of them ever waited: each ran from start to end in one step") as info:
        checks.ran_concurrently(checks.run(main()))
    assert "before starting the next" not in str(info.value) and "created only after" not in str(info.value)


def test_ran_concurrently_does_not_guess_when_tasks_started_together():
    async def hold_the_loop() -> None:
        time.sleep(1)

    async def one_blocks() -> None:
        await asyncio.gather(
            asyncio.create_task(hold_the_loop(), name="blocker"), asyncio.create_task(fetch(1), name="fetch-1")
        )

    with pytest.raises(CheckFailed) as excinfo:
        checks.ran_concurrently(checks.run(one_blocks()))
    message = str(excinfo.value)
    expected = "    blocker: 0.000 to 1.000 s, waiting on nothing\n    fetch-1: 1.000 to 2.000 s, waiting on sleep(1)\n"
    assert expected in message
    assert "created only after" not in message and "never waited" not in message


def test_the_end_of_time_message_says_what_each_task_waited_on():
    async def ticks_forever() -> None:
        async def tick() -> None:
            while True:
                await asyncio.sleep(1)

        asyncio.create_task(tick(), name="ticker")
        while True:
            await asyncio.sleep(7)

    expected = (
        r"after 100 s of \(virtual\) time(.|\n)*\n    main: waiting on sleep\(7\)\n"
        r"    ticker: waiting on sleep\(1\)"
    )
    with pytest.raises(CheckFailed, match=expected):
        checks.run(ticks_forever(), until=100, start=1000.0)


def test_took_about_shows_what_ran_when():
    with pytest.raises(CheckFailed, match=r"What ran when:\n    fetch-1: 0.000 to 1.000 s, waiting on sleep\(1\)"):
        checks.took_about(checks.run(sequential([1, 2])), 2.0)


# ------------------------------------------------------------- a clock not at 0
def _raises(check: Callable[[], Any]) -> str:
    with pytest.raises(CheckFailed) as excinfo:
        check()
    return str(excinfo.value)


def _connection_not_cleaned() -> Any:
    return cancel_worker(no_cleanup_worker, Connection())


WRONG = {
    "sequential": (lambda: sequential([1, 2]), lambda t: checks.ran_concurrently(t)),
    "concurrent": (lambda: concurrent([1, 2]), lambda t: checks.ran_one_at_a_time(t)),
    "too long": (lambda: sequential([1, 2]), lambda t: checks.took_about(t, 2.0)),
    "blocking": (lambda: blocking([0.5]), lambda t: checks.never_blocked(t)),
    "order": (lambda: concurrent([2, 1]), lambda t: checks.finished_in_order(t, ["fetch-2", "fetch-1"])),
    "swallowed": (
        lambda: cancel_worker(swallowing_worker, Connection()),
        lambda t: checks.reraised_cancellation(t, "worker"),
    ),
    "never cancelled": (lambda: concurrent([1]), lambda t: checks.reraised_cancellation(t, "fetch-1")),
    "no cleanup": (_connection_not_cleaned, lambda t: checks.cancelled_and_cleaned_up(t, "worker", lambda: False)),
}


@pytest.mark.parametrize("case", WRONG)
def test_every_check_says_the_same_whatever_the_clock_starts_at(case):
    program, check = WRONG[case]
    at_zero = checks.run(program())
    elsewhere = checks.run(program(), start=1000.0)
    assert elsewhere.start == 1000.0
    assert _raises(lambda: check(elsewhere)) == _raises(lambda: check(at_zero))
    assert str(elsewhere) == str(at_zero)


@pytest.mark.parametrize("case", ["blocking", "swallowed"])
def test_every_view_is_the_same_whatever_the_clock_starts_at(case):
    from helpers import _plot

    program, _ = WRONG[case]
    at_zero, elsewhere = checks.run(program()), checks.run(program(), start=1000.0)
    assert elsewhere.to_chrome_trace()["traceEvents"] == at_zero.to_chrome_trace()["traceEvents"]
    assert _plot.png_bytes(elsewhere) == _plot.png_bytes(at_zero)


def test_tracing_a_loop_of_your_own_records_its_leftover_callbacks_too():
    loop = asyncio.new_event_loop()
    try:
        with helpers.tracing(loop) as timeline:
            loop.call_later(3600, print, "an hour later")
            loop.run_until_complete(asyncio.sleep(0))
    finally:
        loop.close()
    assert [(x.kind, x.name, x.waits_on) for x in timeline.leftovers] == [("callback", "print", "timer")]


def test_a_deadlock_is_reported_at_its_time_from_the_start():
    async def stuck_later() -> None:
        await asyncio.sleep(3)
        await asyncio.Queue().get()

    expected = r"^Your code got stuck at t=3.000 s: (.|\n)*  - main waits on Queue.get \(queue empty"
    with pytest.raises(CheckFailed, match=expected) as excinfo:
        checks.run(stuck_later(), start=1000.0)
    assert excinfo.value.timeline.duration == 3


def test_a_coroutine_an_earlier_cell_never_awaited_does_not_warn_during_a_later_check():
    """An earlier slip (garbage in a cycle) must not print to stderr during an unrelated graded cell."""
    import gc
    import warnings

    async def forgotten():
        pass

    class Holder:  # a cycle, as a failed cell's traceback makes: only the collector frees it
        pass

    holder = Holder()
    holder.me, holder.coro = holder, forgotten()
    del holder

    async def fine():
        await asyncio.sleep(1)

    gc.disable()  # the collector must not run by chance before the check does
    try:
        checks.run(fine())
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            gc.collect()
    finally:
        gc.enable()
    assert [str(w.message) for w in caught if "never awaited" in str(w.message)] == []


def test_a_task_a_stopped_run_left_pending_is_collected_without_a_word_during_a_later_check(caplog):
    """A run stopped mid-way (a cell's time limit) can leave a task pending on a closed loop; when the
    collector frees it, asyncio logs "Task was destroyed but it is pending!" to stderr: not during an
    unrelated check, where nbgrader would count it against that cell."""
    import gc
    import logging

    async def forever():
        await asyncio.Event().wait()

    loop = asyncio.new_event_loop()
    task = loop.create_task(forever())
    loop.run_until_complete(asyncio.sleep(0))  # the task waits, and the loop closes under it
    loop.close()

    class Holder:  # a cycle, as a failed cell's traceback makes: only the collector frees it
        pass

    holder = Holder()
    holder.me, holder.task = holder, task
    del holder, task

    async def fine():
        await asyncio.sleep(1)

    gc.disable()  # the collector must not run by chance before the check does
    try:
        with caplog.at_level(logging.ERROR, logger="asyncio"):
            checks.run(fine())
            logged = [r.getMessage() for r in caplog.records if "destroyed but it is pending" in r.getMessage()]
    finally:
        gc.enable()
    assert logged == []
