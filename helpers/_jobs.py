"""Work off the loop: executor jobs and child processes, counted for the clock and kept as records.

The rules of jobs
-----------------
While a :class:`JobLog` is active (a tracing loop runs, or ``tracing()`` records a loop):

1. Every ``submit`` to a ``concurrent.futures.ThreadPoolExecutor`` or
   ``ProcessPoolExecutor`` made from the loop's thread, or from a thread the log
   owns (one that ran a job of this log, or was started while the log was
   active), is a job of this log. That covers ``loop.run_in_executor``,
   ``asyncio.to_thread`` and ``asyncio.wrap_future(pool.submit(...))``, whoever
   made the pool and whenever.
2. A job is *pending* from ``submit`` until its future is settled and every
   done callback added before that has run (``wrap_future``'s among them), so
   the result is already queued for the loop when the job stops counting: the
   loop can never miss it and call a deadlock.
3. A thread job is *running* from when a worker starts it; a process-pool job
   counts as running while pending (its worker is another process).
4. A child process started on the loop is a job from its start until the loop
   learns its return code.

A job records what ran (function or program), where (thread name, pid), when it
was submitted, started and ended on the loop's clock, and how it ended. Jobs
hold no reference to results or futures: only short text, as task records do.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import sys
import threading
from collections.abc import Callable
from typing import Any

from . import _labels
from ._timeline import JobRecord, _clip, _short_repr
from ._timers import _scheduling_order

__all__ = ["Job", "JobLog", "active_logs"]

_thread_submit = concurrent.futures.ThreadPoolExecutor.submit
_process_submit = concurrent.futures.ProcessPoolExecutor.submit
_RUN_IN_EXECUTOR_CODE = asyncio.base_events.BaseEventLoop.run_in_executor.__code__
_TO_THREAD_CODE = asyncio.to_thread.__code__

_QUEUED, _RUNNING, _DONE = "queued", "running", "done"


class Job:
    """One piece of work off the loop: an executor job or a child process (see the module rules)."""

    __slots__ = (
        "log",
        "index",
        "kind",
        "target",
        "via",
        "pool",
        "max_workers",
        "state",
        "submitted",
        "started",
        "ended",
        "worker",
        "pid",
        "outcome",
        "detail",
        "returncode",
        "seq",
    )

    def __init__(
        self, log: JobLog, index: int, kind: str, target: str, via: str, pool: int, max_workers: int | None
    ) -> None:
        self.log = log
        self.index = index
        self.kind = kind
        self.target = target
        self.via = via
        self.pool = pool
        self.max_workers = max_workers
        self.state = _QUEUED
        self.submitted = log.clock()
        self.started: float | None = None
        self.ended: float | None = None
        self.worker: str | None = None
        self.pid: int | None = None
        self.outcome = "pending"
        self.detail = ""
        self.returncode: int | None = None
        # when it was handed over, in the order timers are set (see _timers): ties on the clock follow it
        self.seq = next(_scheduling_order)

    @property
    def label(self) -> str:
        """What a task awaiting this job waits on: ``to_thread(fetch)``, ``run_in_executor(parse)``..."""
        return f"{self.via}({self.target})"

    def record(self, awaited_by: int | None) -> JobRecord:
        """This job as plain data for a timeline."""
        return JobRecord(
            index=self.index,
            kind=self.kind,
            target=self.target,
            via=self.via,
            worker=self.worker,
            pid=self.pid,
            submitted=self.submitted,
            started=self.started,
            ended=self.ended,
            outcome=self.outcome,
            detail=self.detail,
            returncode=self.returncode,
            awaited_by=awaited_by,
        )


class _JobCall:
    """What a worker thread runs instead of ``fn``: notes the start, runs ``fn``, notes how it ended."""

    __slots__ = ("job", "fn")

    def __init__(self, job: Job, fn: Callable[..., Any]) -> None:
        self.job = job
        self.fn = fn

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        job = self.job
        job.log._started(job)
        try:
            result = self.fn(*args, **kwargs)
        except BaseException as exc:
            job.log._left_thread()
            job.outcome = "raised"
            message = _clip(str(exc), 50)
            job.detail = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
            job.ended = job.log.clock()
            # hide this frame: the traceback reads as if fn ran in the pool directly
            if exc.__traceback__ is not None and exc.__traceback__.tb_frame is sys._getframe():
                exc.__traceback__ = exc.__traceback__.tb_next
            raise
        job.log._left_thread()
        job.outcome = "returned"
        job.detail = "None" if result is None else _short_repr(result)
        job.ended = job.log.clock()
        return result


class JobLog:
    """The jobs of one loop: what is pending (for the clock's rules) and what ran (for the timeline).

    Args:
        loop: the loop whose thread's submissions are its jobs.
        wake: called from any thread when a job settles (wakes the loop).
    """

    def __init__(self, loop: Any, wake: Callable[[], None] | None = None) -> None:
        self.loop = loop
        self.clock: Callable[[], float] = loop.time
        self.wake = wake
        self.lock = threading.Lock()
        self.jobs: list[Job] = []
        self.worker_threads: set[int] = set()
        self._running_in: dict[int, Job] = {}  # thread ident -> the job it runs now
        self.known_threads = {t.ident for t in threading.enumerate()}
        self.thread_id: int | None = None
        #: called in the submitting thread: False leaves the submission out (scoped recordings)
        self.accept: Callable[[], bool] | None = None
        self._open_from = 0

    # ------------------------------------------------------------- activity
    def activate(self) -> None:
        """Start taking the submissions of the loop's thread (call in that thread)."""
        self.thread_id = threading.get_ident()
        _LOGS.add(self)

    def deactivate(self) -> None:
        """Stop taking submissions; jobs already taken still settle."""
        _LOGS.remove(self)

    def owns_thread(self, ident: int) -> bool:
        """True for the loop's thread, workers that ran its jobs, and threads started while active."""
        return ident == self.thread_id or ident in self.worker_threads or ident not in self.known_threads

    # ----------------------------------------------------------------- jobs
    def new_job(self, kind: str, target: str, via: str, pool: Any = None) -> Job:
        with self.lock:
            job = Job(self, len(self.jobs), kind, target, via, id(pool), getattr(pool, "_max_workers", None))
            self.jobs.append(job)
        return job

    def _started(self, job: Job) -> None:
        with self.lock:
            self.worker_threads.add(threading.get_ident())
            self._running_in[threading.get_ident()] = job
            job.state = _RUNNING
        job.worker = threading.current_thread().name
        job.started = self.clock()

    def _left_thread(self) -> None:
        self._running_in.pop(threading.get_ident(), None)

    def job_running_in(self, ident: int) -> Job | None:
        """The job the thread ``ident`` is running now, if it is one of this log's."""
        return self._running_in.get(ident)

    def settle(self, job: Job, *, cancelled: bool = False) -> None:
        """The job's future is settled and its callbacks ran: it no longer counts as pending."""
        with self.lock:
            if job.state == _DONE:
                return
            job.state = _DONE
        if cancelled and job.outcome == "pending":
            job.outcome = "cancelled"
        if job.ended is None:
            job.ended = self.clock()
        if self.wake is not None:
            self.wake()

    def watch_future(self, job: Job, future: concurrent.futures.Future) -> None:
        """Settle ``job`` after every done callback its future has when it completes."""

        def last(fut: concurrent.futures.Future) -> None:
            self.settle(job, cancelled=fut.cancelled())

        def first(fut: concurrent.futures.Future) -> None:
            # Future._invoke_callbacks iterates over this very list: appended now, `last`
            # runs after the callbacks added since submit (wrap_future's, which wakes the loop)
            fut._done_callbacks.append(last)

        with future._condition:
            if not future.done():
                future._done_callbacks.append(first)
                return
        last(future)

    def unsettled(self) -> int:
        """Jobs submitted and not settled yet, whatever they are doing."""
        with self.lock:
            return sum(1 for job in self.jobs[self._first_open() :] if job.state != _DONE)

    def pending_count(self) -> int:
        """Jobs that keep the loop waiting in real time: running, or queued with a free worker.

        Work queued behind busy workers (sleeping on the virtual clock, say) waits for
        them, not for real time, so it does not count.
        """
        running: dict[int, int] = {}
        queued: dict[int, int] = {}
        limits: dict[int, int | None] = {}
        with self.lock:
            for job in self.jobs[self._first_open() :]:
                if job.state == _RUNNING:
                    running[job.pool] = running.get(job.pool, 0) + 1
                elif job.state == _QUEUED:
                    queued[job.pool] = queued.get(job.pool, 0) + 1
                limits[job.pool] = job.max_workers
        count = sum(running.values())
        for pool, waiting in queued.items():
            limit = limits[pool]
            free = waiting if limit is None else max(0, limit - running.get(pool, 0))
            count += min(waiting, free)
        return count

    def _first_open(self) -> int:
        """Index of the first job not done (jobs before it need no look)."""
        jobs = self.jobs
        start = self._open_from
        while start < len(jobs) and jobs[start].state == _DONE:
            start += 1
        self._open_from = start
        return start

    # ------------------------------------------------------------- children
    def child_started(self, transport: Any, program: str) -> Job:
        """Note a child process the loop started: a job until :meth:`child_exited`."""
        job = self.new_job("child", program, "subprocess")
        job.state = _RUNNING
        job.started = job.submitted
        job.pid = transport.get_pid()
        transport._helpers_job = job
        returncode = transport.get_returncode()
        if returncode is not None:  # it ended while its pipes were being connected
            self.child_exited(job, returncode)
        return job

    def child_exited(self, job: Job, returncode: int) -> None:
        """The loop learnt the child's return code (it has exited and been reaped)."""
        job.returncode = returncode
        job.outcome = "exited" if returncode >= 0 else "killed"
        job.detail = f"return code {returncode}"
        self.settle(job)

    def watch_children(self) -> Callable[[], None]:
        """Note the children a loop that is not ours starts (for records only), until the returned undo is called.

        Our loops do this in their own methods; on another loop (the kernel's, under ``tracing()``)
        the two methods asyncio calls are wrapped on the instance and put back afterwards.
        """
        loop = self.loop
        saved = {name: loop.__dict__.get(name) for name in ("_make_subprocess_transport", "_child_watcher_callback")}
        make = loop._make_subprocess_transport
        callback = loop._child_watcher_callback

        async def make_subprocess_transport(protocol: Any, args: Any, *rest: Any, **kwargs: Any) -> Any:
            transport = await make(protocol, args, *rest, **kwargs)
            if self in _LOGS.logs and (self.accept is None or self.accept()):
                self.child_started(transport, program_name(args))
            return transport

        def child_watcher_callback(pid: int, returncode: int, transport: Any) -> None:
            callback(pid, returncode, transport)
            job = getattr(transport, "_helpers_job", None)
            if job is not None:
                loop.call_soon_threadsafe(self.child_exited, job, returncode)

        loop.__dict__["_make_subprocess_transport"] = make_subprocess_transport
        loop.__dict__["_child_watcher_callback"] = child_watcher_callback

        def undo() -> None:
            for name, value in saved.items():
                if value is None:
                    loop.__dict__.pop(name, None)
                else:
                    loop.__dict__[name] = value

        return undo

    def records(
        self, first: int = 0, awaited_by: dict[int, int] | None = None, last: int | None = None
    ) -> list[JobRecord]:
        """Records of the jobs ``first`` to ``last`` (excluded), renumbered from 0."""
        awaited_by = awaited_by or {}
        out = []
        for job in self.jobs[first:last]:
            record = job.record(awaited_by.get(job.index))
            record.index -= first
            out.append(record)
        return out


def program_name(args: Any) -> str:
    """``python -c`` for ``[sys.executable, "-c", code]``, ``ls -l`` for ``["ls", "-l"]``: short and stable."""
    if isinstance(args, str | bytes):
        words = os.fsdecode(args).split()
    else:
        words = [os.fsdecode(a) if isinstance(a, bytes | os.PathLike) else str(a) for a in args]
    if not words:
        return "?"
    head = os.path.basename(words[0])
    if os.path.realpath(words[0]) == os.path.realpath(sys.executable) or head.startswith("python"):
        head = "python"
    # an option right after the program says what kind of run it is; the rest (code, paths) varies
    if len(words) > 1 and words[1].startswith("-"):
        head += " " + words[1]
    elif len(words) > 1:
        head += " " + os.path.basename(words[1])
    return _clip(head, 30)


# ------------------------------------------------------------ the patches
class _Logs:
    """The active job logs; ``submit`` is patched while there is one."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.logs: list[JobLog] = []

    def add(self, log: JobLog) -> None:
        with self.lock:
            self.logs.append(log)
            if len(self.logs) == 1:
                concurrent.futures.ThreadPoolExecutor.submit = _tracked_thread_submit
                concurrent.futures.ProcessPoolExecutor.submit = _tracked_process_submit

    def remove(self, log: JobLog) -> None:
        with self.lock:
            if log in self.logs:
                self.logs.remove(log)
            if not self.logs:
                concurrent.futures.ThreadPoolExecutor.submit = _thread_submit
                concurrent.futures.ProcessPoolExecutor.submit = _process_submit

    def for_current_thread(self) -> JobLog | None:
        ident = threading.get_ident()
        for log in reversed(self.logs):
            if ident == log.thread_id:
                return log
        for log in reversed(self.logs):
            if log.owns_thread(ident):
                return log
        return None


_LOGS = _Logs()


def active_logs() -> list[JobLog]:
    """The job logs taking submissions now (most recent last)."""
    return list(_LOGS.logs)


def _via(func: Any) -> tuple[str, str]:
    """``(via, target)``: how the job was handed over (what the awaiting task called) and what it runs."""
    caller = sys._getframe(2)
    if caller.f_code is not _RUN_IN_EXECUTOR_CODE:
        return "submit", _labels._func_name(func)
    outer = caller.f_back
    via = "to_thread" if outer is not None and outer.f_code is _TO_THREAD_CODE else "run_in_executor"
    return via, _labels._func_name(func)


def _tracked_thread_submit(self: Any, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
    log = _LOGS.for_current_thread()
    if log is None or (log.accept is not None and not log.accept()):
        return _thread_submit(self, fn, *args, **kwargs)
    via, target = _via(fn)
    job = log.new_job("thread", target, via, self)
    try:
        future = _thread_submit(self, _JobCall(job, fn), *args, **kwargs)
    except BaseException:
        log.settle(job)
        job.outcome = "not started"
        raise
    future._helpers_job = job
    log.watch_future(job, future)
    return future


def _tracked_process_submit(self: Any, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
    log = _LOGS.for_current_thread()
    if log is None or (log.accept is not None and not log.accept()):
        return _process_submit(self, fn, *args, **kwargs)
    via, target = _via(fn)
    job = log.new_job("process", target, via, self)
    job.state = _RUNNING  # its worker is another process: nothing tells us when it starts
    job.started = job.submitted
    try:
        future = _process_submit(self, fn, *args, **kwargs)
    except BaseException:
        log.settle(job)
        job.outcome = "not started"
        raise

    def outcome(fut: concurrent.futures.Future) -> None:
        if fut.cancelled():
            return
        exc = fut.exception()
        if exc is None:
            job.outcome, job.detail = "returned", _short_repr(fut.result())
        else:
            job.outcome, job.detail = "raised", type(exc).__name__
        job.ended = log.clock()

    future.add_done_callback(outcome)
    future._helpers_job = job
    log.watch_future(job, future)
    return future


def job_of(awaited: Any) -> Job | None:
    """The job behind something a task awaits.

    A concurrent future from a tracked ``submit``, an asyncio future chained to one
    (``run_in_executor``, ``to_thread``, ``wrap_future``), or an ``asyncio.subprocess.Process``.
    """
    job = getattr(awaited, "_helpers_job", None)
    if job is not None:
        return job
    transport = getattr(awaited, "_transport", None)
    job = getattr(transport, "_helpers_job", None)
    if job is not None:
        return job
    source = _labels.chained_source(awaited)
    return getattr(source, "_helpers_job", None) if source is not None else None
