"""Checks for graded exercises: each one passes silently or explains what happened and where to look.

Every check takes a :class:`~helpers.Timeline` (from :func:`run` or :func:`helpers.trace`)
and raises :class:`CheckFailed` — an ``AssertionError`` — with a message for the
learner: what was expected, what the timeline shows, and what to look at.
:func:`run` also fails when the program returns but leaves work running
(see :func:`no_leftovers`), unless told ``leftovers="allow"``.

Example use in an autograder test cell::

    from helpers import checks

    timeline = checks.run(fetch_all([1, 2, 3]), start=1000.0)
    checks.ran_concurrently(timeline, at_least=3)
    checks.took_about(timeline, 3.0)
    checks.never_blocked(timeline)
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import warnings
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from ._errors import DeadlockError, TimeLimitError, WallTimeLimitError
from ._run import trace
from ._timeline import BLOCKING_THRESHOLD, FINISHED, Leftover, TaskView, Timeline

__all__ = [
    "CheckFailed",
    "run",
    "no_leftovers",
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
#: Real seconds a graded program may keep the loop busy before it is stopped: 5, or what the grader's
#: kernels are given in ``ASYNCIO_COURSE_WALL_LIMIT`` (``helpers.grading.execute``: 3 s, so that a student
#: who blocks the loop costs seconds; a course program runs on virtual time in milliseconds).
RUN_WALL_LIMIT = float(os.environ.get("ASYNCIO_COURSE_WALL_LIMIT") or 5.0)

_LOOK = "Print the timeline (print(timeline)) or plot it (timeline.plot()) to see what ran when."


class CheckFailed(AssertionError):
    """A check on a timeline failed. The message says what happened and what to look at.

    Attributes:
        timeline: the timeline of the program, when :func:`run` recorded one (else ``None``).
    """

    timeline: Timeline | None = None


class _TimedOut(CheckFailed, TimeoutError):
    """The program ended with ``TimeoutError``: still a ``TimeoutError`` to code that catches one."""


class _NoResultYet(CheckFailed, asyncio.InvalidStateError):
    """The program ended with ``InvalidStateError``: still one to code that catches it."""


def _fmt(seconds: float) -> str:
    return f"{seconds:.3f}"


def _lives(views: list[TaskView], origin: float, limit: int = 6, *, waits: bool = False) -> str:
    lines = []
    for view in views[:limit]:
        life = view.lifetime
        when = "never ran" if life is None else f"{_fmt(life[0] - origin)} to {_fmt(life[1] - origin)} s"
        if waits and life is not None:
            awaited = ", ".join(dict.fromkeys(view.awaited)) or "nothing"
            when += f", waiting on {awaited}"
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
    leftovers: str = "fail",
) -> Timeline:
    """Run a learner's coroutine on virtual time for a graded check, always in bounded time.

    Like :func:`helpers.trace`, but a program that deadlocks, never ends, or keeps
    the loop busy is reported as a failed check with an explanation, instead of
    hanging the grader; so is one that returns while work it started is still
    running (:func:`no_leftovers`). Exceptions the program raises itself propagate
    unchanged (``NotImplementedError`` from an unfinished exercise among them), except
    two whose own message says too little: ``TimeoutError`` and ``InvalidStateError``
    come as a :class:`CheckFailed` that says what happened and is still an instance of
    the original type (``except TimeoutError`` catches it), the original as its cause.

    Args:
        coro: the coroutine to run, e.g. ``main()``.
        until: virtual seconds before the program counts as endless.
        wall_limit: real seconds before a program that keeps the loop busy is stopped.
        start: what ``loop.time()`` reads when the program starts (see :func:`helpers.trace`).
            Hidden tests run at a start other than 0 so that a delay passed where a
            deadline belongs (``timeout_at(5)`` for ``timeout(5)``) shows; every time the
            timeline and the checks report still counts from the start.
        leftovers: ``"fail"`` (the default) to fail when the program returns with tasks,
            callbacks, thread jobs or child processes still running; ``"allow"`` where
            leaving work running is the lesson (``timeline.leftovers`` still lists it).

    Example use::

        timeline = checks.run(fetch_all([1, 2, 3]), start=1000.0)
        timeline = checks.run(fire_and_forget(), leftovers="allow")
        assert [l.name for l in timeline.leftovers] == ["logger"]
    """
    if leftovers not in ("fail", "allow"):
        if hasattr(coro, "close"):
            coro.close()  # it never runs: close it, so Python does not warn that it was never awaited
        raise ValueError(f"leftovers must be 'fail' or 'allow', not {leftovers!r}")
    if not hasattr(coro, "send"):
        what = "None" if coro is None else type(coro).__name__
        raise CheckFailed(
            f"Expected a coroutine to run, but got {what}. Is the function defined with "
            "`async def`, and did you call it (with parentheses) without awaiting it here?"
        )
    _drop_earlier_garbage()
    try:
        timeline = trace(coro, until=until, wall_limit=wall_limit, start=start)
    except DeadlockError as exc:
        raise _failed(
            f"Your code got stuck at t={_fmt(exc.at)} s: every task was waiting and nothing could ever wake one up.\n"
            + "\n".join(f"  - {line}" for line in exc.waiting)
            + "\nEach line says what that task was waiting on when nothing was left that could complete it.",
            exc,
        ) from None
    except TimeLimitError as exc:
        raise _failed(_endless(exc, until), exc) from None
    except WallTimeLimitError as exc:
        raise _failed(_busy(exc), exc) from None
    except TimeoutError as exc:
        raise _failed(_timed_out(exc), exc, _TimedOut) from exc
    except asyncio.InvalidStateError as exc:
        raise _failed(_no_result(exc), exc, _NoResultYet) from exc
    if leftovers == "fail":
        no_leftovers(timeline)
    return timeline


def _drop_earlier_garbage() -> None:
    """Collect, without a word, what earlier cells left to the garbage collector.

    A coroutine that a failed cell made and never awaited often sits in a reference cycle (its
    traceback's frames); whenever the collector frees it, Python prints "coroutine ... was never
    awaited" to stderr (and asyncio logs "Task was destroyed but it is pending!" for a task of a run
    that was stopped), and nbgrader fails the graded cell that happens to be running then.
    Collecting first keeps one slip from costing a later, unrelated check.
    """
    asyncio_log = logging.getLogger("asyncio")  # "Task was destroyed but it is pending!" from a stopped run
    was_disabled, asyncio_log.disabled = asyncio_log.disabled, True
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            gc.collect()
    finally:
        asyncio_log.disabled = was_disabled


def _failed(message: str, exc: BaseException, kind: type[CheckFailed] = CheckFailed) -> CheckFailed:
    failure = kind(message)
    failure.timeline = getattr(exc, "timeline", None)
    return failure


def _root_end(timeline: Timeline | None) -> str:
    """``"At t=1.000 s, "``: when the traced coroutine's task ended, or ``""`` if unknown."""
    if timeline is None or timeline.root is None:
        return ""
    finished = timeline.records[timeline.root].finished
    return "" if finished is None else f"At t={_fmt(finished - timeline.start)} s, "


def _capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]


def _endless(exc: TimeLimitError, until: float) -> str:
    timeline = exc.timeline
    held = timeline.blocking(until / 10) if timeline is not None else []
    if held:
        step = max(held, key=lambda s: s.held_loop)
        return (
            f"Task {step.task!r} blocked the event loop: one of its steps took {step.held_loop:g} s without "
            "awaiting, so no other task could run and the program was stopped at the end of time. A "
            "time.sleep() inside a coroutine does that: use `await asyncio.sleep(...)` instead."
        )
    waiting = []
    for name in exc.running[:6]:
        label = _last_wait(timeline, name) if timeline is not None else None
        waiting.append(f"    {name}" + (f": waiting on {label}" if label else ""))
    if len(exc.running) > 6:
        waiting.append(f"    ... and {len(exc.running) - 6} more")
    return (
        f"Your code was still running after {exc.until:g} s of (virtual) time, so it was stopped. "
        "Unfinished tasks" + (":\n" + "\n".join(waiting) if waiting else ": none") + "\n"
        "A loop that never ends (`while True:` around an await) does that; if the program should stop, "
        "give the loop an end, or cancel the task that runs it."
    )


def _last_wait(timeline: Timeline, name: str) -> str | None:
    """What the task ``name`` waited on last before the run was stopped (its cancellation is the step after)."""
    try:
        labels = timeline.task(name).awaited
    except KeyError:
        return None
    return labels[-1] if labels else None


def _busy(exc: WallTimeLimitError) -> str:
    timeline = exc.timeline
    seconds = f"{exc.seconds:g} s of real time"
    if timeline is None or not timeline.step_count:
        return f"Your code kept the event loop busy for {seconds}, so it was stopped."
    longest = max(timeline.iter_steps(), key=lambda step: step.held_loop)
    if longest.held_loop >= exc.seconds / 2:
        return (
            f"Task {longest.task!r} kept the event loop busy for {seconds} in one step, starting at "
            f"t={_fmt(longest.start - timeline.start)} s, without ever awaiting, so it was stopped. A `while True:` "
            "loop with no `await` inside, or a blocking call in a coroutine, does that."
        )
    cols = timeline.step_columns()
    now = cols["start"][-1]
    steps: Counter[str] = Counter()
    waits: dict[str, Counter[str]] = {}
    for start, task, label in zip(cols["start"], cols["task"], cols["label"]):
        if start < now:
            continue
        name = timeline.records[int(task)].name
        steps[name] += 1
        if label != FINISHED:
            waits.setdefault(name, Counter())[timeline.labels[int(label)]] += 1
    busiest = []
    for name, count in steps.most_common(4):
        labels = ", ".join(f"{label} x{n}" for label, n in waits.get(name, Counter()).most_common(3))
        busiest.append(f"    {name}: {count} steps" + (f", waiting on {labels}" if labels else ""))
    at = f"at t={_fmt(now - timeline.start)} s"
    if exc.waiting:
        return (
            f"Your code was stopped after {seconds} {at}, while the event loop was waiting: for work outside "
            "it (a thread or a child process), for I/O, or for a timer on the real clock. On virtual time the "
            "loop waits for real work in real time, without moving the clock. What the tasks waited on:\n"
            + "\n".join(busiest)
        )
    clock = (
        "the loop never went idle, so virtual time could not move"
        if timeline.clock == "virtual"
        else "the loop never went idle"
    )
    hint = ""
    if any("sleep(0)" in counter for counter in waits.values()):
        hint = (
            "\nA loop that awaits asyncio.sleep(0) until loop.time() or a flag changes is busy-waiting: it "
            "never waits for anything, so on virtual time the clock never reaches its deadline. Wait for the "
            "thing itself: `await asyncio.sleep(delay)`, an Event, a Queue, or asyncio.timeout()."
        )
    return (
        f"Your code kept the event loop busy {at} for {seconds}, so it was "
        f"stopped: tasks kept taking turns without waiting for anything that takes time, and {clock}. "
        "In that time:\n"
        + "\n".join(busiest)
        + hint
    )


def _timed_out(exc: TimeoutError) -> str:
    when = _root_end(getattr(exc, "timeline", None))
    if isinstance(exc.__cause__, asyncio.CancelledError):
        return _capitalized(
            f"{when}your code ended with TimeoutError: an asyncio.timeout() or wait_for() ran out, and nothing "
            "caught the TimeoutError it raised (its traceback shows which one). If the work should have "
            "finished in time, look at what it waited on (print(timeline)); if running out of time is expected, "
            "catch it: `except TimeoutError:`."
        )
    detail = f": {exc}" if str(exc) else ""
    return _capitalized(
        f"{when}your code ended with TimeoutError{detail}. It was not raised by an asyncio.timeout() or "
        "wait_for() running out; its traceback shows where it came from."
    )


def _no_result(exc: asyncio.InvalidStateError) -> str:
    when = _root_end(getattr(exc, "timeline", None))
    message = str(exc)
    if message.startswith(("Result is not set", "Exception is not set")):
        return _capitalized(
            f"{when}your code asked a task or future for its result before it had one "
            f"(InvalidStateError: {message}): .result() and .exception() do not wait. Await the task or "
            "future first (`await task`, or asyncio.gather), then read its result."
        )
    return _capitalized(
        f"{when}your code ended with InvalidStateError ({message}): it set the result or exception of a "
        "future that was already done (finished or cancelled). Check future.done() before setting it."
    )


def _leftover_line(leftover: Leftover, origin: float) -> str:
    kind, name, waits_on = leftover.kind, leftover.name, leftover.waits_on
    if kind == "task":
        if leftover.cancelling:
            state = "cancelled, but not finished" + ("" if waits_on == "not started" else f": waiting on {waits_on}")
        elif waits_on == "not started":
            state = "created, never started"
        elif waits_on == "sleep(0)":
            state = "ready to run its next step"
        else:
            state = f"waiting on {waits_on}"
        runs = f" ({leftover.coroutine})" if leftover.coroutine else ""
        return f"task {name!r}{runs}: {state}"
    if kind == "callback":
        if leftover.due is not None:
            return f"callback {name}: a timer due at t={_fmt(leftover.due - origin)} s"
        return f"callback {name}: scheduled with call_soon, not run yet"
    if kind == "job":
        return f"job {name} handed to an executor: still {waits_on}"
    if kind == "thread":
        return f"thread {name!r}: still running"
    return f"child process {name!r} ({waits_on}): still running, or ended without the program waiting for it"


def no_leftovers(timeline: Timeline) -> None:
    """Check that the program left nothing running when it returned.

    Leftovers are tasks not finished, callbacks not run yet, thread jobs and child
    processes still going when the traced coroutine returned (``timeline.leftovers``).
    ``asyncio.run`` cancels such tasks, so their work is lost; threads and children
    run on without the program. :func:`run` calls this unless ``leftovers="allow"``.
    """
    found = timeline.leftovers
    if not found:
        return
    lines = [f"  - {_leftover_line(leftover, timeline.start)}" for leftover in found[:8]]
    if len(found) > 8:
        lines.append(f"  - ... and {len(found) - 8} more")
    if timeline.root is None:  # a tracing() block: no coroutine of its own returned
        head = "When the traced block ended, it left work running that it never waited for:\n"
    else:
        head = _capitalized(f"{_root_end(timeline)}your code returned, but left work running that it never waited for:")
        head += "\n"
    failure = CheckFailed(
        head
        + "\n".join(lines)
        + "\nWhen a program returns, asyncio.run cancels the tasks still running (their work is lost) and drops "
        "callbacks not run yet; threads and child processes go on without it. Wait for everything you start "
        "(await it, gather it, or use a TaskGroup), or cancel it and then await it, before returning."
    )
    failure.timeline = timeline
    raise failure


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
            "Only tasks run at the same time: start each one with asyncio.create_task(), asyncio.gather() "
            "or a TaskGroup (awaiting a coroutine directly runs it inside the task that awaits it)."
        )
    most = timeline.max_concurrency(tasks)
    if most < at_least:
        pattern = "one after another" if most <= 1 else f"at most {most} at a time"
        expected = f"Expected at least {at_least} tasks in progress at the same time, but they ran {pattern}"
        ran = [v for v in views if v.lifetime is not None]
        if ran and not any(v.waits for v in ran):
            raise CheckFailed(
                f"{expected}, and none of them ever waited: each ran from start to end in one step.\n"
                f"{_lives(views, timeline.start)}\n"
                "Tasks overlap only while they wait on something that takes time (asyncio.sleep, I/O, a thread); "
                "a step that never awaits runs to the end before any other task can start. " + _LOOK
            )
        if _each_created_after_the_last_ended(views):
            raise CheckFailed(
                f"{expected}: each one was created only after the one before it had finished.\n"
                f"{_lives(views, timeline.start)}\n"
                "Start them all first (create_task, gather, TaskGroup), then wait for them together. " + _LOOK
            )
        raise CheckFailed(f"{expected}:\n{_lives(views, timeline.start, waits=True)}\n" + _LOOK)


def _each_created_after_the_last_ended(views: list[TaskView]) -> bool:
    by_creation = sorted(views, key=lambda v: v.created)
    return all(
        earlier.finished is not None and later.created >= earlier.finished
        for earlier, later in zip(by_creation, by_creation[1:])
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
        hint = "That is longer than expected."
    else:
        hint = "That is shorter than expected: some waiting that was expected did not happen."
    views = timeline._select(None)
    ran = f" What ran when:\n{_lives(views, timeline.start, waits=True)}\n" if views else " "
    raise CheckFailed(
        f"The program took {_fmt(took)} s of {timeline.clock} time; expected about {_fmt(seconds)} s "
        f"(give or take {tolerance:g}). {hint}{ran}{_LOOK}"
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
        ends = []
        for name in actual:
            finished = timeline.task(name).finished
            ends.append(f"{name} at t={_fmt(finished - timeline.start)} s" if finished is not None else name)
        unfinished = [name for name in wanted if name not in actual]
        still = f"; not finished: {unfinished}" if unfinished else ""
        raise CheckFailed(
            f"Expected the tasks to finish in the order {wanted}, but they finished as {actual} "
            f"({', '.join(ends)}){still}."
        )


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
    awaited = view.awaited
    waiting = f" (it was waiting on {awaited[-1]})" if awaited else ""
    raise CheckFailed(
        f"Task {task!r} was cancelled at t={at} s but had not finished when the program ended{waiting}: it "
        "caught the CancelledError and went on, or its cleanup was still running. Let the CancelledError "
        "propagate once the cleanup is done, and wait for the cancelled task to finish."
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
