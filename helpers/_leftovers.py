"""What a traced program left running when it returned: tasks, callbacks, thread jobs, child processes.

Read from the loop at the moment the traced coroutine returned, before anything is
cancelled, in the timeline's own terms (task names, wait labels, loop times). Thread
jobs and children are read from what the tracing loops track (``_loop.py``).
"""

from __future__ import annotations

import asyncio
import inspect
import math
import threading
import time
from typing import Any

from . import _labels
from ._loop import _real_sleep, _TracingLoopBase
from ._recorder import Recorder, _callback_name, _is_plumbing
from ._timeline import Leftover

__all__ = ["collect"]

#: Real seconds to let thread work that just finished settle before it counts as left running:
#: a job's result can reach the loop (and the program return) a moment before the job stops counting.
SETTLE_LIMIT = 0.05


def collect(recorder: Recorder, main: asyncio.Task | None = None, *, everything: bool = True) -> list[Leftover]:
    """What is still running on the recorder's loop, besides ``main``.

    Args:
        recorder: the recording; only tasks it recorded count.
        main: the task that ran the traced coroutine (it has just ended).
        everything: also read callbacks, thread jobs and child processes (for a loop
            the recording owns; on a shared loop they may be anyone's).
    """
    found = _tasks(recorder, main)
    if everything:
        found += _callbacks(recorder.loop)
        if isinstance(recorder.loop, _TracingLoopBase):
            found += _threads(recorder.loop) + _processes(recorder.loop)
    return found


def _tasks(recorder: Recorder, main: asyncio.Task | None) -> list[Leftover]:
    if not math.isnan(sum(recorder.finished)):
        return []  # every recorded task has an end time (NaN until then): skip scanning all tasks
    loop = recorder.loop
    pending = []
    for task in asyncio.all_tasks(loop):
        index = recorder.own_index(task.get_coro())
        if task is main or index < 0:
            continue
        pending.append((index, task))
    found = []
    for index, task in sorted(pending, key=lambda pair: pair[0]):
        coro = task.get_coro()
        waiter = getattr(task, "_fut_waiter", None)
        if waiter is not None:
            waits_on = _labels.describe_wait(coro, waiter)
        elif _not_started(coro):
            waits_on = "not started"
        else:
            waits_on = "sleep(0)"  # a bare yield: ready to run its next step
        cancelling = task.cancelling() > 0
        # the name recorded at creation: get_coro() is the recording wrapper, which forwards no __qualname__
        # for an awaitable that is not a plain coroutine (the aclose() of an async generator)
        coroutine = _labels.short_qualname(recorder.coroutines[index])
        found.append(Leftover("task", task.get_name(), waits_on, cancelling, coroutine=coroutine))
    return found


def _not_started(coro: Any) -> bool:
    try:
        return inspect.getcoroutinestate(coro) == inspect.CORO_CREATED
    except AttributeError:  # an awaitable that is not a coroutine: no state to read
        return False


def _callbacks(loop: asyncio.AbstractEventLoop) -> list[Leftover]:
    found = []
    for handle in list(loop._ready):
        if not handle.cancelled() and not _is_plumbing(handle._callback):
            found.append(Leftover("callback", _callback_name(handle._callback), "call_soon"))
    for handle in sorted(loop._scheduled, key=lambda h: h.when()):
        if not handle.cancelled() and not _is_plumbing(handle._callback):
            found.append(Leftover("callback", _callback_name(handle._callback), "timer", due=handle.when()))
    return found


def _threads(loop: _TracingLoopBase) -> list[Leftover]:
    log = loop.jobs
    settle_by = time.perf_counter() + SETTLE_LIMIT
    while True:
        jobs = [job for job in log.jobs if job.kind != "child" and job.state != "done"]
        threads = [thread for thread in loop._foreign_thread_list() if not _is_asyncios_own(thread)]
        if not (jobs or threads) or time.perf_counter() > settle_by:
            break
        _real_sleep(0.002)
    found = [Leftover("job", job.label, job.state) for job in jobs]
    return found + [Leftover("thread", thread.name) for thread in threads]


def _is_asyncios_own(thread: threading.Thread) -> bool:
    """True for a thread asyncio started for itself (3.11's child watcher waits for each child in one)."""
    target = getattr(thread, "_target", None)
    code = getattr(getattr(target, "__func__", target), "__code__", None)
    return code is not None and code.co_filename.startswith(_labels._ASYNCIO_DIR)


def _processes(loop: _TracingLoopBase) -> list[Leftover]:
    children = [job for job in loop.jobs.jobs if job.kind == "child" and job.state != "done"]
    return [Leftover("process", job.target, f"pid {job.pid}") for job in children]
