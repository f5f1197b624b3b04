"""Entry points: ``trace()`` runs a coroutine on a fresh loop; ``tracing()`` records a loop you have."""

from __future__ import annotations

import asyncio
import contextvars
import ctypes
import inspect
import os
import selectors
import signal
import threading
import time
from typing import Any

from . import _leftovers
from ._errors import TraceError, WallTimeLimitError
from ._loop import RealTimeLoop, VirtualTimeLoop, _TracingLoopBase
from ._recorder import Recorder
from ._timeline import Leftover, Timeline

__all__ = ["trace", "tracing", "DEFAULT_UNTIL"]

#: The end of time when ``trace(..., until=None)`` runs on virtual time: one day.
DEFAULT_UNTIL = 86400.0
#: Extra loop seconds given to cancelled tasks to run their cleanup when a run is stopped.
CLEANUP_GRACE = 60.0
#: Real seconds the end of a run waits for the exit of the children it killed.
CHILD_REAP_LIMIT = 5.0


class _WallClockInterrupt(BaseException):
    """Raised in the loop thread when ``wall_limit`` runs out.

    A BaseException, so that ``except Exception`` in the program cannot swallow it.
    """


def _describe(obj: Any) -> str:
    if inspect.iscoroutinefunction(obj):
        return f"the coroutine function {obj.__qualname__!r} (call it: trace({obj.__qualname__}()))"
    if inspect.isawaitable(obj):
        return f"an awaitable {type(obj).__name__} that is not a coroutine (wrap it: async def main(): await it)"
    return f"{type(obj).__name__} {obj!r:.60}"


def _loop_running_in_this_thread() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


class _Watchdog:
    """Interrupts a thread that has run longer than ``seconds`` of wall time."""

    def __init__(self, seconds: float, thread_id: int) -> None:
        self.seconds = seconds
        self.fired = False
        self._thread_id = thread_id
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="helpers-watchdog", daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        if self._done.wait(self.seconds):
            return
        while not self._done.is_set():
            self.fired = True
            ctypes.pythonapi.PyThreadState_SetAsyncExc(
                ctypes.c_ulong(self._thread_id), ctypes.py_object(_WallClockInterrupt)
            )
            self._done.wait(1.0)  # swallowed? ask again

    def stop(self) -> None:
        self._done.set()
        if self.fired:
            # an interrupt may still be pending for our thread; clear it
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(self._thread_id), None)


def _stop_children(loop: _TracingLoopBase) -> None:
    """Kill the children still running, wait until their exit is in, close their pipes.

    ``asyncio.run`` leaves such children running; a traced run must not leave a process behind
    (a failed check would leave one per run in the kernel). The signal goes to the pid, not
    through ``Popen``, whose poll could reap the child before asyncio's child watcher does.
    Closing the transports while the loop is still open spares a "loop is closed" error when a
    transport whose pipe was never read to the end is garbage-collected later.
    """
    kill = getattr(signal, "SIGKILL", signal.SIGTERM)
    running = [job for job in loop.jobs.jobs if job.kind == "child" and job.state != "done"]
    for job in running:
        try:
            os.kill(job.pid, kill)
        except (ProcessLookupError, TypeError):
            pass  # it ended already (its exit is on the way), or it never got a pid
    deadline = time.perf_counter() + CHILD_REAP_LIMIT
    while any(job.state != "done" for job in running) and time.perf_counter() < deadline:
        loop.run_until_complete(asyncio.sleep(0.01))
    for transport in loop.child_transports:
        if not transport.is_closing():
            transport.close()
    loop.run_until_complete(asyncio.sleep(0))


def _finish_loop(loop: _TracingLoopBase, recorder: Recorder) -> None:
    """What ``asyncio.run`` does at the end: cancel what is left, close async generators, stop threads.

    The cancellation of leftover tasks is recorded (it is part of what the program did);
    the loop's own shutdown work after it is not. Unlike ``asyncio.run``, it also kills
    child processes still running (:func:`_stop_children`).
    """
    loop._until = (loop.time() - loop._start_time) + CLEANUP_GRACE
    remaining = [t for t in asyncio.all_tasks(loop) if not t.done()]
    try:
        if remaining:
            for task in remaining:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*remaining, return_exceptions=True))
        recorder.uninstall()
        loop.run_until_complete(loop.shutdown_asyncgens())
    except (TraceError, _WallClockInterrupt):
        pass  # cleanup that deadlocks or never ends is abandoned, not waited for
    if loop.child_transports:
        recorder.uninstall()  # if the cleanup above was abandoned, it is still recording
        try:
            _stop_children(loop)
        except (TraceError, _WallClockInterrupt):
            pass
    executor = loop._default_executor
    if executor is not None:
        loop._default_executor = None
        busy = loop.jobs.unsettled() > 0
        executor.shutdown(wait=not busy, cancel_futures=True)


def _interrupted_while_waiting(interrupt: _WallClockInterrupt) -> bool:
    """True if the interrupt reached the loop in its ``_wait`` (idle, not running any code of the program)."""
    tb = interrupt.__traceback__
    while tb is not None:
        frame = tb.tb_frame
        if frame.f_code.co_name == "_wait" and isinstance(frame.f_locals.get("self"), _TracingLoopBase):
            return True
        tb = tb.tb_next
    return False


def _attach(error: BaseException, timeline: Timeline) -> None:
    try:
        error.timeline = timeline  # type: ignore[attr-defined]
    except (AttributeError, TypeError):
        pass  # an exception type that takes no attributes still propagates, just without it


def _trace_here(coro: Any, *, virtual: bool, until: float | None, wall_limit: float | None,
                name: str, start: float, context: contextvars.Context, on_program_end: Any = None) -> Timeline:
    # the watchdog thread exists before the loop, so the loop does not take it for work to wait on
    watchdog = _Watchdog(wall_limit, threading.get_ident()) if wall_limit else None
    try:
        loop: _TracingLoopBase = VirtualTimeLoop(until=until, start=start) if virtual else RealTimeLoop(until=until)
    except BaseException:
        if watchdog is not None:
            watchdog.stop()
        raise
    recorder = Recorder(loop, virtual=virtual)
    loop.on_idle = recorder.note_idle
    recorder.install()
    error: BaseException | None = None
    result = None
    main: asyncio.Task | None = None
    leftovers: list[Leftover] = []
    try:
        try:
            main = loop.create_task(coro, name=name, context=context)
            result = loop.run_until_complete(main)
        except _WallClockInterrupt as interrupt:
            error = WallTimeLimitError(wall_limit or 0.0, waiting=_interrupted_while_waiting(interrupt))
        except BaseException as exc:  # the program's own exception, or a TraceError
            error = exc
        if on_program_end is not None:
            on_program_end()
        if watchdog is not None:
            watchdog.stop()
            if watchdog.fired and not isinstance(error, WallTimeLimitError):
                # the interrupt hit a callback or a task step, whose handle logs and swallows it; the run
                # went on broken (a deadlock, often) or was interrupted again. What happened: the limit.
                error = WallTimeLimitError(wall_limit or 0.0)
        if main is not None and main.done():  # it returned or raised: what it started may still run
            leftovers = _leftovers.collect(recorder, main)
        try:
            _finish_loop(loop, recorder)
        except _WallClockInterrupt:
            pass
    finally:
        if watchdog is not None:
            watchdog.stop()
        recorder.uninstall()
        loop.close()
    timeline = recorder.timeline(root=0 if recorder.coroutines else None, result=result, leftovers=leftovers)
    if error is not None:
        _attach(error, timeline)
        raise error
    return timeline


def trace(
    coro: Any,
    *,
    virtual: bool = True,
    until: float | None = None,
    wall_limit: float | None = None,
    name: str = "main",
    start: float = 0.0,
) -> Timeline:
    """Run a coroutine on a fresh event loop and return its timeline.

    Works the same in a script, a test and a Jupyter cell (where a loop is already
    running: the fresh loop then runs in a helper thread, and no ``nest_asyncio``
    is needed). The coroutine runs as a task named ``name``; tasks it starts are
    recorded with it.

    Args:
        coro: a coroutine object, e.g. ``main()``.
        virtual: run on virtual time (exact, reproducible, sleeps cost no wall
            time; see ``helpers._loop``), or on the real clock if False.
        until: the end of time in loop seconds: a program still running then is
            stopped with :class:`TimeLimitError`. Defaults to one day on virtual
            time and no limit on real time.
        wall_limit: real seconds after which a program that never yields
            (``while True: pass``) is interrupted with :class:`WallTimeLimitError`.
        name: the name of the task that runs ``coro``.
        start: on virtual time, what ``loop.time()`` reads when the program starts.
            ``until``, ``time.sleep`` and every time the timeline shows count from
            there; only ``loop.time()`` (and ``asyncio.timeout_at``) see the offset.

    Returns:
        The :class:`Timeline`; ``timeline.result`` is what ``coro`` returned, and
        ``timeline.leftovers`` what was still running then (cancelled afterwards, as
        ``asyncio.run`` does; threads are not stopped, child processes are killed).

    Raises:
        TypeError: ``coro`` is not a coroutine object.
        DeadlockError: no task could ever wake again (lists what each one awaits).
        TimeLimitError: still running at ``until``.
        WallTimeLimitError: ran past ``wall_limit`` real seconds.
        Exception: whatever ``coro`` raised, with the timeline as ``exc.timeline``.

    Example use::

        async def main():
            await asyncio.gather(asyncio.sleep(1), asyncio.sleep(2))

        timeline = trace(main())
        timeline.duration   # 2.0, in no wall time at all
        print(timeline)
    """
    if not asyncio.iscoroutine(coro):
        raise TypeError(f"trace() needs a coroutine object, like trace(main()); it was given {_describe(coro)}")
    if start and not virtual:
        coro.close()  # it never runs: close it, so Python does not warn that it was never awaited
        raise ValueError("start= sets the virtual clock; the real clock (virtual=False) starts where it is")
    if until is None and virtual:
        until = DEFAULT_UNTIL
    context = contextvars.copy_context()
    options = dict(virtual=virtual, until=until, wall_limit=wall_limit, name=name, start=start, context=context)
    if not _loop_running_in_this_thread():
        return _trace_here(coro, **options)
    return _trace_in_thread(coro, options)


def _trace_in_thread(coro: Any, options: dict[str, Any]) -> Timeline:
    box: dict[str, Any] = {}
    # Our own record of the end: on 3.11 and 3.12 an interrupted Thread.join() marks a thread that
    # still runs as stopped (cpython#90882), so thread.is_alive() cannot be trusted after Ctrl-C.
    finished = threading.Event()
    program_ended = threading.Event()

    def target() -> None:
        try:
            box["timeline"] = _trace_here(coro, **options, on_program_end=program_ended.set)
        except BaseException as exc:
            box["error"] = exc
        finally:
            finished.set()

    # asyncio.run's Ctrl-C handler does not raise: it cancels the main task and wakes the loop,
    # which cannot run while we block here. A new cancellation request on our caller means that.
    caller = asyncio.current_task()
    cancelling = caller.cancelling() if caller is not None else 0
    thread = threading.Thread(target=target, name="helpers-trace", daemon=True)
    thread.start()
    try:
        while not finished.wait(0.05):
            if caller is not None and caller.cancelling() > cancelling:
                raise KeyboardInterrupt
    except KeyboardInterrupt:
        # the kernel's interrupt reaches this thread; pass it on to the program in the loop thread,
        # again if the program swallowed it, but never into the loop's own clean-up once the program ended
        while not finished.is_set():
            if not program_ended.is_set():
                interrupt = ctypes.py_object(KeyboardInterrupt)
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident), interrupt)
            finished.wait(0.5)
        thread.join()  # only the thread's exit is left: no thread outlives trace()
        raise
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["timeline"]


class _IdleNotingSelector:
    """Wraps a loop's selector to note how long each blocking ``select`` waited."""

    def __init__(self, selector: selectors.BaseSelector, loop: asyncio.AbstractEventLoop, recorder: Recorder) -> None:
        self._selector = selector
        self._loop = loop
        self._recorder = recorder

    def select(self, timeout: float | None = None) -> Any:
        if timeout == 0:
            return self._selector.select(0)
        start = self._loop.time()
        try:
            return self._selector.select(timeout)
        finally:
            self._recorder.note_idle(start, self._loop.time())

    def __getattr__(self, name: str) -> Any:
        return getattr(self._selector, name)


class tracing:  # noqa: N801 - used like a function: `with tracing() as timeline:`
    """Record what runs on an existing loop while inside the block.

    On a loop that is already running (the Jupyter kernel's, or inside ``async``
    code) only tasks started from inside the block, and the tasks they start,
    are recorded: the kernel's own tasks are left out. On a loop that is not
    running yet, everything run on it while inside the block is recorded.
    Use it with ``with`` or ``async with``; the :class:`Timeline` it gives is
    complete when the block ends; its ``leftovers`` are the recorded tasks still
    running then (and, on a loop that was not running, the callbacks, thread jobs and
    child processes too). The loop and its task factory are put back
    exactly as they were, whatever the block raises.

    Args:
        loop: the loop to record; by default the running loop.

    Example use (in a notebook cell, on the kernel's own loop, real time)::

        with helpers.tracing() as timeline:
            await asyncio.gather(fetch(1), fetch(2))
        timeline.plot()

    Or around a loop you run yourself::

        loop = asyncio.new_event_loop()
        with helpers.tracing(loop) as timeline:
            loop.run_until_complete(main())
    """

    def __init__(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        self._loop = loop
        self._recorder: Recorder | None = None
        self._timeline: Timeline | None = None
        self._saved_selector: Any = None
        self._saved_on_idle: Any = None

    def __enter__(self) -> Timeline:
        if self._recorder is not None:
            raise RuntimeError("this tracing() block is already in use; make a new one for each block")
        loop = self._loop
        if loop is None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                raise RuntimeError(
                    "tracing() without a loop must be used where a loop is running (in async code or a "
                    "notebook cell). Pass the loop to record one you run yourself: "
                    "with tracing(loop): loop.run_until_complete(main()); or use trace(main())."
                ) from None
        if loop.is_closed():
            raise RuntimeError("tracing() was given a closed loop")
        running = loop.is_running()
        recorder = Recorder(
            loop,
            virtual=isinstance(loop, VirtualTimeLoop),
            scoped=running,
            scope_root=asyncio.current_task(loop) if running else None,
        )
        recorder.install()
        if isinstance(loop, _TracingLoopBase):
            self._saved_on_idle = loop.on_idle
            previous = loop.on_idle

            def on_idle(start: float, end: float) -> None:
                recorder.note_idle(start, end)
                if previous is not None:
                    previous(start, end)

            loop.on_idle = on_idle
        elif isinstance(getattr(loop, "_selector", None), selectors.BaseSelector):
            self._saved_selector = loop._selector
            loop._selector = _IdleNotingSelector(loop._selector, loop, recorder)
        self._recorder = recorder
        self._timeline = recorder.timeline()
        return self._timeline

    def __exit__(self, *exc_info: Any) -> None:
        recorder = self._recorder
        assert recorder is not None and self._timeline is not None
        loop = recorder.loop
        leftovers = _leftovers.collect(recorder, everything=not recorder._scoped)
        recorder.uninstall()
        if self._saved_selector is not None:
            loop._selector = self._saved_selector
        if isinstance(loop, _TracingLoopBase):
            loop.on_idle = self._saved_on_idle
        finished = recorder.timeline(leftovers=leftovers)
        self._timeline.__dict__.update(finished.__dict__)

    async def __aenter__(self) -> Timeline:
        return self.__enter__()

    async def __aexit__(self, *exc_info: Any) -> None:
        self.__exit__(*exc_info)


