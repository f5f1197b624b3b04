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
    "Step",
    "Wait",
    "Callback",
    "Idle",
    "TaskRecord",
    "Event",
    "Timeline",
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
    """The gap between two steps of one task, and what the task was waiting on."""

    task: str
    start: float
    end: float
    waits_on: str

    @property
    def duration(self) -> float:
        """Loop seconds spent waiting."""
        return self.end - self.start


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
            (the task was cancelled then), or ``None``.
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

    @property
    def cancelled(self) -> bool:
        """True if the task ended by ``CancelledError``."""
        return self.outcome == _CANCELLED


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
        waits = [Wait(a.task, a.end, b.start, a.waits_on or "") for a, b in zip(steps, steps[1:])]
        if steps and self.record.finished is None and steps[-1].waits_on is not None:
            last = steps[-1]
            waits.append(Wait(last.task, last.end, max(last.end, self._timeline.end), last.waits_on))
        return waits

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
        self._by_task: list[list[int]] | None = None
        self._columns: dict[str, array] | None = None

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
    ) -> Timeline:
        """Wrap a recorder's buffers without copying them.

        Args:
            compact_steps: ``COMPACT_WIDTH`` fields per step (start, end, code).
            walls: step index -> wall seconds, for steps whose wall time differs from
                ``end - start`` (on virtual time: the steps that took real time).
        """
        timeline = cls(clock=clock, start=start, end=end, tasks=tasks, steps=array("d"), labels=labels,
                       callbacks=callbacks, idle=idle, root=root, result=result)
        timeline._compact = compact_steps
        timeline._walls = walls
        return timeline

    # ----------------------------------------------------------------- basics
    def __repr__(self) -> str:
        return (
            f"<Timeline {len(self._records)} tasks, {self.step_count} steps, "
            f"{self.duration:g} s on {self.clock} time>"
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
        """The task with this name (the first one, if several share it).

        Raises:
            KeyError: with the names that exist, if none is called ``name``.
        """
        for r in self._records:
            if r.name == name:
                return TaskView(r, self)
        raise KeyError(f"no task named {name!r}; tasks recorded: {self.task_names}")

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
            return [v for v in views if v.index != self.root]
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
                By default every task except the one running the traced coroutine.
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

    # ------------------------------------------------------------------ views
    def plot(self, **options: Any) -> Any:
        """Draw the timeline as a Gantt chart with matplotlib and return the figure.

        See :func:`helpers._plot.plot_timeline` for the options.
        """
        from . import _plot

        return _plot.plot_timeline(self, **options)

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
