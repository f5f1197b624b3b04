"""Tests for helpers._labels: what a recorded task is said to wait on, and how deadlocks explain it."""

import asyncio
import functools

import pytest

import helpers
from helpers import _labels


def _awaited(body, task: str = "subject") -> list[str]:
    """Trace ``main`` running ``body()`` in a task called ``task``; return what that task waited on."""

    async def main():
        await asyncio.create_task(body(), name=task)

    return helpers.trace(main()).task(task).awaited


def fetch(x: int = 0) -> int:
    return x


async def _sleeps():
    await asyncio.sleep(1.5)
    await asyncio.sleep(0)
    await asyncio.sleep(2)


def test_sleep_labels_show_the_delay():
    assert _awaited(_sleeps) == ["sleep(1.5)", "sleep(0)", "sleep(2)"]


async def _queue_get_and_put():
    queue: asyncio.Queue = asyncio.Queue(maxsize=1)

    async def other():
        await asyncio.sleep(1)
        await queue.put("first")  # wakes the subject's get
        await asyncio.sleep(1)
        await queue.get()  # frees room for the subject's second put

    helper = asyncio.create_task(other())
    await queue.get()
    await queue.put("a")
    await queue.put("b")
    await helper


def test_queue_get_and_put():
    assert _awaited(_queue_get_and_put) == ["Queue.get", "Queue.put"]


async def _priority_get():
    queue: asyncio.PriorityQueue = asyncio.PriorityQueue()
    asyncio.get_running_loop().call_later(1, queue.put_nowait, (1, "x"))
    await queue.get()


def test_priority_queue_get_names_the_subclass():
    assert _awaited(_priority_get) == ["PriorityQueue.get"]


async def _event_wait():
    event = asyncio.Event()
    asyncio.get_running_loop().call_later(1, event.set)
    await event.wait()


def test_event_wait():
    assert _awaited(_event_wait) == ["Event.wait"]


async def _lock_acquire():
    lock = asyncio.Lock()
    await lock.acquire()
    asyncio.get_running_loop().call_later(1, lock.release)
    async with lock:
        pass


def test_lock_acquire_also_through_async_with():
    assert _awaited(_lock_acquire) == ["Lock.acquire"]


async def _condition_acquire():
    cond = asyncio.Condition()
    await cond.acquire()
    asyncio.get_running_loop().call_later(1, cond.release)
    async with cond:
        pass


def test_condition_acquire_through_async_with():
    assert _awaited(_condition_acquire) == ["Condition.acquire"]


async def _condition_wait():
    cond = asyncio.Condition()

    async def notify():
        await asyncio.sleep(1)
        async with cond:
            cond.notify_all()

    asyncio.create_task(notify())
    async with cond:
        await cond.wait()


def test_condition_wait():
    assert _awaited(_condition_wait) == ["Condition.wait"]


async def _semaphore_acquire():
    sem = asyncio.Semaphore(0)
    asyncio.get_running_loop().call_later(1, sem.release)
    async with sem:
        pass


def test_semaphore_acquire_also_through_async_with():
    assert _awaited(_semaphore_acquire) == ["Semaphore.acquire"]


async def _threads():
    await asyncio.to_thread(fetch, 1)
    await asyncio.get_running_loop().run_in_executor(None, fetch, 2)
    await asyncio.get_running_loop().run_in_executor(None, functools.partial(fetch, 3))


def test_thread_labels_name_the_function():
    assert _awaited(_threads) == ["to_thread(fetch)", "run_in_executor(fetch)", "run_in_executor(fetch)"]


async def _awaits_a_task():
    async def worker():
        await asyncio.sleep(1)

    await asyncio.create_task(worker(), name="x")


def test_awaiting_a_task_names_it():
    assert _awaited(_awaits_a_task) == ["task 'x'"]


async def _gather_three():
    await asyncio.gather(asyncio.sleep(1), asyncio.sleep(2), asyncio.sleep(3))


def test_gather_counts_its_children():
    assert _awaited(_gather_three) == ["gather(3)"]


async def _wait_for():
    await asyncio.wait_for(asyncio.sleep(1), timeout=5)


def test_wait_for_labels_what_it_waits_on():
    (label,) = _awaited(_wait_for)
    assert label.startswith("wait_for("), label


async def _as_completed_and_wait():
    for next_done in asyncio.as_completed([asyncio.sleep(1)]):
        await next_done
    await asyncio.wait([asyncio.create_task(asyncio.sleep(1))])


def test_as_completed_and_wait_say_so():
    assert _awaited(_as_completed_and_wait) == ["as_completed", "wait(1)"]


async def _bare_future():
    fut = asyncio.get_running_loop().create_future()
    asyncio.get_running_loop().call_later(1, fut.set_result, None)
    await fut


def test_bare_future():
    assert _awaited(_bare_future) == ["Future"]


def test_describe_wait_of_a_bare_yield_is_sleep_0():
    assert _labels.describe_wait(None, None) == "sleep(0)"


@pytest.mark.parametrize(
    ("func", "name"),
    [
        (fetch, "fetch"),
        (functools.partial(fetch, 1), "fetch"),
        (functools.partial(functools.partial(fetch), 1), "fetch"),
        (print, "print"),
        (functools.partial(__import__("contextvars").copy_context().run, fetch, 1), "fetch"),
    ],
)
def test_func_name_sees_through_partials_and_context_run(func, name):
    assert _labels._func_name(func) == name


def test_coroutine_name_is_the_qualified_name():
    class Server:
        async def handle(self):
            pass

    coro = Server().handle()
    try:
        assert _labels.coroutine_name(coro).endswith("Server.handle")
    finally:
        coro.close()
    assert _labels.coroutine_name(object()) == "object"


@pytest.mark.parametrize(
    ("make_body", "explained"),
    [
        ("queue_get", "Queue.get (queue empty, and no task left that could put)"),
        ("queue_put", "Queue.put (queue full at maxsize=1, and no task left that could get)"),
        ("event", "Event.wait (the event is never set)"),
        ("lock", "Lock.acquire (held, and never released)"),
        ("future", "a Future that nothing will ever complete"),
    ],
)
def test_deadlock_explains_each_wait(make_body, explained):
    async def queue_get():
        await asyncio.Queue().get()

    async def queue_put():
        queue: asyncio.Queue = asyncio.Queue(maxsize=1)
        await queue.put(1)
        await queue.put(2)

    async def event():
        await asyncio.Event().wait()

    async def lock():
        held = asyncio.Lock()
        await held.acquire()
        await held.acquire()

    async def future():
        await asyncio.get_running_loop().create_future()

    body = locals()[make_body]

    async def main():
        await asyncio.create_task(body(), name="stuck")

    with pytest.raises(helpers.DeadlockError) as excinfo:
        helpers.trace(main())
    assert f"stuck waits on {explained}" in excinfo.value.waiting, excinfo.value.waiting


async def _async_for_over_a_generator():
    async def pages():
        for i in range(2):
            await asyncio.sleep(0.5)
            yield i

    async for _ in pages():
        pass
    generator = pages()
    await anext(generator)
    await generator.aclose()


def test_waits_inside_an_async_generator_name_what_the_generator_awaits():
    assert _awaited(_async_for_over_a_generator) == ["sleep(0.5)"] * 3


def test_a_wait_on_shield_names_what_is_shielded():
    async def body():
        job = asyncio.create_task(asyncio.sleep(1), name="job")
        await asyncio.shield(job)

    assert _awaited(body) == ["shield(task 'job')"]
