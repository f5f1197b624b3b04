"""A timeline as a matplotlib Gantt chart: the only module of ``helpers`` that imports matplotlib."""

from __future__ import annotations

import functools
import io
import math
from typing import TYPE_CHECKING, Any

from ._timeline import (
    BLOCKING_THRESHOLD,
    CALLBACK_WIDTH,
    FINISHED,
    IDLE_WIDTH,
    STEP_WIDTH,
    JobRecord,
    Timeline,
    sleep_delay,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["plot_timeline", "png_bytes", "BLOCKING_THRESHOLD", "COLORS"]

#: A step that held the loop this long (loop or wall seconds) is drawn as blocking it.

#: Okabe-Ito colours, told apart with every common kind of colour blindness.
COLORS = {
    "running": "#0072B2",  # blue
    "waiting": "#A6D3F0",  # light sky blue: lighter and thinner than a step
    "blocking": "#D55E00",  # vermillion
    "idle": "#C8C8C8",
    "callback": "#009E73",  # bluish green
    "raised": "#CC79A7",  # reddish purple
    "cancelled": "#000000",
    "job": "#F0E442",  # yellow: work in a thread or a child process
    "job_queued": "#F8F1A8",  # light yellow: a job waiting for a free worker
    "late": "#E69F00",  # orange: a sleep that was due while the loop was busy
    "boundary": "#FFFFFF",
}

#: Row names and links of jobs: a dark yellow, readable on white where the bars' yellow is not.
_JOB_LABEL_COLOR = "#8C7F00"

_STEP_HEIGHT = 0.64
_WAIT_HEIGHT = 0.3
_MIN_BAR_PIXELS = 2.5  # a zero-length step (instant on virtual time) is still this wide
_LABEL_FONT = 7.5
_CHAR_PIXELS = 4.6  # about how wide one character of _LABEL_FONT is at 100 dpi
_MAX_TICK_LABELS = 40
_LEGEND_COLUMNS = 6  # more entries go on a second legend row: one row would run off the figure


def plot_timeline(
    timeline: Timeline,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    max_label_tasks: int = 30,
    show_labels: bool = True,
    width: float = 10.0,
    show_internal: bool = False,
    by: str = "auto",
) -> Figure:
    """Draw ``timeline`` as a Gantt chart: one row per task, plus a row for the loop.

    Tasks are drawn top to bottom in the order they first ran. A task's steps
    (when it held the loop) are dark blue bars, blocking steps (held the loop for
    0.05 s or more) are vermillion, and the waits between steps are thin light
    bars labelled with what the task awaited, where there is room. The ``loop``
    row shows when the loop was idle and ticks for callbacks that were not task
    steps. A step of zero length (all of them, on virtual time) is still drawn a
    couple of pixels wide; back-to-back steps (a task that yields with ``sleep(0)``
    and runs on at once) are parted by a thin white line.

    Where a ``sleep`` woke late (a step blocked the loop when it was due), an
    orange bar runs from when it was due (a small tick) to when the task woke.
    Cancellation: a triangle where ``cancel()`` was requested (with a dotted line
    from the row of the task that asked), ``x`` on the step that got the
    ``CancelledError`` thrown in, and a ring where a task caught it and returned.
    Tasks asyncio named ``Task-<n>`` are numbered within the timeline
    (:attr:`Timeline.display_names`).

    ``by="turn"`` draws loop turns across instead of seconds (see
    :meth:`Timeline.step_turns`): for programs in which no time passes, it shows
    the order steps ran in. The default, ``"auto"``, does that when the timeline
    lasted 0 s and has steps.

    In Jupyter the figure shows itself once when it ends a cell
    (``timeline.plot()``); it does not go through pyplot, so it is not shown a
    second time, and it is never left open. Assigning it (``fig = timeline.plot()``)
    shows nothing, as for any value. With ``ax=``, the figure is yours: pyplot
    shows it as usual, so end the cell with ``;`` to avoid showing it twice.

    Args:
        timeline: the recording to draw.
        ax: matplotlib axes to draw into; by default a new figure is made, as
            tall as the number of tasks needs (up to a limit).
        title: the title; by default a summary of the timeline, ``""`` for none.
        max_label_tasks: with more tasks than this, waits are not labelled.
        show_labels: label the waits with what was awaited.
        width: width in inches of a new figure.
        show_internal: also draw the tasks asyncio starts for its own plumbing
            (subprocess pipe readers, stream helpers), hidden by default.
        by: ``"time"``, ``"turn"`` or ``"auto"``.

    Returns:
        The figure drawn into.

    Example use::

        fig = plot_timeline(timeline, title="Three workers")
        fig.savefig("workers.png")
    """
    import numpy as np

    if not show_internal:
        timeline = timeline.without_internal()
    if by not in ("auto", "time", "turn"):
        raise ValueError(f"by must be 'auto', 'time' or 'turn', not {by!r}")
    if by == "auto":
        by = "turn" if timeline.duration == 0 and timeline.step_count else "time"
    if ax is None:
        fig = _new_figure(timeline, width)
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    data = _TimelineData(timeline, np, by_turn=by == "turn")
    if by == "turn":
        span = float(data.turns)
    else:
        span = timeline.duration if timeline.duration > 0 else 1.0
    axes_pixels = max(ax.get_position().width * fig.get_figwidth() * fig.dpi, 100.0)
    min_width = span * _MIN_BAR_PIXELS / axes_pixels
    job_rows = len(timeline.jobs)
    loop_row = data.task_rows + job_rows + 0.35  # a little apart from the tasks and jobs

    _draw_bars(ax, data.waits, COLORS["waiting"], _WAIT_HEIGHT, min_width, np, zorder=2)
    _draw_bars(ax, data.late, COLORS["late"], _WAIT_HEIGHT, 0.0, np, zorder=2.5)
    _draw_bars(ax, data.steps[~data.blocking], COLORS["running"], _STEP_HEIGHT, min_width, np, zorder=3)
    _draw_bars(ax, data.steps[data.blocking], COLORS["blocking"], _STEP_HEIGHT, min_width, np, zorder=4)
    _draw_boundaries(ax, data, span / axes_pixels, np)
    few = data.task_rows <= max_label_tasks
    if few:  # with many rows a tick per late sleep would cover them: the orange bars tell it
        _draw_due_ticks(ax, data)
    _draw_loop(ax, data, loop_row, min_width, np)
    # marks shrink with the rows, down to a quarter of their size at 120 rows and more
    mark_size = 40 * max(min(1.0, 30 / max(data.task_rows, 1)), 0.25)
    _draw_outcomes(ax, timeline, data, mark_size)
    _draw_cancellations(ax, timeline, data, mark_size, show_links=few)
    _draw_jobs(ax, timeline, data, min_width, np)
    if show_labels and data.task_rows <= max_label_tasks:
        _draw_wait_labels(ax, timeline, data, span / axes_pixels)

    if by == "turn":
        ax.set_xlim(0.5, span + 0.5)
        ax.xaxis.get_major_locator().set_params(integer=True)
    else:
        ax.set_xlim(-0.015 * span, 1.015 * span)
    ax.set_ylim(loop_row + 0.6, -0.6)
    _draw_y_labels(ax, timeline, data, loop_row)
    if by == "turn":
        ax.set_xlabel("loop turn (counted from the recording: the order steps ran in)")
    else:
        ax.set_xlabel("virtual seconds" if timeline.clock == "virtual" else "seconds")
    ax.grid(axis="x", color="#E4E4E4", linewidth=0.8, zorder=0)
    ax.set_axisbelow(True)
    ax.axhline(data.task_rows + job_rows - 0.5 + 0.175, color="#999999", linewidth=0.6)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="y", length=0)
    _draw_legend(ax, timeline, data)
    if title is None:
        title = _default_title(timeline) + ("; drawn by loop turn" if by == "turn" else "")
    if title:
        legend_rows = math.ceil(len(ax.get_legend().legend_handles) / _LEGEND_COLUMNS)
        ax.set_title(title, loc="left", fontsize=11, pad=24 + 14 * (legend_rows - 1))
    return fig


def png_bytes(timeline: Timeline, dpi: int = 100) -> bytes:
    """Render ``timeline`` as a PNG image, without pyplot (headless, and no figure left open).

    Args:
        timeline: the recording to draw.
        dpi: pixels per inch; the image is the figure's size in inches times ``dpi``.

    Returns:
        The PNG file's bytes.

    Example use::

        with open("timeline.png", "wb") as file:
            file.write(png_bytes(timeline))
    """
    fig = plot_timeline(timeline)
    return _png(fig, dpi)


# --------------------------------------------------------------------- figure
def _png(fig: Figure, dpi: float | None) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


@functools.cache
def _figure_class() -> type:
    """A Figure that Jupyter displays through ``_repr_png_`` (made on first use: matplotlib loads late)."""
    from matplotlib.figure import Figure

    class TimelineFigure(Figure):
        """A figure drawn outside pyplot that shows itself once when it ends a notebook cell."""

        def _repr_png_(self) -> bytes:
            return _png(self, None)

    return TimelineFigure


def _new_figure(timeline: Timeline, width: float) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    rows = len(timeline._records) + len(timeline.jobs) + 1
    # a row per task, up to a height that still fits a screen: 200 rows are 5 px each
    height = min(max(1.5 + 0.3 * rows, 2.6), 11.0)
    fig = _figure_class()(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _default_title(timeline: Timeline) -> str:
    tasks, steps = len(timeline._records), timeline.step_count
    return (
        f"{tasks} task{'s' if tasks != 1 else ''}, {steps} step{'s' if steps != 1 else ''}, "
        f"{timeline.duration:.3f} s on {timeline.clock} time"
    )


# ----------------------------------------------------------------------- data
class _TimelineData:
    """The timeline's buffers as numpy arrays, with each task given a row (in order of first step)."""

    def __init__(self, timeline: Timeline, np: Any, by_turn: bool = False) -> None:
        start = timeline.start
        buffer = np.frombuffer(timeline._step_buffer, dtype=np.float64).reshape(-1, STEP_WIDTH)
        task = buffer[:, 3].astype(np.int64)
        count = len(timeline._records)
        # row of each task: ranked by its first step; tasks that never ran go last, in creation order
        first = np.full(count, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(first, task, np.arange(len(task), dtype=np.int64))
        self.order = np.lexsort((np.arange(count), first))  # task indices, top row first
        self.row_of = np.empty(count, dtype=np.int64)
        self.row_of[self.order] = np.arange(count)
        self.task_rows = count
        self.ran = first < np.iinfo(np.int64).max

        rows = self.row_of[task].astype(np.float64)
        begin = buffer[:, 0] - start
        end = buffer[:, 1] - start
        self.blocking = np.maximum(end - begin, buffer[:, 2]) >= BLOCKING_THRESHOLD
        duration = timeline.end - start
        self.turns = 0
        if by_turn:
            # a step is a bar in the middle of its turn: the order of steps, not their length
            turns = np.frombuffer(timeline.step_turns(), dtype=np.float64)
            self.turns = int(turns.max()) if len(turns) else 1
            # the steps of one turn share it side by side, in the order they ran
            first = np.searchsorted(turns, turns, side="left")
            count = np.searchsorted(turns, turns, side="right") - first
            slot = 0.8 / count
            begin = turns - 0.4 + (np.arange(len(turns)) - first) * slot
            end = begin + slot * 0.85
            duration = self.turns + 0.5
        #: one (start, end, row) per step
        self.steps = np.column_stack([begin, end, rows])

        # waits: between consecutive steps of one task, labelled by the earlier step
        by_task = np.argsort(task, kind="stable")
        same = task[by_task][1:] == task[by_task][:-1]
        before, after = by_task[:-1][same], by_task[1:][same]
        waits = [np.column_stack([end[before], begin[after], rows[before]])]
        wait_labels = [buffer[before, 4]]
        # steps right after one another: (where the second begins, row), drawn as a thin parting line
        touching = (end[before] == begin[after]) & (end[before] > begin[before]) & (end[after] > begin[after])
        self.boundaries = np.column_stack([begin[after][touching], rows[after][touching],
                                           (end - begin)[before][touching], (end - begin)[after][touching]])
        self.late, self.due = self._late(timeline, buffer, before, after, begin, end, rows, by_turn, np)
        # a task still waiting when recording stopped waits until the end
        if len(task):
            last = by_task[np.append(~same, True)]
            pending = last[buffer[last, 4] != FINISHED]
            waits.append(np.column_stack([end[pending], np.full(len(pending), duration), rows[pending]]))
            wait_labels.append(buffer[pending, 4])
        self.waits = np.concatenate(waits) if len(task) else np.empty((0, 3))
        self.wait_labels = np.concatenate(wait_labels).astype(np.int64) if len(task) else np.empty(0, int)

        idle = np.frombuffer(timeline._idle_buffer, dtype=np.float64).reshape(-1, IDLE_WIDTH) - start
        callbacks = np.frombuffer(timeline._callback_buffer, dtype=np.float64).reshape(-1, CALLBACK_WIDTH)
        if by_turn:  # idle time and callbacks have no turn of their own: the loop row shows every step
            idle, callbacks = idle[:0], callbacks[:0]
        self.idle = idle
        self.callbacks = callbacks[:, :2] - start
        self.callback_blocking = np.maximum(callbacks[:, 1] - callbacks[:, 0], callbacks[:, 2]) >= BLOCKING_THRESHOLD
        # for step_x: the steps grouped by task, in order
        self._sorted_tasks, self._by_task, self._begin = task[by_task], by_task, begin

    def step_x(self, task: int, k: int) -> float | None:
        """Where the ``k``-th step of ``task`` begins on the x axis (``k = -1``: its last); None if it has none."""
        first, stop = (int(i) for i in self._sorted_tasks.searchsorted([task, task + 1]))
        mine = self._by_task[first:stop]
        return float(self._begin[mine[k]]) if len(mine) else None

    @staticmethod
    def _late(timeline: Timeline, buffer: Any, before: Any, after: Any, begin: Any, end: Any, rows: Any,
              by_turn: bool, np: Any) -> tuple[Any, Any]:
        """``(due, woke, row)`` of each sleep that woke late, and ``(due, row)`` of its due mark."""
        none = np.empty((0, 3)), np.empty((0, 2))
        if by_turn or not len(before):
            return none
        delays = np.array([np.nan if d is None else d for d in map(sleep_delay, timeline.labels)] + [np.nan])
        label = buffer[before, 4].astype(np.int64)  # FINISHED (-1) picks the nan at the end
        due = end[before] + delays[label]
        with np.errstate(invalid="ignore"):
            late = (begin[after] - due) >= np.maximum(timeline.late_threshold, 1e-5 * delays[label])
        return (np.column_stack([due[late], begin[after][late], rows[before][late]]),
                np.column_stack([due[late], rows[before][late]]))


# ---------------------------------------------------------------------- draw
def _draw_bars(ax: Axes, bars: Any, color: str, height: float, min_width: float, np: Any, zorder: float) -> None:
    """Draw ``(start, end, row)`` bars as one PolyCollection: fast for tens of thousands of bars."""
    from matplotlib.collections import PolyCollection

    if not len(bars):
        return
    x0 = bars[:, 0]
    x1 = np.maximum(bars[:, 1], x0 + min_width)
    y0 = bars[:, 2] - height / 2
    y1 = bars[:, 2] + height / 2
    verts = np.stack(
        [
            np.column_stack([x0, y0]),
            np.column_stack([x0, y1]),
            np.column_stack([x1, y1]),
            np.column_stack([x1, y0]),
        ],
        axis=1,
    )
    ax.add_collection(
        PolyCollection(verts, facecolors=color, edgecolors="none", linewidths=0, zorder=zorder),
        autolim=False,
    )


def _draw_loop(ax: Axes, data: _TimelineData, row: float, min_width: float, np: Any) -> None:
    if len(data.idle):
        idle = np.column_stack([data.idle, np.full(len(data.idle), row)])
        _draw_bars(ax, idle, COLORS["idle"], _STEP_HEIGHT, 0.0, np, zorder=2)
    if data.turns:
        steps = np.column_stack([data.steps[:, :2], np.full(len(data.steps), row)])
        _draw_bars(ax, steps[~data.blocking], COLORS["running"], _STEP_HEIGHT, min_width, np, zorder=3)
    # a blocking step stopped the whole loop, so it shows on the loop's row as well as on its task's
    blocked = data.steps[data.blocking]
    if len(blocked):
        blocked = np.column_stack([blocked[:, :2], np.full(len(blocked), row)])
        _draw_bars(ax, blocked, COLORS["blocking"], _STEP_HEIGHT, min_width, np, zorder=4)
    if len(data.callbacks):
        ticks = np.column_stack([data.callbacks, np.full(len(data.callbacks), row)])
        calm = ticks[~data.callback_blocking]
        _draw_bars(ax, calm, COLORS["callback"], _STEP_HEIGHT, min_width, np, zorder=3)
        _draw_bars(ax, ticks[data.callback_blocking], COLORS["blocking"], _STEP_HEIGHT, min_width, np, zorder=4)


def _draw_boundaries(ax: Axes, data: _TimelineData, seconds_per_pixel: float, np: Any) -> None:
    """A thin white line where a step starts as the task's last one ends, if both are wide enough to part."""
    from matplotlib.collections import LineCollection

    b = data.boundaries
    wide = (b[:, 2] >= 3 * seconds_per_pixel) & (b[:, 3] >= 3 * seconds_per_pixel) if len(b) else []
    b = b[wide] if len(b) else b
    if not len(b):
        return
    segments = np.stack([np.column_stack([b[:, 0], b[:, 1] - _STEP_HEIGHT / 2]),
                         np.column_stack([b[:, 0], b[:, 1] + _STEP_HEIGHT / 2])], axis=1)
    ax.add_collection(LineCollection(segments, colors=COLORS["boundary"], linewidths=1.2, zorder=4.5), autolim=False)


def _draw_due_ticks(ax: Axes, data: _TimelineData) -> None:
    """A dark tick, as tall as a step, where a late sleep was due."""
    if len(data.due):
        half = _STEP_HEIGHT / 2
        ax.vlines(data.due[:, 0], data.due[:, 1] - half, data.due[:, 1] + half, colors="#333333",
                  linewidths=1.5, zorder=5)


def _draw_cancellations(ax: Axes, timeline: Timeline, data: _TimelineData, size: float, show_links: bool) -> None:
    """Where cancel() was asked for (and from which row), and the step that got the CancelledError."""
    asked, delivered, links = [], [], []
    start = timeline.start
    for r in timeline._records:
        c = timeline._cancellation(r)
        if c is None:
            continue
        row = float(data.row_of[r.index])
        if c.requested is not None:
            x = c.requested - start
            if data.turns and c.step is not None:
                x = data.step_x(r.index, c.step) - 0.15  # by turn: just before the step that got it
            asked.append((x, row - _STEP_HEIGHT / 2 - 0.08))
            if r.cancel_by_task is not None and r.cancel_by_task != r.index:
                links.append((x, float(data.row_of[r.cancel_by_task]), row))
        if c.step is not None:
            delivered.append((data.step_x(r.index, c.step), row))
    if asked:
        x, y = zip(*asked, strict=True)
        ax.scatter(x, y, marker="v", s=size * 0.7, color=COLORS["cancelled"], zorder=6, linewidths=0)
    if delivered:
        x, y = zip(*delivered, strict=True)
        ax.scatter(x, y, marker="x", s=size, color=COLORS["cancelled"], zorder=6, linewidths=1.5 if size >= 20 else 1.0)
    if show_links:
        for x, y0, y1 in links:
            ax.plot([x, x], [y0, y1], linestyle=":", color=COLORS["cancelled"], linewidth=0.9, zorder=5)


def _draw_outcomes(ax: Axes, timeline: Timeline, data: _TimelineData, size: float) -> None:
    """A mark where a task raised or was cancelled: how a task ended matters as much as when."""
    found: dict[str, list[tuple[float, float]]] = {"raised": [], "cancelled": [], "caught": []}
    for r in timeline._records:
        if r.finished is None:
            continue
        kind = "caught" if r.cancel_requested is not None and r.outcome == "returned" else r.outcome
        if kind in found:
            x = r.finished - timeline.start if not data.turns else data.step_x(r.index, -1)
            if x is not None:  # by turn, a task that never ran has no place
                found[kind].append((x, data.row_of[r.index]))
    for kind, (marker, color, face) in _OUTCOME_MARKS.items():
        if found[kind]:
            x, y = zip(*found[kind], strict=True)
            width = 1.5 if size >= 20 else 1.0
            if marker == "x":  # an unfilled marker takes one colour
                ax.scatter(x, y, marker=marker, s=size, color=color, zorder=5, linewidths=width)
            else:
                ax.scatter(x, y, marker=marker, s=size, edgecolors=color, facecolors=face, zorder=5, linewidths=width)


# how a task ended -> (marker, colour, fill)
_OUTCOME_MARKS = {
    "raised": ("X", COLORS["raised"], COLORS["raised"]),
    "cancelled": ("x", COLORS["cancelled"], COLORS["cancelled"]),
    "caught": ("o", COLORS["cancelled"], "none"),  # caught the CancelledError and returned
}


def _draw_wait_labels(ax: Axes, timeline: Timeline, data: _TimelineData, seconds_per_pixel: float) -> None:
    """Write what was awaited on each wait wide enough to hold it."""
    widths = (data.waits[:, 1] - data.waits[:, 0]) / seconds_per_pixel
    labels = timeline.display_labels
    for (start, end, row), label, pixels in zip(data.waits, data.wait_labels, widths, strict=True):
        text = labels[int(label)]
        if pixels < len(text) * _CHAR_PIXELS + 8:
            continue
        ax.text(
            (start + end) / 2,
            row - _WAIT_HEIGHT / 2 - 0.04,
            text,
            ha="center",
            va="bottom",
            fontsize=_LABEL_FONT,
            color="#333333",
            zorder=6,
            clip_on=True,
        )


def _draw_y_labels(ax: Axes, timeline: Timeline, data: _TimelineData, loop_row: float) -> None:
    """Task names on the left; with many tasks only every k-th, so they never overlap."""
    every = max(1, math.ceil(data.task_rows / _MAX_TICK_LABELS))
    rows = list(range(0, data.task_rows, every))
    names = [timeline.display_name(int(data.order[r])) for r in rows]
    size = 9 if every == 1 and data.task_rows <= 30 else 7
    job_rows = [data.task_rows + i for i in range(len(timeline.jobs))]
    job_names = [_job_name(job) for job in timeline.jobs]
    ax.set_yticks([*rows, *job_rows, loop_row], [*names, *job_names, "loop"], fontsize=size)
    labels = ax.get_yticklabels()
    labels[-1].set_fontstyle("italic")
    for label in labels[len(rows) : len(rows) + len(job_rows)]:
        label.set_color(_JOB_LABEL_COLOR)
    if timeline.root is not None and data.row_of[timeline.root] in rows:
        labels[rows.index(int(data.row_of[timeline.root]))].set_fontweight("bold")


def _draw_legend(ax: Axes, timeline: Timeline, data: _TimelineData) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles = [
        Patch(color=COLORS["running"], label="running a step"),
        Patch(color=COLORS["waiting"], label="waiting"),
        Patch(color=COLORS["blocking"], label=f"blocking the loop (\u2265 {BLOCKING_THRESHOLD:g} s)"),
        Patch(color=COLORS["idle"], label="loop idle"),
    ]
    if len(data.callbacks):
        handles.append(Patch(color=COLORS["callback"], label="callback"))
    if timeline.jobs:
        handles.append(Patch(color=COLORS["job"], label="job off the loop"))
    if len(data.late):
        handles.append(Patch(color=COLORS["late"], label="woke late (| due)"))
    outcomes = {r.outcome for r in timeline._records}
    cancellations = timeline.cancellations
    if any(c.requested is not None for c in cancellations):
        handles.append(Line2D([], [], linestyle="none", marker="v", color=COLORS["cancelled"], label="cancel()"))
    if "raised" in outcomes:
        handles.append(Line2D([], [], linestyle="none", marker="X", color=COLORS["raised"], label="raised"))
    if cancellations:
        handles.append(Line2D([], [], linestyle="none", marker="x", color=COLORS["cancelled"], label="cancelled"))
    if any(c.swallowed for c in cancellations):
        handles.append(Line2D([], [], linestyle="none", marker="o", markerfacecolor="none",
                              color=COLORS["cancelled"], label="caught it, returned"))
    ax.legend(
        handles=handles,
        loc="lower left",
        bbox_to_anchor=(0.0, 1.0),
        ncol=min(len(handles), _LEGEND_COLUMNS),
        frameon=False,
        fontsize=8,
        handlelength=1.4,
        columnspacing=1.4,
        borderaxespad=0.2,
    )


# ----------------------------------------------------------- work off the loop
def _job_name(job: JobRecord) -> str:
    """``> fetch (asyncio_0)``, ``> python -c (pid 4242)``: what ran, and where."""
    target = job.target if len(job.target) <= 24 else job.target[:21] + "..."
    where = job.worker if job.kind == "thread" and job.worker else job.where
    return f"> {target} ({where})"


def _draw_jobs(ax: Axes, timeline: Timeline, data: _TimelineData, min_width: float, np: Any) -> None:
    """One row per job below the tasks: waiting for a worker, then running.

    A dotted line joins the end of a job to the row of the task that awaited it: that is
    where the result is handed back to the loop.
    """
    start, first_row = timeline.start, data.task_rows
    queued, running, links = [], [], []
    for i, job in enumerate(timeline.jobs):
        row = first_row + i
        end = (timeline.end if job.ended is None else job.ended) - start
        began = end if job.started is None else job.started - start
        if began > job.submitted - start:
            queued.append((job.submitted - start, began, row))
        if job.started is not None:
            running.append((began, end, row))
        if job.awaited_by is not None:
            links.append((end, data.row_of[job.awaited_by], row))  # where the result goes back
    _draw_bars(ax, np.array(queued).reshape(-1, 3), COLORS["job_queued"], _WAIT_HEIGHT, 0.0, np, zorder=2)
    _draw_bars(ax, np.array(running).reshape(-1, 3), COLORS["job"], _STEP_HEIGHT, min_width, np, zorder=3)
    for x, task_row, job_row in links:
        ax.plot([x, x], [task_row, job_row], color=_JOB_LABEL_COLOR, linestyle=":", linewidth=1.0, zorder=1)
