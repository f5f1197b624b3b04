"""The timeline data model: what ran on an event loop, when, and what it waited on.

This module is pure data: no asyncio, no matplotlib. The recorder (``_recorder``)
fills flat ``array('d')`` buffers while a program runs; a :class:`Timeline` wraps
them and answers questions about them. Views (text, plot, Chrome trace) live in
their own modules and are reached through :meth:`Timeline.plot`,
:meth:`Timeline.to_chrome_trace` and ``str(timeline)``.

All times are seconds on the loop's clock (``loop.time()``): virtual seconds for
a virtual-time loop, monotonic seconds for a real one. ``Timeline.start`` is the
loop time when recording began; views show times relative to it.
"""

from __future__ import annotations

import dataclasses
import itertools
import operator
import re
import reprlib
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

__all__ = [
    "STEP_WIDTH",
    "COMPACT_WIDTH",
    "LABEL_STRIDE",
    "CALLBACK_WIDTH",
    "IDLE_WIDTH",
    "FINISHED",
    "BLOCKING_THRESHOLD",
    "LATE_THRESHOLD",
    "Step",
    "Wait",
    "Callback",
    "Idle",
    "Cancellation",
    "TaskRecord",
    "JobRecord",
    "Event",
    "Leftover",
    "Timeline",
    "sleep_delay",
]

#: Fields per step in the buffer given to ``Timeline(steps=...)``: start, end, wall seconds,
#: task index, label id. (Inside, a timeline keeps a compact form; see ``Timeline.from_recording``.)
STEP_WIDTH = 5
#: Fields per step in the compact recording buffer: start, end, code.
#: ``code = task_index + (label_id + 1) * LABEL_STRIDE``; label slot 0 means the task ended.
COMPACT_WIDTH = 3
LABEL_STRIDE = float(2**32)
#: Fields per callback: start, end, wall seconds, label id.
CALLBACK_WIDTH = 4
#: Fields per idle stretch: start, end.
IDLE_WIDTH = 2
#: Label id stored after a task's last step: it waits on nothing, it has ended.
FINISHED = -1.0
#: A step that holds the loop at least this long (loop or wall seconds) counts as blocking it,
#: in every view and check unless told otherwise. A tenth of asyncio debug mode's
#: ``slow_callback_duration`` (0.1 s): long enough to ignore ordinary steps, short enough to
#: catch a ``time.sleep`` or a CPU loop.
BLOCKING_THRESHOLD = 0.05
#: On virtual time, a ``sleep`` whose task woke at least this long after it was due woke late: the
#: loop was busy (a step blocked it) when the timer fell due. On a real clock, where the scheduler
#: adds milliseconds of its own, the views use ``BLOCKING_THRESHOLD`` (see ``Timeline.late_threshold``).
LATE_THRESHOLD = 0.001

_PENDING = "pending"
_RETURNED = "returned"
_RAISED = "raised"
_CANCELLED = "cancelled"
OUTCOMES = (_PENDING, _RETURNED, _RAISED, _CANCELLED)


@dataclasses.dataclass(frozen=True, slots=True)
class Step:
    """One run of a task: from the loop resuming its coroutine to the coroutine yielding.

    Attributes:
        task: name of the task.
        start: loop time the step began.
        end: loop time the step ended.
        wall: real seconds the step took (equal to ``end - start`` on a real clock).
        waits_on: what the task waited on after this step (``"sleep(1.0)"``,
            ``"Queue.get"``...), or ``None`` if the task ended with this step.
    """

    task: str
    start: float
    end: float
    wall: float
    waits_on: str | None

    @property
    def duration(self) -> float:
        """Loop seconds the step held the loop."""
        return self.end - self.start

    @property
    def held_loop(self) -> float:
        """How long this step kept every other task waiting: loop or wall seconds, whichever is longer."""
        return max(self.end - self.start, self.wall)

    @property
    def is_blocking(self) -> bool:
        """True if the step held the loop for at least ``BLOCKING_THRESHOLD`` seconds."""
        return self.held_loop >= BLOCKING_THRESHOLD


@dataclasses.dataclass(frozen=True, slots=True)
class Wait:
    """The gap between two steps of one task, and what the task was waiting on.

    Attributes:
        due: for a ``sleep(x)``, the loop time its timer fell due (the step's end plus
            ``x``, read from the label); ``None`` for other waits.
    """

    task: str
    start: float
    end: float
    waits_on: str
    due: float | None = None

    @property
    def duration(self) -> float:
        """Loop seconds spent waiting."""
        return self.end - self.start

    @property
    def late(self) -> float:
        """Seconds the task woke after its sleep was due (0.0 if on time, or not a sleep).

        Differences within the rounding of the label (6 significant digits of the
        delay) count as on time.
        """
        if self.due is None:
            return 0.0
        late = self.end - self.due
        return late if late > 1e-5 * (self.due - self.start) else 0.0


_SLEEP_LABEL = re.compile(r"sleep\(([-+0-9.e]+)\)")


def sleep_delay(label: str) -> float | None:
    """The delay of a ``sleep(x)`` label (``"sleep(0.1)"`` -> 0.1), or ``None`` for any other label."""
    match = _SLEEP_LABEL.fullmatch(label)
    return None if match is None else float(match.group(1))


@dataclasses.dataclass(frozen=True, slots=True)
class Callback:
    """A loop callback that is not a task step (``call_soon``, ``call_later``, a future's done callback)."""

    name: str
    start: float
    end: float
    wall: float

    @property
    def duration(self) -> float:
        """Loop seconds the callback held the loop."""
        return self.end - self.start


@dataclasses.dataclass(frozen=True, slots=True)
class Idle:
    """A stretch where the loop had nothing ready to run and waited (or, on virtual time, jumped)."""

    start: float
    end: float

    @property
    def duration(self) -> float:
        """Loop seconds idle."""
        return self.end - self.start


@dataclasses.dataclass(frozen=True, slots=True)
class Event:
    """Something that happened to a task, for questions about order.

    ``kind`` is one of ``"created"``, ``"started"`` (first step), ``"resumed"``
    (a later step), ``"suspended"`` (a step ended with the task waiting) or ``"finished"``.
    """

    time: float
    task: str
    kind: str
    detail: str = ""


@dataclasses.dataclass(frozen=True, slots=True)
class Leftover:
    """Work still going on when the traced coroutine returned: the program did not wait for it.

    ``asyncio.run`` (like :func:`helpers.trace`) then cancels leftover tasks and drops leftover
    callbacks; threads and child processes go on. The timeline's tasks show how each leftover
    task ended after that (cancelled, usually).

    Attributes:
        kind: ``"task"``, ``"callback"``, ``"job"`` (handed to an executor: ``to_thread``,
            ``run_in_executor``, ``pool.submit``), ``"thread"`` (started by the program) or
            ``"process"``.
        name: the task's name, the callback's function, the job's label (``"to_thread(fetch)"``,
            as in :attr:`JobRecord.label`), the thread's name, or the child's program.
        waits_on: for a task, what it was waiting on, in the words of :attr:`Step.waits_on`
            (``"sleep(5)"``, ``"to_thread(fetch)"``), or ``"not started"``; for a callback,
            ``"call_soon"`` or ``"timer"``; for a job, ``"running"`` or ``"queued"``; for a
            child process, ``"pid 1234"``; else ``""``.
        cancelling: for a task, True if ``cancel()`` had been called on it: it was cancelled
            but had not finished.
        due: for a timer callback, the loop time it was due.
        coroutine: for a task, the name of the coroutine function it runs (as in :class:`TaskRecord`).
    """

    kind: str
    name: str
    waits_on: str = ""
    cancelling: bool = False
    due: float | None = None
    coroutine: str = ""


@dataclasses.dataclass(frozen=True, slots=True)
class Cancellation:
    """How a task was cancelled: who asked, when, which step got the ``CancelledError``, how it ended.

    Attributes:
        task: the task's display name (see :meth:`Timeline.display_name`).
        requested: loop time ``cancel()`` was requested, or ``None`` if it was not seen.
            It is seen when it wakes the task from a wait (the future it awaited is
            cancelled); not when the task had not started yet or was already due to run
            (after ``sleep(0)``), as ``Task.cancel`` of asyncio's C Task cannot be watched.
        by: who asked, in words: ``"task 'main'"``, ``"timeout()"``, ``"TaskGroup in 'main'"``,
            ``"wait_for() in 'main'"``... or ``""`` when not seen.
        delivered: loop time the ``CancelledError`` was thrown into the coroutine, or ``None``
            if recording stopped first.
        step: index in the task's steps of the step that got it thrown in, or ``None``.
        outcome: how the task ended: ``"cancelled"``, ``"returned"`` (it caught the error and
            returned), ``"raised"`` (something else) or ``"pending"``.
        detail: the record's detail: result, exception or cancellation message.
    """

    task: str
    requested: float | None
    by: str
    delivered: float | None
    step: int | None
    outcome: str
    detail: str

    @property
    def swallowed(self) -> bool:
        """True if the task caught the ``CancelledError`` and returned normally."""
        return self.outcome == _RETURNED


@dataclasses.dataclass(slots=True)
class TaskRecord:
    """Everything recorded about one task.

    Attributes:
        index: position in creation order (0 for the first task recorded).
        name: the task's name (``task.get_name()`` when it ended or recording stopped).
        coroutine: qualified name of the coroutine function it ran.
        parent: index of the task that created it, or ``None``.
        created: loop time the task was created.
        finished: loop time it ended, or ``None`` if still pending when recording stopped.
        outcome: ``"returned"``, ``"raised"``, ``"cancelled"`` or ``"pending"``.
        detail: ``repr`` of the result (shortened), the exception's type name and message,
            or the cancellation message.
        cancel_requested: loop time a ``CancelledError`` was first thrown into the coroutine
            because the task was cancelled, or ``None``. (One that only comes from awaiting a
            cancelled task, ``await t``, does not count: nobody cancelled this task.)
        cancel_asked: loop time ``cancel()`` was first seen requested for this task, or ``None``.
        cancel_by: who asked: ``"task"``, ``"timeout"``, ``"wait_for"``, ``"TaskGroup"``, ``"gather"``,
            ``"asyncio.run"``, ``"trace"`` (left running when ``trace()`` ended), ``"callback"``,
            or ``""`` when not seen.
        cancel_by_task: index of the task that asked (or in which asyncio's canceller ran), or ``None``.
        cancel_step: no step of this task before this index (in the whole recording) got the
            ``CancelledError``; its first step from there on did.
        internal: True for a task asyncio started for its own plumbing (a subprocess pipe
            reader, ``Process._noop``...): views hide these unless asked.
    """

    index: int
    name: str
    coroutine: str
    parent: int | None
    created: float
    finished: float | None = None
    outcome: str = _PENDING
    detail: str = ""
    cancel_requested: float | None = None
    internal: bool = False
    cancel_asked: float | None = None
    cancel_by: str = ""
    cancel_by_task: int | None = None
    cancel_step: int | None = None

    @property
    def cancelled(self) -> bool:
        """True if the task ended by ``CancelledError``."""
        return self.outcome == _CANCELLED


@dataclasses.dataclass(slots=True)
class JobRecord:
    """Work done off the loop: an executor job (a thread or a pool process) or a child process.

    Attributes:
        index: position in submission order (0 for the first job recorded).
        kind: ``"thread"`` (a thread pool's worker), ``"process"`` (a process pool's worker)
            or ``"child"`` (a subprocess the loop started).
        target: the function the job ran (``"sleep"``), or the child's program (``"python -c"``).
        via: how it was handed over: ``"to_thread"``, ``"run_in_executor"``, ``"submit"``
            (``pool.submit``, awaited with ``wrap_future``) or ``"subprocess"``.
        worker: name of the thread that ran it (thread jobs), else ``None``.
        pid: the child's process id (children), else ``None``.
        submitted: loop time it was handed over.
        started: loop time a worker began it (``None`` if it never started).
        ended: loop time it ended (``None`` if still running when recording stopped).
        outcome: ``"returned"``, ``"raised"``, ``"cancelled"``, ``"exited"`` (a child's return
            code >= 0), ``"killed"`` (by a signal), ``"not started"`` or ``"pending"``.
        detail: short ``repr`` of the result, the exception, or ``"return code N"``.
        returncode: a child's return code (negative: the signal that killed it).
        awaited_by: index of the first task that awaited it, or ``None``.
    """

    index: int
    kind: str
    target: str
    via: str
    worker: str | None
    pid: int | None
    submitted: float
    started: float | None
    ended: float | None
    outcome: str
    detail: str = ""
    returncode: int | None = None
    awaited_by: int | None = None

    @property
    def label(self) -> str:
        """``to_thread(fetch)``-style name: how the job was handed over, and what it ran."""
        return f"{self.via}({self.target})"

    @property
    def where(self) -> str:
        """``thread asyncio_0``, ``pid 4242`` or ``process pool``: what ran it."""
        if self.kind == "child":
            return f"pid {self.pid}"
        if self.kind == "thread":
            return f"thread {self.worker}" if self.worker else "thread"
        return "process pool"

_DEFAULT_NAME = re.compile(r"Task-\d+")
_QUOTED_DEFAULT_NAME = re.compile(r"'(Task-\d+)'")

_REPR = reprlib.Repr()  # keyword arguments need 3.12
_REPR.maxlevel, _REPR.maxlist, _REPR.maxtuple, _REPR.maxdict, _REPR.maxset = 2, 4, 4, 3, 4
_REPR.maxstring = _REPR.maxother = 60


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _short_repr(value: Any, limit: int = 60) -> str:
    """A short ``repr``: bounded work even for a huge list (``reprlib``), bounded length."""
    try:
        text = _REPR.repr(value)
    except Exception as exc:  # a broken __repr__ must not break recording
        text = f"<unrepresentable {type(value).__name__}: {type(exc).__name__}>"
    return _clip(text, limit)


def _rename_in(label: str, renamed: dict[str, str]) -> str:
    return _QUOTED_DEFAULT_NAME.sub(lambda m: f"'{renamed.get(m.group(1), m.group(1))}'", label)


def _wait(task: str, start: float, end: float, waits_on: str) -> Wait:
    delay = sleep_delay(waits_on)
    return Wait(task, start, end, waits_on, None if delay is None else start + delay)


class TaskView:
    """One task's record seen together with its steps and waits in a :class:`Timeline`."""

    __slots__ = ("record", "_timeline")

    def __init__(self, record: TaskRecord, timeline: Timeline) -> None:
        self.record = record
        self._timeline = timeline

    def __getattr__(self, name: str) -> Any:
        return getattr(self.record, name)

    def __repr__(self) -> str:
        r = self.record
        return (
            f"<TaskView {r.name!r} coroutine={r.coroutine} steps={len(self.steps)} "
            f"outcome={r.outcome}>"
        )

    @property
    def steps(self) -> list[Step]:
        """The task's steps in time order."""
        return self._timeline._steps_of(self.record.index)

    @property
    def waits(self) -> list[Wait]:
        """The gaps between consecutive steps, each with what the task waited on.

        A task still pending when recording stopped also has a last wait, up to the
        timeline's end.
        """
        steps = self.steps
        waits = [_wait(a.task, a.end, b.start, a.waits_on or "") for a, b in zip(steps, steps[1:])]
        if steps and self.record.finished is None and steps[-1].waits_on is not None:
            last = steps[-1]
            waits.append(_wait(last.task, last.end, max(last.end, self._timeline.end), last.waits_on))
        return waits

    @property
    def display_name(self) -> str:
        """The name the views show (``Task-1`` for asyncio's ``Task-17``; see :meth:`Timeline.display_name`)."""
        return self._timeline.display_name(self.record.index)

    @property
    def cancellation(self) -> Cancellation | None:
        """How this task was cancelled, or ``None`` if ``cancel()`` never reached it."""
        return self._timeline._cancellation(self.record)

    @property
    def parent(self) -> str | None:
        """Name of the task that created this one, or ``None``."""
        p = self.record.parent
        return None if p is None else self._timeline._records[p].name

    @property
    def started(self) -> float | None:
        """Loop time of the first step, or ``None`` if it never ran."""
        steps = self.steps
        return steps[0].start if steps else None

    @property
    def ended(self) -> float | None:
        """Loop time the task finished, or ``None`` if still pending."""
        return self.record.finished

    @property
    def running_time(self) -> float:
        """Loop seconds spent in steps (holding the loop)."""
        return sum(s.duration for s in self.steps)

    @property
    def waiting_time(self) -> float:
        """Loop seconds spent waiting between steps."""
        return sum(w.duration for w in self.waits)

    @property
    def lifetime(self) -> tuple[float, float] | None:
        """``(first step start, end)`` — when the task was running or waiting.

        The end is when the task finished; a task still pending when recording stopped
        was still waiting then, so its lifetime runs to the timeline's end.
        """
        steps = self.steps
        if not steps:
            return None
        end = self.record.finished
        if end is None:
            end = self._timeline.end if steps[-1].waits_on is not None else steps[-1].end
        return steps[0].start, max(end, steps[-1].end)

    @property
    def awaited(self) -> list[str]:
        """What the task waited on, in order (one label per wait)."""
        return [w.waits_on for w in self.waits]


class Timeline:
    """A recording of tasks, steps, callbacks and idle time on one event loop.

    Made by :func:`helpers.trace` and :func:`helpers.tracing`; you rarely build one
    yourself. In Jupyter a timeline shows itself as a chart; ``print(timeline)``
    gives a text chart and a table that are the same on every run (on virtual time).

    Example use::

        timeline = helpers.trace(main())
        timeline.duration               # 1.0
        timeline.max_concurrency()      # 3
        timeline.task("worker-1").awaited  # ['sleep(1.0)']
        timeline.plot()

    Attributes:
        clock: ``"virtual"`` or ``"real"``.
        start, end: loop times when recording started and stopped.
        result: what the traced coroutine returned (``trace`` only).
        root: index of the task that ran the traced coroutine, or ``None``.
        labels: the interned labels that step and callback buffers refer to.
        jobs: :class:`JobRecord` for each executor job and child process started
            while recording, in submission order.
        leftovers: what was still running when the traced coroutine returned (or the
            ``tracing()`` block ended): one :class:`Leftover` per task, callback, thread job
            or child process, in that order.
    """

    def __init__(
        self,
        *,
        clock: str,
        start: float,
        end: float,
        tasks: Sequence[TaskRecord] | Callable[[], list[TaskRecord]],
        steps: array,
        labels: Sequence[str],
        callbacks: array | None = None,
        idle: array | None = None,
        root: int | None = None,
        result: Any = None,
        jobs: Sequence[JobRecord] = (),
        leftovers: Sequence[Leftover] = (),
    ) -> None:
        if clock not in ("virtual", "real"):
            raise ValueError(f"clock must be 'virtual' or 'real', not {clock!r}")
        if len(steps) % STEP_WIDTH:
            raise ValueError(f"step buffer length {len(steps)} is not a multiple of {STEP_WIDTH}")
        self.clock = clock
        self.start = start
        self.end = end
        # a recorder passes a function: thousands of records are only built if someone asks
        self._task_source = tasks
        self._record_list: list[TaskRecord] | None = None
        compact = array("d")
        walls: dict[int, float] = {}
        for i in range(len(steps) // STEP_WIDTH):
            start, end, wall, task, label = steps[i * STEP_WIDTH : (i + 1) * STEP_WIDTH]
            compact.extend((start, end, task + (label + 1.0) * LABEL_STRIDE))
            if wall != end - start:
                walls[i] = wall
        self._compact = compact
        self._walls = walls
        self.labels = list(labels)
        self._callback_buffer = callbacks if callbacks is not None else array("d")
        self._idle_buffer = idle if idle is not None else array("d")
        self.root = root
        self.result = result
        self.jobs = list(jobs)
        self.leftovers = list(leftovers)
        self._by_task: list[list[int]] | None = None
        self._columns: dict[str, array] | None = None
        self._display: list[str] | None = None
        self._display_labels: list[str] | None = None

    @property
    def _records(self) -> list[TaskRecord]:
        if self._record_list is None:
            source = self._task_source
            self._record_list = source() if callable(source) else list(source)
            self._task_source = None
        return self._record_list

    @classmethod
    def from_recording(
        cls,
        *,
        clock: str,
        start: float,
        end: float,
        tasks: Sequence[TaskRecord] | Callable[[], list[TaskRecord]],
        compact_steps: array,
        walls: dict[int, float],
        labels: Sequence[str],
        callbacks: array,
        idle: array,
        root: int | None,
        result: Any = None,
        jobs: Sequence[JobRecord] = (),
        leftovers: Sequence[Leftover] = (),
    ) -> Timeline:
        """Wrap a recorder's buffers without copying them.

        Args:
            compact_steps: ``COMPACT_WIDTH`` fields per step (start, end, code).
            walls: step index -> wall seconds, for steps whose wall time differs from
                ``end - start`` (on virtual time: the steps that took real time).
        """
        timeline = cls(clock=clock, start=start, end=end, tasks=tasks, steps=array("d"), labels=labels,
                       callbacks=callbacks, idle=idle, root=root, result=result, jobs=jobs,
                       leftovers=leftovers)
        timeline._compact = compact_steps
        timeline._walls = walls
        return timeline

    # ----------------------------------------------------------------- basics
    def __repr__(self) -> str:
        # counted as the charts count them: asyncio's own plumbing tasks are left out, and said so
        shown = self.without_internal()
        tasks, steps = len(shown._records), shown.step_count
        hidden = len(self._records) - tasks
        return (
            f"<Timeline {tasks} task{'' if tasks == 1 else 's'}, {steps} step{'' if steps == 1 else 's'}, "
            f"{self.duration:g} s on {self.clock} time"
            + (f"; {hidden} task{'' if hidden == 1 else 's'} of asyncio's own not counted" if hidden else "")
            + ">"
        )

    def __str__(self) -> str:
        from . import _text  # views sit above the model; imported on use

        return _text.render(self)

    @property
    def duration(self) -> float:
        """Loop seconds from the start of recording to its end."""
        return self.end - self.start

    @property
    def step_count(self) -> int:
        """Number of task steps recorded."""
        return len(self._compact) // COMPACT_WIDTH

    @property
    def tasks(self) -> list[TaskView]:
        """Every task recorded, in creation order."""
        return [TaskView(r, self) for r in self._records]

    @property
    def records(self) -> list[TaskRecord]:
        """The raw record of every task, in creation order."""
        return self._records

    @property
    def task_names(self) -> list[str]:
        """Names of every task recorded, in creation order."""
        return [r.name for r in self._records]

    def task(self, name: str) -> TaskView:
        """The task with this name (the first one, if several share it), or else this display name.

        Raises:
            KeyError: with the names that exist, if none is called ``name``.
        """
        for r in self._records:
            if r.name == name:
                return TaskView(r, self)
        display = self.display_names
        for r in self._records:
            if display[r.index] == name:
                return TaskView(r, self)
        raise KeyError(f"no task named {name!r}; tasks recorded: {self.task_names}")

    def without_internal(self) -> Timeline:
        """This timeline without the tasks asyncio started for its own plumbing (``TaskRecord.internal``).

        What the views draw unless asked for everything: subprocess pipe readers and
        stream helpers are not the program's work. Tasks are renumbered; a task whose
        parent was internal gets that task's nearest recorded ancestor, and so does a
        job an internal task awaited. Returns the timeline itself if it has no internal task.
        """
        records = self._records
        if not any(r.internal for r in records):
            return self
        new_index = {r.index: i for i, r in enumerate(r for r in records if not r.internal)}

        def kept(index: int | None) -> int | None:
            while index is not None and index not in new_index:
                index = records[index].parent
            return None if index is None else new_index[index]

        steps = array("d")
        walls = {}
        kept_before = []  # kept_before[i]: how many kept steps come before step i of this timeline
        b = self._compact
        for i in range(self.step_count):
            kept_before.append(len(steps) // COMPACT_WIDTH)
            o = i * COMPACT_WIDTH
            task, label = self._decode(b[o + 2])
            if task in new_index:
                if i in self._walls:
                    walls[len(steps) // COMPACT_WIDTH] = self._walls[i]
                steps.extend((b[o], b[o + 1], new_index[task] + (label + 1.0) * LABEL_STRIDE))
        kept_before.append(len(steps) // COMPACT_WIDTH)
        tasks = [
            dataclasses.replace(
                r,
                index=new_index[r.index],
                parent=kept(r.parent),
                cancel_by_task=kept(r.cancel_by_task),
                cancel_step=None if r.cancel_step is None else kept_before[min(r.cancel_step, self.step_count)],
            )
            for r in records
            if not r.internal
        ]
        jobs = [dataclasses.replace(j, awaited_by=kept(j.awaited_by)) for j in self.jobs]
        return Timeline.from_recording(
            clock=self.clock, start=self.start, end=self.end, tasks=tasks, compact_steps=steps, walls=walls,
            labels=self.labels, callbacks=self._callback_buffer, idle=self._idle_buffer,
            root=kept(self.root), result=self.result, jobs=jobs, leftovers=self.leftovers,
        )

    # ---------------------------------------------------------- display names
    @property
    def display_names(self) -> list[str]:
        """The name each task is shown under, by task index.

        asyncio numbers unnamed tasks across the whole process (``Task-17`` is the
        17th task the process made), so the same program gets other numbers on a
        second run or in another notebook cell. The views number them again within
        this timeline, in order of creation: the first task named ``Task-<n>`` is
        shown as ``Task-1``, the next as ``Task-2``... Every other name is shown as it
        is; ``record.name`` keeps the real one, and :meth:`task` accepts both.
        """
        if self._display is None:
            count = 0
            names = []
            for r in self._records:
                if _DEFAULT_NAME.fullmatch(r.name):
                    count += 1
                    names.append(f"Task-{count}")
                else:
                    names.append(r.name)
            self._display = names
        return self._display

    def display_name(self, index: int) -> str:
        """The name the views show for the task at ``index`` (see :attr:`display_names`)."""
        return self.display_names[index]

    def renamed(self) -> dict[str, str]:
        """``{real name: display name}`` for every task the views show under another name."""
        display = self.display_names
        return {r.name: display[r.index] for r in self._records if display[r.index] != r.name}

    def display_label(self, label: str) -> str:
        """``label`` with task names in it as the views show them: ``task 'Task-17'`` -> ``task 'Task-1'``."""
        return _rename_in(label, self.renamed()) if "'Task-" in label else label

    @property
    def display_labels(self) -> list[str]:
        """:attr:`labels` as the views show them (see :meth:`display_label`), by label id."""
        if self._display_labels is None:
            renamed = self.renamed()
            self._display_labels = [
                _rename_in(label, renamed) if renamed and "'Task-" in label else label for label in self.labels
            ]
        return self._display_labels

    def children(self, name: str | None = None) -> list[TaskView]:
        """Tasks created by the task ``name`` (by default, by the traced coroutine's task)."""
        parent = self.root if name is None else self.task(name).index
        return [TaskView(r, self) for r in self._records if r.parent == parent and parent is not None]

    # ------------------------------------------------------------------ steps
    def _decode(self, code: float) -> tuple[int, int]:
        label_slot, task = divmod(code, LABEL_STRIDE)
        return int(task), int(label_slot) - 1

    def _step(self, i: int) -> Step:
        b = self._compact
        o = i * COMPACT_WIDTH
        start, end = b[o], b[o + 1]
        task, label = self._decode(b[o + 2])
        return Step(
            self._records[task].name,
            start,
            end,
            self._walls.get(i, end - start),
            None if label == FINISHED else self.labels[label],
        )

    def iter_steps(self) -> Iterator[Step]:
        """Every step in the order it ran."""
        for i in range(self.step_count):
            yield self._step(i)

    @property
    def steps(self) -> list[Step]:
        """Every step in the order it ran (built on demand; prefer ``iter_steps`` for huge traces)."""
        return list(self.iter_steps())

    def _index_steps(self) -> list[list[int]]:
        if self._by_task is None:
            by_task: list[list[int]] = [[] for _ in self._records]
            for i, t in enumerate(self.step_columns()["task"]):
                by_task[int(t)].append(i)
            self._by_task = by_task
        return self._by_task

    def _steps_of(self, index: int) -> list[Step]:
        return [self._step(i) for i in self._index_steps()[index]]

    def step_columns(self) -> dict[str, array]:
        """The steps as columns (``start``, ``end``, ``wall``, ``task``, ``label``), for views.

        One entry per step: ``start``, ``end`` and ``wall`` are ``array('d')`` (seconds);
        ``task`` (index into :attr:`records`) and ``label`` (index into :attr:`labels`, or
        ``FINISHED`` (-1) for a task's last step) are ``array('i')``. Computed once, then cached.
        """
        if self._columns is None:
            b = self._compact
            w = COMPACT_WIDTH
            stride = itertools.repeat(LABEL_STRIDE)
            # task and label first, from one temporary column of codes, so that the peak stays
            # near what is held at the end: a million steps hold 24 MB of buffer and 32 MB of columns
            codes = b[2::w]
            tasks = array("i", map(int, map(operator.mod, codes, stride)))
            labels = array("i", map(operator.sub, map(int, map(operator.floordiv, codes, stride)), itertools.repeat(1)))
            del codes
            starts, ends = b[0::w], b[1::w]
            walls = array("d", map(operator.sub, ends, starts))
            for i, wall in self._walls.items():
                walls[i] = wall
            self._columns = {"start": starts, "end": ends, "wall": walls, "task": tasks, "label": labels}
        return self._columns

    @property
    def _step_buffer(self) -> array:
        """The steps interleaved as ``STEP_WIDTH`` doubles each (the constructor's layout)."""
        cols = self.step_columns()
        if "interleaved" not in cols:
            out = array("d", bytes(8 * STEP_WIDTH * self.step_count))
            for k, name in enumerate(("start", "end", "wall", "task", "label")):
                column = cols[name]
                out[k::STEP_WIDTH] = column if column.typecode == "d" else array("d", column)
            cols["interleaved"] = out
        return cols["interleaved"]

    # ------------------------------------------------------- callbacks / idle
    @property
    def callbacks(self) -> list[Callback]:
        """Loop callbacks that were not task steps, in the order they ran."""
        b = self._callback_buffer
        w = CALLBACK_WIDTH
        return [
            Callback(self.labels[int(b[o + 3])], b[o], b[o + 1], b[o + 2])
            for o in range(0, len(b), w)
        ]

    @property
    def idle(self) -> list[Idle]:
        """Stretches where the loop waited for timers, I/O or threads."""
        b = self._idle_buffer
        return [Idle(b[o], b[o + 1]) for o in range(0, len(b), IDLE_WIDTH)]

    @property
    def idle_time(self) -> float:
        """Total loop seconds the loop spent idle."""
        b = self._idle_buffer
        return sum(b[1::IDLE_WIDTH]) - sum(b[0::IDLE_WIDTH])

    # ---------------------------------------------------------------- queries
    def _select(self, tasks: Iterable[str] | Callable[[TaskView], bool] | None) -> list[TaskView]:
        views = self.tasks
        if tasks is None:
            return [v for v in views if v.index != self.root and not v.record.internal]
        if callable(tasks):
            return [v for v in views if tasks(v)]
        wanted = set(tasks)
        missing = wanted - {v.name for v in views}
        if missing:
            raise KeyError(f"no task named {sorted(missing)}; tasks recorded: {self.task_names}")
        return [v for v in views if v.name in wanted]

    def max_concurrency(
        self, tasks: Iterable[str] | Callable[[TaskView], bool] | None = None
    ) -> int:
        """The most tasks that were running or waiting at one moment.

        A task counts from its first step to its end. Intervals that only touch
        (one ends at 1.0, the next starts at 1.0) do not overlap.

        Args:
            tasks: names of the tasks to count, or a predicate on :class:`TaskView`.
                By default every task except the one running the traced coroutine and
                asyncio's internal ones (``TaskRecord.internal``).
        """
        points: list[tuple[float, int]] = []
        for view in self._select(tasks):
            life = view.lifetime
            if life is None:
                continue
            start, end = life
            if end > start:
                points.append((start, 1))
                points.append((end, -1))
            else:
                points.append((start, 0))  # a task that started and ended at one instant
        # at equal times, ends (-1) before instants (0) before starts (+1)
        points.sort()
        current = best = 0
        for _, kind in points:
            if kind == 0:
                best = max(best, current + 1)
            else:
                current += kind
                best = max(best, current)
        return best

    def blocking(self, threshold: float = BLOCKING_THRESHOLD) -> list[Step]:
        """Steps that held the loop for at least ``threshold`` seconds (loop or wall clock).

        While a step runs, no other task or callback can: a long step is a
        blocking call inside a coroutine (``time.sleep``, a CPU loop, blocking I/O).
        """
        cols = self.step_columns()
        starts, ends, walls = cols["start"], cols["end"], cols["wall"]
        return [
            self._step(i)
            for i in range(self.step_count)
            if ends[i] - starts[i] >= threshold or walls[i] >= threshold
        ]

    def events(self) -> list[Event]:
        """What happened to each task, in time order (ties keep the order they were recorded)."""
        out: list[Event] = []
        for r in self._records:
            out.append(Event(r.created, r.name, "created", r.coroutine))
        seen: set[int] = set()
        cols = self.step_columns()
        for start, end, task, label in zip(cols["start"], cols["end"], cols["task"], cols["label"]):
            t = int(task)
            name = self._records[t].name
            out.append(Event(start, name, "resumed" if t in seen else "started"))
            seen.add(t)
            if label != FINISHED:
                out.append(Event(end, name, "suspended", self.labels[int(label)]))
        for r in self._records:
            if r.finished is not None:
                out.append(Event(r.finished, r.name, "finished", r.outcome))
        out.sort(key=lambda e: e.time)  # stable: creation, then steps, then ends at equal times
        return out

    def order(self, kind: str = "finished") -> list[str]:
        """Task names in the order they reached ``kind`` (``"created"``, ``"started"`` or ``"finished"``)."""
        if kind not in ("created", "started", "finished"):
            raise ValueError(f"kind must be 'created', 'started' or 'finished', not {kind!r}")
        if kind == "finished":
            ended = [(r.finished, i, r.name) for i, r in enumerate(self._records) if r.finished is not None]
            ended_steps = {}
            # ties on the clock are common on virtual time: break them by the last step's position
            for t, idxs in enumerate(self._index_steps()):
                if idxs:
                    ended_steps[t] = idxs[-1]
            ended.sort(key=lambda e: (e[0], ended_steps.get(e[1], -1)))
            return [name for _, _, name in ended]
        return [e.task for e in self.events() if e.kind == kind]

    # ------------------------------------------------------------ cancelling
    _CANCELLER_WORDS = {
        "timeout": "timeout()",
        "wait_for": "wait_for()",
        "TaskGroup": "TaskGroup",
        "gather": "gather()",
        "asyncio.run": "asyncio.run()",
        "trace": "the end of trace()",
        "callback": "a callback",
    }

    def _cancellation(self, r: TaskRecord) -> Cancellation | None:
        if r.cancel_asked is None and r.cancel_requested is None:
            return None
        display = self.display_names
        by = self._CANCELLER_WORDS.get(r.cancel_by, "")
        asker = None if r.cancel_by_task is None else f"'{display[r.cancel_by_task]}'"
        if r.cancel_by == "task" and asker:
            by = f"task {asker}"
        elif by and asker:
            by = f"{by} in {asker}"
        step = None
        if r.cancel_step is not None:
            mine = self._index_steps()[r.index]
            later = [k for k, i in enumerate(mine) if i >= r.cancel_step]
            step = later[0] if later else None
        return Cancellation(
            display[r.index], r.cancel_asked, by, r.cancel_requested, step, r.outcome, r.detail
        )

    @property
    def cancellations(self) -> list[Cancellation]:
        """Every task ``cancel()`` reached, in creation order (see :class:`Cancellation`).

        Example use::

            for c in timeline.cancellations:
                print(c.task, c.by, c.delivered, c.outcome)
        """
        found = (self._cancellation(r) for r in self._records)
        return [c for c in found if c is not None]

    # ----------------------------------------------------------------- timers
    @property
    def late_threshold(self) -> float:
        """How late a sleep must wake to count as late: ``LATE_THRESHOLD`` (virtual time) or ``BLOCKING_THRESHOLD``."""
        return LATE_THRESHOLD if self.clock == "virtual" else BLOCKING_THRESHOLD

    def late_waits(self, threshold: float | None = None) -> list[Wait]:
        """Sleeps whose task woke at least ``threshold`` seconds after they were due, in time order.

        A task wakes late when the loop is busy as its timer falls due: another step
        blocks it (``time.sleep``, a CPU loop), so ``sleep(0.1)`` can take 0.55 s.

        Args:
            threshold: by default :attr:`late_threshold`.
        """
        if threshold is None:
            threshold = self.late_threshold
        late = [w for v in self.tasks for w in v.waits if w.due is not None and w.late >= threshold]
        return sorted(late, key=lambda w: (w.end, w.start))

    # ------------------------------------------------------------------ turns
    def step_turns(self) -> array:
        """The loop turn each step ran in (1 for the first), counted from the recording.

        One turn of the loop runs every callback that was ready when it began, so
        the rules are: steps keep the order they ran in; a task steps at most once
        per turn (a step it schedules runs in a later turn); a new task first runs
        in a turn after the step that created it; a task that awaited another task
        runs in a turn after that task's last step; and the loop starts a new turn
        after waiting (an idle stretch). Each step is put in the earliest turn these
        rules allow. Turns in which asyncio ran only its own callbacks (``gather``
        collecting results, a ``Queue`` or ``Event`` waking a waiter) leave no step
        behind, so the real loop may have taken more turns than counted here; the
        order is exact.
        """
        cols = self.step_columns()
        records = self._records
        idle_ends = sorted(self._idle_buffer[1::IDLE_WIDTH])
        # per parent: (created, child) of its children, to find the step that created each
        children: dict[int, list[tuple[float, int]]] = {}
        for r in records:
            if r.parent is not None:
                children.setdefault(r.parent, []).append((r.created, r.index))
        for kids in children.values():
            kids.sort()
        next_kid: dict[int, int] = {}
        first_turn: dict[int, float] = {}  # child -> earliest turn of its first step
        awaited_task = self._awaited_tasks()
        last_turn: dict[int, float] = {}  # task -> turn of its last step so far
        waits_on: dict[int, float] = {}  # task -> label of its last step
        turns = array("d")
        turn = 1.0
        k = 0
        for start, end, code, label in zip(cols["start"], cols["end"], cols["task"], cols["label"]):
            task = int(code)
            waited = False
            while k < len(idle_ends) and idle_ends[k] <= start:
                waited = True
                k += 1
            if waited and turns:
                turn += 1.0
            if task in last_turn:
                turn = max(turn, last_turn[task] + 1.0)
                # a task that awaited another wakes in a turn after that task's last step
                other = awaited_task.get(waits_on[task])
                if other is not None and other in last_turn:
                    turn = max(turn, last_turn[other] + 1.0)
            else:
                # a new task first runs in a turn after the step of its parent that created it (the
                # parent's first step to end at or after the creation: a lower bound when several tie)
                turn = max(turn, first_turn.get(task, 0.0))
            last_turn[task] = turn
            waits_on[task] = label
            kids = children.get(task)
            if kids is not None:
                i = next_kid.get(task, 0)
                while i < len(kids) and kids[i][0] <= end:
                    first_turn[kids[i][1]] = turn + 1.0
                    i += 1
                next_kid[task] = i
            turns.append(turn)
        return turns

    def _awaited_tasks(self) -> dict[float, int]:
        """Label id -> task index, for labels ``task 'name'`` naming a task no other task shares a name with."""
        by_name: dict[str, int | None] = {}
        for r in self._records:
            by_name[r.name] = None if r.name in by_name else r.index
        found = {}
        for ident, label in enumerate(self.labels):
            if label.startswith("task '") and label.endswith("'"):
                index = by_name.get(label[6:-1])
                if index is not None:
                    found[float(ident)] = index
        return found

    # ------------------------------------------------------------------ views
    def plot(self, **options: Any) -> Any:
        """Draw the timeline as a Gantt chart with matplotlib and return the figure.

        See :func:`helpers._plot.plot_timeline` for the options.
        """
        from . import _plot

        return _plot.plot_timeline(self, **options)

    def text(self, **options: Any) -> str:
        """The text chart and table (``str(timeline)`` with options), e.g. ``timeline.text(by="turn")``.

        See :func:`helpers._text.render` for the options (``width``, ``max_tasks``, ``by``).
        """
        from . import _text

        return _text.render(self, **options)

    def _repr_png_(self) -> bytes:
        from . import _plot

        return _plot.png_bytes(self)

    def to_chrome_trace(self, path: Any = None) -> dict:
        """The timeline in Chrome's trace-event format (opens in Perfetto and chrome://tracing).

        Args:
            path: if given, also write the JSON there.
        """
        from . import _chrome

        return _chrome.to_chrome_trace(self, path)
