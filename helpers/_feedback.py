"""Next to a failed check: the learner's run as a text chart, and what the check expected.

When a graded cell fails, its message says what happened; a picture of the run says it faster.
:func:`explain` builds that picture for an ``AssertionError`` raised in a cell:

1. **The learner's run** is the timeline the failure is about: the one a check was given (the
   innermost public function of :mod:`helpers.checks` in the traceback), or the one
   :func:`helpers.checks.run` attached to its failure, or else the ``timeline`` the cell itself
   recorded (only if the cell assigned it: never one left over from an earlier cell).
2. **What was expected** is said in the check's own terms, from the arguments it was called
   with; for the checks about overlap (``ran_concurrently``, ``ran_one_at_a_time``) it is also
   drawn: the learner's own tasks, with their own durations, laid out the way the check wanted
   (started together, or one after the other) on the same time axis.

A failure with no timeline (a plain ``assert`` on a value) gets nothing: the message is enough.
The course's kernel extension (:mod:`helpers._kernel`) shows it under the error while grading
(autograde, Validate); the message of the failure itself is never changed.

Example use::

    >>> print(explain(failure))  # doctest: +SKIP
    What your code did:
    ...
    What the check expected: at least 3 tasks in progress at the same time ...
"""

from __future__ import annotations

import os
import textwrap
import types
from typing import Any

from ._timeline import BLOCKING_THRESHOLD, Timeline

__all__ = ["explain"]

_CHECKS_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "checks.py")
_WIDTH = 60


def _check_frame(tb: types.TracebackType | None) -> tuple[str, dict[str, Any]] | None:
    """The innermost frame of a public check (``helpers.checks``) in the traceback: its name and locals.

    Innermost, because checks call checks: ``run`` fails in ``no_leftovers``.
    """
    from . import checks

    found = None
    while tb is not None:
        code = tb.tb_frame.f_code
        if os.path.abspath(code.co_filename) == _CHECKS_FILE and code.co_name in checks.__all__:
            found = code.co_name, dict(tb.tb_frame.f_locals)
        tb = tb.tb_next
    return found


def _sketch(rows: list[tuple[str, float, float]], duration: float) -> list[str]:
    """Bars ``#---#`` on a time axis from 0 to ``duration``, one row per (name, start, end)."""
    width = _WIDTH
    name_width = max([len(name) for name, _, _ in rows] + [4])
    scale = width / duration if duration > 0 else 0

    def col(t: float) -> int:
        return min(width - 1, max(0, round(t * scale)))

    right = f"{duration:g} s"
    lines = [" " * (name_width + 2) + "0" + right.rjust(width - 1)]
    for name, start, end in rows:
        cells = [" "] * width
        a, b = col(start), col(end)
        for i in range(a, b + 1):
            cells[i] = "-"
        cells[a] = cells[b] = "#"
        lines.append(f"{name:<{name_width}} |{''.join(cells)}|")
    return lines


def _lifetimes(timeline: Timeline, names: Any) -> list[tuple[str, float]]:
    """(name, seconds from start to end) of the tasks a check looked at."""
    if names is not None and not callable(names):
        views = [timeline.task(name) for name in names if name in timeline.task_names]
    else:
        views = timeline._select(names if callable(names) else None)
    return [(v.name, v.lifetime[1] - v.lifetime[0]) for v in views if v.lifetime is not None]


def _expected(check: str, args: dict[str, Any], timeline: Timeline) -> list[str]:
    """What the check wanted, in words and, for overlap, drawn with the learner's own tasks."""
    if check == "ran_concurrently":
        at_least = args.get("at_least", 2)
        tasks = _lifetimes(timeline, args.get("tasks"))
        if len(tasks) < at_least:
            started = f"{len(tasks)} task{'' if len(tasks) == 1 else 's'}" if tasks else "no task"
            return [
                f"What the check expected: at least {at_least} tasks in progress at the same time, besides the "
                f"main one. Your code started {started} besides the main one: each piece of work that should "
                "overlap needs a task of its own."
            ]
        lines = [
            f"What the check expected: at least {at_least} tasks in progress at the same time. "
            "Your tasks, with the durations they had, started together:"
        ]
        if tasks:
            longest = max(seconds for _, seconds in tasks)
            lines += _sketch([(name, 0.0, seconds) for name, seconds in tasks], max(timeline.duration, longest))
        return lines
    if check == "ran_one_at_a_time":
        tasks = _lifetimes(timeline, args.get("tasks"))
        lines = ["What the check expected: the tasks one at a time, each starting after the one before it ended:"]
        rows, at = [], 0.0
        for name, seconds in tasks:
            rows.append((name, at, at + seconds))
            at += seconds
        if rows:
            lines += _sketch(rows, max(timeline.duration, at))
        return lines
    if check == "took_about":
        seconds, tolerance = args.get("seconds"), args.get("tolerance", 0.01)
        return [
            f"What the check expected: the whole run takes about {seconds:g} s (give or take {tolerance:g}); "
            f"yours took {timeline.duration:g} s."
        ]
    if check == "never_blocked":
        limit = args.get("longer_than", BLOCKING_THRESHOLD)
        return [f"What the check expected: no step holds the loop for {limit:g} s or more (marked ! in the chart)."]
    if check == "finished_in_order":
        names = list(args.get("wanted") or [])
        return [f"What the check expected: the tasks finish in the order {', '.join(names)}."]
    if check == "awaited":
        return [f"What the check expected: task {args.get('task')!r} awaits {args.get('what')}..."]
    if check in ("reraised_cancellation", "cancelled_and_cleaned_up"):
        return [
            f"What the check expected: task {args.get('task')!r} is cancelled"
            + (", runs its cleanup" if check == "cancelled_and_cleaned_up" else "")
            + " and ends cancelled (the CancelledError propagates)."
        ]
    if check == "no_leftovers":
        return [
            "What the check expected: nothing left running when the program returns (no tasks, callbacks, "
            "thread jobs or child processes)."
        ]
    return []


#: Above this many steps the feedback says how many there were instead of drawing them (a busy loop
#: stopped at its wall limit records hundreds of thousands, and the chart must not cost the cell its time).
MAX_STEPS_DRAWN = 20_000


def explain(
    exc: BaseException, *, tb: types.TracebackType | None = None, cell_timeline: Timeline | None = None
) -> str | None:
    """The learner's run as a text chart and what the failed check expected, or None if there is no run to show.

    Args:
        exc: the exception a cell raised (only an ``AssertionError`` gets an explanation).
        tb: its traceback, if not ``exc.__traceback__``.
        cell_timeline: a timeline the failing cell itself recorded, used when neither the
            check nor the failure carries one.
    """
    if not isinstance(exc, AssertionError):
        return None
    found = _check_frame(tb or exc.__traceback__)
    check, args = found if found else ("", {})
    timeline = args.get("timeline") if isinstance(args.get("timeline"), Timeline) else None
    timeline = timeline or getattr(exc, "timeline", None) or cell_timeline
    if not isinstance(timeline, Timeline):
        return None
    if timeline.step_count > MAX_STEPS_DRAWN:  # drawing them would take seconds of the cell's time limit
        chart = f"{timeline.step_count:,} steps: too many to draw here; the message above says what they were."
    else:
        chart = timeline.text(width=_WIDTH).split("\n\n")[0]  # the chart and its legend, not the table
    lines = ["What your code did:", chart]
    expected = _expected(check, args, timeline) if check else []
    if expected:
        lines += ["", textwrap.fill(expected[0], 100, subsequent_indent="  "), *expected[1:]]
    return "\n".join(lines)
