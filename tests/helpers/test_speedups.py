"""Tests for helpers._speedups: the C step-recording wrapper records what the pure-Python one records.

Every test runs against both wrappers (the ``wrapper`` fixture); the C one is skipped where
the extension was not built.
"""

import asyncio
import collections.abc
import dataclasses
import gc
import math
import os
import pickle
import subprocess
import sys
import time
import traceback
import tracemalloc
import warnings
from array import array

import pytest

import helpers
from helpers import _recorder
from helpers._recorder import Recorder

try:
    from helpers import _speedups
except ImportError:
    _speedups = None

needs_c = pytest.mark.skipif(_speedups is None, reason="helpers._speedups is not built")


@pytest.fixture(params=["python", "c"])
def wrapper(request, monkeypatch):
    """Which wrapper Recorders build: ``"python"`` or ``"c"``."""
    if request.param == "c":
        if _speedups is None:
            pytest.skip("helpers._speedups is not built")
        # what _load_speedups() does, also when HELPERS_PURE_PYTHON kept it from loading
        collections.abc.Coroutine.register(_speedups.StepRecordingCoroutine)
        monkeypatch.setattr(_recorder, "_speedups", _speedups)
    else:
        monkeypatch.setattr(_recorder, "_speedups", None)
    return request.param


def trace_with(impl, program, **options):
    """``helpers.trace(program())`` with the ``impl`` wrapper, whatever the fixture set."""
    saved = _recorder._speedups
    _recorder._speedups = _speedups if impl == "c" else None
    try:
        return helpers.trace(program(), **options)
    finally:
        _recorder._speedups = saved


def step_rows(timeline):
    cols = timeline.step_columns()
    return list(zip(cols["task"], cols["start"], cols["end"], cols["label"]))


def task_rows(timeline):
    """The records, with asyncio's process-wide numbering taken out of default names (``Task-12``)."""
    return [dataclasses.replace(r, name="Task-n") if r.name.startswith("Task-") else r for r in timeline.records]


# ------------------------------------------------------------------ a sample program
async def sample():
    queue = asyncio.Queue(maxsize=2)
    lock = asyncio.Lock()
    event = asyncio.Event()

    async def producer():
        for i in range(5):
            await queue.put(i)
            await asyncio.sleep(0.1)
        await queue.put(None)

    async def consumer():
        total = 0
        while (item := await queue.get()) is not None:
            total += item
            await asyncio.sleep(0)
        event.set()
        return total

    async def fails():
        await asyncio.sleep(0.05)
        raise ValueError("bad value")

    async def locked(n):
        async with lock:
            await asyncio.sleep(0.01 * n)
        return (n, "done")

    async def blocks():
        await event.wait()
        time.sleep(0.003)  # real time inside one step: noted as the step's wall time

    async def sleeper():
        await asyncio.sleep(10)

    slow = asyncio.create_task(sleeper(), name="sleeper")
    results = await asyncio.gather(
        producer(), consumer(), fails(), locked(1), locked(2), blocks(), return_exceptions=True
    )
    try:
        async with asyncio.timeout(0.05):
            await asyncio.sleep(1)
    except TimeoutError:
        pass
    await asyncio.wait_for(asyncio.shield(asyncio.sleep(0.01)), 1)
    slow.cancel("enough")
    try:
        await slow
    except asyncio.CancelledError:
        pass
    return [repr(r) for r in results]


def test_the_c_wrapper_records_what_the_python_wrapper_records():
    if _speedups is None:
        pytest.skip("helpers._speedups is not built")
    collections.abc.Coroutine.register(_speedups.StepRecordingCoroutine)
    python = trace_with("python", sample)
    c = trace_with("c", sample)
    assert step_rows(c) == step_rows(python)
    # labels may name an unnamed task (shield(task 'Task-31')): compare them as the views show them
    assert [c.display_label(label) for label in c.labels] == [python.display_label(label) for label in python.labels]
    assert task_rows(c) == task_rows(python)
    assert c.result == python.result
    # the step that sleeps 3 ms of real time keeps its wall time in both (on a busy machine others may too)
    blocks = {view.name for view in python.tasks if view.coroutine.endswith("blocks")}
    blocking = [i for i, s in enumerate(python.steps) if s.task in blocks and s.waits_on is None]
    assert len(blocking) == 1
    assert c.steps[blocking[0]].wall >= 0.003 and python.steps[blocking[0]].wall >= 0.003


def test_sample_program_outcomes(wrapper):
    timeline = helpers.trace(sample())
    outcomes = {r.coroutine.split(".")[-1]: (r.outcome, r.detail) for r in timeline.records}
    assert outcomes["consumer"] == ("returned", "10")
    assert outcomes["fails"][0] == "raised" and outcomes["fails"][1].startswith("ValueError: ")
    assert outcomes["sleeper"] == ("cancelled", "enough")
    assert outcomes["sample"][0] == "returned"
    labels = {s.waits_on for s in timeline.steps}
    assert {"Queue.get", "sleep(0.1)", "sleep(0)", "Lock.acquire", "Event.wait"} <= labels
    assert any(s.wall >= 0.003 for s in timeline.steps), "the time.sleep step keeps its wall time"


def test_real_time_steps_read_the_loops_clock(wrapper):
    async def main():
        loop = asyncio.get_running_loop()
        first = loop.time()
        await asyncio.sleep(0.01)
        await asyncio.sleep(0)
        return first, loop.time()

    timeline = helpers.trace(main(), virtual=False)
    first, last = timeline.result
    steps = timeline.steps
    assert [s.waits_on for s in steps] == ["sleep(0.01)", "sleep(0)", None]
    assert steps[0].start <= first <= steps[0].end
    assert steps[-1].start <= last <= steps[-1].end
    assert all(a.end <= b.start for a, b in zip(steps, steps[1:]))
    assert timeline.start <= steps[0].start and steps[-1].end <= timeline.end


# ------------------------------------------------------------------ tracebacks
async def _inner():
    await asyncio.sleep(0)
    raise KeyError("missing")


async def _middle():
    await _inner()


async def _caught_in_program():
    task = asyncio.create_task(_middle())
    try:
        await task
    except KeyError as exc:
        return [(f.name, f.line) for f in traceback.extract_tb(exc.__traceback__)]


async def _uncaught():
    await asyncio.sleep(0)
    await _middle()


def test_tracebacks_have_no_frame_of_the_recorder(wrapper):
    traced = helpers.trace(_caught_in_program()).result
    assert traced == asyncio.run(_caught_in_program())

    with pytest.raises(KeyError) as info:
        helpers.trace(_uncaught())
    frames = traceback.extract_tb(info.value.__traceback__)
    assert not [f for f in frames if f.filename.endswith(("_recorder.py", "_speedups.c"))]
    assert [f.name for f in frames if f.filename == __file__] == [
        "test_tracebacks_have_no_frame_of_the_recorder",
        "_uncaught",
        "_middle",
        "_inner",
    ]


# ------------------------------------------------------------------ cancellation
async def _cancel_with_message():
    async def victim():
        await asyncio.sleep(5)

    task = asyncio.create_task(victim(), name="victim")
    await asyncio.sleep(1)
    task.cancel("stop now")
    try:
        await task
    except asyncio.CancelledError as exc:
        return exc.args


def test_cancellation_with_a_message(wrapper):
    timeline = helpers.trace(_cancel_with_message())
    assert timeline.result == asyncio.run(_cancel_with_message())
    victim = timeline.task("victim").record
    assert (victim.outcome, victim.detail) == ("cancelled", "stop now")
    assert victim.cancel_requested == 1.0
    assert victim.finished == 1.0


# ------------------------------------------------------------------ eager tasks
@pytest.mark.skipif(sys.version_info < (3, 12), reason="eager_task_factory is new in 3.12")
def test_eager_tasks_inside_a_traced_program(wrapper):
    async def child(n):
        if n % 2:
            await asyncio.sleep(0.1)
        return n

    async def main():
        asyncio.get_running_loop().set_task_factory(asyncio.eager_task_factory)
        tasks = [asyncio.create_task(child(n), name=f"child-{n}") for n in range(4)]
        done_at_once = [t.done() for t in tasks]
        return done_at_once, await asyncio.gather(*tasks)

    timeline = helpers.trace(main())
    assert timeline.result == ([True, False, True, False], [0, 1, 2, 3])
    records = timeline.records
    assert [(r.coroutine.rsplit(".", 1)[-1], r.parent, r.outcome) for r in records] == [
        ("main", None, "returned"),
        *[("child", 0, "returned")] * 4,
    ]
    # (a task that ends in its eager first step keeps its default name: create_task names it afterwards)
    assert [r.name for r in records[2::2]] == ["child-1", "child-3"]
    cols = timeline.step_columns()
    waits = [
        [timeline.labels[int(label)] if label >= 0 else None for t, label in zip(cols["task"], cols["label"]) if t == i]
        for i in range(5)
    ]
    assert waits[1:] == [[None], ["sleep(0.1)", None], [None], ["sleep(0.1)", None]]
    # an eager first step runs inside the step of main that made it, and is recorded before it
    assert list(cols["task"][:5]) == [1.0, 2.0, 3.0, 4.0, 0.0]


# ------------------------------------------------------------------ the wrapper object
def test_get_coro_reads_as_the_coroutine(wrapper):
    async def worker():
        await asyncio.sleep(0)
        coro = asyncio.current_task().get_coro()
        seen = {
            "code": coro.cr_code is worker.__code__,
            "frame": coro.cr_frame is sys._getframe(),
            "running": coro.cr_running,
            "await": coro.cr_await,
            "qualname": coro.__qualname__,
            "name": coro.__name__,
            "repr": repr(coro).startswith("<coroutine object test_get_coro_reads_as_the_coroutine.<locals>.worker"),
            "iscoroutine": asyncio.iscoroutine(coro),
            "abc": isinstance(coro, collections.abc.Coroutine),
            "task_index": coro._task_index,
            "unwrapped": type(coro._coro).__name__,
            "await_self": coro.__await__() is coro and iter(coro) is coro,
            "suspended": coro.cr_suspended,
        }
        return seen

    async def main():
        return await asyncio.create_task(worker())

    seen = helpers.trace(main()).result
    assert seen == {
        "code": True,
        "frame": True,
        "running": True,
        "await": None,
        "qualname": "test_get_coro_reads_as_the_coroutine.<locals>.worker",
        "name": "worker",
        "repr": True,
        "iscoroutine": True,
        "abc": True,
        "task_index": 1,
        "unwrapped": "coroutine",
        "await_self": True,
        "suspended": False,
    }


def test_stack_and_repr_of_a_waiting_task(wrapper):
    async def waiter():
        await asyncio.sleep(1)

    async def main():
        task = asyncio.create_task(waiter(), name="waiter")
        await asyncio.sleep(0)
        coro = task.get_coro()
        return repr(task), [f.f_code.co_name for f in task.get_stack()], coro.cr_await is not None, coro.cr_suspended

    text, stack, awaiting, suspended = helpers.trace(main()).result
    assert "waiter" in text and "coro=<" in text
    assert stack == ["waiter"]
    assert awaiting
    assert suspended is True


class _Yield:
    """An awaitable that yields a value to whoever drives the coroutine, and returns what it is sent."""

    def __init__(self, value):
        self.value = value

    def __await__(self):
        return (yield self.value)


async def _protocol_body():
    got = await _Yield("first")
    try:
        await _Yield("second")
    except ValueError as exc:
        got2 = await _Yield(("caught", str(exc)))
    try:
        await _Yield("third")
    except ValueError as exc:
        got3 = await _Yield(("caught again", str(exc)))
    return got, got2, got3


@pytest.fixture
def bare_recorder():
    """Makes Recorders (on a virtual-time loop, closed afterwards) with one task, index 0, to drive by hand."""
    loops = []

    def make():
        loop = helpers.VirtualTimeLoop()
        loops.append(loop)
        recorder = Recorder(loop, virtual=True)
        recorder.coroutines.append("body")
        recorder.created.append(0.0)
        recorder.parents.append(-1)
        recorder.finished.append(math.nan)
        return recorder

    yield make
    for loop in loops:
        loop.close()


def test_send_throw_and_return_values(wrapper, bare_recorder):
    async def drive():
        recorder = bare_recorder()
        w = recorder._wrap(_protocol_body(), 0)
        assert type(w) is recorder.wrapper_type
        assert next(w) == "first"
        assert w.send("a") == "second"
        assert w.throw(ValueError("boom")) == ("caught", "boom")
        assert w.send("b") == "third"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # the 3-argument form, deprecated in 3.12
            assert w.throw(ValueError, ValueError("old"), None) == ("caught again", "old")
        with pytest.raises(StopIteration) as stop:
            w.send(("c",))
        assert stop.value.value == ("a", "b", ("c",))
        recorder.uninstall()
        return recorder

    recorder = asyncio.run(drive())
    assert len(recorder.steps) == 6 * 3
    assert recorder.outcomes[0] == ("returned", "('a', 'b', ('c',))")
    assert recorder.labels[0] == "sleep(0)"


def test_exceptions_pass_through_unchanged(wrapper, bare_recorder):
    error = ValueError("the very one")

    async def body():
        await _Yield(None)
        raise error

    async def drive():
        recorder = bare_recorder()
        w = recorder._wrap(body(), 0)
        assert w.send(None) is None
        with pytest.raises(ValueError) as info:
            w.send(None)
        assert info.value is error
        assert [f.name for f in traceback.extract_tb(info.value.__traceback__)][-1] == "body"
        outcome, detail = recorder.outcomes[0]
        assert outcome == "raised" and "the very one" in detail

    asyncio.run(drive())


def test_close_and_never_awaited_warnings(wrapper, bare_recorder):
    async def drive():
        recorder = bare_recorder()
        closed = recorder._wrap(_protocol_body(), 0)
        closed.close()
        with pytest.raises(RuntimeError, match="cannot reuse already awaited coroutine"):
            closed.send(None)

    asyncio.run(drive())
    recorder = bare_recorder()
    with pytest.warns(RuntimeWarning, match="coroutine '_protocol_body' was never awaited"):
        recorder._wrap(_protocol_body(), 0)
        gc.collect()


def test_after_stop_wrappers_only_forward(wrapper, bare_recorder):
    async def drive():
        recorder = bare_recorder()
        w = recorder._wrap(_protocol_body(), 0)
        w.send(None)
        recorder.uninstall()
        w.send("a")
        w.throw(ValueError("late"))
        return recorder

    recorder = asyncio.run(drive())
    assert len(recorder.steps) == 3
    assert recorder.outcomes == {} and recorder.cancel_requested == {}


# ------------------------------------------------------------------ memory
def _many_tasks(tasks=10_000, sleeps=3):
    async def worker():
        for _ in range(sleeps):
            await asyncio.sleep(0)

    async def main():
        await asyncio.gather(*(worker() for _ in range(tasks)))

    return main


def test_no_leak(wrapper):
    program = _many_tasks()
    helpers.trace(program())  # first use: imports, caches, the class asyncio remembers
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(3):
            timeline = helpers.trace(program())
            assert timeline.step_count == 10_000 * 4 + 2
            del timeline
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert grown < 300_000, f"{grown} bytes still held after three traces of 10,000 tasks"
    left = [o for o in gc.get_objects() if type(o).__name__ == "StepRecordingCoroutine"]
    assert not left


def test_a_recorder_is_freed_with_its_loop(wrapper):
    import weakref

    loop = helpers.VirtualTimeLoop()
    recorder = Recorder(loop, virtual=True)
    recorder.install()
    loop.run_until_complete(_many_tasks(100)())
    recorder.uninstall()
    recorder.timeline()
    loop.close()
    gone = weakref.ref(recorder)
    del recorder, loop
    gc.collect()
    assert gone() is None


@needs_c
def test_every_recording_shares_one_c_wrapper_type(monkeypatch):
    """asyncio's iscoroutine() caches (Python's and the C Task's) keep at most 100 types."""
    monkeypatch.setattr(_recorder, "_speedups", _speedups)

    async def main():
        await asyncio.sleep(0)

    helpers.trace(main())
    cached = set(asyncio.coroutines._iscoroutine_typecache)
    types_seen = set()
    for _ in range(150):
        loop = helpers.VirtualTimeLoop()
        recorder = Recorder(loop, virtual=True)
        types_seen.add(recorder.wrapper_type)
        recorder.install()
        loop.run_until_complete(main())
        recorder.uninstall()
        loop.close()
    assert types_seen == {_speedups.StepRecordingCoroutine}
    assert set(asyncio.coroutines._iscoroutine_typecache) <= cached | {_speedups.StepRecordingCoroutine}


@needs_c
def test_nested_recordings_tell_their_c_wrappers_apart(monkeypatch):
    monkeypatch.setattr(_recorder, "_speedups", _speedups)

    async def child():
        await asyncio.sleep(0)

    async def main():
        with helpers.tracing() as inner:
            await asyncio.create_task(child(), name="child")
        return inner

    outer = helpers.trace(main())
    inner = outer.result
    assert outer.task_names == ["main", "child"] and inner.task_names == ["child"]
    assert outer.records[1].parent == 0 and inner.records[0].parent is None


@needs_c
def test_c_wrappers_leave_the_collectors_allocation_count_alone(bare_recorder, monkeypatch):
    """Collections then come when they would without recording (10,000 tasks: 13 young ones fewer)."""
    monkeypatch.setattr(_recorder, "_speedups", _speedups)
    recorder = bare_recorder()
    coros = [_protocol_body() for _ in range(1000)]
    wrappers = [None] * len(coros)
    gc.disable()
    try:
        before = gc.get_count()[0]
        for i, coro in enumerate(coros):
            wrappers[i] = recorder._wrap(coro, i)
        made = gc.get_count()[0]
        for i in range(len(wrappers)):
            wrappers[i] = None
        freed = gc.get_count()[0]
    finally:
        gc.enable()
        for coro in coros:
            coro.close()
    assert made == before and freed == before


# ------------------------------------------------------------------ the C buffer
@needs_c
def test_step_buffer_reads_like_an_array():
    timeline = trace_with("c", _many_tasks(3, 2))
    steps = timeline._compact
    assert type(steps) is _speedups.StepBuffer
    assert len(steps) == 3 * timeline.step_count
    expected = array("d", steps.tolist())
    assert steps[0::3] == expected[0::3] and type(steps[1::3]) is array
    assert steps[-1] == expected[-1] and steps[4] == expected[4]
    assert list(steps) == list(expected)
    assert memoryview(steps).cast("B").cast("d").tolist() == expected.tolist()
    assert memoryview(steps).format == "d" and memoryview(steps).shape == (len(expected),)
    assert pickle.loads(pickle.dumps(steps)) == expected
    with pytest.raises(IndexError):
        steps[len(steps)]


@needs_c
def test_step_buffer_has_no_view_while_recording(monkeypatch):
    monkeypatch.setattr(_recorder, "_speedups", _speedups)

    async def main():
        await asyncio.sleep(0)

    loop = helpers.VirtualTimeLoop()
    recorder = Recorder(loop, virtual=True)
    recorder.install()
    loop.run_until_complete(main())
    assert len(recorder.steps) == 6
    with pytest.raises(BufferError):
        memoryview(recorder.steps)
    recorder.uninstall()
    loop.close()
    assert len(memoryview(recorder.steps)) == 6


def test_env_var_forces_the_python_wrapper():
    code = "from helpers import _recorder; print(_recorder._speedups is None)"
    env = dict(os.environ, HELPERS_PURE_PYTHON="1")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"
    if _speedups is not None:
        env.pop("HELPERS_PURE_PYTHON")
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
        assert out.stdout.strip() == "False"


# ------------------------------------------------------------- who cancelled
async def _sleep_long():
    await asyncio.sleep(10)


async def _catch_cancel():
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        return "kept going"


async def _fail_soon():
    await asyncio.sleep(0.5)
    raise ValueError("boom")


async def _cancellers():
    victim = asyncio.create_task(_sleep_long(), name="victim")
    catcher = asyncio.create_task(_catch_cancel(), name="catcher")
    await asyncio.sleep(1)
    victim.cancel()
    catcher.cancel()
    await asyncio.gather(victim, catcher, return_exceptions=True)
    try:
        async with asyncio.timeout(0.5):
            await asyncio.sleep(2)
    except TimeoutError:
        pass
    try:
        async with asyncio.TaskGroup() as group:
            group.create_task(_sleep_long(), name="sibling")
            group.create_task(_fail_soon(), name="failer")
    except* ValueError:
        pass
    early = asyncio.create_task(_sleep_long(), name="early")
    early.cancel()  # before its first step: nothing is awaited yet, so the request is not seen
    await asyncio.sleep(0)


def test_cancellations_say_who_asked_when_and_how_the_task_ended(wrapper):
    timeline = trace_with(wrapper, _cancellers)
    found = {c.task: c for c in timeline.cancellations}
    assert set(found) == {"main", "victim", "catcher", "sibling", "early"}
    victim = found["victim"]
    assert (victim.requested, victim.by, victim.delivered, victim.outcome) == (1.0, "task 'main'", 1.0, "cancelled")
    assert timeline.task("victim").steps[victim.step].start == 1.0 and victim.step == 1
    catcher = found["catcher"]
    assert catcher.by == "task 'main'" and catcher.outcome == "returned" and catcher.swallowed
    assert (found["main"].requested, found["main"].by) == (1.5, "timeout()")
    assert (found["sibling"].requested, found["sibling"].by) == (2.0, "TaskGroup")
    early = found["early"]
    assert (early.requested, early.by, early.delivered, early.step) == (None, "", 2.0, 0)
    assert "failer" not in found, "a task that raised on its own was never cancelled"


def test_awaiting_a_cancelled_task_is_not_a_cancellation(wrapper):
    async def program():
        child = asyncio.create_task(_sleep_long(), name="child")
        waiter = asyncio.create_task(_awaits(child), name="waiter")
        await asyncio.sleep(1)
        child.cancel()
        await asyncio.gather(waiter, return_exceptions=True)

    async def _awaits(task):
        await task  # raises the child's CancelledError here; nobody called waiter.cancel()

    timeline = trace_with(wrapper, program)
    assert [(c.task, c.by) for c in timeline.cancellations] == [("child", "task 'main'")]
    assert timeline.task("waiter").outcome == "cancelled" and timeline.task("waiter").cancel_requested is None


def test_a_cancel_passed_on_to_an_awaited_task_names_the_asker_for_both(wrapper):
    async def program():
        inner = asyncio.create_task(_sleep_long(), name="inner")
        outer = asyncio.create_task(_awaits(inner), name="outer")
        await asyncio.sleep(1)
        outer.cancel()  # outer waits on inner: the C Task passes the cancel() on to inner
        await asyncio.gather(outer, return_exceptions=True)

    async def _awaits(task):
        await task

    found = {c.task: (c.requested, c.by, c.outcome) for c in trace_with(wrapper, program).cancellations}
    assert found == {"inner": (1.0, "task 'main'", "cancelled"), "outer": (1.0, "task 'main'", "cancelled")}


def test_leftover_tasks_are_cancelled_by_the_end_of_trace(wrapper):
    async def program():
        asyncio.create_task(_sleep_long(), name="leftover")
        await asyncio.sleep(1)

    (leftover,) = trace_with(wrapper, program).cancellations
    assert (leftover.task, leftover.requested, leftover.by) == ("leftover", 1.0, "the end of trace()")


def test_wait_for_timeout_is_named(wrapper):
    async def program():
        try:
            await asyncio.wait_for(asyncio.create_task(_sleep_long(), name="slow"), 0.25)
        except TimeoutError:
            pass

    found = {c.task: c for c in trace_with(wrapper, program).cancellations}
    assert found["slow"].requested == 0.25 and found["slow"].outcome == "cancelled"
    if sys.version_info >= (3, 12):  # wait_for is timeout() around the await: it cancels main, main passes it on
        assert (found["main"].by, found["slow"].by) == ("timeout()", "timeout()")
        assert found["main"].requested == 0.25
    else:  # 3.11's wait_for cancels the task it waits for itself
        assert set(found) == {"slow"} and found["slow"].by == "wait_for() in 'main'"


def test_a_timeout_passed_on_through_gather_is_named_as_the_timeout(wrapper):
    async def program():
        children = [asyncio.create_task(_sleep_long(), name=f"child-{i}") for i in range(2)]
        try:
            async with asyncio.timeout(0.5):
                await asyncio.gather(*children)
        except TimeoutError:
            pass

    found = {c.task: (c.requested, c.by, c.outcome) for c in trace_with(wrapper, program).cancellations}
    assert found == {
        "main": (0.5, "timeout()", "returned"),
        "child-0": (0.5, "timeout()", "cancelled"),
        "child-1": (0.5, "timeout()", "cancelled"),
    }


def test_who_cancelled_is_seen_with_the_pure_python_task_too(wrapper):
    async def program():
        loop = asyncio.get_running_loop()
        loop.set_task_factory(lambda loop, coro, **kwargs: asyncio.tasks._PyTask(coro, loop=loop, **kwargs))
        victim = asyncio.create_task(_sleep_long(), name="victim")
        assert type(victim) is asyncio.tasks._PyTask
        await asyncio.sleep(1)
        victim.cancel()
        await asyncio.gather(victim, return_exceptions=True)

    (found,) = trace_with(wrapper, program).cancellations
    assert (found.task, found.requested, found.by, found.delivered) == ("victim", 1.0, "task 'main'", 1.0)


async def _many_kinds_of_wait() -> None:
    """Each wait twice or more, so labels are worked out once and then found again: the same labels must come out."""

    class JobQueue(asyncio.Queue):
        pass

    queues = [asyncio.Queue(maxsize=1), asyncio.PriorityQueue(maxsize=1), JobQueue(maxsize=1), asyncio.LifoQueue()]
    types_ = [type(f"Queue{i}", (asyncio.Queue,), {}) for i in range(10)]  # more types than a code keeps
    queues += [kind() for kind in types_]
    lock, event, condition = asyncio.Lock(), asyncio.Event(), asyncio.Condition()

    async def feeder() -> None:
        for _ in range(2):
            for queue in queues:
                await asyncio.sleep(0.5)
                queue.put_nowait(1)
        await asyncio.sleep(1)
        event.set()
        await asyncio.sleep(1)
        async with condition:
            condition.notify_all()

    async def subject() -> None:
        for delay in (1, 1.0, 0.25, 1, 0.25, True, 1e-9, 1e-9):
            await asyncio.sleep(delay)
        for _ in range(2):
            for queue in queues:
                await queue.get()
        async with lock:
            holder = asyncio.create_task(lock.acquire(), name="holder")
            await asyncio.sleep(0)
        await holder
        lock.release()
        await event.wait()
        async with condition:
            await condition.wait()

    async with asyncio.TaskGroup() as group:
        group.create_task(feeder(), name="feeder")
        group.create_task(subject(), name="subject")
        group.create_task(lock_user(lock), name="lock_user")


async def lock_user(lock: asyncio.Lock) -> None:
    for _ in range(3):
        await asyncio.sleep(0.1)
        async with lock:
            await asyncio.sleep(0.1)


@needs_c
def test_labels_found_again_in_c_are_the_labels_python_works_out(monkeypatch):
    """WaitLabels gives back exactly what describe_wait works out, across types, delays and a full cache."""
    from helpers import _labels

    monkeypatch.setattr(_labels, "_taught", None)
    expected = {view.name: view.awaited for view in helpers.trace(_many_kinds_of_wait()).tasks}
    taught = _speedups.WaitLabels(_labels._ASYNCIO_DIR)
    monkeypatch.setattr(_labels, "_taught", taught)
    for _ in range(2):  # the second time, most labels come from C
        assert {view.name: view.awaited for view in helpers.trace(_many_kinds_of_wait()).tasks} == expected
    assert "JobQueue.get" in expected["subject"] and "sleep(1e-09)" in expected["subject"]


@needs_c
def test_wait_labels_answer_only_what_they_were_taught():
    from helpers import _labels

    taught = _speedups.WaitLabels(_labels._ASYNCIO_DIR)

    async def waiter(queue):
        await queue.get()

    async def main():
        queue = asyncio.Queue()
        task = asyncio.create_task(waiter(queue))
        await asyncio.sleep(0)
        coro = task.get_coro()
        assert taught.label(coro) is None  # nothing taught yet
        assert taught.learn(asyncio.Queue.get.__code__, "self", True, asyncio.Queue, "Queue.get") is True
        assert taught.label(coro) == "Queue.get"
        assert taught.label(coro.cr_await) == "Queue.get"
        taught.learn(asyncio.Queue.get.__code__, "self", True, asyncio.LifoQueue, "LifoQueue.get")
        assert taught.label(coro) == "Queue.get"  # the key is the type of this frame's self
        task.cancel()

    asyncio.run(main())
    with pytest.raises(ValueError, match="asyncio's own"):
        taught.learn(waiter.__code__, "self", True, asyncio.Queue, "waiter")
    with pytest.raises(ValueError, match="another local"):
        taught.learn(asyncio.Queue.get.__code__, "delay", False, 1, "sleep(1)")
    with pytest.raises(TypeError):
        taught.learn(asyncio.sleep.__code__, "delay", False, "1", "sleep(1)")
