"""A timeline in Chrome's trace-event format, to open in Perfetto (ui.perfetto.dev) or chrome://tracing."""

from __future__ import annotations

import gc
import itertools
import json
import os
from collections.abc import Iterable, Iterator
from typing import Any

from ._timeline import CALLBACK_WIDTH, FINISHED, IDLE_WIDTH, STEP_WIDTH, Timeline

__all__ = [
    "to_chrome_trace",
    "write_chrome_trace",
    "trace_events",
    "BLOCKING_THRESHOLD",
    "PID",
    "LOOP_TID",
    "JOBS_PID",
]

#: A step that held the loop this long (loop or wall seconds) is named "blocking step".
BLOCKING_THRESHOLD = 0.05
#: The one process in the trace: the event loop's.
PID = 1
#: The thread (track) for the loop itself: idle stretches and callbacks. Tasks are 1, 2, ... in start order.
LOOP_TID = 0
#: The second process in the trace: work off the loop, one track per job (1, 2, ... in submission order).
JOBS_PID = 2

_CHUNK = 20_000  # events per write: big enough to be fast, small enough to keep memory flat


def to_chrome_trace(timeline: Timeline, path: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """The timeline as a Chrome trace: a track per task, steps and waits as slices.

    Each task is a thread named after it (in the order the tasks first ran);
    its steps are slices named ``step`` (``blocking step`` when one held the loop
    for 0.05 s or more) and its waits are slices named ``await <what>``, in
    category ``wait``, so the two get different colours. A ``loop`` track shows
    idle stretches and callbacks. An arrow (a flow event) goes from where a task
    was created to its first step. Times are microseconds since recording began.

    The whole trace is held in memory, about 350 bytes per event and two events
    per step; for millions of steps, :func:`write_chrome_trace` writes the file
    without holding it.

    Args:
        timeline: the recording to export.
        path: if given, the JSON is also written there, compactly.

    Returns:
        ``{"traceEvents": [...], "displayTimeUnit": "ms", "otherData": {...}}``.

    Example use::

        trace = to_chrome_trace(timeline, "trace.json")  # then open trace.json in ui.perfetto.dev
        len(trace["traceEvents"])
    """
    # Millions of fresh dicts would set off the cycle collector again and again, for nothing to collect.
    collecting = gc.isenabled()
    gc.disable()
    try:
        events = list(trace_events(timeline))
    finally:
        if collecting:
            gc.enable()
    trace = {"traceEvents": events, "displayTimeUnit": "ms", "otherData": _other_data(timeline)}
    if path is not None:
        _write(events, trace["otherData"], path)
    return trace


def write_chrome_trace(timeline: Timeline, path: str | os.PathLike[str]) -> int:
    """Write the same JSON as :func:`to_chrome_trace`, a chunk of events at a time, in flat memory.

    Args:
        timeline: the recording to export.
        path: where to write the JSON.

    Returns:
        The number of events written.

    Example use::

        write_chrome_trace(timeline, "trace.json")  # 2,030,003 events for a million steps
    """
    return _write(trace_events(timeline), _other_data(timeline), path)


def trace_events(timeline: Timeline) -> Iterator[dict[str, Any]]:
    """Yield the trace's events one by one: metadata, then steps and waits, then the loop track.

    Example use::

        steps = sum(1 for e in trace_events(timeline) if e.get("cat") == "step")
    """
    start = timeline.start
    records = timeline._records
    buffer = timeline._step_buffer
    labels = timeline.labels

    # tid of each task: 1, 2, ... in the order of first step; tasks that never ran come last
    first: dict[int, int] = {}
    for i, task in enumerate(buffer[3::STEP_WIDTH]):
        first.setdefault(int(task), i)
    order = sorted(range(len(records)), key=lambda t: (t not in first, first.get(t, t)))
    tids = [0] * len(records)
    for position, task in enumerate(order):
        tids[task] = position + 1

    yield {"ph": "M", "pid": PID, "tid": LOOP_TID, "name": "process_name", "args": {"name": "event loop"}}
    yield {"ph": "M", "pid": PID, "tid": LOOP_TID, "name": "thread_name", "args": {"name": "loop"}}
    yield {"ph": "M", "pid": PID, "tid": LOOP_TID, "name": "thread_sort_index", "args": {"sort_index": 0}}
    for task in order:
        tid = tids[task]
        yield {"ph": "M", "pid": PID, "tid": tid, "name": "thread_name", "args": {"name": records[task].name}}
        yield {"ph": "M", "pid": PID, "tid": tid, "name": "thread_sort_index", "args": {"sort_index": tid}}

    # task creation: an instant on the new task's track, and an arrow from its parent
    for task in order:
        r = records[task]
        tid = tids[task]
        ts = _us(r.created - start)
        yield {
            "ph": "i",
            "s": "t",
            "cat": "task",
            "name": "created",
            "pid": PID,
            "tid": tid,
            "ts": ts,
            "args": {"coroutine": r.coroutine, "parent": None if r.parent is None else records[r.parent].name},
        }
        if r.parent is not None and task in first:
            flow = {"cat": "create_task", "name": "create_task", "pid": PID, "id": task}
            yield {**flow, "ph": "s", "tid": tids[r.parent], "ts": ts}
            first_step = buffer[first[task] * STEP_WIDTH] - start
            yield {**flow, "ph": "f", "bp": "e", "tid": tid, "ts": _us(first_step)}

    # One args dict per label, shared by every event that has it: a million steps share a few labels.
    # The loop below inlines _us: it runs twice per step.
    step_args = [{"waits_on": label} for label in labels]
    ended_args = {"waits_on": None}
    wait_names = ["await " + label for label in labels]
    last_end: list[float | None] = [None] * len(records)
    last_label = [FINISHED] * len(records)
    columns = timeline.step_columns()
    for begin, end, wall, task, label in zip(
        columns["start"], columns["end"], columns["wall"], columns["task"], columns["label"], strict=True
    ):
        t = int(task)
        tid = tids[t]
        previous = last_end[t]
        if previous is not None:
            yield {
                "ph": "X",
                "cat": "wait",
                "name": wait_names[int(last_label[t])],
                "pid": PID,
                "tid": tid,
                "ts": round((previous - start) * 1e6, 3),
                "dur": round((begin - previous) * 1e6, 3),
            }
        blocking = end - begin >= BLOCKING_THRESHOLD or wall >= BLOCKING_THRESHOLD
        yield {
            "ph": "X",
            "cat": "step,blocking" if blocking else "step",
            "name": "blocking step" if blocking else "step",
            "pid": PID,
            "tid": tid,
            "ts": round((begin - start) * 1e6, 3),
            "dur": round((end - begin) * 1e6, 3),
            "args": ended_args if label == FINISHED else step_args[int(label)],
        }
        last_end[t] = end
        last_label[t] = label
    # tasks still waiting when recording stopped
    for t, previous in enumerate(last_end):
        if previous is not None and last_label[t] != FINISHED:
            yield {
                "ph": "X",
                "cat": "wait",
                "name": wait_names[int(last_label[t])],
                "pid": PID,
                "tid": tids[t],
                "ts": _us(previous - start),
                "dur": _us(timeline.end - previous),
                "args": {"pending": True},
            }
    for task in order:
        r = records[task]
        if r.finished is not None:
            yield {
                "ph": "i",
                "s": "t",
                "cat": "task",
                "name": r.outcome,
                "pid": PID,
                "tid": tids[task],
                "ts": _us(r.finished - start),
                "args": {"detail": r.detail},
            }

    idle = timeline._idle_buffer
    for o in range(0, len(idle), IDLE_WIDTH):
        yield {
            "ph": "X",
            "cat": "idle",
            "name": "idle",
            "pid": PID,
            "tid": LOOP_TID,
            "ts": _us(idle[o] - start),
            "dur": _us(idle[o + 1] - idle[o]),
        }
    callbacks = timeline._callback_buffer
    for o in range(0, len(callbacks), CALLBACK_WIDTH):
        yield {
            "ph": "X",
            "cat": "callback",
            "name": labels[int(callbacks[o + 3])],
            "pid": PID,
            "tid": LOOP_TID,
            "ts": _us(callbacks[o] - start),
            "dur": _us(callbacks[o + 1] - callbacks[o]),
        }
    yield from _job_events(timeline)


def _job_events(timeline: Timeline) -> Iterator[dict[str, Any]]:
    """Executor jobs and child processes: a track each in a "work off the loop" process."""
    if not timeline.jobs:
        return
    start = timeline.start
    yield {"ph": "M", "pid": JOBS_PID, "tid": 0, "name": "process_name", "args": {"name": "work off the loop"}}
    for job in timeline.jobs:
        tid = job.index + 1
        yield {"ph": "M", "pid": JOBS_PID, "tid": tid, "name": "thread_name", "args": {"name": job.where}}
        end = timeline.end if job.ended is None else job.ended
        began = end if job.started is None else job.started
        if began > job.submitted:
            yield {
                "ph": "X",
                "cat": "job,queued",
                "name": "waiting for a worker",
                "pid": JOBS_PID,
                "tid": tid,
                "ts": _us(job.submitted - start),
                "dur": _us(began - job.submitted),
            }
        if job.started is not None:
            awaited_by = None if job.awaited_by is None else timeline._records[job.awaited_by].name
            yield {
                "ph": "X",
                "cat": "job",
                "name": job.label,
                "pid": JOBS_PID,
                "tid": tid,
                "ts": _us(job.started - start),
                "dur": _us(end - job.started),
                "args": {"outcome": job.outcome, "detail": job.detail, "awaited_by": awaited_by},
            }


def _us(seconds: float) -> float:
    """Microseconds, rounded to a nanosecond: 0.1 s becomes 100000.0, not 100000.00000000001."""
    return round(seconds * 1e6, 3)


def _other_data(timeline: Timeline) -> dict[str, Any]:
    return {
        "clock": timeline.clock,
        "start": timeline.start,
        "duration_s": timeline.duration,
        "tasks": len(timeline._records),
        "steps": timeline.step_count,
    }


def _write(events: Iterable[dict[str, Any]], other_data: dict[str, Any], path: str | os.PathLike[str]) -> int:
    """Write compact JSON a chunk of events at a time: no second copy of a huge trace as one string."""
    encode = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
    events = iter(events)
    count = 0
    with open(path, "w", encoding="utf-8") as file:
        file.write('{"traceEvents":[')
        while chunk := list(itertools.islice(events, _CHUNK)):
            file.write(("," if count else "") + encode(chunk)[1:-1])
            count += len(chunk)
        file.write(f'],"displayTimeUnit":"ms","otherData":{encode(other_data)}}}')
    return count
