"""Record every task step, callback and idle stretch of one asyncio loop into flat buffers.

How it works: a task factory wraps each new coroutine in a small delegating object.
The C ``asyncio.Task`` drives it like the coroutine itself (``__next__`` for a
step, ``throw`` for a cancellation), so each call is one step: we read the clock
before and after, and note what the coroutine yielded (the future it now waits
on). Nothing else about the task changes: it is still the C Task, with the same
name, context, cancellation and current-task behaviour. Two things differ:
``task.get_coro()`` returns the wrapper (its ``cr_frame``, ``cr_code``,
``cr_await``, ``__qualname__``... are the coroutine's), and the wrapper removes
its own frame from tracebacks so they read as without it.

Plain callbacks (``call_soon``, ``call_later``; not task steps or asyncio's own
plumbing) are recorded by swapping the loop's ``_call_soon`` and ``call_at`` for
versions that make a timing ``Handle``. Everything is undone by :meth:`Recorder.uninstall`.

Buffers hold plain floats: keeping futures or results alive in records would
change a program's memory behaviour and cost garbage-collection time.
"""

from __future__ import annotations

import asyncio
import functools
import math
import os
import sys
import threading
import time
import types
from array import array
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from . import _labels
from ._jobs import JobLog, job_of
from ._timeline import COMPACT_WIDTH, LABEL_STRIDE, JobRecord, Leftover, TaskRecord, Timeline, _clip, _short_repr
from ._timers import OrderedTimerHandle, schedule_timer

__all__ = ["Recorder"]

_RETURNED, _RAISED, _CANCELLED = "returned", "raised", "cancelled"
# CPython 3.13.0-3.13.2: with a task factory set, create_task() renames an unnamed task to 'None'
_CREATE_TASK_RENAMES = (3, 13, 0) <= sys.version_info[:3] < (3, 13, 3)
_RETURNED_NONE = (_RETURNED, "None")  # shared: most tasks return None, and each new tuple costs GC time
#: On virtual time, steps that took at least this much real time keep their wall duration.
WALL_NOTE_THRESHOLD = 0.001

_perf = time.perf_counter
#: The interface version of ``_speedups`` this module drives (``HELPERS_SPEEDUPS_API`` in ``_speedups.c``).
SPEEDUPS_API = 3


def _load_speedups() -> Any:
    """The C wrapper module, or None: not built, built from older sources (an editable install not rebuilt
    after an update), or ``HELPERS_PURE_PYTHON`` set (to test or debug the Python one)."""
    if os.environ.get("HELPERS_PURE_PYTHON", "") not in ("", "0"):
        return None
    try:
        from . import _speedups
    except ImportError:
        return None
    if getattr(_speedups, "API_VERSION", None) != SPEEDUPS_API:
        return None
    # the C Task only accepts coroutines: registering makes asyncio.iscoroutine() say yes
    Coroutine.register(_speedups.StepRecordingCoroutine)
    return _speedups


_speedups = _load_speedups()
if _speedups is not None:
    _labels.use_wait_labels(_speedups.WaitLabels(_labels._ASYNCIO_DIR))
_current_task = asyncio.current_task
_CancelledError = asyncio.CancelledError
_ASYNCIO_DIR = _labels._ASYNCIO_DIR
# callbacks defined in asyncio, or in this package (the loop's own bookkeeping), are not the program's
_PLUMBING_DIRS = (_ASYNCIO_DIR, os.path.dirname(__file__) + os.sep)


def _probe_step_type() -> type:
    """The type of the callback a C Task schedules for its own steps (``TaskStepMethWrapper``).

    asyncio does not export it, so make a task on a loop that never runs and look at
    what it scheduled. Nothing runs, so this works where a loop is already running.
    """

    async def nothing() -> None:
        pass

    loop = asyncio.new_event_loop()
    try:
        coro = nothing()
        task = loop.create_task(coro)
        step_type = type(loop._ready[-1]._callback)
        # finish the coroutine by hand and drop the task quietly: it was only a probe
        coro.close()
        task._log_destroy_pending = False
    finally:
        loop.close()
    return step_type


_STEP_TYPES = (_probe_step_type(),)
_PY_TASK_WAKEUP = asyncio.tasks._PyTask._Task__wakeup
_TASK_TYPES = (asyncio.Task, asyncio.tasks._PyTask)
_BUILTIN_METHOD = types.BuiltinMethodType


def _is_plumbing(callback: Any) -> bool:
    """True for task steps, task wake-ups and asyncio's own internal callbacks."""
    kind = type(callback)
    if kind in _STEP_TYPES:
        return True
    if kind is _BUILTIN_METHOD:
        return isinstance(callback.__self__, asyncio.Future)  # Task.__wakeup and friends
    func = getattr(callback, "__func__", callback)
    code = getattr(func, "__code__", None)
    if code is not None:
        return code.co_filename.startswith(_PLUMBING_DIRS)
    inner = getattr(callback, "func", None)  # functools.partial
    return inner is not None and _is_plumbing(inner)


def _callback_name(callback: Any) -> str:
    inner = getattr(callback, "func", None)
    if inner is not None:
        return _callback_name(inner)
    name = getattr(callback, "__qualname__", None) or getattr(callback, "__name__", None)
    owner = getattr(callback, "__self__", None)
    if isinstance(owner, asyncio.Future) and name and "." not in name:
        return f"{type(owner).__name__}.{name}"
    return name or type(callback).__name__


def _tasks_of(loop: asyncio.AbstractEventLoop) -> list[asyncio.Task]:
    """The tasks of ``loop`` not yet garbage-collected, finished ones included (``all_tasks`` leaves those out).

    Reads asyncio's own registry of tasks (``_all_tasks`` on 3.11, ``_scheduled_tasks`` on 3.12 and 3.13),
    falling back to ``all_tasks`` where it has another shape.
    """
    registry = getattr(asyncio.tasks, "_all_tasks", None)
    if registry is None:
        registry = getattr(asyncio.tasks, "_scheduled_tasks", None)
    if registry is None:
        return list(asyncio.all_tasks(loop)) if not loop.is_closed() else []
    found = []
    for task in list(registry):
        try:
            if asyncio.futures._get_loop(task) is loop:
                found.append(task)
        except Exception:  # noqa: BLE001 - a foreign future-like object in the registry is not ours
            continue
    return found


class Recorder:
    """Records one loop's tasks, steps, callbacks and idle time.

    Args:
        loop: the loop to record.
        virtual: True if ``loop`` keeps virtual time in ``loop._vtime`` (our
            virtual-time loop); steps are then timed on that clock, and their
            real duration is kept when it is at least ``WALL_NOTE_THRESHOLD``.
        scope_root: when recording a loop that is already running, only tasks
            created by this task (or by tasks recorded) are recorded. ``None``
            records every task.
        scoped: whether ``scope_root`` applies (``scope_root`` may be ``None``
            for a block entered outside any task: then tasks with no parent count).
    """

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        *,
        virtual: bool = False,
        scope_root: asyncio.Task | None = None,
        scoped: bool = False,
    ) -> None:
        self.loop = loop
        self.virtual = virtual
        self.steps = array("d")
        self.walls: dict[int, float] = {}
        self.callbacks = array("d")
        self.idle = array("d")
        self.labels: list[str] = []
        self._label_ids: dict[str, float] = {}
        # per task, in creation order
        self.coroutines: list[str] = []
        self.created = array("d")
        self.parents = array("l")
        self.finished = array("d")
        self.outcomes: dict[int, tuple[str, str]] = {}
        self.names: dict[int, str] = {}
        self.cancel_requested: dict[int, float] = {}
        self.cancel_steps: dict[int, int] = {}
        self.cancel_asked: dict[int, tuple[float, str, int | None]] = {}
        self._initial_names: dict[int, str] = {}
        self._names_at_stop: dict[int, str] = {}  # names read when recording stopped, of tasks not named by then
        # jobs off the loop: our loops keep a log; any other loop gets one while recorded
        own_log = getattr(loop, "jobs", None)
        self._job_log: JobLog = own_log if isinstance(own_log, JobLog) else JobLog(loop)
        self._owns_job_log = self._job_log is not own_log
        self._first_job = len(self._job_log.jobs)
        self._last_job: int | None = None
        self._wall_discounts: dict[int, float] = {}
        self.job_waiters: dict[int, int] = {}
        if self._owns_job_log and scoped:
            self._job_log.accept = self._submitted_in_scope
        self._scope_root = scope_root
        self._scoped = scoped
        self._saved: dict[str, Any] = {}
        self._inner_factory: Callable[..., Any] | None = None
        self.started_at = self.now()
        self.stopped_at: float | None = None
        self.active = True
        self.wrapper_type, self._wrap, self._stop_wrappers = self._make_wrapper_type()

    # ----------------------------------------------------------------- clock
    def now(self) -> float:
        """The loop's clock."""
        return self.loop.time()

    def label_id(self, text: str) -> float:
        """The id of ``text`` in :attr:`labels`, adding it the first time."""
        try:
            return self._label_ids[text]
        except KeyError:
            self.labels.append(text)
            ident = float(len(self.labels) - 1)
            self._label_ids[text] = ident
            return ident

    # ------------------------------------------------------- the task wrapper
    def _make_wrapper_type(self) -> tuple[type, Callable[[Any, int], Any], Callable[[], None]]:
        """Set up the coroutine wrapper for this recording.

        Returns:
            ``(wrapper_type, wrap, stop)``: ``wrap(coro, task_index)`` makes a wrapper,
            ``stop()`` ends recording (wrappers made keep driving their coroutines).
            The C wrapper (``helpers._speedups``, when it is built and ``HELPERS_PURE_PYTHON``
            is not set) records into a buffer of its own, which becomes :attr:`steps`; its type
            is shared by all recordings. The pure-Python wrapper is a class made per recording.
            Either way ``wrapper._recording is self._recording`` for this recording's wrappers.
        """
        if _speedups is not None:
            return self._make_c_wrapper_type(_speedups)
        self._factory_clock = self.now
        wrapper_type, stop = self._make_python_wrapper_type()
        self._recording = wrapper_type
        return wrapper_type, wrapper_type, stop

    def _step_clock(self) -> Callable[[], float] | None:
        """What real-time steps read: ``loop.time`` itself, or what it returns without the method call."""
        if self.virtual:
            return None  # steps read loop._vtime
        if type(self.loop).time is asyncio.BaseEventLoop.time:
            return time.monotonic
        return self.loop.time

    def _label_coder(self) -> tuple[Callable[[int, Any, Any], float], float]:
        """``code_for(task_index, yielded, coro)`` for a step that yielded a future, and the slot of ``sleep(0)``."""
        stride = LABEL_STRIDE
        describe = _labels.describe_wait
        label_id = self.label_id
        jobs = self._job_log.jobs
        first_job = self._first_job
        link_jobs = self._link_jobs
        label_ids = self._label_ids

        def code_for(task_index: int, yielded: Any, coro: Any) -> float:
            if len(jobs) > first_job:
                link_jobs(task_index, yielded, coro)
            text = describe(coro, yielded)
            # label_id(text), without the call for labels seen before: this runs for every step that awaits
            ident = label_ids.get(text)
            return task_index + ((label_id(text) if ident is None else ident) + 1.0) * stride

        return code_for, (label_id("sleep(0)") + 1.0) * stride

    def _link_jobs(self, task_index: int, yielded: Any, coro: Any) -> None:
        """Note which task awaits each job (the first one seen) among what this step left it waiting on."""
        log = self._job_log
        for fut in _labels.awaited_futures(coro, yielded):
            job = job_of(fut)
            if job is not None and job.log is log and job.index >= self._first_job:
                self.job_waiters.setdefault(job.index, task_index)

    def _submitted_in_scope(self) -> bool:
        """Whether work submitted now belongs to this scoped recording: from a recorded task, or off the loop."""
        if threading.get_ident() != self._job_log.thread_id:
            return True  # from a worker thread: only this loop's jobs run there
        task = _current_task(self.loop)
        return task is not None and (task is self._scope_root or self.own_index(task.get_coro()) >= 0)

    def _note_cancel(self, task_index: int) -> None:
        """A wrapper is about to throw ``CancelledError`` into task ``task_index``."""
        if task_index in self.cancel_requested:
            return
        task = _current_task(self.loop)
        if task is not None and not task.cancelling():
            # nobody cancelled this task: the error comes from what it awaited (`await t` on a
            # cancelled task t), as any exception of an awaited task would
            return
        self.cancel_requested[task_index] = self.now()
        # the step this throw makes is recorded when it ends, at this index or later
        self.cancel_steps[task_index] = len(self.steps) // COMPACT_WIDTH

    def _note_cancel_request(self, task: Any, awaited: asyncio.Future) -> None:
        """``task`` is about to wake up to a cancelled ``awaited``: someone called ``cancel()``.

        Called from the ``_call_soon`` hook while the canceller still runs, so the
        current task and the Python frames calling ``cancel()`` say who asked. Only
        this path (a wake-up with a cancelled future) pays for it.
        """
        if not self.active or not isinstance(task, _TASK_TYPES):
            return
        index = self.own_index(task.get_coro())
        if index < 0 or index in self.cancel_asked:
            return
        current = _current_task(self.loop)
        target = None  # a task asyncio's canceller aimed at, if not this one
        if current is not None and awaited is current:
            # what it awaited was a task, and it has just ended cancelled
            if not task.cancelling():
                return  # only that task was cancelled: this one just gets its CancelledError
            # this one was cancelled too, and passed the cancel() on to what it awaited: same asker
            by_awaited = self.cancel_asked.get(self.own_index(current.get_coro()))
            if by_awaited is not None:
                self.cancel_asked[index] = by_awaited
            return
        kind, frame = _canceller(sys._getframe(2))
        if kind == "timeout":
            # timeout() cancels the task in the `async with`; that task passed it on to what it awaits
            target = getattr(frame.f_locals.get("self"), "_task", None)
        kind = kind or ("task" if current is not None else "callback")
        by = -1 if current is None else self.own_index(current.get_coro())
        asked = (self.now(), kind, None if by < 0 else by)
        self.cancel_asked[index] = asked
        if isinstance(target, _TASK_TYPES):
            target_index = self.own_index(target.get_coro())
            if target_index >= 0:
                self.cancel_asked.setdefault(target_index, asked)

    def _make_c_wrapper_type(self, speedups: Any) -> tuple[type, Callable[[Any, int], Any], Callable[[], None]]:
        now = self._step_clock()
        if now is time.monotonic and speedups.C_MONOTONIC:
            now = None  # the C module reads the same clock directly
        code_for, sleep0_slot = self._label_coder()
        state = speedups.StepRecorder(
            loop=self.loop,
            virtual=self.virtual,
            now=now,
            code_for=code_for,
            finish=self._finish,
            note_cancel=self._note_cancel,
            walls=self.walls,
            sleep0_slot=sleep0_slot,
            threshold=WALL_NOTE_THRESHOLD,
        )
        self.steps = state.steps
        self._factory_clock = state.loop_time
        self._recording = state
        return speedups.StepRecordingCoroutine, state.wrap, state.stop

    def _make_python_wrapper_type(self) -> tuple[type, Callable[[], None]]:
        """Build the pure-Python coroutine wrapper class; its hot path reads only closure cells."""
        steps = self.steps
        put = steps.append
        walls = self.walls
        loop = self.loop
        virtual = self.virtual
        now = self._step_clock()
        width = COMPACT_WIDTH
        finish = self._finish
        note_cancel = self._note_cancel
        perf = _perf
        code_for, sleep0_slot = self._label_coder()

        def discard(_: float) -> None:
            pass

        def strip_own_frame(exc: BaseException) -> None:
            tb = exc.__traceback__
            if tb is not None and tb.tb_frame.f_code in own_codes:
                exc.__traceback__ = tb.tb_next

        class StepRecordingCoroutine:
            """Drives a coroutine for a Task, one recorded step per ``__next__``/``send``/``throw``."""

            __slots__ = ("_coro", "_send", "_task_index", "_sleep0_code", "__weakref__")

            def __init__(self, coro: Any, task_index: int) -> None:
                self._coro = coro
                self._send = coro.send
                self._task_index = task_index
                self._sleep0_code = task_index + sleep0_slot

            # In both variants __next__ is _step_with(self._send, None) written out: it runs for every
            # step, and a call less per step is measurable; _step_with serves send(value) and throw().
            if virtual:

                def __next__(self) -> Any:
                    v0 = loop._vtime
                    w0 = perf()
                    try:
                        yielded = self._send(None)
                    except BaseException as exc:
                        strip_own_frame(exc)
                        self._ended(v0, w0, exc)
                        raise
                    wall = perf() - w0
                    put(v0)
                    put(loop._vtime)
                    put(self._sleep0_code if yielded is None else code_for(self._task_index, yielded, self._coro))
                    if wall >= WALL_NOTE_THRESHOLD:
                        walls[len(steps) // width - 1] = wall
                    return yielded

                def _ended(self, v0: float, w0: float, exc: BaseException) -> None:
                    wall = perf() - w0
                    v1 = loop._vtime
                    put(v0)
                    put(v1)
                    put(float(self._task_index))
                    if wall >= WALL_NOTE_THRESHOLD:
                        walls[len(steps) // width - 1] = wall
                    finish(self._task_index, v1, exc)

                def _step_with(self, method: Callable[..., Any], *args: Any) -> Any:
                    v0 = loop._vtime
                    w0 = perf()
                    try:
                        yielded = method(*args)
                    except BaseException as exc:
                        strip_own_frame(exc)
                        self._ended(v0, w0, exc)
                        raise
                    wall = perf() - w0
                    put(v0)
                    put(loop._vtime)
                    put(self._sleep0_code if yielded is None else code_for(self._task_index, yielded, self._coro))
                    if wall >= WALL_NOTE_THRESHOLD:
                        walls[len(steps) // width - 1] = wall
                    return yielded

            else:

                def __next__(self) -> Any:
                    t0 = now()
                    try:
                        yielded = self._send(None)
                    except BaseException as exc:
                        strip_own_frame(exc)
                        self._ended(t0, 0.0, exc)
                        raise
                    put(t0)
                    put(now())
                    put(self._sleep0_code if yielded is None else code_for(self._task_index, yielded, self._coro))
                    return yielded

                def _ended(self, t0: float, _w0: float, exc: BaseException) -> None:
                    t1 = now()
                    put(t0)
                    put(t1)
                    put(float(self._task_index))
                    finish(self._task_index, t1, exc)

                def _step_with(self, method: Callable[..., Any], *args: Any) -> Any:
                    t0 = now()
                    try:
                        yielded = method(*args)
                    except BaseException as exc:
                        strip_own_frame(exc)
                        self._ended(t0, 0.0, exc)
                        raise
                    put(t0)
                    put(now())
                    put(self._sleep0_code if yielded is None else code_for(self._task_index, yielded, self._coro))
                    return yielded

            def send(self, value: Any) -> Any:
                if value is None:
                    return self.__next__()
                return self._step_with(self._send, value)

            def throw(self, typ: Any, val: Any = None, tb: Any = None) -> Any:
                exc = typ if isinstance(typ, BaseException) else val
                if isinstance(exc, _CancelledError) or typ is _CancelledError:
                    note_cancel(self._task_index)
                if val is None and tb is None:
                    return self._step_with(self._coro.throw, typ)
                return self._step_with(self._coro.throw, typ, val, tb)

            def close(self) -> None:
                self._coro.close()

            def __await__(self) -> Any:
                return self

            def __iter__(self) -> Any:
                return self

            # what inspection tools read: the wrapped coroutine's own
            @property
            def cr_frame(self) -> Any:
                return self._coro.cr_frame

            @property
            def cr_code(self) -> Any:
                return self._coro.cr_code

            @property
            def cr_await(self) -> Any:
                return self._coro.cr_await

            @property
            def cr_running(self) -> Any:
                return self._coro.cr_running

            @property
            def cr_suspended(self) -> Any:
                return getattr(self._coro, "cr_suspended", None)

            def __getattr__(self, name: str) -> Any:
                return getattr(self._coro, name)

            def __repr__(self) -> str:
                return repr(self._coro)

        own_codes = {
            StepRecordingCoroutine.__next__.__code__,
            StepRecordingCoroutine._step_with.__code__,
        }
        StepRecordingCoroutine.__qualname__ = StepRecordingCoroutine.__name__
        # one class per recording: the class itself tells recordings apart, as the C wrapper's _recording does
        StepRecordingCoroutine._recording = StepRecordingCoroutine
        # the C Task only accepts coroutines: registering makes asyncio.iscoroutine() say yes
        Coroutine.register(StepRecordingCoroutine)

        def stop() -> None:
            # from now on wrappers only forward; and they hold nothing of this recording, as
            # asyncio's iscoroutine() caches keep the class (up to 100 of them) after the loop is gone
            nonlocal put, steps, walls, loop, now, finish, note_cancel, code_for
            put = discard
            steps = array("d")
            walls = {}
            loop = _STOPPED_LOOP
            now = _stopped_clock
            finish = note_cancel = _ignore
            code_for = _no_code

        return StepRecordingCoroutine, stop

    def _finish(self, index: int, at: float, exc: BaseException) -> None:
        self.finished[index] = at
        if type(exc) is StopIteration:
            value = exc.value
            self.outcomes[index] = _RETURNED_NONE if value is None else (_RETURNED, _short_repr(value))
        elif isinstance(exc, _CancelledError):
            self.outcomes[index] = (_CANCELLED, str(exc.args[0]) if exc.args else "")
        else:
            message = _clip(str(exc), 50)
            self.outcomes[index] = (_RAISED, f"{type(exc).__name__}: {message}" if message else type(exc).__name__)
        task = _current_task()
        if task is not None:
            self.names[index] = task.get_name()

    def own_index(self, coro: Any) -> int:
        """The task index this recorder gave ``coro`` (a task's ``get_coro()``), or -1.

        With nested recordings a coroutine is wrapped once per recorder, the
        outermost wrapper belonging to whichever factory ran last: look inside.
        """
        wrapper_type = self.wrapper_type
        recording = self._recording
        for _ in range(16):
            if type(coro) is wrapper_type and coro._recording is recording:
                return coro._task_index
            coro = getattr(coro, "_coro", None) if hasattr(coro, "_task_index") else None
            if coro is None:
                return -1
        return -1

    # ------------------------------------------------------------ the factory
    def _make_numbering(self) -> Callable[[Any, Any, Any], int]:
        """``number(loop, coro, name)``: note a task about to be made for ``coro``; its index, or -1 if not recorded."""
        recorder = self
        own_index = self.own_index
        wrapper_type = self.wrapper_type
        recording = self._recording
        coroutines = self.coroutines
        created_append = self.created.append
        parents_append = self.parents.append
        finished_append = self.finished.append
        names = self.names
        clock = self._factory_clock
        scoped = self._scoped
        scope_root = self._scope_root
        coroutine_type = types.CoroutineType
        is_coroutine = asyncio.iscoroutine
        coroutine_name = _labels.coroutine_name
        nan = math.nan

        def number(loop: asyncio.AbstractEventLoop, coro: Any, name: Any) -> int:
            if not recorder.active or not (type(coro) is coroutine_type or is_coroutine(coro)):
                return -1
            parent = _current_task(loop)
            if parent is None:
                parent_index = -1
            else:
                # own_index() inlined for the common case: the parent's coroutine is our wrapper
                parent_coro = parent.get_coro()
                if type(parent_coro) is wrapper_type and parent_coro._recording is recording:
                    parent_index = parent_coro._task_index
                else:
                    parent_index = own_index(parent_coro)
            if scoped and parent_index < 0 and parent is not scope_root:
                return -1
            index = len(coroutines)
            coroutines.append(coro.__qualname__ if type(coro) is coroutine_type else coroutine_name(coro))
            created_append(clock())
            parents_append(parent_index)
            finished_append(nan)
            if name is not None:
                names[index] = str(name)
            return index

        return number

    def _make_task_factory(self) -> Callable[..., asyncio.Future]:
        """The loop's task factory while recording: wrap the coroutine, then make the task as before."""
        recorder = self
        number = self._numbering
        initial_names = self._initial_names
        renames_tasks = _CREATE_TASK_RENAMES
        wrap = self._wrap
        make_task = asyncio.Task

        def task_factory(loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any) -> asyncio.Future:
            index = number(loop, coro, kwargs.get("name") if kwargs else None)
            if index >= 0:
                coro = wrap(coro, index)
            inner = recorder._inner_factory
            task = make_task(coro, loop=loop, **kwargs) if inner is None else inner(loop, coro, **kwargs)
            if index >= 0 and renames_tasks:
                initial_names[index] = task.get_name()
            return task

        return task_factory

    # ------------------------------------------------------- install / remove
    def install(self) -> None:
        """Start recording: set the task factory and the callback hooks on the loop."""
        loop = self.loop
        self._inner_factory = loop.get_task_factory()
        for name in ("_call_soon", "call_at", "set_task_factory", "get_task_factory", "create_task",
                     "note_plumbing_wall"):
            self._saved[name] = loop.__dict__.get(name, _MISSING)
        self._numbering = self._make_numbering()
        self.task_factory = self._make_task_factory()
        self._unwatch_children: Callable[[], None] | None = None
        if self._owns_job_log:
            self._job_log.activate()
            if hasattr(loop, "_child_watcher_callback"):  # a Unix selector loop
                self._unwatch_children = self._job_log.watch_children()
        loop.set_task_factory(self.task_factory)
        loop.__dict__["set_task_factory"] = self._set_inner_factory
        loop.__dict__["get_task_factory"] = lambda: self._inner_factory
        if sys.version_info >= (3, 12):
            loop.__dict__["create_task"] = self._make_create_task()
        if self.virtual:
            outer = loop.__dict__.get("note_plumbing_wall")

            def note_plumbing_wall(seconds: float) -> None:
                self.discount_wall(seconds)
                if outer is not None:
                    outer(seconds)

            loop.__dict__["note_plumbing_wall"] = note_plumbing_wall
        self._install_callback_hooks()

    def _make_create_task(self) -> Callable[..., asyncio.Future]:
        """``loop.create_task`` as before, keeping the task names a program without a factory gets.

        Setting a task factory changes names in two cases, which recording must not:
        on 3.12+ ``create_task`` names the task only after the factory returns, too late
        for an eager task that finished in its first step; and on 3.13.0-3.13.2 it calls
        ``task.set_name(None)`` when no name was given, renaming ``Task-7`` to ``'None'``
        (CPython issue 130033).
        """
        recorder = self
        loop = self.loop
        previous = loop.__dict__.get("create_task")
        base = previous if previous is not None else functools.partial(type(loop).create_task, loop)
        names = self.names
        initial_names = self._initial_names
        coroutines = self.coroutines

        def create_task(coro: Any, *, name: Any = None, **kwargs: Any) -> asyncio.Future:
            # the factory numbers this task before making it (tasks an eager first step starts come
            # after), so it is the first new index. Not task.get_coro(): on 3.12.1 that crashes for
            # an eager task that already finished.
            index = len(coroutines)
            task = base(coro, name=name, **kwargs)
            if index < len(coroutines):
                if name is not None:
                    names[index] = str(name)
                elif index in initial_names and recorder._inner_factory is None:
                    task.set_name(initial_names.pop(index))
            return task

        if previous is None and type(loop).create_task is asyncio.BaseEventLoop.create_task:
            return self._make_direct_create_task(create_task)
        return create_task

    def _make_direct_create_task(self, via_factory: Callable[..., asyncio.Future]) -> Callable[..., asyncio.Future]:
        """``BaseEventLoop.create_task`` with no task factory set, with the recording done in it.

        This is what most tasks go through: it makes the task as asyncio does when no factory
        is set (the same ``Task(coro, loop=, name=, context=)`` call, so the same names), with
        the coroutine wrapped, and skips the factory's round trip. With a factory set by the
        program (``eager_task_factory``...) or arguments it does not know, ``via_factory``.
        """
        recorder = self
        loop = self.loop
        number = self._numbering
        wrap = self._wrap
        make_task = asyncio.Task
        check_closed = loop._check_closed

        def create_task(coro: Any, *, name: Any = None, context: Any = None, **kwargs: Any) -> asyncio.Future:
            if recorder._inner_factory is not None or kwargs:
                return via_factory(coro, name=name, context=context, **kwargs)
            check_closed()
            index = number(loop, coro, name)
            task = make_task(coro if index < 0 else wrap(coro, index), loop=loop, name=name, context=context)
            if task._source_traceback:
                del task._source_traceback[-1]
            return task

        return create_task

    def _set_inner_factory(self, factory: Callable[..., Any] | None) -> None:
        if factory is not None and not callable(factory):
            raise TypeError("task factory must be a callable or None")
        self._inner_factory = factory

    def uninstall(self) -> None:
        """Stop recording and put the loop back exactly as it was (task factory included)."""
        if not self.active:
            return
        self.active = False
        self.stopped_at = self.now()
        # read task names now: a closed loop can no longer list its tasks, and a task that a stopped run
        # ended abruptly (wall limit) never ran the callback that records its name at the finish
        for task in _tasks_of(self.loop):
            index = self.own_index(task.get_coro())
            if index >= 0 and index not in self.names:
                self._names_at_stop[index] = task.get_name()
        self._stop_wrappers()
        self._last_job = len(self._job_log.jobs)
        if self._owns_job_log:
            self._job_log.deactivate()
            if self._unwatch_children is not None:
                self._unwatch_children()
        loop = self.loop
        for name, value in self._saved.items():
            if value is _MISSING:
                loop.__dict__.pop(name, None)
            else:
                loop.__dict__[name] = value
        # what the program set while we were recording stands; otherwise the original
        loop.set_task_factory(self._inner_factory)

    def _install_callback_hooks(self) -> None:
        loop = self.loop
        recorder = self
        base_call_at = loop.call_at
        put = self.callbacks.append
        perf = _perf

        def recording(callback: Any) -> bool:
            if not recorder.active or _is_plumbing(callback):
                return False
            if recorder._scoped:
                task = _current_task(loop)
                return task is not None and recorder.own_index(task.get_coro()) >= 0
            return True

        def run_and_record(handle: asyncio.Handle, label: float, run: Callable[[], None]) -> None:
            t0 = recorder.now()
            w0 = perf()
            run()
            if recorder.active:
                put(t0)
                put(recorder.now())
                put(perf() - w0)
                put(label)

        class Handle(asyncio.Handle):
            __slots__ = ("_label",)

            def _run(self) -> None:
                run_and_record(self, self._label, super()._run)

        class TimerHandle(OrderedTimerHandle):
            __slots__ = ("_label",)

            def _run(self) -> None:
                run_and_record(self, self._label, super()._run)

        plain_handle = asyncio.Handle
        ready = loop._ready
        step_type = _STEP_TYPES[0]
        builtin_method = _BUILTIN_METHOD
        future_type = asyncio.Future
        cancelled_state = "CANCELLED"
        note_cancel_request = self._note_cancel_request
        method_type = types.MethodType
        py_task_wakeup = _PY_TASK_WAKEUP

        def _call_soon(callback: Any, args: Any, context: Any) -> asyncio.Handle:
            # BaseEventLoop._call_soon, plus what we record; this runs for every task step and wake-up
            kind = type(callback)
            if kind is step_type:
                handle = plain_handle(callback, args, loop, context)
            elif kind is builtin_method and isinstance(callback.__self__, future_type):
                # a task waking up (Task.__wakeup); to a cancelled future if cancel() was called.
                # try is free in 3.11+ when nothing is raised: cheaper than testing args first
                try:
                    cancelled = args[0]._state == cancelled_state
                except (IndexError, AttributeError):  # another method of a future, given anything
                    cancelled = False
                if cancelled:
                    note_cancel_request(callback.__self__, args[0])
                handle = plain_handle(callback, args, loop, context)
            elif not recording(callback):
                # the pure-Python Task (nest_asyncio swaps it in) wakes up through a plain method
                if kind is method_type and callback.__func__ is py_task_wakeup and args[0].cancelled():
                    note_cancel_request(callback.__self__, args[0])
                handle = plain_handle(callback, args, loop, context)
            else:
                handle = Handle(callback, args, loop, context)
                handle._label = recorder.label_id(_callback_name(callback))
            if handle._source_traceback:
                del handle._source_traceback[-1]
            ready.append(handle)
            return handle

        def call_at(when: float, callback: Any, *args: Any, context: Any = None) -> asyncio.TimerHandle:
            if not recording(callback):
                return base_call_at(when, callback, *args, context=context)
            timer = schedule_timer(loop, TimerHandle, when, callback, args, context)
            timer._label = recorder.label_id(_callback_name(callback))
            return timer

        # a loop with a _call_soon of its own (or one already hooked) keeps it: we then see
        # plain callbacks only through call_at
        if self._saved["_call_soon"] is _MISSING and type(loop)._call_soon is asyncio.BaseEventLoop._call_soon:
            loop.__dict__["_call_soon"] = _call_soon
        loop.__dict__["call_at"] = call_at

    def discount_wall(self, seconds: float) -> None:
        """The step running now spent ``seconds`` of real time in the loop's own work (starting a child).

        On virtual time a step's real duration is kept to show blocking calls the program
        makes; asyncio's own work inside it is not one of them.
        """
        if self.active:
            index = len(self.steps) // COMPACT_WIDTH  # the running step is recorded when it ends
            self._wall_discounts[index] = self._wall_discounts.get(index, 0.0) + seconds

    def _apply_wall_discounts(self) -> None:
        for index, seconds in self._wall_discounts.items():
            wall = self.walls.get(index)
            if wall is not None:
                if wall - seconds < WALL_NOTE_THRESHOLD:
                    del self.walls[index]
                else:
                    self.walls[index] = wall - seconds
        self._wall_discounts.clear()

    def note_idle(self, start: float, end: float) -> None:
        """Record that the loop waited (or jumped) from ``start`` to ``end``."""
        if self.active and end > start:
            self.idle.append(start)
            self.idle.append(end)

    # --------------------------------------------------------------- results
    def _records(self) -> Callable[[], list[TaskRecord]]:
        """A function that builds the task records: names of pending tasks are read now (or were, when
        recording stopped), the rest later."""
        pending_names = dict(self._names_at_stop)
        for task in asyncio.all_tasks(self.loop) if not self.loop.is_closed() else ():
            index = self.own_index(task.get_coro())
            if index >= 0:
                pending_names[index] = task.get_name()
        return functools.partial(self._build_records, pending_names)

    def _build_records(self, pending_names: dict[int, str]) -> list[TaskRecord]:
        records = []
        for i, qualname in enumerate(self.coroutines):
            coroutine = _labels.short_qualname(qualname)
            finished = self.finished[i]
            outcome, detail = self.outcomes.get(i, ("pending", ""))
            # a task garbage-collected while pending never told us its name: number it within this timeline
            name = self.names.get(i) or pending_names.get(i) or f"<collected #{i + 1}>"
            if i in pending_names:
                name = pending_names[i]
            parent = self.parents[i]
            asked = self.cancel_asked.get(i)
            records.append(
                TaskRecord(
                    index=i,
                    name=name,
                    coroutine=coroutine,
                    parent=None if parent < 0 else parent,
                    created=self.created[i],
                    finished=None if math.isnan(finished) else finished,
                    outcome=outcome,
                    detail=detail,
                    cancel_requested=self.cancel_requested.get(i),
                    internal=_labels.is_internal(qualname),
                    cancel_asked=asked[0] if asked else None,
                    cancel_by=asked[1] if asked else "",
                    cancel_by_task=asked[2] if asked else None,
                    cancel_step=self.cancel_steps.get(i),
                )
            )
        return records

    def timeline(self, *, root: int | None = None, result: Any = None, leftovers: Sequence[Leftover] = ()) -> Timeline:
        """A :class:`Timeline` of what was recorded (call after :meth:`uninstall`)."""
        self._apply_wall_discounts()
        end = self.stopped_at if self.stopped_at is not None else self.now()
        return Timeline.from_recording(
            clock="virtual" if self.virtual else "real",
            start=self.started_at,
            end=end,
            tasks=self._records(),
            compact_steps=self.steps,
            walls=self.walls,
            labels=self.labels,
            callbacks=self.callbacks,
            idle=self.idle,
            root=root,
            result=result,
            jobs=self._job_records(),
            leftovers=leftovers,
        )

    def _job_records(self) -> list[JobRecord]:
        """The jobs started while recording (on a loop recorded in part, those its recorded tasks started)."""
        waiters = self.job_waiters
        records = self._job_log.records(self._first_job, waiters, self._last_job)
        if self._scoped and not self._owns_job_log:  # a tracing loop's own log: keep the jobs awaited
            records = [r for r in records if r.awaited_by is not None]
            for i, record in enumerate(records):
                record.index = i
        return records


# asyncio's (and trace()'s) functions that call cancel() for someone: qualname -> who asked, in a word
_CANCELLERS = {
    "Timeout._on_timeout": "timeout",
    "wait_for": "wait_for",
    "TaskGroup._abort": "TaskGroup",
    "TaskGroup._on_task_done": "TaskGroup",
    "_GatheringFuture.cancel": "gather",
    "_cancel_all_tasks": "asyncio.run",
    "_finish_loop": "trace",
}


def _canceller(frame: Any) -> tuple[str, Any]:
    """Which of asyncio's cancelling functions called ``cancel()``, and its frame; ``("", None)`` if none.

    Walks up through asyncio's (and this package's) frames only, up to the program's
    own code (where ``cancel()`` was called by hand) or the ``Handle`` running the
    callback that called it. The outermost match wins: a ``timeout()`` that cancels a
    task waiting in ``gather()`` is what asked, ``gather`` only passed it on.
    """
    found: tuple[str, Any] = ("", None)
    for _ in range(16):
        if frame is None:
            break
        code = frame.f_code
        # above a callback's Handle._run is whatever drives the loop, not who asked
        if not code.co_filename.startswith(_PLUMBING_DIRS) or code.co_qualname == "Handle._run":
            break
        kind = _CANCELLERS.get(code.co_qualname)
        if kind is not None:
            found = (kind, frame)
        frame = frame.f_back
    return found


class _StoppedLoop:
    """What a stopped pure-Python wrapper reads instead of the loop it no longer keeps alive."""

    _vtime = 0.0


_STOPPED_LOOP = _StoppedLoop()


def _stopped_clock() -> float:
    return 0.0


def _ignore(*_: Any) -> None:
    pass


def _no_code(*_: Any) -> float:
    return 0.0


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


_MISSING = _Missing()
