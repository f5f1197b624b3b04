"""The semantics battery: recording must not change what an asyncio program does.

Each scenario is a small ``async def`` that returns an *observation*: results,
exception types, messages and traceback frame names, cancellation messages,
task names, contextvars values, the order of events... The same scenario runs

(a) with ``asyncio.run`` (the reference),
(b) with ``helpers.trace(virtual=False)``,
(c) inside ``with helpers.tracing(loop): loop.run_until_complete(...)`` on a fresh standard loop,
(d) with ``helpers.trace(virtual=True)`` where the outcome does not depend on timing,

and every observation must equal the reference. Sleeps are kept tiny so the real-time
runs stay fast; the outcomes never depend on how long they really take.
"""

from __future__ import annotations

import asyncio
import contextvars
import re
import socket
import sys
import threading
import time
import traceback
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

import helpers

Scenario = Callable[[], Awaitable[Any]]
SCENARIOS: dict[str, tuple[Scenario, bool, tuple[int, int] | None]] = {}

#: CPython 3.13.0 to 3.13.2 name every task made through a task factory "None" unless it was
#: given a name (python/cpython#130033); recording installs a task factory.


def scenario(*, virtual: bool = True, min_version: tuple[int, int] | None = None):
    """Register a scenario; ``virtual=False`` leaves out the virtual-time run."""

    def register(fn: Scenario) -> Scenario:
        SCENARIOS[fn.__name__] = (fn, virtual, min_version)
        return fn

    return register


# ----------------------------------------------------------------- observing
def frames(exc: BaseException) -> list[str]:
    """The function names in an exception's traceback, outermost first."""
    return [f.name for f in traceback.extract_tb(exc.__traceback__)]


def describe(exc: BaseException) -> dict[str, Any]:
    """Everything about an exception a program could look at."""
    out: dict[str, Any] = {"type": type(exc).__name__, "args": exc.args, "frames": frames(exc)}
    if isinstance(exc, BaseExceptionGroup):
        out["message"] = exc.message
        out["exceptions"] = [describe(e) for e in exc.exceptions]
    if exc.__cause__ is not None:
        out["cause"] = type(exc.__cause__).__name__
    if exc.__context__ is not None:
        out["context"] = type(exc.__context__).__name__
    return out


async def _noop() -> None:
    pass


async def _harness(fn: Scenario) -> str:
    """Run one scenario in the main task and return its observation as normalised text."""
    main = asyncio.current_task()
    main.set_name("scenario-main")  # asyncio.run calls it Task-N, trace() calls it main
    probe = asyncio.Task(_noop(), loop=asyncio.get_running_loop())  # not through any task factory
    await probe
    base = int(probe.get_name().removeprefix("Task-"))
    try:
        observed: Any = ("returned", await fn())
    except BaseException as exc:  # noqa: B036 - a scenario may end with any exception, CancelledError too
        observed = ("raised", describe(exc))
    left = sorted(t.get_name() for t in asyncio.all_tasks() if t is not main)
    text = repr((observed, {"tasks left": left, "current": asyncio.current_task() is main}))
    # default task names count up over the whole process: make them relative to this run
    text = re.sub(r"Task-(\d+)", lambda m: f"Task-+{int(m.group(1)) - base}", text)
    return re.sub(r"0x[0-9a-f]+", "0x?", text)


def run_plain(fn: Scenario) -> str:
    return asyncio.run(_harness(fn))


def run_trace_real(fn: Scenario) -> str:
    return helpers.trace(_harness(fn), virtual=False, wall_limit=30).result


def run_trace_virtual(fn: Scenario) -> str:
    return helpers.trace(_harness(fn), wall_limit=30).result


def run_tracing(fn: Scenario) -> str:
    loop = asyncio.new_event_loop()
    try:
        with helpers.tracing(loop):
            return loop.run_until_complete(_harness(fn))
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.run_until_complete(loop.shutdown_default_executor())
        loop.close()


RUNNERS = {"trace-real": run_trace_real, "tracing-loop": run_tracing, "trace-virtual": run_trace_virtual}


# ------------------------------------------------------------------- results
@scenario()
async def results_of_tasks_and_awaits():
    async def double(x):
        await asyncio.sleep(0)
        return 2 * x

    task = asyncio.create_task(double(21))
    direct = await double(1)
    return [await task, direct, task.result(), task.done(), task.cancelled()]


@scenario()
async def result_without_any_await():
    async def immediate():
        return {"a": 1}

    task = asyncio.create_task(immediate())
    return [await task, await immediate()]


# ------------------------------------------------------- exceptions, tracebacks
async def _raise_inner():
    await asyncio.sleep(0)
    raise ValueError("boom")


async def _raise_middle():
    await _raise_inner()


@scenario()
async def exception_from_awaited_task_keeps_its_traceback():
    task = asyncio.create_task(_raise_middle(), name="failing")
    try:
        await task
    except ValueError as exc:
        return [describe(exc), describe(task.exception()), task.exception() is exc]


@scenario()
async def exception_raised_in_first_step_of_task():
    async def fail_at_once():
        raise KeyError("first step")

    task = asyncio.create_task(fail_at_once())
    await asyncio.sleep(0)
    return [task.done(), describe(task.exception())]


@scenario()
async def exception_escaping_the_main_coroutine():
    await _raise_middle()


@scenario()
async def exception_chains_are_kept():
    async def chained():
        await asyncio.sleep(0)
        try:
            {}["missing"]
        except KeyError as exc:
            raise RuntimeError("wrapped") from exc

    try:
        await asyncio.create_task(chained())
    except RuntimeError as exc:
        return describe(exc)


@scenario()
async def exception_thrown_into_task_by_send_value():
    """A step resumed with a value (``send(value)``) that then raises."""

    async def waits_on_future(fut):
        value = await fut
        raise LookupError(value)

    fut = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(waits_on_future(fut))
    await asyncio.sleep(0)
    fut.set_result("sent")
    try:
        await task
    except LookupError as exc:
        return describe(exc)


@scenario()
async def get_stack_of_waiting_task():
    async def sleeper():
        await asyncio.sleep(1)

    task = asyncio.create_task(sleeper())
    await asyncio.sleep(0)
    stack = [f.f_code.co_name for f in task.get_stack()]
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    return stack


@scenario()
async def repr_of_tasks():
    async def sleeper():
        await asyncio.sleep(1)
        return 5

    task = asyncio.create_task(sleeper(), name="sleeper")
    before = repr(task)
    await asyncio.sleep(0)
    waiting = repr(task)
    task.cancel("because")
    await asyncio.gather(task, return_exceptions=True)
    return [before, waiting, repr(task)]


# ---------------------------------------------------------------- cancellation
@scenario()
async def cancel_with_message_reraised():
    seen = []

    async def worker():
        try:
            await asyncio.sleep(1)
        except asyncio.CancelledError as exc:
            seen.append(("inside", exc.args))
            raise

    task = asyncio.create_task(worker())
    await asyncio.sleep(0)
    task.cancel("stop now")
    try:
        await task
    except asyncio.CancelledError as exc:
        seen.append(("outside", exc.args, frames(exc)[:1]))
    seen.append((task.cancelled(), task.cancelling()))
    return seen


@scenario()
async def cancel_swallowed_by_the_task():
    async def stubborn():
        try:
            await asyncio.sleep(1)
        except asyncio.CancelledError:
            return "swallowed"

    task = asyncio.create_task(stubborn())
    await asyncio.sleep(0)
    task.cancel()
    return [await task, task.cancelled(), task.cancelling()]


@scenario()
async def cancel_before_first_step():
    started = []

    async def never_runs():
        started.append(True)

    task = asyncio.create_task(never_runs())
    task.cancel("too early")
    try:
        await task
    except asyncio.CancelledError as exc:
        return [started, exc.args, task.cancelled()]


@scenario()
async def cancelling_and_uncancel():
    log = []

    async def worker():
        me = asyncio.current_task()
        try:
            await asyncio.sleep(1)
        except asyncio.CancelledError:
            log.append(("cancelling", me.cancelling()))
            log.append(("uncancel", me.uncancel()))
        await asyncio.sleep(0)
        return "survived"

    task = asyncio.create_task(worker())
    await asyncio.sleep(0)
    task.cancel()
    task.cancel()
    log.append(("outside", task.cancelling()))
    log.append(await task)
    log.append(task.cancelling())
    return log


@scenario()
async def main_task_cancels_itself():
    asyncio.current_task().cancel("self")
    await asyncio.sleep(0)


# ------------------------------------------------------ current task and names
@scenario()
async def current_task_inside_tasks():
    seen = {}

    async def who():
        await asyncio.sleep(0)
        seen["name"] = asyncio.current_task().get_name()
        return asyncio.current_task()

    task = asyncio.create_task(who(), name="who")
    me = await task
    return [me is task, seen, asyncio.current_task().get_name()]


@scenario()
async def task_names_default_given_and_set():
    async def rename():
        asyncio.current_task().set_name("renamed-inside")
        await asyncio.sleep(0)
        return asyncio.current_task().get_name()

    unnamed = asyncio.create_task(_noop())
    named = asyncio.create_task(_noop(), name="given")
    renamed = asyncio.create_task(rename(), name="before")
    outside = asyncio.create_task(_noop())
    outside.set_name(42)
    await asyncio.gather(unnamed, named, renamed, outside)
    return [t.get_name() for t in (unnamed, named, renamed, outside)] + [renamed.result()]


@scenario()
async def task_made_with_task_constructor():
    loop = asyncio.get_running_loop()
    task = asyncio.Task(_raise_middle(), loop=loop, name="direct")
    try:
        await task
    except ValueError as exc:
        return [task.get_name(), describe(exc)]


# ---------------------------------------------------------------- contextvars
REQUEST = contextvars.ContextVar("request", default="unset")


@scenario()
async def contextvars_are_copied_into_tasks():
    seen = []

    async def child(tag):
        seen.append((tag, REQUEST.get()))
        REQUEST.set(f"changed by {tag}")
        await asyncio.sleep(0)
        seen.append((tag, REQUEST.get()))

    REQUEST.set("from main")
    await asyncio.create_task(child("a"))
    seen.append(("main", REQUEST.get()))
    ctx = contextvars.copy_context()
    ctx.run(REQUEST.set, "explicit context")
    await asyncio.create_task(child("b"), context=ctx)
    seen.append(("ctx after b", ctx[REQUEST]))
    asyncio.get_running_loop().call_soon(lambda: seen.append(("callback", REQUEST.get())), context=ctx)
    await asyncio.sleep(0)
    return seen


# ------------------------------------------------------------------ TaskGroup
@scenario()
async def taskgroup_success():
    async def work(x):
        await asyncio.sleep(0.01 * x)
        return x * x

    async with asyncio.TaskGroup() as tg:
        tasks = [tg.create_task(work(i), name=f"w{i}") for i in range(3)]
    return [(t.get_name(), t.result()) for t in tasks]


@scenario()
async def taskgroup_child_fails_siblings_cancelled():
    log = []

    async def fails():
        await asyncio.sleep(0.01)
        raise ValueError("child failed")

    async def sibling():
        try:
            await asyncio.sleep(1)
        except asyncio.CancelledError:
            log.append("sibling cancelled")
            raise

    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(fails())
            sib = tg.create_task(sibling())
    except ExceptionGroup as eg:
        log.append(describe(eg))
    log.append(sib.cancelled())
    return log


@scenario()
async def taskgroup_except_star():
    log = []

    async def fail(exc):
        await asyncio.sleep(0)
        raise exc

    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(fail(ValueError("v")))
            tg.create_task(fail(TypeError("t")))
    except* ValueError as group:
        log.append(("value", [str(e) for e in group.exceptions]))
    except* TypeError as group:
        log.append(("type", [str(e) for e in group.exceptions]))
    return log


@scenario()
async def taskgroup_body_raises():
    async def child():
        await asyncio.sleep(1)

    try:
        async with asyncio.TaskGroup() as tg:
            task = tg.create_task(child())
            await asyncio.sleep(0)
            raise OSError("body")
    except* OSError as group:
        seen = describe(group)
    return [seen, task.cancelled()]


# ------------------------------------------------------- timeout and wait_for
@scenario()
async def timeout_expires():
    log = []
    try:
        async with asyncio.timeout(0.01) as cm:
            try:
                await asyncio.sleep(1)
            except asyncio.CancelledError:
                log.append("inner saw CancelledError")
                raise
    except TimeoutError as exc:
        log.append(describe(exc))
    log.append((cm.expired(), asyncio.current_task().cancelling()))
    return log


@scenario()
async def timeout_not_reached():
    async with asyncio.timeout(10) as cm:
        await asyncio.sleep(0.001)
    return [cm.expired(), asyncio.current_task().cancelling()]


@scenario()
async def timeout_rescheduled_and_nested():
    log = []
    try:
        async with asyncio.timeout(None) as outer:
            outer.reschedule(asyncio.get_running_loop().time() + 0.02)
            try:
                async with asyncio.timeout(10):
                    await asyncio.sleep(1)
            except TimeoutError:
                log.append("inner timed out")
    except TimeoutError:
        log.append(("outer timed out", outer.expired()))
    return log


@scenario()
async def wait_for_times_out():
    log = []

    async def slow():
        try:
            await asyncio.sleep(1)
        except asyncio.CancelledError:
            log.append("slow cancelled")
            raise

    try:
        await asyncio.wait_for(slow(), 0.01)
    except TimeoutError as exc:
        log.append(type(exc).__name__)
    return log


@scenario()
async def wait_for_in_time():
    async def quick():
        await asyncio.sleep(0.001)
        return "quick"

    return [await asyncio.wait_for(quick(), 10), await asyncio.wait_for(quick(), None)]


# ---------------------------------------------------------------------- shield
@scenario()
async def shield_keeps_inner_running():
    log = []

    async def precious():
        await asyncio.sleep(0.02)
        log.append("precious finished")
        return "kept"

    inner = asyncio.create_task(precious())

    async def waiter():
        return await asyncio.shield(inner)

    outer = asyncio.create_task(waiter())
    await asyncio.sleep(0.005)
    outer.cancel()
    try:
        await outer
    except asyncio.CancelledError:
        log.append("outer cancelled")
    log.append(await inner)
    return log


# ---------------------------------------------------------------------- gather
async def _value_after(delay, value):
    await asyncio.sleep(delay)
    if isinstance(value, BaseException):
        raise value
    return value


@scenario()
async def gather_results_in_order():
    return await asyncio.gather(_value_after(0.02, "a"), _value_after(0.01, "b"), _value_after(0, "c"))


@scenario()
async def gather_return_exceptions():
    results = await asyncio.gather(
        _value_after(0.01, "ok"), _value_after(0, ValueError("bad")), return_exceptions=True
    )
    return [r if isinstance(r, str) else describe(r) for r in results]


@scenario()
async def gather_raises_first_exception():
    try:
        await asyncio.gather(_value_after(0.01, "ok"), _value_after(0, ValueError("bad")))
    except ValueError as exc:
        return describe(exc)


@scenario()
async def gather_cancelled():
    log = []

    async def child(tag):
        try:
            await asyncio.sleep(1)
        except asyncio.CancelledError as exc:
            log.append((tag, exc.args))
            raise

    children = [asyncio.create_task(child(i)) for i in range(2)]
    group = asyncio.gather(*children)
    await asyncio.sleep(0)
    group.cancel("gather off")
    try:
        await group
    except asyncio.CancelledError as exc:
        log.append(("group", exc.args))
    log.append([c.cancelled() for c in children])
    return log


# ---------------------------------------------------------- as_completed / wait
@scenario()
async def as_completed_in_finishing_order():
    order = []
    for next_done in asyncio.as_completed([_value_after(0.03, "slow"), _value_after(0.01, "fast"),
                                          _value_after(0.02, "mid")]):
        order.append(await next_done)
    return order


@scenario()
async def wait_first_completed():
    tasks = [asyncio.create_task(_value_after(0.01 * i, i), name=f"t{i}") for i in (3, 1, 2)]
    done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    names = (sorted(t.get_name() for t in done), sorted(t.get_name() for t in pending))
    for t in pending:
        t.cancel()
    await asyncio.wait(pending)
    return names


@scenario()
async def wait_first_exception_and_timeout():
    tasks = [asyncio.create_task(_value_after(0.01, ValueError("x")), name="bad"),
             asyncio.create_task(_value_after(1, "late"), name="late")]
    done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
    again, still = await asyncio.wait(pending, timeout=0.01)
    for t in still:
        t.cancel()
    await asyncio.gather(*still, return_exceptions=True)
    return [sorted(t.get_name() for t in done), len(again), sorted(t.get_name() for t in still)]


# ----------------------------------------------------------------------- queues
@scenario()
async def queue_producers_consumers_join():
    queue: asyncio.Queue = asyncio.Queue(maxsize=2)
    consumed = []

    async def producer(p):
        for i in range(4):
            await queue.put((p, i))
            await asyncio.sleep(0)

    async def consumer(c):
        while True:
            item = await queue.get()
            consumed.append((c, item))
            await asyncio.sleep(0)
            queue.task_done()

    consumers = [asyncio.create_task(consumer(c), name=f"consumer-{c}") for c in range(2)]
    await asyncio.gather(*(producer(p) for p in range(3)))
    await queue.join()
    for c in consumers:
        c.cancel()
    await asyncio.gather(*consumers, return_exceptions=True)
    return consumed


@scenario()
async def priority_queue_order():
    queue: asyncio.PriorityQueue = asyncio.PriorityQueue()
    for item in [(3, "c"), (1, "a"), (2, "b"), (1, "a2")]:
        await queue.put(item)
    got = []

    async def getter():
        while not queue.empty():
            got.append(await queue.get())
            await asyncio.sleep(0)

    await asyncio.create_task(getter())
    try:
        queue.get_nowait()
    except asyncio.QueueEmpty as exc:
        got.append(type(exc).__name__)
    return got


# ---------------------------------------------------------------- sync primitives
@scenario()
async def event_wakes_all_waiters():
    event = asyncio.Event()
    woke = []

    async def waiter(i):
        await event.wait()
        woke.append(i)

    tasks = [asyncio.create_task(waiter(i)) for i in range(3)]
    await asyncio.sleep(0)
    woke.append("set")
    event.set()
    await asyncio.gather(*tasks)
    return woke


@scenario()
async def condition_notify_one_then_all():
    cond = asyncio.Condition()
    woke = []

    async def waiter(i):
        async with cond:
            await cond.wait()
            woke.append(i)

    tasks = [asyncio.create_task(waiter(i)) for i in range(3)]
    await asyncio.sleep(0)
    async with cond:
        cond.notify(1)
    await asyncio.sleep(0)
    async with cond:
        cond.notify_all()
    await asyncio.gather(*tasks)
    return woke


@scenario()
async def lock_serialises_in_fifo_order():
    lock = asyncio.Lock()
    log = []

    async def critical(i):
        async with lock:
            log.append(("in", i))
            await asyncio.sleep(0.001)
            log.append(("out", i))

    await asyncio.gather(*(critical(i) for i in range(3)))
    return [log, lock.locked()]


@scenario()
async def semaphore_limits_concurrency():
    sem = asyncio.Semaphore(2)
    running = 0
    most = 0
    order = []

    async def job(i):
        nonlocal running, most
        async with sem:
            running += 1
            most = max(most, running)
            order.append(i)
            await asyncio.sleep(0.001)
            running -= 1

    await asyncio.gather(*(job(i) for i in range(5)))
    return [most, order]


# ------------------------------------------------------------ async generators
@scenario()
async def async_generator_aclose_and_finally():
    log = []

    async def ticks():
        try:
            for i in range(10):
                await asyncio.sleep(0)
                yield i
        finally:
            log.append("finally ran")

    async for i in ticks():
        log.append(i)
        if i == 2:
            break
    gen = ticks()
    log.append(await gen.__anext__())
    await gen.aclose()
    log.append("closed")
    try:
        await gen.__anext__()
    except StopAsyncIteration:
        log.append("exhausted")
    return log


@scenario()
async def async_generator_in_a_task_with_athrow():
    async def echo():
        received = None
        while True:
            try:
                received = yield received
            except ValueError as exc:
                received = f"caught {exc}"

    async def drive():
        gen = echo()
        out = [await gen.asend(None), await gen.asend("x"), await gen.athrow(ValueError("y"))]
        await gen.aclose()
        return out

    return await asyncio.create_task(drive())


# ------------------------------------------------------------------- threads
def _thread_work(x):
    return (x * 2, threading.current_thread() is threading.main_thread())


def _thread_fails():
    raise ZeroDivisionError("in thread")


@scenario()
async def to_thread_results_and_errors():
    results = await asyncio.gather(*(asyncio.to_thread(_thread_work, i) for i in range(3)))
    try:
        await asyncio.to_thread(_thread_fails)
    except ZeroDivisionError as exc:
        return [results, describe(exc)]


@scenario()
async def to_thread_sees_contextvars():
    REQUEST.set("for the thread")
    return await asyncio.to_thread(REQUEST.get)


@scenario()
async def run_in_executor_default_and_own_pool():
    loop = asyncio.get_running_loop()
    first = await loop.run_in_executor(None, _thread_work, 5)
    with ThreadPoolExecutor(max_workers=2) as pool:
        second = await asyncio.gather(*(loop.run_in_executor(pool, _thread_work, i) for i in range(2)))
    try:
        await loop.run_in_executor(None, _thread_fails)
    except ZeroDivisionError as exc:
        return [first, second, describe(exc)]


@scenario()
async def run_coroutine_threadsafe_from_a_thread():
    loop = asyncio.get_running_loop()

    async def on_loop(x):
        await asyncio.sleep(0)
        return (x, asyncio.current_task().get_name())

    def from_thread():
        return asyncio.run_coroutine_threadsafe(on_loop(7), loop).result(timeout=10)

    return await asyncio.to_thread(from_thread)


@scenario()
async def call_soon_threadsafe_from_a_thread():
    loop = asyncio.get_running_loop()
    fut = loop.create_future()

    def from_thread():
        time.sleep(0.001)
        loop.call_soon_threadsafe(fut.set_result, "from thread")

    thread = threading.Thread(target=from_thread)
    thread.start()
    result = await fut
    thread.join()
    return result


_POOL_MADE_BEFORE = ThreadPoolExecutor(max_workers=2, thread_name_prefix="made-before")


@scenario()
async def wrap_future_of_a_pool_made_before_the_run():
    """Work on threads the loop did not start: a pool made at import, awaited through wrap_future."""
    futures = [asyncio.wrap_future(_POOL_MADE_BEFORE.submit(_thread_work, i)) for i in range(3)]
    done = []
    for fut in asyncio.as_completed(futures):
        done.append(await fut)
    return [sorted(done), await asyncio.wrap_future(_POOL_MADE_BEFORE.submit(time.sleep, 0.001))]


_CHILD_LINES = "import sys, time\nfor i in range(3):\n    time.sleep(0.01)\n    print('line', i, flush=True)\n"


@scenario()
async def subprocess_lines_as_they_arrive_then_exit_code():
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", _CHILD_LINES, stdout=asyncio.subprocess.PIPE
    )
    lines = [line.decode().strip() async for line in proc.stdout]
    return [lines, await proc.wait()]


@scenario()
async def subprocess_communicate_three_at_once():
    code = "import sys, time; data = sys.stdin.read(); time.sleep(0.01); print(data.upper()); sys.exit(3)"
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-c", code, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE
        )
        for _ in range(3)
    ]
    outs = await asyncio.gather(*(p.communicate(f"child {i}".encode()) for i, p in enumerate(procs)))
    return [outs, [p.returncode for p in procs]]


@scenario()
async def subprocess_killed_after_wait_for_times_out():
    proc = await asyncio.create_subprocess_exec(sys.executable, "-c", "import time; time.sleep(60)")
    try:
        await asyncio.wait_for(proc.wait(), 0.05)
    except TimeoutError:
        proc.kill()
        return ["timed out", await proc.wait()]


# ------------------------------------------------------------------ callbacks
@scenario()
async def call_soon_and_call_later_order():
    loop = asyncio.get_running_loop()
    log = []
    done = loop.create_future()
    loop.call_later(0.02, log.append, "later 0.02")
    loop.call_later(0.01, log.append, "later 0.01")
    loop.call_soon(log.append, "soon 1")
    handle = loop.call_soon(log.append, "soon cancelled")
    loop.call_soon(log.append, "soon 2")
    handle.cancel()
    loop.call_at(loop.time() + 0.03, done.set_result, None)
    log.append("scheduled")
    await done
    return [log, handle.cancelled()]


@scenario()
async def callback_exception_goes_to_the_handler():
    loop = asyncio.get_running_loop()
    seen = []
    loop.set_exception_handler(lambda _loop, context: seen.append((context["message"], repr(context["exception"]))))
    try:
        loop.call_soon(_thread_fails)
        await asyncio.sleep(0)
        await asyncio.sleep(0)
    finally:
        loop.set_exception_handler(None)
    return seen


# ---------------------------------------------------------------- task factories
@scenario(min_version=(3, 12))
async def eager_task_factory_set_in_program():
    loop = asyncio.get_running_loop()
    log = []

    async def eager(i):
        log.append(("start", i, asyncio.current_task().get_name()))
        if i:
            await asyncio.sleep(0)
        log.append(("end", i))
        return i

    loop.set_task_factory(asyncio.eager_task_factory)
    try:
        tasks = [asyncio.create_task(eager(i), name=f"eager-{i}") for i in range(2)]
        log.append(("after create", [t.done() for t in tasks]))
        log.append(await asyncio.gather(*tasks))
        log.append(loop.get_task_factory() is asyncio.eager_task_factory)
    finally:
        loop.set_task_factory(None)
    return log


@scenario(min_version=(3, 12))
async def eager_start_task_constructor():
    loop = asyncio.get_running_loop()
    log = []

    async def eager():
        log.append("ran at once")
        await asyncio.sleep(0)
        return "eager"

    task = asyncio.Task(eager(), loop=loop, eager_start=True)
    log.append(("created", task.done()))
    log.append(await task)
    return log


@scenario()
async def custom_task_factory_set_in_program():
    loop = asyncio.get_running_loop()
    made = []

    class CountingTask(asyncio.Task):
        pass

    def factory(loop, coro, **kwargs):
        made.append(kwargs.get("name"))
        return CountingTask(coro, loop=loop, **kwargs)

    loop.set_task_factory(factory)
    try:
        task = asyncio.create_task(_value_after(0, "made"), name="custom")
        result = [type(task).__name__, await task, loop.get_task_factory() is factory]
    finally:
        loop.set_task_factory(None)
    return [result, made, loop.get_task_factory()]


# ---------------------------------------------------------- subprocesses, sockets
@scenario()
async def subprocess_exec_prints():
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "print(1)", stdout=asyncio.subprocess.PIPE
    )
    out, _ = await proc.communicate()
    return [out.strip(), proc.returncode]


@scenario()
async def streams_echo_server():
    async def echo(reader, writer):
        data = await reader.readline()
        writer.write(data.upper())
        await writer.drain()
        writer.close()
        await writer.wait_closed()

    server = await asyncio.start_server(echo, "127.0.0.1", 0, family=socket.AF_INET)
    port = server.sockets[0].getsockname()[1]
    replies = []
    async with server:
        for word in (b"hello\n", b"again\n"):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(word)
            await writer.drain()
            replies.append(await reader.read())
            writer.close()
            await writer.wait_closed()
    return replies


# ------------------------------------------- timers due at the same instant
# On virtual time these timers fall due at exactly the same moment; on the real clock a timer set
# later gets a later deadline. Both must fire them in the order they were scheduled.
@scenario()
async def sleeps_of_equal_length_finish_in_start_order():
    finished = []

    async def sleeper(i):
        await asyncio.sleep(0.01)
        finished.append(i)

    async with asyncio.TaskGroup() as group:
        for i in range(12):
            group.create_task(sleeper(i), name=f"s{i}")
    return finished


@scenario()
async def call_later_callbacks_of_equal_delay_in_order():
    loop = asyncio.get_running_loop()
    log = []
    for i in range(12):
        loop.call_later(0.01, log.append, i)
    for i in range(12, 24):
        loop.call_at(loop.time() + 0.02, log.append, i)
    await asyncio.sleep(0.03)
    return log


@scenario()
async def timeout_against_a_sleep_of_equal_length():
    outcomes = []
    for _ in range(6):
        try:
            async with asyncio.timeout(0.01):
                await asyncio.sleep(0.01)
            outcomes.append("slept")
        except TimeoutError:
            outcomes.append("timed out")
    try:
        outcomes.append(await asyncio.wait_for(asyncio.sleep(0.01, "slept"), 0.01))
    except TimeoutError:
        outcomes.append("wait_for timed out")
    return outcomes


@scenario()
async def queue_workers_woken_in_order():
    queue = asyncio.Queue()
    taken = []

    async def worker(name):
        while True:
            item = await queue.get()
            await asyncio.sleep(0.01)  # every worker is busy for the same time
            taken.append((name, item))
            queue.task_done()

    async def producer(start):
        for i in range(start, start + 6):
            await asyncio.sleep(0.01)
            await queue.put(i)

    workers = [asyncio.create_task(worker(f"w{i}"), name=f"w{i}") for i in range(4)]
    await asyncio.gather(producer(0), producer(100), producer(200))
    await queue.join()
    for w in workers:
        w.cancel()
    await asyncio.gather(*workers, return_exceptions=True)
    return taken


# ------------------------------------------------------------------- the tests
def _cases():
    for name, (_fn, virtual, min_version) in SCENARIOS.items():
        marks = []
        if min_version and sys.version_info < min_version:
            marks.append(pytest.mark.skip(reason=f"needs Python {'.'.join(map(str, min_version))}+"))
        for runner in RUNNERS:
            if runner == "trace-virtual" and not virtual:
                continue
            yield pytest.param(name, runner, id=f"{name}-{runner}", marks=marks)


_REFERENCE: dict[str, str] = {}


def _reference(name: str) -> str:
    if name not in _REFERENCE:
        _REFERENCE[name] = run_plain(SCENARIOS[name][0])
    return _REFERENCE[name]


@pytest.mark.parametrize(("name", "runner"), list(_cases()))
def test_recording_does_not_change_behaviour(name, runner):
    fn = SCENARIOS[name][0]
    expected = _reference(name)
    observed = RUNNERS[runner](fn)
    # Scenarios whose timers are 10 ms apart depend, under asyncio.run itself, on the loop waking on time: on a
    # loaded machine one late wake-up lets two timers fire in one turn. A difference recording makes comes back
    # every time; one the machine's load makes does not: compare again with a fresh reference, twice at most.
    for _ in range(2):
        if observed == expected:
            break
        _REFERENCE.pop(name)
        expected, observed = _reference(name), RUNNERS[runner](fn)
    assert observed == expected, f"{name} observed differently under {runner} than under asyncio.run"


def test_every_scenario_observes_something():
    """A scenario returning ``None`` by accident would compare equal everywhere and prove nothing."""
    for name, (_, _, min_version) in SCENARIOS.items():
        if min_version and sys.version_info < min_version:
            continue
        if name in ("exception_escaping_the_main_coroutine", "main_task_cancels_itself"):
            continue
        observed = _reference(name)
        assert not observed.startswith("(('returned', None)"), f"{name} returned no observation"


def test_recorded_tasks_match_the_program():
    """The battery also records something: a traced scenario's timeline names its tasks."""
    timeline = helpers.trace(_harness(taskgroup_success))
    names = timeline.task_names
    assert names[0] == "scenario-main", names
    assert {"w0", "w1", "w2"} <= set(names), names


async def _default_names():
    async def child():
        await asyncio.sleep(0)
        return asyncio.current_task().get_name()

    task = asyncio.get_running_loop().create_task(child())
    return [task.get_name().startswith("Task-"), (await task).startswith("Task-")]


@pytest.mark.parametrize("runner", ["trace-real", "tracing-loop", "trace-virtual"])
def test_default_task_names_kept(runner):
    """Recording sets a task factory; on 3.13.0-3.13.2 that alone renames unnamed tasks 'None' (CPython #130033)."""
    if runner == "tracing-loop":
        loop = asyncio.new_event_loop()
        try:
            with helpers.tracing(loop):
                names = loop.run_until_complete(_default_names())
        finally:
            loop.close()
    else:
        names = helpers.trace(_default_names(), virtual=runner == "trace-virtual").result
    assert names == [True, True]
    assert RUNNERS[runner](_default_names).startswith("(('returned', [True, True])"), (
        "a task created without a name must keep its default name Task-N while recorded"
    )
