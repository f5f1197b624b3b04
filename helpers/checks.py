"""Checks for graded exercises: each one passes silently or explains what happened and where to look.

Every check takes a :class:`~helpers.Timeline` (from :func:`run` or :func:`helpers.trace`)
and raises :class:`CheckFailed` — an ``AssertionError`` — with a message for the
learner: what was expected, what the timeline shows, and what usually causes it.

Example use in an autograder test cell::

    from helpers import checks

    timeline = checks.run(fetch_all([1, 2, 3]))
    checks.ran_concurrently(timeline, at_least=3)
    checks.took_about(timeline, 3.0)
    checks.never_blocked(timeline)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ._errors import DeadlockError, TimeLimitError, WallTimeLimitError
from ._run import trace
from ._timeline import BLOCKING_THRESHOLD, TaskView, Timeline

__all__ = [
    "CheckFailed",
    "run",
    "ran_concurrently",
    "ran_one_at_a_time",
    "took_about",
    "never_blocked",
    "awaited",
    "finished_in_order",
    "cancelled_and_cleaned_up",
    "reraised_cancellation",
]

#: Virtual seconds a graded program may run before it counts as endless.
RUN_UNTIL = 3600.0
#: Real seconds a graded program may keep the loop busy before it is stopped.
RUN_WALL_LIMIT = 5.0

_LOOK = "Print the timeline (print(timeline)) or plot it (timeline.plot()) to see what ran when."


class CheckFailed(AssertionError):
    """A check on a timeline failed. The message says what happened and what to look at."""


def _fmt(seconds: float) -> str:
    return f"{seconds:.3f}"


def _lives(views: list[TaskView], origin: float, limit: int = 6) -> str:
    lines = []
    for view in views[:limit]:
        life = view.lifetime
        when = "never ran" if life is None else f"{_fmt(life[0] - origin)} to {_fmt(life[1] - origin)} s"
        lines.append(f"    {view.name}: {when}")
    if len(views) > limit:
        lines.append(f"    ... and {len(views) - limit} more")
    return "\n".join(lines)


def _task(timeline: Timeline, task: str) -> TaskView:
    try:
        return timeline.task(task)
    except KeyError:
        raise CheckFailed(
            f"No task called {task!r} ran. Tasks that ran: {timeline.task_names}. "
            "Did you name it (asyncio.create_task(coro, name=...)) and start it?"
        ) from None


def run(
    coro: Any,
    *,
    until: float = RUN_UNTIL,
    wall_limit: float = RUN_WALL_LIMIT,
    start: float = 0.0,
) -> Timeline:
    """Run a learner's coroutine on virtual time for a graded check, always in bounded time.

    Like :func:`helpers.trace`, but a program that deadlocks, never ends, or keeps
    the loop busy is reported as a failed check with an explanation, instead of
    hanging the grader. Exceptions the program raises itself propagate unchanged
    (``NotImplementedError`` from an unfinished exercise among them).

    Args:
        coro: the coroutine to run, e.g. ``main()``.
        until: virtual seconds before the program counts as endless.
        wall_limit: real seconds before a program that never awaits is stopped.
        start: what ``loop.time()`` reads when the program starts (see :func:`helpers.trace`).
            Hidden tests run at a start other than 0 so that a delay passed where a
            deadline belongs (``timeout_at(5)`` for ``timeout(5)``) shows; every time the
            timeline and the checks report still counts from the start.
    """
    if not hasattr(coro, "send"):
        what = "None" if coro is None else type(coro).__name__
        raise CheckFailed(
            f"Expected a coroutine to run, but got {what}. Is the function defined with "
            "`async def`, and did you call it (with parentheses) without awaiting it here?"
        )
    try:
        return trace(coro, until=until, wall_limit=wall_limit, start=start)
    except DeadlockError as exc:
        raise CheckFailed(
            "Your code got stuck: every task was waiting and nothing could ever wake one up.\n"
            + "\n".join(f"  - {line}" for line in exc.waiting)
            + "\nLook for a get() with no matching put(), an Event that is never set, or a "
            "task awaiting itself."
        ) from None
    except TimeLimitError as exc:
        timeline = getattr(exc, "timeline", None)
        held = timeline.blocking(until / 10) if timeline is not None else []
        if held:
            step = max(held, key=lambda s: s.held_loop)
            raise CheckFailed(
                f"Task {step.task!r} blocked the event loop: one of its steps took {step.held_loop:g} s without "
                "awaiting, so no other task could run and the program was stopped at the end of time. A "
                "time.sleep() inside a coroutine does that: use `await asyncio.sleep(...)` instead."
            ) from None
        raise CheckFailed(
            f"Your code was still running after {exc.until:g} s of (virtual) time, so it was stopped. "
            f"Unfinished tasks: {', '.join(exc.running) or 'none'}. Is there a loop that never ends, "
            "or a task nobody cancels?"
        ) from None
    except WallTimeLimitError as exc:
        raise CheckFailed(
            f"Your code kept the event loop busy for {exc.seconds:g} s of real time without ever "
            "awaiting, so it was stopped. A `while True:` loop with no `await` inside, or a blocking "
            "call in a coroutine, does that."
        ) from None


def _selected(timeline: Timeline, tasks: Iterable[str] | Callable[[TaskView], bool] | None) -> list[TaskView]:
    if tasks is not None and not callable(tasks):
        return [_task(timeline, name) for name in tasks]
    return timeline._select(tasks)


def ran_concurrently(
    timeline: Timeline,
    tasks: Iterable[str] | Callable[[TaskView], bool] | None = None,
    *,
    at_least: int = 2,
) -> None:
    """Check that at least ``at_least`` of the tasks were in progress at the same moment.

    Args:
        tasks: task names, or a predicate; by default every task except the main one.
        at_least: how many must overlap.
    """
    if tasks is not None and not callable(tasks):
        tasks = list(tasks)
        for name in tasks:
            _task(timeline, name)
    views = _selected(timeline, tasks)
    if len(views) < at_least:
        raise CheckFailed(
            f"Expected at least {at_least} tasks running at the same time, but only {len(views)} "
            f"task(s) were started besides the main one: {[v.name for v in views]}. "
            "Awaiting a coroutine directly does not make a task: use asyncio.create_task(), "
            "asyncio.gather() or a TaskGroup."
        )
    most = timeline.max_concurrency(tasks)
    if most < at_least:
        pattern = "one after another" if most <= 1 else f"at most {most} at a time"
        raise CheckFailed(
            f"Expected at least {at_least} tasks in progress at the same time, but they ran {pattern}:\n"
            f"{_lives(views, timeline.start)}\n"
            "Did you await each one before starting the next? Start them all first "
            "(create_task, gather, TaskGroup), then wait for them together. " + _LOOK
        )


def ran_one_at_a_time(timeline: Timeline, tasks: Iterable[str] | Callable[[TaskView], bool] | None = None) -> None:
    """Check that the tasks never overlapped (for exercises that ask for a sequence or a limit of one)."""
    most = timeline.max_concurrency(tasks)
    if most > 1:
        raise CheckFailed(
            f"Expected the tasks to run one at a time, but {most} were in progress at once:\n"
            f"{_lives(_selected(timeline, tasks), timeline.start)}\n" + _LOOK
        )


def took_about(timeline: Timeline, seconds: float, *, tolerance: float = 0.01) -> None:
    """Check that the whole program took ``seconds`` (of virtual time, usually), within ``tolerance``."""
    took = timeline.duration
    if abs(took - seconds) <= tolerance:
        return
    if took > seconds:
        hint = (
            "That is longer than expected: things that could overlap probably ran one after "
            "another, or something waited longer than it needed to."
        )
    else:
        hint = "That is shorter than expected: did some work not run, or not get awaited?"
    raise CheckFailed(
        f"The program took {_fmt(took)} s of {timeline.clock} time; expected about {_fmt(seconds)} s "
        f"(give or take {tolerance:g}). {hint} {_LOOK}"
    )


def never_blocked(timeline: Timeline, *, longer_than: float = BLOCKING_THRESHOLD) -> None:
    """Check that no task step held the event loop for ``longer_than`` seconds or more."""
    found = timeline.blocking(longer_than)
    if not found:
        return
    worst = max(found, key=lambda s: s.held_loop)
    others = f" ({len(found) - 1} other step(s) too)" if len(found) > 1 else ""
    raise CheckFailed(
        f"Task {worst.task!r} held the event loop for {_fmt(worst.held_loop)} s in one step, starting at "
        f"t={_fmt(worst.start - timeline.start)} s{others}: no other task could run meanwhile. A blocking "
        "call inside a coroutine does that — time.sleep(), a long CPU loop, blocking I/O. Use "
        "`await asyncio.sleep(...)`, move the blocking call to a thread with "
        "`await asyncio.to_thread(...)`, or add `await asyncio.sleep(0)` inside a long loop."
    )


def awaited(timeline: Timeline, task: str, what: str) -> None:
    """Check that ``task`` waited at least once on something whose label starts with ``what``.

    Labels look like ``sleep(1)``, ``Queue.get``, ``to_thread(fetch)``, ``task 'worker-1'``.
    """
    view = _task(timeline, task)
    labels = view.awaited
    if any(label.startswith(what) for label in labels):
        return
    seen = ", ".join(dict.fromkeys(labels)) or "nothing (it never waited)"
    raise CheckFailed(f"Expected task {task!r} to await {what}..., but it awaited: {seen}.")


def finished_in_order(timeline: Timeline, names: Iterable[str]) -> None:
    """Check that the named tasks finished in this order (other tasks are ignored)."""
    wanted = list(names)
    for name in wanted:
        _task(timeline, name)
    actual = [n for n in timeline.order("finished") if n in wanted]
    if actual != wanted:
        raise CheckFailed(f"Expected the tasks to finish in the order {wanted}, but they finished as {actual}.")


def _cancelled_task(timeline: Timeline, task: str) -> TaskView:
    view = _task(timeline, task)
    if view.cancel_requested is None:
        if view.finished is None:
            ended = "is still waiting"
        else:
            ended = f"ended ({view.outcome}) at t={_fmt(view.finished - timeline.start)} s"
        raise CheckFailed(
            f"Task {task!r} was never cancelled: it {ended}. The exercise expects it to be cancelled "
            "(task.cancel(), a timeout, or a TaskGroup that fails)."
        )
    return view


def reraised_cancellation(timeline: Timeline, task: str) -> None:
    """Check that ``task``, once cancelled, ended cancelled: it let ``CancelledError`` propagate.

    Swallowing ``CancelledError`` (catching it and carrying on, or returning) breaks
    ``asyncio.timeout()``, ``wait_for`` and ``TaskGroup``, which rely on it.
    """
    view = _cancelled_task(timeline, task)
    at = _fmt(view.cancel_requested - timeline.start)
    if view.outcome == "cancelled":
        return
    if view.outcome == "returned":
        raise CheckFailed(
            f"Task {task!r} was cancelled at t={at} s but then returned normally ({view.detail}): it "
            "swallowed the CancelledError. Catch it only to clean up, then `raise` it again — or use "
            "try/finally, which never swallows it."
        )
    if view.outcome == "raised":
        raise CheckFailed(
            f"Task {task!r} was cancelled at t={at} s but ended with {view.detail} instead of "
            "CancelledError: its cleanup raised, or it replaced the CancelledError with another exception."
        )
    raise CheckFailed(
        f"Task {task!r} was cancelled at t={at} s but was still running when the program ended: it "
        "caught the CancelledError and kept going. Re-raise it after cleaning up."
    )


def cancelled_and_cleaned_up(timeline: Timeline, task: str, cleanup: Callable[[], bool] | None = None) -> None:
    """Check that ``task`` was cancelled, ran its cleanup, and still ended cancelled.

    Args:
        task: the task's name.
        cleanup: optional test of the cleanup's effect (``lambda: connection.closed``);
            it must return True.
    """
    reraised_cancellation(timeline, task)
    view = timeline.task(task)
    if cleanup is not None and not cleanup():
        raise CheckFailed(
            f"Task {task!r} was cancelled, but its cleanup did not happen. Put the cleanup in a "
            "`finally:` block (or `except asyncio.CancelledError:` followed by `raise`) so it runs "
            "when the task is cancelled."
        )
    if view.finished is not None and view.finished < view.cancel_requested:
        raise CheckFailed(f"Task {task!r} finished before it was cancelled.")
