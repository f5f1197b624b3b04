"""A timeline as a matplotlib Gantt chart: the only module of ``helpers`` that imports matplotlib."""

from __future__ import annotations

import functools
import io
import math
from typing import TYPE_CHECKING, Any

from ._timeline import BLOCKING_THRESHOLD, CALLBACK_WIDTH, FINISHED, IDLE_WIDTH, STEP_WIDTH, JobRecord, Timeline

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
    "job": "#E69F00",  # orange: work in a thread or a child process
    "job_queued": "#F6D9A3",  # light orange: a job waiting for a free worker
}

_STEP_HEIGHT = 0.64
_WAIT_HEIGHT = 0.3
_MIN_BAR_PIXELS = 2.5  # a zero-length step (instant on virtual time) is still this wide
_LABEL_FONT = 7.5
_CHAR_PIXELS = 4.6  # about how wide one character of _LABEL_FONT is at 100 dpi
_MAX_TICK_LABELS = 40


def plot_timeline(
    timeline: Timeline,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    max_label_tasks: int = 30,
    show_labels: bool = True,
    width: float = 10.0,
    show_internal: bool = False,
) -> Figure:
    """Draw ``timeline`` as a Gantt chart: one row per task, plus a row for the loop.

    Tasks are drawn top to bottom in the order they first ran. A task's steps
    (when it held the loop) are dark blue bars, blocking steps (held the loop for
    0.05 s or more) are vermillion, and the waits between steps are thin light
    bars labelled with what the task awaited, where there is room. The ``loop``
    row shows when the loop was idle and ticks for callbacks that were not task
    steps. A step of zero length (all of them, on virtual time) is still drawn a
    couple of pixels wide.

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

    Returns:
        The figure drawn into.

    Example use::

        fig = plot_timeline(timeline, title="Three workers")
        fig.savefig("workers.png")
    """
    import numpy as np

    if not show_internal:
        timeline = timeline.without_internal()
    if ax is None:
        fig = _new_figure(timeline, width)
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    data = _TimelineData(timeline, np)
    span = timeline.duration if timeline.duration > 0 else 1.0
    axes_pixels = max(ax.get_position().width * fig.get_figwidth() * fig.dpi, 100.0)
    min_width = span * _MIN_BAR_PIXELS / axes_pixels
    job_rows = len(timeline.jobs)
    loop_row = data.task_rows + job_rows + 0.35  # a little apart from the tasks and jobs

    _draw_bars(ax, data.waits, COLORS["waiting"], _WAIT_HEIGHT, min_width, np, zorder=2)
    _draw_bars(ax, data.steps[~data.blocking], COLORS["running"], _STEP_HEIGHT, min_width, np, zorder=3)
    _draw_bars(ax, data.steps[data.blocking], COLORS["blocking"], _STEP_HEIGHT, min_width, np, zorder=4)
    _draw_loop(ax, data, loop_row, min_width, np)
    _draw_outcomes(ax, timeline, data)
    _draw_jobs(ax, timeline, data, min_width, np)
    if show_labels and data.task_rows <= max_label_tasks:
        _draw_wait_labels(ax, timeline, data, span / axes_pixels)

    ax.set_xlim(-0.015 * span, 1.015 * span)
    ax.set_ylim(loop_row + 0.6, -0.6)
    _draw_y_labels(ax, timeline, data, loop_row)
    ax.set_xlabel("virtual seconds" if timeline.clock == "virtual" else "seconds")
    ax.grid(axis="x", color="#E4E4E4", linewidth=0.8, zorder=0)
    ax.set_axisbelow(True)
    ax.axhline(data.task_rows + job_rows - 0.5 + 0.175, color="#999999", linewidth=0.6)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="y", length=0)
    _draw_legend(ax, timeline, data)
    if title is None:
        title = _default_title(timeline)
    if title:
        ax.set_title(title, loc="left", fontsize=11, pad=24)
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
    tasks = len(timeline._records)
    return (
        f"{tasks} task{'s' if tasks != 1 else ''}, {timeline.step_count} steps, "
        f"{timeline.duration:.3f} s on {timeline.clock} time"
    )


# ----------------------------------------------------------------------- data
class _TimelineData:
    """The timeline's buffers as numpy arrays, with each task given a row (in order of first step)."""

    def __init__(self, timeline: Timeline, np: Any) -> None:
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
        #: one (start, end, row) per step
        self.steps = np.column_stack([begin, end, rows])
        self.blocking = np.maximum(end - begin, buffer[:, 2]) >= BLOCKING_THRESHOLD

        # waits: between consecutive steps of one task, labelled by the earlier step
        by_task = np.argsort(task, kind="stable")
        same = task[by_task][1:] == task[by_task][:-1]
        before, after = by_task[:-1][same], by_task[1:][same]
        waits = [np.column_stack([end[before], begin[after], rows[before]])]
        wait_labels = [buffer[before, 4]]
        # a task still waiting when recording stopped waits until the end
        if len(task):
            last = by_task[np.append(~same, True)]
            pending = last[buffer[last, 4] != FINISHED]
            duration = timeline.end - start
            waits.append(np.column_stack([end[pending], np.full(len(pending), duration), rows[pending]]))
            wait_labels.append(buffer[pending, 4])
        self.waits = np.concatenate(waits) if len(task) else np.empty((0, 3))
        self.wait_labels = np.concatenate(wait_labels).astype(np.int64) if len(task) else np.empty(0, int)

        idle = np.frombuffer(timeline._idle_buffer, dtype=np.float64).reshape(-1, IDLE_WIDTH) - start
        self.idle = idle
        callbacks = np.frombuffer(timeline._callback_buffer, dtype=np.float64).reshape(-1, CALLBACK_WIDTH)
        self.callbacks = callbacks[:, :2] - start
        self.callback_blocking = np.maximum(callbacks[:, 1] - callbacks[:, 0], callbacks[:, 2]) >= BLOCKING_THRESHOLD


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


def _draw_outcomes(ax: Axes, timeline: Timeline, data: _TimelineData) -> None:
    """A mark where a task raised or was cancelled: how a task ended matters as much as when."""
    for outcome, marker in (("raised", "X"), ("cancelled", "x")):
        found = [
            (r.finished - timeline.start, data.row_of[r.index])
            for r in timeline._records
            if r.outcome == outcome and r.finished is not None
        ]
        if found:
            x, y = zip(*found, strict=True)
            ax.scatter(x, y, marker=marker, s=40, color=COLORS[outcome], zorder=5, linewidths=1.5)


def _draw_wait_labels(ax: Axes, timeline: Timeline, data: _TimelineData, seconds_per_pixel: float) -> None:
    """Write what was awaited on each wait wide enough to hold it."""
    widths = (data.waits[:, 1] - data.waits[:, 0]) / seconds_per_pixel
    labels = timeline.labels
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
    names = [timeline._records[int(data.order[r])].name for r in rows]
    size = 9 if every == 1 and data.task_rows <= 30 else 7
    job_rows = [data.task_rows + i for i in range(len(timeline.jobs))]
    job_names = [_job_name(job) for job in timeline.jobs]
    ax.set_yticks([*rows, *job_rows, loop_row], [*names, *job_names, "loop"], fontsize=size)
    labels = ax.get_yticklabels()
    labels[-1].set_fontstyle("italic")
    for label in labels[len(rows) : len(rows) + len(job_rows)]:
        label.set_color(COLORS["job"])
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
    outcomes = {r.outcome for r in timeline._records}
    for outcome, marker in (("raised", "X"), ("cancelled", "x")):
        if outcome in outcomes:
            handles.append(Line2D([], [], linestyle="none", marker=marker, color=COLORS[outcome], label=outcome))
    ax.legend(
        handles=handles,
        loc="lower left",
        bbox_to_anchor=(0.0, 1.0),
        ncol=len(handles),
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
        ax.plot([x, x], [task_row, job_row], color=COLORS["job"], linestyle=":", linewidth=1.0, zorder=1)
