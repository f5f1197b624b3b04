"""A timeline as plain text: a chart with one row per task, then a table of what each task did."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

from ._timeline import BLOCKING_THRESHOLD, FINISHED, JobRecord, Timeline, sleep_delay

__all__ = [
    "render",
    "BLOCKING_THRESHOLD",
    "RUNNING",
    "BLOCKING",
    "WAITING",
    "LATE",
    "BOUNDARY",
    "CANCELLED",
    "IDLE",
    "ABSENT",
]

#: Chart characters.
RUNNING = "#"
BLOCKING = "!"
WAITING = "-"
#: a sleep that was due, while the loop was busy elsewhere: from when it was due to when the task woke
LATE = "~"
#: where a step starts right where the task's previous step ended (two steps, not one long one)
BOUNDARY = ":"
#: the step that got a ``CancelledError`` thrown in
CANCELLED = "x"
IDLE = "."
ABSENT = " "
JOB_RUNNING = "="  # a job off the loop (a thread or a child process) at work
JOB_QUEUED = "_"  # a job waiting for a free worker

_LEGEND = (
    f"legend: {RUNNING} running a step   {BLOCKING} step blocking the loop (>= {BLOCKING_THRESHOLD:g} s)"
    f"   {WAITING} waiting   {IDLE} loop idle"
)
# legend entries for marks that only some charts have: shown when the chart has them
_MARK_LEGEND = {
    BOUNDARY: f"{BOUNDARY} next step right after the last",
    LATE: f"{LATE} woke late (sleep was due)",
    CANCELLED: f"{CANCELLED} CancelledError thrown in",
}
_NAME_LIMIT = 18  # in the table (100 characters are full with it); chart rows and sentences take longer names
_PROSE_NAME_LIMIT = 40
_OUTCOME_LIMIT = 26
_LINE_LIMIT = 100
_MIN_AWAITED = 24
_BLOCKING_LISTED = 3
_LATE_LISTED = 2
_CANCELS_LISTED = 5
_TURN_CELLS = 4  # most characters per loop turn in a chart drawn by turn


@dataclass
class _TaskSummary:
    """What one task did, gathered in a single pass over the step buffer."""

    index: int
    first_step: int | None = None
    steps: int = 0
    running: float = 0.0
    waiting: float = 0.0
    last_end: float | None = None
    last_label: float = FINISHED
    # (start, end, blocking) of each step, and (start, end) of each wait, for the chart
    spans: list[tuple[float, float, bool]] = field(default_factory=list)
    waits: list[tuple[float, float]] = field(default_factory=list)
    # (due, woke) of each sleep that woke late; the start of each step right after the previous one
    late: list[tuple[float, float]] = field(default_factory=list)
    boundaries: list[float] = field(default_factory=list)
    awaited: Counter[str] = field(default_factory=Counter)
    # the loop turn of each step, when drawn by turn
    turns: list[float] = field(default_factory=list)


def render(
    timeline: Timeline,
    *,
    width: int = 60,
    max_tasks: int = 20,
    by: str = "auto",
    show_internal: bool = False,
    max_jobs: int = 20,
) -> str:
    """Draw ``timeline`` as a text chart and a per-task table.

    Rows are tasks in the order they first ran (tasks that never ran come last),
    then a ``loop`` row showing when the loop sat idle. Every time is in seconds
    since recording began, with three decimals. On virtual time the text depends
    only on what was recorded, never on how fast the machine was, so a notebook
    can compare it byte for byte. With more than ``max_tasks`` tasks, the first
    ``max_tasks`` are shown and one line says how many more there are.

    Marks beyond running and waiting appear when there is something to mark, and
    the legend then names them: ``:`` where a step starts right where the task's
    previous step ended, ``~`` from when a sleep was due to when its task woke
    late, ``x`` the step that got a ``CancelledError`` thrown in. Lines under the
    chart name the steps that blocked the loop, the sleeps that woke late, and
    the cancellations (who asked, when, how the task ended). Tasks asyncio named
    ``Task-<n>`` are numbered again within the timeline (see
    :attr:`Timeline.display_names`); a last line gives their real names.

    Args:
        timeline: the recording to draw.
        width: characters across the time axis.
        max_tasks: most task rows in the chart and the table.
        by: ``"time"`` (loop seconds across), ``"turn"`` (one column group per loop
            turn, see :meth:`Timeline.step_turns`: for programs where no time passes,
            it shows the order steps ran in), or ``"auto"``: by turn if the timeline
            lasted 0 s and has steps, else by time.
        show_internal: also show the tasks asyncio starts for its own plumbing
            (subprocess pipe readers, stream helpers), hidden by default.
        max_jobs: most rows for work off the loop (executor jobs, child processes).

    Returns:
        The chart, a legend and the table, joined by newlines (no trailing newline).

    Example use::

        >>> print(render(timeline))  # doctest: +SKIP
        3 tasks, 4 steps, 1.000 s on virtual time; at most 2 tasks at once; loop idle 1.000 s
                   0          0.5        1.0 s
        main      |#--------------------#|
        ...
    """
    if width < 10:
        raise ValueError(f"width must be at least 10 characters, not {width}")
    if by not in ("auto", "time", "turn"):
        raise ValueError(f"by must be 'auto', 'time' or 'turn', not {by!r}")
    if not show_internal:
        timeline = timeline.without_internal()
    if by == "auto":
        by = "turn" if timeline.duration == 0 and timeline.step_count else "time"
    summaries = _summarise(timeline, by == "turn")
    ordered = sorted(
        summaries, key=lambda s: (s.first_step is None, s.first_step if s.first_step is not None else s.index)
    )
    shown = ordered[: max(max_tasks, 0)]
    hidden = len(ordered) - len(shown)
    records = timeline._records
    names = timeline.display_names

    lines = [_headline(timeline, summaries, by)]
    jobs = timeline.jobs[: max(max_jobs, 0)]
    if records or timeline.duration > 0:
        # names are cut only where the chart row would run past the line limit
        name_limit = max(_NAME_LIMIT, _LINE_LIMIT - width - 3)
        label_width = max(
            [len("loop")]
            + [len(_clip(names[s.index], name_limit)) for s in shown]
            + [len(_job_name(job)) for job in jobs]
        )
        axis: _Axis | _TurnAxis
        if by == "turn":
            axis = _TurnAxis(summaries, width)
            job_rows = {}  # jobs take time, not turns: the jobs table below has them
        else:
            axis = _Axis(timeline.start, timeline.duration, width)
            job_rows = _job_rows(timeline, jobs, axis, label_width, {s.index for s in shown})
        lines.append(" " * (label_width + 1) + axis.labels())
        marks: set[str] = set()
        for s in shown:
            row = axis.row(s, timeline)
            marks.update(row)
            lines.append(f"{_clip(names[s.index], name_limit):<{label_width}} |{row}|")
            lines.extend(job_rows.pop(s.index, ()))
        if hidden:
            lines.append(f"{'':<{label_width}}  ... {_hidden_note(timeline, ordered[len(shown) :])}")
        lines.extend(job_rows.pop(None, ()))
        lines.append(f"{'loop':<{label_width}} |{axis.loop_row(timeline, summaries)}|")
        lines.extend(_legend(marks))
        if jobs and by == "time":
            lines.append(_JOB_LEGEND)
        for extra in (
            _blocking_line(timeline, summaries),
            _late_line(timeline, summaries),
            *_cancel_lines(timeline),
        ):
            if extra:
                lines.append(extra)
    if records:
        lines.append("")
        lines.extend(_table(timeline, shown))
        if hidden:
            lines.append(f"... {hidden} more {_plural(hidden, 'task')} (all of them: timeline.tasks)")
        renamed = _renamed_line(timeline)
        if renamed:
            lines.append(renamed)
    if jobs:
        lines.append("")
        lines.extend(_job_table(timeline, jobs))
        if len(timeline.jobs) > len(jobs):
            more = len(timeline.jobs) - len(jobs)
            lines.append(f"... {more} more {_plural(more, 'job')} (all of them: timeline.jobs)")
    return "\n".join(lines)


# ------------------------------------------------------------------ gathering
def _summarise(timeline: Timeline, with_turns: bool = False) -> list[_TaskSummary]:
    summaries = [_TaskSummary(r.index) for r in timeline._records]
    columns = timeline.step_columns()
    labels = timeline.display_labels
    delays = [sleep_delay(label) for label in labels]
    late_threshold = timeline.late_threshold
    turns = timeline.step_turns() if with_turns else None
    for i, (start, end, wall, task, label) in enumerate(
        zip(columns["start"], columns["end"], columns["wall"], columns["task"], columns["label"], strict=True)
    ):
        s = summaries[int(task)]
        if s.first_step is None:
            s.first_step = i
        if s.last_end is not None:
            s.waits.append((s.last_end, start))
            s.waiting += start - s.last_end
            if start == s.last_end:
                s.boundaries.append(start)
            if s.last_label != FINISHED:
                delay = delays[int(s.last_label)]
                if delay is not None:
                    due = s.last_end + delay
                    if start - due >= max(late_threshold, 1e-5 * delay):
                        s.late.append((due, start))
        s.steps += 1
        s.running += end - start
        s.spans.append((start, end, max(end - start, wall) >= BLOCKING_THRESHOLD))
        s.last_end = end
        s.last_label = label
        if label != FINISHED:
            s.awaited[labels[int(label)]] += 1
        if turns is not None:
            s.turns.append(turns[i])
    return summaries


def _headline(timeline: Timeline, summaries: list[_TaskSummary], by: str = "time") -> str:
    tasks = len(summaries)
    text = (
        f"{_time(timeline.duration)} s of {timeline.clock} time: {tasks} {_plural(tasks, 'task')}, "
        f"{timeline.step_count} {_plural(timeline.step_count, 'step')}"
    )
    if tasks:
        # the count a grader gets from timeline.max_concurrency(): the traced coroutine's task is left out
        most = timeline.max_concurrency()
        if most:
            text += f", at most {most} at once"
            if timeline.root is not None:
                text += f" besides {_clip(timeline.display_name(timeline.root), _PROSE_NAME_LIMIT)}"
    text += f", loop idle {_time(timeline.idle_time)} s"
    if by == "turn":
        text += "; drawn by loop turn"
    return text


def _blocking_line(timeline: Timeline, summaries: list[_TaskSummary]) -> str | None:
    """Which tasks blocked the loop, when, and for how many loop seconds (never wall seconds: they vary)."""
    found = []
    for s in summaries:
        for start, end, blocking in s.spans:
            if blocking:
                found.append((start, end, s.index))
    if not found:
        return None
    found.sort()
    parts = []
    for start, end, index in found[:_BLOCKING_LISTED]:
        part = f"{_clip(timeline.display_name(index), _PROSE_NAME_LIMIT)} at {_time(start - timeline.start)} s"
        # loop seconds are exact on virtual time too; a step only slow in wall seconds gets no number
        if end > start:
            part += f" for {_time(end - start)} s"
        parts.append(part)
    if len(found) > _BLOCKING_LISTED:
        parts.append(f"{len(found) - _BLOCKING_LISTED} more")
    return f"blocked the loop: {', '.join(parts)}"


def _legend(marks: set[str]) -> list[str]:
    """The legend, with the marks this chart has; on a second line if one would be too long."""
    extra = [text for mark, text in _MARK_LEGEND.items() if mark in marks]
    if not extra:
        return [_LEGEND]
    joined = "   ".join([_LEGEND, *extra])
    if len(joined) <= _LINE_LIMIT:
        return [joined]
    return [_LEGEND, "        " + "   ".join(extra)]


def _late_line(timeline: Timeline, summaries: list[_TaskSummary]) -> str | None:
    """Which sleeps woke late: when each was due, when its task woke, by how much."""
    # the latest first: the sleep that overran most tells what happened
    found = sorted((due - woke, woke, s.index) for s in summaries for due, woke in s.late)
    if not found:
        return None
    parts = [
        f"{_clip(timeline.display_name(index), _PROSE_NAME_LIMIT)} due {_time(woke + early - timeline.start)} s, "
        f"woke {_time(woke - timeline.start)} s (late by {_time(-early)} s)"
        for early, woke, index in found[:_LATE_LISTED]
    ]
    if len(found) > _LATE_LISTED:
        parts.append(f"{len(found) - _LATE_LISTED} more")
    return f"woke late: {'; '.join(parts)}"


_ENDINGS = {
    "cancelled": "ended cancelled",
    "returned": "caught it and returned",
    "pending": "still pending",
}


def _cancel_lines(timeline: Timeline) -> list[str]:
    """One line per cancelled task (the first few): who asked when, when it got it, how it ended."""
    # in time order: when cancel() was asked, or else when it arrived
    found = sorted(
        timeline.cancellations,
        key=lambda c: next((t for t in (c.requested, c.delivered) if t is not None), timeline.end),
    )
    lines = []
    for c in found[:_CANCELS_LISTED]:
        asked = "cancel() before its first step" if c.step == 0 else "cancel() not seen"
        if c.requested is not None:
            asked = f"cancel() at {_time(c.requested - timeline.start)} s"
            if c.by:
                asked += f" by {c.by}"
        got = "never thrown in" if c.delivered is None else f"thrown in at {_time(c.delivered - timeline.start)} s"
        ending = _ENDINGS.get(c.outcome) or f"then {_outcome(c.outcome, c.detail)}"
        lines.append(f"cancelled: {_clip(c.task, _PROSE_NAME_LIMIT)}: {asked}; {got}; {ending}")
    if len(found) > _CANCELS_LISTED:
        more = found[_CANCELS_LISTED:]
        ended = sum(c.outcome == "cancelled" for c in more)
        tasks = _plural(len(more), "task")
        lines.append(f"cancelled: {len(more)} more {tasks} ({ended} ended cancelled): timeline.cancellations")
    return lines


def _renamed_line(timeline: Timeline) -> str | None:
    """``Task-1 to Task-3: ...``: asyncio's process-wide numbers would change from run to run, so they stay out."""
    shown = list(timeline.renamed().values())
    if not shown:
        return None
    span = shown[0] if len(shown) == 1 else f"{shown[0]} to {shown[-1]}"
    return f"{span}: asyncio's default names, numbered within this timeline (real names: timeline.renamed())"


def _hidden_note(timeline: Timeline, hidden: list[_TaskSummary]) -> str:
    """``181 more tasks, first steps from 0.190 to 1.990 s``: where the rows left out would have been."""
    text = f"{len(hidden)} more {_plural(len(hidden), 'task')}"
    starts = timeline.step_columns()["start"]
    firsts = [starts[s.first_step] - timeline.start for s in hidden if s.first_step is not None]
    if firsts:
        text += f", first steps from {_time(min(firsts))} to {_time(max(firsts))} s"
    never = len(hidden) - len(firsts)
    if never:
        text += f", {never} never ran"
    return text


# ---------------------------------------------------------------------- chart
class _Axis:
    """Maps loop times to chart columns: column ``c`` covers ``[c, c + 1) * duration / width``."""

    def __init__(self, start: float, duration: float, width: int) -> None:
        self.start = start
        self.duration = duration
        self.width = width

    def column(self, time: float) -> int:
        if self.duration <= 0:
            return 0
        # the epsilon absorbs float error from subtracting a start other than 0 (1000.4 - 1000 < 0.4),
        # so a chart is the same whatever time the clock started at
        return min(max(int((time - self.start) / self.duration * self.width + 1e-6), 0), self.width - 1)

    def labels(self) -> str:
        """The axis: tick values placed at their columns, ending with the unit."""
        if self.duration <= 0:
            return " 0 s"
        step, decimals = _tick_step(self.duration, self.width)
        line = [" "] * (self.width + 8)
        # keep one blank column between labels so "0.5" and "1.0" never run together
        free_from = 0
        for k in range(int(self.duration / step + 1e-9) + 1):
            text = f"{k * step:.{decimals}f}"
            column = 1 + self.column(self.start + k * step)  # 1: the row's opening "|"
            if column < free_from or column + len(text) > len(line) - 2:
                continue
            line[column : column + len(text)] = text
            free_from = column + len(text) + 1
        text = "".join(line).rstrip()
        return text + " s"

    def row(self, summary: _TaskSummary, timeline: Timeline) -> str:
        cells = [ABSENT] * self.width
        for start, end in summary.waits:
            self._fill(cells, start, end, WAITING)
        if summary.last_end is not None and summary.last_label != FINISHED:
            # still waiting when recording stopped
            self._fill(cells, summary.last_end, timeline.end, WAITING)
        for due, woke in summary.late:
            self._fill(cells, due, woke, LATE)
        for start, end, blocking in summary.spans:
            self._fill(cells, start, end, BLOCKING if blocking else RUNNING)
        self._mark_boundaries(cells, summary)
        cancellation = timeline._cancellation(timeline._records[summary.index])
        if cancellation is not None and cancellation.step is not None:
            start, end, _ = summary.spans[cancellation.step]
            cells[self.column(start)] = CANCELLED
        return "".join(cells)

    def _mark_boundaries(self, cells: list[str], summary: _TaskSummary) -> None:
        """``###:###``: where a step starts as the last one ends, if both are wide enough to show it."""
        if not summary.boundaries:
            return
        widths = {start: self.column(end) - self.column(start) for start, end, _ in summary.spans}
        ends = {end: self.column(end) - self.column(start) for start, end, _ in summary.spans}
        for at in summary.boundaries:
            if widths.get(at, 0) >= 1 and ends.get(at, 0) >= 1:
                cells[self.column(at)] = BOUNDARY

    def loop_row(self, timeline: Timeline, summaries: list[_TaskSummary]) -> str:
        """Idle stretches, and every step or callback: the loop is busy whenever any task runs."""
        cells = [ABSENT] * self.width
        buffer = timeline._idle_buffer
        for o in range(0, len(buffer), 2):
            self._fill(cells, buffer[o], buffer[o + 1], IDLE)
        for s in summaries:
            for start, end, blocking in s.spans:
                self._fill(cells, start, end, BLOCKING if blocking else RUNNING)
        buffer = timeline._callback_buffer
        for o in range(0, len(buffer), 4):
            held = max(buffer[o + 1] - buffer[o], buffer[o + 2])
            self._fill(cells, buffer[o], buffer[o + 1], BLOCKING if held >= BLOCKING_THRESHOLD else RUNNING)
        return "".join(cells)

    def _fill(self, cells: list[str], start: float, end: float, char: str) -> None:
        strength = _STRENGTH[char]
        for c in range(self.column(start), self.column(end) + 1):
            if _STRENGTH[cells[c]] < strength:
                cells[c] = char


_STRENGTH = {ABSENT: 0, IDLE: 1, WAITING: 1, LATE: 1.5, JOB_QUEUED: 1, RUNNING: 2, JOB_RUNNING: 2, BLOCKING: 3}


class _TurnAxis:
    """Maps loop turns to chart columns: a few characters per turn, or several turns a column if many."""

    def __init__(self, summaries: list[_TaskSummary], width: int) -> None:
        self.turns = int(max((t for s in summaries for t in s.turns), default=1.0))
        self.cells = max(1, min(_TURN_CELLS, width // self.turns))
        self.width = min(width, self.turns * self.cells)

    def column(self, turn: float) -> int:
        if self.turns * self.cells <= self.width:
            return int(turn - 1) * self.cells
        return min(int((turn - 1) / self.turns * self.width), self.width - 1)

    def labels(self) -> str:
        """Turn numbers at their columns (1, then round numbers), ending with the unit."""
        line = [" "] * (self.width + 8)
        free_from = 0
        step = max(1, math.ceil(self.turns / max(self.width // 6, 1)))
        step = next(n for n in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 10**9) if n >= step)
        for turn in sorted({1, *range(step, self.turns + 1, step)}):
            text = str(turn)
            column = 1 + self.column(turn)
            if column < free_from or column + len(text) > len(line) - 2:
                continue
            line[column : column + len(text)] = text
            free_from = column + len(text) + 1
        return "".join(line).rstrip() + " turn"

    def row(self, summary: _TaskSummary, timeline: Timeline) -> str:
        cells = [ABSENT] * self.width
        if summary.turns:
            last = self.width if summary.last_label != FINISHED else self.column(summary.turns[-1]) + 1
            for c in range(self.column(summary.turns[0]), last):
                cells[c] = WAITING
        for turn, (_, _, blocking) in zip(summary.turns, summary.spans, strict=True):
            self._fill_step(cells, turn, blocking)
        cancellation = timeline._cancellation(timeline._records[summary.index])
        if cancellation is not None and cancellation.step is not None:
            cells[self.column(summary.turns[cancellation.step])] = CANCELLED
        return "".join(cells)

    def loop_row(self, timeline: Timeline, summaries: list[_TaskSummary]) -> str:
        """The turns in which any step ran."""
        cells = [ABSENT] * self.width
        for s in summaries:
            for turn, (_, _, blocking) in zip(s.turns, s.spans, strict=True):
                self._fill_step(cells, turn, blocking)
        return "".join(cells)

    def _fill_step(self, cells: list[str], turn: float, blocking: bool) -> None:
        """A step fills its turn but the last character, so steps in turns side by side stay apart."""
        column = self.column(turn)
        for c in range(column, column + max(self.cells - 1, 1)):
            if _STRENGTH[cells[c]] < _STRENGTH[RUNNING]:
                cells[c] = BLOCKING if blocking else RUNNING


def _tick_step(duration: float, width: int) -> tuple[float, int]:
    """A round tick spacing (1, 2, 2.5 or 5 times a power of ten) for 3 to 6 ticks, and its decimals."""
    target = duration / max(min(5, width // 12), 1)
    exponent = math.floor(math.log10(target))
    for mantissa in (1.0, 2.0, 2.5, 5.0, 10.0):
        if mantissa * 10.0**exponent >= target * 0.999:
            break
    if mantissa == 10.0:
        mantissa, exponent = 1.0, exponent + 1
    decimals = max(0, -exponent) + (1 if mantissa == 2.5 else 0)
    return mantissa * 10.0**exponent, decimals


# ---------------------------------------------------------------------- table
_HEADERS = (
    "task",
    "coroutine",
    "created",
    "started",
    "ended",
    "steps",
    "running",
    "waiting",
    "outcome",
    "awaited",
)


def _table(timeline: Timeline, shown: list[_TaskSummary]) -> list[str]:
    records = timeline._records
    steps_column = timeline.step_columns()["start"]
    late = any(s.late for s in shown)  # the "late by" column only when a sleep woke late
    headers = _HEADERS[:8] + (("late by",) if late else ()) + _HEADERS[8:]
    rows = []
    for s in shown:
        r = records[s.index]
        started = steps_column[s.first_step] if s.first_step is not None else None
        row = (
            _clip(timeline.display_name(r.index), _NAME_LIMIT),
            _clip(r.coroutine, _NAME_LIMIT),
            _time(r.created - timeline.start),
            "-" if started is None else _time(started - timeline.start),
            "-" if r.finished is None else _time(r.finished - timeline.start),
            str(s.steps),
            _duration(s.running),
            _duration(s.waiting),
        )
        if late:
            row += (_time(max(woke - due for due, woke in s.late)) if s.late else "-",)
        rows.append(row + (_clip(_outcome(r.outcome, r.detail), _OUTCOME_LIMIT),))
    widths = [max([len(h)] + [len(row[i]) for row in rows]) for i, h in enumerate(headers[:-1])]
    room = max(_LINE_LIMIT - sum(widths) - 2 * len(widths), _MIN_AWAITED)
    rows = [row + (_awaited(s.awaited, room),) for row, s in zip(rows, shown, strict=True)]
    widths.append(max([len(headers[-1])] + [len(row[-1]) for row in rows]))
    right = set(range(2, 9 if late else 8))  # numbers line up on the right

    def line(cells: tuple[str, ...]) -> str:
        parts = []
        for i, (cell, w) in enumerate(zip(cells, widths, strict=True)):
            cell = _clip(cell, w)
            parts.append(f"{cell:>{w}}" if i in right else f"{cell:<{w}}")
        return "  ".join(parts).rstrip()

    return [line(headers)] + [line(row) for row in rows]


def _outcome(outcome: str, detail: str) -> str:
    """``raised ValueError``: the exception's type is enough in a table; its message is in the record."""
    if outcome == "raised":
        name = re.match(r"[\w.]*", detail.strip()).group()
        return f"raised {name}" if name else "raised"
    return outcome


def _awaited(counts: Counter[str], width: int) -> str:
    """``sleep(1.0) x3, Queue.get``: each label once, in first-seen order, with a count when repeated.

    Items that do not fit in ``width`` are counted (``+2 more``) rather than cut in the middle.
    """
    items = [label if n == 1 else f"{label} x{n}" for label, n in counts.items()]
    if not items:
        return "-"
    for kept in range(len(items), 0, -1):
        text = ", ".join(items[:kept])
        if kept < len(items):
            text += f", +{len(items) - kept} more"
        if len(text) <= width:
            return text
    return _clip(items[0], width - len(f", +{len(items) - 1} more")) + (
        f", +{len(items) - 1} more" if len(items) > 1 else ""
    )


# ----------------------------------------------------------------- formatting
def _time(seconds: float) -> str:
    """Three decimals, never ``-0.000``: fixed precision hides float noise like 0.30000000000000004."""
    text = f"{seconds:.3f}"
    return "0.000" if text == "-0.000" else text


def _duration(seconds: float) -> str:
    """Like :func:`_time`, but a short non-zero duration says so instead of printing 0.000."""
    text = _time(seconds)
    return "<0.001" if text == "0.000" and seconds > 0 else text


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _plural(count: int, word: str) -> str:
    return word if count == 1 else word + "s"


# ------------------------------------------------------------ work off the loop
#: Chart characters of a job's row: waiting for a worker, then running off the loop.
_JOB_LEGEND = (
    f"jobs:   {JOB_RUNNING} running off the loop (thread or child process)   {JOB_QUEUED} waiting for a worker"
)
_JOB_HEADERS = ("job", "kind", "submitted", "started", "ended", "outcome", "awaited by")


def _job_name(job: JobRecord) -> str:
    """A job row's name: ``> sleep``; indented under the task that awaits it."""
    return "> " + _clip(job.target, _NAME_LIMIT - 2)


def _job_rows(
    timeline: Timeline, jobs: list[JobRecord], axis: _Axis, label_width: int, shown: set[int]
) -> dict[int | None, list[str]]:
    """Chart rows of the jobs, keyed by the task row they go under (``None``: after every task).

    Only what is the same on every run is drawn: the function or program and its times,
    not the thread that happened to run it or the child's pid (those are in ``timeline.jobs``).
    """
    rows: dict[int | None, list[str]] = {}
    for job in jobs:
        cells = [ABSENT] * axis.width
        end = timeline.end if job.ended is None else job.ended
        started = end if job.started is None else job.started
        if started > job.submitted:
            axis._fill(cells, job.submitted, started, JOB_QUEUED)
        if job.started is not None:
            axis._fill(cells, job.started, end, JOB_RUNNING)
        key = job.awaited_by if job.awaited_by in shown else None
        rows.setdefault(key, []).append(f"{_job_name(job):<{label_width}} |{''.join(cells)}|")
    return rows


def _job_table(timeline: Timeline, jobs: list[JobRecord]) -> list[str]:
    def at(value: float | None) -> str:
        return "-" if value is None else _time(value - timeline.start)

    rows = [
        (
            _clip(job.label, 2 * _NAME_LIMIT),
            job.kind,
            at(job.submitted),
            at(job.started),
            at(job.ended),
            _clip(_job_outcome(job), _OUTCOME_LIMIT),
            "-" if job.awaited_by is None else _clip(timeline.display_name(job.awaited_by), _NAME_LIMIT),
        )
        for job in jobs
    ]
    widths = [max([len(h)] + [len(row[i]) for row in rows]) for i, h in enumerate(_JOB_HEADERS)]
    right = {2, 3, 4}

    def line(cells: tuple[str, ...]) -> str:
        parts = [f"{c:>{w}}" if i in right else f"{c:<{w}}" for i, (c, w) in enumerate(zip(cells, widths, strict=True))]
        return "  ".join(parts).rstrip()

    return [line(_JOB_HEADERS)] + [line(row) for row in rows]


def _job_outcome(job: JobRecord) -> str:
    """``returned 3``, ``raised ValueError``, ``exited 0``, ``killed (signal 9)``, ``cancelled``."""
    if job.kind == "child" and job.returncode is not None:
        return f"exited {job.returncode}" if job.returncode >= 0 else f"killed (signal {-job.returncode})"
    if job.outcome == "returned":
        return f"returned {job.detail}"
    if job.outcome == "raised":
        return _outcome("raised", job.detail)
    return job.outcome
