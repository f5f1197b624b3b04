"""Each check passes on a right answer and fails, with a message that helps, on a plausible wrong one."""

from __future__ import annotations

import asyncio
import time

import pytest

from helpers import checks
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
    with pytest.raises(CheckFailed, match="finished as"):
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
