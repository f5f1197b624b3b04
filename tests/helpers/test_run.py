"""Tests for helpers._run: ``trace()`` and ``tracing()``, their errors, and putting the loop back."""

import asyncio
import gc
import signal
import sys
import threading
import time
import warnings

import pytest

import helpers

_MISSING = object()


@pytest.fixture
def sigint_raises():
    """SIGINT raises KeyboardInterrupt while the test runs, as in a fresh process and a kernel.

    Code run earlier in the suite's long-lived worker can leave another handler in place, which would
    swallow ``_thread.interrupt_main()`` and hang an interrupt test: this one owns SIGINT, warns what
    it found, and puts that back."""
    found = signal.signal(signal.SIGINT, signal.default_int_handler)
    if found is not signal.default_int_handler:
        warnings.warn(f"SIGINT handler left by earlier tests in this process: {found!r}", stacklevel=1)
    yield found
    signal.signal(signal.SIGINT, found)


HOOKED = ("_call_soon", "call_at", "set_task_factory", "get_task_factory")


async def _nap(delay=1.0, value=None):
    await asyncio.sleep(delay)
    return value


async def _two_children(scale=1.0):
    await asyncio.gather(
        asyncio.create_task(_nap(scale, "a"), name="child-a"),
        asyncio.create_task(_nap(2 * scale, "b"), name="child-b"),
    )
    return "done"


# ------------------------------------------------------------------ bad input
def test_trace_names_a_coroutine_function_passed_without_calling_it():
    with pytest.raises(TypeError) as excinfo:
        helpers.trace(_two_children)
    message = str(excinfo.value)
    assert "coroutine function '_two_children'" in message and "trace(_two_children())" in message, message


def test_trace_names_an_int():
    with pytest.raises(TypeError, match=r"it was given int 42$"):
        helpers.trace(42)


def test_trace_names_a_future_and_a_task():
    loop = asyncio.new_event_loop()
    try:
        future = loop.create_future()
        task = loop.create_task(_nap(0))
        for awaitable, kind in ((future, "Future"), (task, "Task")):
            with pytest.raises(TypeError) as excinfo:
                helpers.trace(awaitable)
            assert f"an awaitable {kind} that is not a coroutine" in str(excinfo.value), str(excinfo.value)
        loop.run_until_complete(task)
    finally:
        loop.close()


# ------------------------------------------------------------ results, errors
def test_trace_result_and_timeline():
    timeline = helpers.trace(_two_children())
    assert timeline.result == "done"
    assert timeline.task_names == ["main", "child-a", "child-b"]
    assert timeline.duration == 2.0
    assert [t.name for t in timeline.children()] == ["child-a", "child-b"]


def test_trace_names_the_main_task():
    assert helpers.trace(_nap(0), name="entry").task_names == ["entry"]


def test_trace_can_start_the_virtual_clock_elsewhere():
    async def main():
        await _two_children()
        return asyncio.get_running_loop().time()

    at_zero, elsewhere = helpers.trace(main()), helpers.trace(main(), start=1000.0)
    assert elsewhere.result == 1002.0, "loop.time() reads the start plus the time passed"
    assert (elsewhere.start, elsewhere.end, elsewhere.duration) == (1000.0, 1002.0, 2.0)
    assert str(elsewhere) == str(at_zero), "views count from the start"
    assert [(s.start - elsewhere.start, s.end - elsewhere.start) for s in elsewhere.steps] == [
        (s.start, s.end) for s in at_zero.steps
    ]


def test_trace_in_a_running_loop_starts_the_clock_elsewhere_too():
    async def caller():
        return helpers.trace(_nap(1, "late"), start=50.0)

    timeline = asyncio.run(caller())
    assert (timeline.start, timeline.duration, timeline.result) == (50.0, 1.0, "late")


def test_start_on_the_real_clock_is_refused_without_a_warning(recwarn):
    with pytest.raises(ValueError, match="start= sets the virtual clock"):
        helpers.trace(_nap(0), virtual=False, start=5.0)
    gc.collect()
    assert not [w for w in recwarn if "never awaited" in str(w.message)]


def test_exception_from_the_coroutine_propagates_with_the_timeline():
    async def main():
        asyncio.create_task(_nap(5), name="bystander")
        await asyncio.sleep(1)
        raise ValueError("bad input")

    with pytest.raises(ValueError, match="bad input") as excinfo:
        helpers.trace(main())
    timeline = excinfo.value.timeline
    assert timeline.task("main").outcome == "raised"
    assert timeline.task("main").ended == 1.0
    assert "bystander" in timeline.task_names


def test_detail_of_a_raised_task_is_type_and_message():
    async def main():
        raise ValueError("bad input")

    with pytest.raises(ValueError) as excinfo:
        helpers.trace(main())
    assert excinfo.value.timeline.task("main").detail == "ValueError: bad input"


def test_exception_that_takes_no_attributes_still_propagates():
    class Slotted(Exception):
        __slots__ = ()

    async def main():
        raise Slotted("no room")

    with pytest.raises(Slotted):
        helpers.trace(main())


def test_trace_from_inside_a_running_loop_uses_a_helper_thread():
    async def outer():
        outer_thread = threading.get_ident()

        async def inner():
            await asyncio.sleep(3600)
            return threading.get_ident()

        timeline = helpers.trace(inner())
        return outer_thread, timeline

    outer_thread, timeline = asyncio.run(outer())
    assert timeline.result != outer_thread, "the traced coroutine must run on its own loop, in another thread"
    assert timeline.duration == 3600.0


def test_trace_from_inside_a_running_loop_propagates_errors():
    async def outer():
        with pytest.raises(helpers.DeadlockError):
            helpers.trace(asyncio.Event().wait())

    asyncio.run(outer())


def test_wall_limit_stops_a_loop_that_never_awaits():
    async def main():
        await asyncio.sleep(1)
        while True:
            pass

    t0 = time.perf_counter()
    with pytest.raises(helpers.WallTimeLimitError) as excinfo:
        helpers.trace(main(), wall_limit=0.3)
    assert time.perf_counter() - t0 < 10, "the wall limit did not stop the run"
    assert excinfo.value.seconds == 0.3
    assert excinfo.value.timeline.task("main").steps[0].waits_on == "sleep(1)"
    assert not excinfo.value.waiting and "kept busy" in str(excinfo.value)


def test_wall_limit_says_when_the_loop_was_waiting_for_a_thread():
    async def main():
        await asyncio.to_thread(threading.Event().wait, 2)  # real work: no virtual time passes

    with pytest.raises(helpers.WallTimeLimitError, match="the loop was waiting") as excinfo:
        helpers.trace(main(), wall_limit=0.3)
    assert excinfo.value.waiting


def test_wall_limit_stops_a_loop_that_swallows_exceptions():
    async def main():
        while True:
            try:
                while True:
                    pass
            except Exception:
                pass

    with pytest.raises(helpers.WallTimeLimitError):
        helpers.trace(main(), wall_limit=0.3)


def test_wall_limit_is_reported_even_when_the_interrupt_is_swallowed():
    # asyncio's handles log and swallow what a callback or task step raises: the run then goes on broken
    async def main():
        try:
            while True:
                pass
        except BaseException:
            pass
        await asyncio.Event().wait()  # stuck now: a deadlock, but only because the limit struck

    with pytest.raises(helpers.WallTimeLimitError):
        helpers.trace(main(), wall_limit=0.3)


def test_wall_limit_does_not_fire_on_a_quick_program():
    assert helpers.trace(_nap(10, "ok"), wall_limit=5).result == "ok"


# -------------------------------------------------------------------- tracing
def _hooks(loop):
    return {name: loop.__dict__.get(name, _MISSING) for name in HOOKED}


def test_tracing_a_loop_before_it_runs_records_everything():
    loop = asyncio.new_event_loop()
    try:
        with helpers.tracing(loop) as timeline:
            assert loop.run_until_complete(_two_children(0.001)) == "done"
    finally:
        loop.close()
    assert len(timeline.task_names) == 3
    assert {"child-a", "child-b"} <= set(timeline.task_names)
    assert timeline.clock == "real"
    assert timeline.max_concurrency() >= 2


def test_tracing_the_running_loop_records_only_tasks_started_in_the_block():
    async def main():
        loop = asyncio.get_running_loop()
        before = asyncio.create_task(_nap(0.02), name="started-before")
        from_callback = []
        async with helpers.tracing() as timeline:
            inside = asyncio.create_task(_two_children(0.001), name="inside")
            # a task started by a plain callback belongs to no task of the block (like the kernel's own)
            loop.call_soon(lambda: from_callback.append(asyncio.ensure_future(_nap(0), loop=loop)))
            await inside
        await before
        await from_callback[0]
        return timeline

    timeline = asyncio.run(main())
    assert timeline.task_names == ["inside", "child-a", "child-b"]
    assert timeline.task("child-a").parent == "inside"


def test_tracing_without_a_running_loop_says_what_to_do():
    with pytest.raises(RuntimeError, match="Pass the loop"):
        with helpers.tracing():
            pass


def test_tracing_a_closed_loop_is_refused():
    loop = asyncio.new_event_loop()
    loop.close()
    with pytest.raises(RuntimeError, match="closed"):
        with helpers.tracing(loop):
            pass


def test_a_tracing_block_cannot_be_reused():
    loop = asyncio.new_event_loop()
    try:
        block = helpers.tracing(loop)
        with block:
            pass
        with pytest.raises(RuntimeError, match="already in use"):
            with block:
                pass
    finally:
        loop.close()


def test_nested_tracing_both_record():
    loop = asyncio.new_event_loop()
    try:
        with helpers.tracing(loop) as outer:
            loop.run_until_complete(_nap(0, "first"))
            with helpers.tracing(loop) as inner:
                loop.run_until_complete(_two_children(0.001))
    finally:
        loop.close()
    assert len(outer.task_names) == 4
    assert len(inner.task_names) == 3
    assert {"child-a", "child-b"} <= set(inner.task_names)


def test_nested_tracing_keeps_parents_in_the_outer_timeline():
    loop = asyncio.new_event_loop()
    try:
        with helpers.tracing(loop) as outer:
            with helpers.tracing(loop) as inner:
                loop.run_until_complete(_two_children(0.001))
    finally:
        loop.close()
    assert inner.task("child-a").parent is not None
    assert outer.task("child-a").parent is not None, "child-a lost its parent in the outer timeline"


def test_nested_tracing_on_the_running_loop_records_grandchildren_in_the_outer_timeline():
    async def main():
        async with helpers.tracing() as outer:
            async with helpers.tracing() as inner:
                await asyncio.create_task(_two_children(0.001), name="inside")
        return outer, inner

    outer, inner = asyncio.run(main())
    assert inner.task_names == ["inside", "child-a", "child-b"]
    assert outer.task_names == ["inside", "child-a", "child-b"], "the outer block lost the grandchildren"


def test_tracing_inside_trace():
    async def main():
        with helpers.tracing() as inner:
            await asyncio.create_task(_two_children(), name="inside")
        return inner

    timeline = helpers.trace(main())
    inner = timeline.result
    assert inner.clock == "virtual" and inner.duration == 2.0
    assert inner.task_names[0] == "inside"
    assert "inside" in timeline.task_names


@pytest.mark.parametrize("raises", [False, True], ids=["ok", "raising"])
@pytest.mark.parametrize("custom_factory", [False, True], ids=["no-factory", "custom-factory"])
def test_tracing_puts_the_loop_back_exactly(raises, custom_factory):
    loop = asyncio.new_event_loop()

    def factory(loop, coro, **kwargs):
        return asyncio.Task(coro, loop=loop, **kwargs)

    try:
        if custom_factory:
            loop.set_task_factory(factory)
        hooks, task_factory, selector = _hooks(loop), loop.get_task_factory(), loop._selector
        with pytest.raises(ZeroDivisionError) if raises else _nothing():
            with helpers.tracing(loop) as timeline:
                assert loop.get_task_factory() is task_factory, "the program must see its own factory"
                loop.run_until_complete(_nap(0.001))
                if raises:
                    raise ZeroDivisionError("the block failed")
        assert _hooks(loop) == hooks
        assert loop.get_task_factory() is task_factory
        assert loop._task_factory is task_factory
        assert loop._selector is selector
        assert timeline.task_names, "nothing recorded"
        loop.run_until_complete(_nap(0))  # and it still runs
    finally:
        loop.close()


def test_a_factory_set_inside_the_block_stays_after_it():
    loop = asyncio.new_event_loop()

    def factory(loop, coro, **kwargs):
        return asyncio.Task(coro, loop=loop, **kwargs)

    try:
        with helpers.tracing(loop):
            loop.set_task_factory(factory)
            assert loop.get_task_factory() is factory
        assert loop.get_task_factory() is factory and loop._task_factory is factory
        assert _hooks(loop) == {name: _MISSING for name in HOOKED}
    finally:
        loop.close()


def test_tracing_the_running_loop_puts_it_back():
    async def main():
        loop = asyncio.get_running_loop()
        hooks, selector = _hooks(loop), loop._selector
        with pytest.raises(KeyError):
            async with helpers.tracing():
                await asyncio.sleep(0)
                raise KeyError("x")
        return _hooks(loop) == hooks, loop._selector is selector, loop.get_task_factory()

    assert asyncio.run(main()) == (True, True, None)


def test_trace_leaves_no_hooks_behind_on_the_caller_loop():
    async def main():
        loop = asyncio.get_running_loop()
        hooks = _hooks(loop)
        helpers.trace(_nap(1))
        return _hooks(loop) == hooks and loop.get_task_factory() is None

    assert asyncio.run(main())


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@pytest.mark.skipif(threading.current_thread() is not threading.main_thread(), reason="needs the main thread")
@pytest.mark.parametrize("in_running_loop", [False, True], ids=["plain", "inside-a-running-loop"])
def test_keyboard_interrupt_stops_a_trace(in_running_loop, sigint_raises):
    """Best effort, like a notebook's interrupt button: Ctrl-C reaches the traced program and stops it.

    The interrupt comes once the traced program runs, as a learner's click does (a fixed delay could fire
    before trace() started), and the program naps 30 s, not for ever, so a lost interrupt fails the test
    instead of hanging the worker."""
    import _thread

    running, sent = threading.Event(), threading.Event()

    async def napping():
        running.set()
        await asyncio.sleep(30)

    def interrupt_once_running():
        if running.wait(25):
            time.sleep(0.1)
            _thread.interrupt_main()
            sent.set()

    async def outer():
        return helpers.trace(napping(), virtual=False)

    t0 = time.perf_counter()
    threading.Thread(target=interrupt_once_running, daemon=True).start()
    try:
        with pytest.raises(KeyboardInterrupt):
            if in_running_loop:
                asyncio.run(outer())
            else:
                helpers.trace(napping(), virtual=False)
    except BaseException as exc:
        raise AssertionError(
            f"no KeyboardInterrupt after {time.perf_counter() - t0:.1f} s (program running: {running.is_set()}, "
            f"interrupt sent: {sent.is_set()}, SIGINT handler: {signal.getsignal(signal.SIGINT)!r})"
        ) from exc
    assert time.perf_counter() - t0 < 20, "the interrupt did not stop the run"


# ------------------------------------------------------------ work off the loop
def test_tracing_the_running_loop_records_the_jobs_and_children_of_its_tasks():
    import sys

    async def worker():
        await asyncio.to_thread(time.sleep, 0.01)
        proc = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
        return await proc.wait()

    async def main():
        outside = asyncio.create_task(asyncio.to_thread(time.sleep, 0.05), name="outside")
        await asyncio.sleep(0)  # its job is submitted before the block
        async with helpers.tracing() as timeline:
            assert await asyncio.create_task(worker(), name="worker") == 0
        await outside
        return timeline

    timeline = asyncio.run(main())
    assert [(j.label, j.outcome, j.awaited_by) for j in timeline.jobs] == [
        ("to_thread(sleep)", "returned", 0),
        ("subprocess(python -c)", "exited", 0),
    ]
    assert all(j.ended >= j.started >= j.submitted >= timeline.start for j in timeline.jobs)


def test_tracing_puts_the_loop_back_after_watching_children():
    loop = asyncio.new_event_loop()
    try:
        with helpers.tracing(loop):
            loop.run_until_complete(asyncio.sleep(0))
        assert "_make_subprocess_transport" not in vars(loop)
        assert "_child_watcher_callback" not in vars(loop)
    finally:
        loop.close()


async def _spin():
    while True:
        pass


@pytest.mark.skipif(threading.current_thread() is not threading.main_thread(), reason="needs the main thread")
def test_keyboard_interrupt_ends_a_spinning_trace_thread_and_restores_time_sleep(sigint_raises):
    """■ on trace(spin()) from inside a running loop (a notebook cell): the helper thread really ends.

    On 3.11 and 3.12 an interrupted Thread.join() marks the still-running thread as stopped
    (cpython#90882); the interrupt must be passed on all the same.
    """
    import _thread

    from helpers._loop import virtual_sleep_installed

    async def outer():
        return helpers.trace(_spin())

    # like the kernel's loop: no SIGINT handler of asyncio.run's, so Ctrl-C raises in Thread.join()
    loop = asyncio.new_event_loop()
    timer = threading.Timer(0.3, _thread.interrupt_main)
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            loop.run_until_complete(outer())
    finally:
        timer.cancel()
        loop.close()
    assert not any(t.name == "helpers-trace" for t in threading.enumerate()), "the traced program still runs"
    assert not virtual_sleep_installed(), "time.sleep is still the virtual one"


def _gone(pid):
    """True once ``pid`` is neither running nor a zombie waiting to be reaped."""
    import os

    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.mark.skipif(sys.platform == "win32", reason="our loops run no subprocesses on Windows")
@pytest.mark.parametrize("virtual", [True, False])
def test_a_child_left_running_is_killed_and_reaped_at_the_end_and_still_a_leftover(virtual):
    async def main():
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-c", "import time; time.sleep(30)", stdout=asyncio.subprocess.PIPE
        )
        return proc.pid

    timeline = helpers.trace(main(), virtual=virtual)
    assert [x.kind for x in timeline.leftovers] == ["process"]
    assert _gone(timeline.result), "the child still runs, or was never reaped"
    (job,) = timeline.jobs
    assert job.returncode is not None and job.returncode < 0


@pytest.mark.skipif(sys.platform == "win32", reason="our loops run no subprocesses on Windows")
def test_a_child_stuck_on_a_full_pipe_is_killed_when_the_run_is_stopped(recwarn):
    pids = []

    async def main():
        code = "import sys\nfor line in sys.stdin: sys.stdout.write(line)"
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-c", code, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE
        )
        pids.append(proc.pid)
        proc.stdin.write(b"x\n" * 1_000_000)  # never reads the output: both sides wait on a full pipe
        await proc.stdin.drain()

    with pytest.raises(helpers.WallTimeLimitError):
        helpers.trace(main(), wall_limit=1.0)
    assert _gone(pids[0])
    gc.collect()  # its transport, closed before the loop was: no "Event loop is closed" from __del__
    assert not [w for w in recwarn if "closed" in str(w.message)]
