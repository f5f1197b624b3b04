"""Event loops for tracing: one on real time, one on virtual time; both report deadlocks.

The rules of virtual time
-------------------------
A :class:`VirtualTimeLoop` starts its clock at ``start`` (0.0 unless told otherwise) and moves it
only in these ways,
decided each time the loop would otherwise block in ``select()``:

1. Callbacks are ready: I/O is polled without waiting; no time passes.
2. ``select(0)`` finds I/O ready: it is handled; no time passes.
3. Work outside the loop is busy: a job (``helpers._jobs``: anything submitted to
   a thread or process pool from this loop's thread, whoever made the pool, so
   ``to_thread``, ``run_in_executor`` and ``wrap_future(pool.submit(...))``) that
   is running and not in ``time.sleep``, a live child process that is not in
   ``time.sleep``, or another thread started during the run (a job or thread
   that waits for this loop, in ``run_coroutine_threadsafe(...).result()``, is
   not busy): the loop waits for it in real time *without* moving the clock, so quick real work costs no
   virtual time and stays deterministic. If the real wait grows as long as the
   virtual distance to the next timer, the clock jumps to that timer (so a
   timeout around slow real work still fires). Jobs queued behind busy workers
   wait for those workers, not for real time.
4. Sockets or pipes are registered, or a pool worker that existed before the run
   is busy with work submitted before it, but nothing else is busy: a short real
   grace period (``io_grace``) lets in-flight data arrive, then the clock may jump;
   with no timer left the loop waits up to ``IO_IDLE_LIMIT`` real seconds for them
   before calling it a deadlock.
5. Only timers are left: the clock is set exactly to the earliest one. No
   rounding: timestamps like 0.1, 0.25 or 1/3 come out exact and identical on
   every run and machine. Timers due at the same instant fire in the order they
   were scheduled, as they would on the real clock (``_timers.py``).
6. Nothing at all (no ready callback, no timer, no I/O, no thread or subprocess
   work) while tasks still wait: no task can ever wake. :class:`DeadlockError`
   is raised at once, listing each stuck task and what it awaits. With no task
   at all (a loop kept turning by ``run_forever()`` in a thread of its own, for
   other threads to hand work to) nothing is stuck: the loop waits in real time,
   as asyncio's loops do, until another thread calls in
   (``call_soon_threadsafe``, ``run_coroutine_threadsafe``) or I/O arrives.

``time.sleep(x)`` is virtual too while a virtual loop runs: in the loop's own
thread it moves the clock forward by ``x`` at once (the step that called it
shows on the timeline as holding the loop for ``x``); in a worker thread of
this loop (one that ran a job of it, or any thread started during the run) it
waits until the virtual clock has moved ``x`` on. Threads due at the same
instant wake one at a time, in the order their jobs were submitted (a point in
the loop's own order, not the threads' real timing), each once the one before
has settled (finished, or sleeps again; at most ``WAKE_SETTLE_LIMIT`` real
seconds): their results reach the loop in the same order on every run. Timers
due then run before the first thread set after them wakes. Every other use of
``time.sleep`` is untouched. Other clocks (``time.time``, ``time.perf_counter``)
stay real: read ``loop.time()`` for the virtual clock.

Child processes on virtual time
-------------------------------
Children are real processes with real pipes and pids; what makes their timeline
meaningful and the same on every run is that they *sleep on the parent's clock*:

7. A child started by a virtual loop gets one end of a socket pair and
   ``helpers/_child`` first on its ``PYTHONPATH``. If it is Python, its
   ``sitecustomize`` turns ``time.sleep(x)`` into a request that this loop answers
   once the virtual clock has moved ``x`` on; while it waits the child counts as
   sleeping, not busy (rule 3), so the clock can jump. The child's environment is
   put back before its own code runs. While a Python child starts up (until its
   ``sitecustomize`` says it is ready, at most ``CHILD_START_LIMIT`` real
   seconds) the clock does not jump to the next timer: start-up is not the
   child's work, and its first sleep must begin at the same virtual time on every
   run. A child that is not Python, or runs with ``-S``/``-I``, sleeps in real
   time and counts as busy.
8. A child's exit is passed on before the end of its output (the EOF of its
   pipes): both are real events that race, and holding the EOF until the exit
   makes every run take the same steps. A child that closes its output and runs
   on gets its EOF after ``EOF_HELD_FOR`` real seconds.
9. A signal sent to a sleeping child through its process (``kill()``,
   ``terminate()``, ``send_signal()``) makes it count as busy (rule 3), not
   sleeping, until it exits or asks to sleep again, for at most
   ``SIGNAL_SETTLE_LIMIT`` real seconds: a killed child exits at the virtual time
   it was killed, instead of the clock jumping to the end of its sleep while the
   signal is on its way; one that ignores the signal sleeps on.

The real time asyncio takes to start a child (fork and exec, inside the step that
calls ``create_subprocess_exec``) is not counted as that step blocking the loop.

So ``python -c "import time; time.sleep(1); print('done')"`` takes exactly one
virtual second, three of them at once take one second, and their lines arrive
at the virtual times they were printed. CPU work in a child costs no virtual time,
as in a thread. Children due at the same instant may finish in either order.
For a demonstration of the real thing, trace on real time (``virtual=False``).

The clock never passes ``until`` seconds after ``start`` (the end of time): a program
still running then is stopped with :class:`TimeLimitError`. The end of time, the times in
deadlock reports and the timeline's views all count from ``start``; only ``loop.time()``
itself reads ``start`` plus the seconds passed, so a program that mixes up a delay and a
deadline (``timeout_at(5)`` for ``timeout(5)``) shows it when ``start`` is not 0.

On Windows these loops are selector loops, which cannot run subprocesses
(asyncio's ``ProactorEventLoop`` can): starting one raises ``NotImplementedError``
with what to do instead (``WINDOWS_SUBPROCESS_MESSAGE``).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import concurrent.futures.thread
import heapq
import itertools
import math
import os
import selectors
import socket
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from . import _labels
from ._errors import DeadlockError, TimeLimitError
from ._jobs import JobLog, program_name
from ._timers import OrderedTimerHandle, _scheduling_order, schedule_timer

__all__ = ["RealTimeLoop", "VirtualTimeLoop", "virtual_sleep_installed"]

#: Longest single real wait while something outside the loop is busy, in seconds.
REAL_WAIT_CHUNK = 0.05
#: Real seconds a worker thread's virtual sleep waits for a loop that has stopped turning before sleeping for real.
STUCK_LOOP_AFTER = 1.0
#: Real seconds a thread woken from a virtual sleep may stay busy before the next one due then wakes too.
WAKE_SETTLE_LIMIT = 0.2
#: Real seconds the virtual clock waits for a Python child to start up (see _children_starting).
CHILD_START_LIMIT = 10.0
#: Real seconds a child's end of output waits for news of its exit before it is passed on anyway.
EOF_HELD_FOR = 0.5
#: Real seconds a sleeping child that was sent a signal counts as busy, unless it exits or sleeps again first.
SIGNAL_SETTLE_LIMIT = 0.5
#: How long the loop waits in real time for I/O on registered sockets before declaring a deadlock.
IO_IDLE_LIMIT = 10.0

_real_sleep = time.sleep
_worker_target = concurrent.futures.thread._worker
_WORKER_CODE = _worker_target.__code__
_FUTURE_RESULT_CODE = concurrent.futures.Future.result.__code__
#: Put first on a child's PYTHONPATH on virtual time: its sitecustomize makes the child's time.sleep virtual.
_CHILD_DIR = os.path.join(os.path.dirname(__file__), "_child")

WINDOWS_SUBPROCESS_MESSAGE = (
    "helpers' loops are selector loops, and on Windows a selector loop cannot start subprocesses "
    "(asyncio's ProactorEventLoop can). Run this program with asyncio.run(...) instead of "
    "trace()/checks.run() (in a notebook cell: await it directly; the course's kernel runs cells on a "
    "ProactorEventLoop on Windows), or run the notebook under WSL or on Linux or macOS."
)


def _idle_worker(frame: Any) -> bool:
    """True if an executor worker thread waits for work: its innermost Python frame is the worker loop."""
    return frame is None or frame.f_code is _WORKER_CODE


class _Sleepers:
    """Which virtual loops run now, so the patched ``time.sleep`` knows whose clock to use."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.loops: list[VirtualTimeLoop] = []

    def add(self, loop: VirtualTimeLoop) -> None:
        with self.lock:
            self.loops.append(loop)
            if len(self.loops) == 1:
                time.sleep = _virtual_sleep

    def remove(self, loop: VirtualTimeLoop) -> None:
        with self.lock:
            if loop in self.loops:
                self.loops.remove(loop)
            if not self.loops and time.sleep is _virtual_sleep:
                time.sleep = _real_sleep

    def loop_for_current_thread(self) -> VirtualTimeLoop | None:
        ident = threading.get_ident()
        for loop in reversed(self.loops):
            if loop._thread_id == ident or loop._owns_thread(ident):
                return loop
        return None


_SLEEPERS = _Sleepers()


def virtual_sleep_installed() -> bool:
    """True while a virtual loop runs and ``time.sleep`` is the virtual one."""
    return time.sleep is _virtual_sleep


def _virtual_sleep(seconds: float) -> None:
    """``time.sleep`` while a virtual loop runs: virtual in that loop's threads, real elsewhere."""
    loop = _SLEEPERS.loop_for_current_thread()
    if loop is None:
        return _real_sleep(seconds)
    if not isinstance(seconds, int | float):
        raise TypeError(f"'{type(seconds).__name__}' object cannot be interpreted as an integer or float")
    if seconds < 0:
        raise ValueError("sleep length must be non-negative")
    if loop._thread_id == threading.get_ident():
        loop._advance(seconds)
    else:
        loop._thread_sleep(seconds)


_virtual_sleep.__name__ = "sleep"
_virtual_sleep.__qualname__ = "sleep"


class _ChildClock:
    """A child process's ``time.sleep`` requests, answered on the virtual clock (see ``_child``)."""

    def __init__(self, loop: VirtualTimeLoop, sock: socket.socket, python: bool) -> None:
        self.loop = loop
        self.sock = sock
        self.sock.setblocking(False)
        self.buffer = b""
        self.sleeping = False
        self.waking: asyncio.TimerHandle | None = None  # the timer that ends its current sleep
        self.signalled_at: float | None = None  # real time of a signal that made it count as busy
        # a Python child says when it is ready: until then (or CHILD_START_LIMIT) the clock holds
        self.starting = python
        self.started_at = time.perf_counter()
        loop._child_clocks.append(self)

    def read(self) -> None:
        try:
            data = self.sock.recv(256)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:  # the child has exited
            self.close()
            return
        self.buffer += data
        while b"\n" in self.buffer:
            line, self.buffer = self.buffer.split(b"\n", 1)
            if line == b"ready":
                self.starting = False
                continue
            try:
                seconds = float(line)
            except ValueError:
                continue
            self._sleep(seconds)

    def _sleep(self, seconds: float) -> None:
        loop = self.loop
        self.signalled_at = None
        with loop._lock:
            self.sleeping = True
            loop._sleeping += 1
        self.waking = loop.call_at(loop._vtime + seconds, self._wake)

    def signalled(self) -> None:
        """A signal is on its way to the child (rule 9): busy until it exits, sleeps again, or the limit."""
        if self.sleeping:
            self._stop_sleeping()
            self.signalled_at = time.perf_counter()

    def settle_signal(self, now: float) -> bool:
        """Back to sleeping if a signal made it busy ``SIGNAL_SETTLE_LIMIT`` ago and it still sleeps."""
        if self.signalled_at is None or now - self.signalled_at < SIGNAL_SETTLE_LIMIT:
            return False
        self.signalled_at = None
        if self.waking is None or self.waking.cancelled() or self.sock.fileno() < 0:
            return False
        with self.loop._lock:
            self.sleeping = True
            self.loop._sleeping += 1
        return True

    def _wake(self) -> None:
        self.waking = None
        self.signalled_at = None
        self._stop_sleeping()
        try:
            self.sock.send(b"\n")
        except OSError:
            self.close()

    def _stop_sleeping(self) -> None:
        with self.loop._lock:
            if self.sleeping:
                self.sleeping = False
                self.loop._sleeping -= 1

    def close(self) -> None:
        self._stop_sleeping()
        self.signalled_at = None
        self.starting = False
        if self in self.loop._child_clocks:
            self.loop._child_clocks.remove(self)
        if self.sock.fileno() >= 0:
            if not self.loop.is_closed():
                self.loop._remove_reader(self.sock.fileno())
            self.sock.close()


def _signalling(method: Callable[..., Any], channel: _ChildClock) -> Callable[..., Any]:
    """``method`` of a child's transport, telling its clock first that a signal is on its way (rule 9)."""

    def send(*args: Any) -> Any:
        channel.signalled()
        return method(*args)

    return send


class _ExitBeforeEOF:
    """A child's protocol, told of the end of its output only once it has heard that the child exited.

    Which comes first is a race between two real events (a pipe's EOF, the child watcher's
    report); asyncio can see either. Holding back the EOF until the exit makes every run
    see the same one of them, so ``communicate()`` takes the same steps every time. A child
    that closes its output and runs on gets its EOF after ``EOF_HELD_FOR`` real seconds.
    """

    def __init__(self, protocol: Any, loop: VirtualTimeLoop) -> None:
        self._protocol = protocol
        self._loop = loop
        self._exited = False
        self._held: list[tuple[int, BaseException | None]] = []
        self.held_since = 0.0

    def pipe_connection_lost(self, fd: int, exc: BaseException | None) -> None:
        if self._exited or fd == 0:
            self._protocol.pipe_connection_lost(fd, exc)
            return
        if not self._held:
            self.held_since = time.perf_counter()
            self._loop._held_eofs.append(self)
        self._held.append((fd, exc))

    def process_exited(self) -> None:
        self._exited = True
        self._protocol.process_exited()
        self.release()

    def release(self) -> None:
        held, self._held = self._held, []
        if self in self._loop._held_eofs:
            self._loop._held_eofs.remove(self)
        for fd, exc in held:
            self._protocol.pipe_connection_lost(fd, exc)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._protocol, name)


class _FirstStepTimed:
    """Await a coroutine as ``await`` would, telling ``note`` how long its first step took.

    The first step runs inside the awaiting task's step, before anything else can run.
    """

    def __init__(self, coro: Any, note: Callable[[float], None] | None) -> None:
        self.coro = coro
        self.note = note

    def __await__(self) -> Any:
        inner = self.coro.__await__()
        started = time.perf_counter()
        try:
            value = inner.send(None)
        except StopIteration as stop:
            return stop.value
        finally:
            if self.note is not None:
                self.note(time.perf_counter() - started)
        while True:  # the rest is `yield from inner`, written out: the first value is already taken
            try:
                sent = yield value
            except GeneratorExit:
                inner.close()
                raise
            except BaseException as exc:
                try:
                    value = inner.throw(exc)
                except StopIteration as stop:
                    return stop.value
            else:
                try:
                    value = inner.send(sent)
                except StopIteration as stop:
                    return stop.value


class _DecidingSelector:
    """Wraps the loop's selector: every blocking ``select`` goes through the loop's ``_wait``."""

    def __init__(self, selector: selectors.BaseSelector) -> None:
        self._selector = selector
        self.loop: _TracingLoopBase | None = None

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        if self.loop is not None:
            self.loop._turns += 1
        events = self._selector.select(0)
        if events or timeout == 0 or self.loop is None:
            return events
        return self.loop._wait(timeout)

    def real_select(self, timeout: float | None) -> list[tuple[selectors.SelectorKey, int]]:
        return self._selector.select(timeout)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._selector, name)


class _TracingLoopBase(asyncio.SelectorEventLoop):
    """What both tracing loops share: tracked thread and subprocess work, deadlock reports, idle notes."""

    def __init__(self, *, until: float | None = None, io_grace: float = 0.005) -> None:
        self._lock = threading.Lock()
        self._until = until
        self._io_grace = io_grace
        self._sleeping = 0
        # (virtual time, order among equals, sequence, event) of each thread sleeping on the clock
        self._wakes: list[tuple[float, int, int, threading.Event]] = []
        self._wake_seq = itertools.count()
        self._turns = 0  # times the loop came to select(): it stops counting while a step blocks it
        self.on_idle: Callable[[float, float], None] | None = None
        self.child_transports: list[Any] = []  # of every child started, for stopping those left running
        selector = _DecidingSelector(selectors.DefaultSelector())
        super().__init__(selector=selector)
        selector.loop = self
        self._deciding = selector
        self._start_time = self.time()
        self.jobs = JobLog(self, wake=self._wake_from_thread)

    def run_forever(self) -> None:
        self.jobs.activate()
        try:
            super().run_forever()
        finally:
            self.jobs.deactivate()

    def call_at(self, when: float, callback: Any, *args: Any, context: Any = None) -> asyncio.TimerHandle:
        """Like the base method, but timers due at the same instant fire in the order they were set."""
        return schedule_timer(self, OrderedTimerHandle, when, callback, args, context)

    # ---------------------------------------------------------- work outside
    def _wake_from_thread(self) -> None:
        try:
            self._write_to_self()
        except Exception:  # the loop is closing; nothing to wake
            pass

    async def _make_subprocess_transport(self, protocol: Any, args: Any, *rest: Any, **kwargs: Any) -> Any:
        if sys.platform == "win32":
            raise NotImplementedError(WINDOWS_SUBPROCESS_MESSAGE)
        transport = await super()._make_subprocess_transport(protocol, args, *rest, **kwargs)
        self.jobs.child_started(transport, program_name(args))
        self.child_transports.append(transport)
        return transport

    def _child_watcher_callback(self, pid: int, returncode: int, transport: Any) -> None:
        # called by the child watcher, in its own thread or the loop's, once the child is reaped
        self.call_soon_threadsafe(self._child_exited, transport, returncode)

    def _child_exited(self, transport: Any, returncode: int) -> None:
        transport._process_exited(returncode)
        job = getattr(transport, "_helpers_job", None)
        if job is not None:  # else it is noted when the transport is made (it exited that fast)
            self.jobs.child_exited(job, returncode)

    def _owns_thread(self, ident: int) -> bool:
        return self.jobs.owns_thread(ident)

    def _foreign_threads(self) -> int:
        """How many threads started during the run are at work: neither the loop's, nor jobs, nor idle."""
        return len(self._foreign_thread_list())

    def _foreign_thread_list(self) -> list[threading.Thread]:
        """Threads started during the run that are at work: neither the loop's, nor counted as jobs, nor idle."""
        found = []
        jobs = self.jobs
        frames = None
        for thread in threading.enumerate():
            ident = thread.ident
            if ident in jobs.known_threads or ident in jobs.worker_threads or ident == self._thread_id:
                continue
            target = getattr(thread, "_target", None)
            if target is _worker_target:
                frames = sys._current_frames() if frames is None else frames
                if _idle_worker(frames.get(ident)):
                    continue
            elif getattr(target, "__name__", None) == "_do_waitpid":
                continue  # asyncio's child watcher waits for a child: the child counts, as a job
            else:
                frames = sys._current_frames() if frames is None else frames
                if self._waits_for_this_loop(frames.get(ident)):
                    continue
            found.append(thread)
        return found

    def _waits_for_this_loop(self, frame: Any) -> bool:
        """True if a thread is blocked in ``Future.result()`` on work this loop will do.

        ``asyncio.run_coroutine_threadsafe(coro, loop).result()`` from a plain thread: the
        thread waits for the loop, so waiting for the thread would be waiting for nothing.
        """
        for _ in range(4):  # Future.result -> Condition.wait -> lock.acquire: a few frames up
            if frame is None:
                return False
            if frame.f_code is _FUTURE_RESULT_CODE:
                future = frame.f_locals.get("self")
                if not isinstance(future, concurrent.futures.Future) or future.done():
                    return False  # done: the thread is about to go on with its own work
                return any(_labels.chained_loop(cb) is self for cb in future._done_callbacks)
            frame = frame.f_back
        return False

    def _untracked_workers(self) -> int:
        """Executor workers that existed before the run and run work submitted outside it."""
        jobs = self.jobs
        frames = None
        count = 0
        for thread in threading.enumerate():
            ident = thread.ident
            if getattr(thread, "_target", None) is not _worker_target or ident not in jobs.known_threads:
                continue
            if ident in jobs.worker_threads:
                continue
            frames = sys._current_frames() if frames is None else frames
            if not _idle_worker(frames.get(ident)):
                count += 1
        return count

    def _busy(self) -> int:
        """How many pieces of outside work are running (not sleeping on the virtual clock)."""
        pending = self.jobs.pending_count()
        with self._lock:
            sleeping = self._sleeping
        return max(0, pending + self._foreign_threads() - sleeping - self._jobs_waiting_for_this_loop())

    def _jobs_waiting_for_this_loop(self) -> int:
        """Running jobs whose thread waits in ``run_coroutine_threadsafe(..., this loop).result()``.

        Such a job waits for the loop, as a plain thread doing so does (rule 3): waiting for it
        in real time would be waiting for nothing.
        """
        with self.jobs.lock:
            idents = list(self.jobs._running_in)
        if not idents:
            return 0
        frames = sys._current_frames()
        return sum(1 for ident in idents if self._waits_for_this_loop(frames.get(ident)))

    def _poll_after_busy_check(self) -> list[Any]:
        """Poll I/O once more, without waiting, after ``_busy()`` found no outside work.

        Finished thread work queues its result (writing to the self-pipe) before it stops
        counting as busy, so this poll sees any wake-up that raced with the check. Without
        it the loop could report a deadlock, or jump the clock, with a result already queued.
        """
        return self._deciding.real_select(0)

    def _has_io(self) -> bool:
        """Sockets or pipes registered (more than the self-pipe), or executor work begun before the run.

        Either may still wake a task, or never: the loop waits for them up to ``IO_IDLE_LIMIT``.
        """
        return len(self._deciding.get_map()) > 1 or self._untracked_workers() > 0

    # -------------------------------------------------------------- deadlock
    def _idle_without_tasks(self) -> bool:
        """With no task at all, nothing is stuck: wait for another thread to call in (rule 6).

        Returns True after one short real wait that found nothing (the caller decides again),
        False if there are tasks (then it is a deadlock). The self-pipe wakes the wait at once.
        """
        if any(not task.done() for task in asyncio.all_tasks(self)):
            return False
        self._deciding.real_select(REAL_WAIT_CHUNK)
        return True

    def _deadlock(self) -> DeadlockError:
        waiting = []
        for task in sorted(asyncio.all_tasks(self), key=lambda t: t.get_name()):
            coro = task.get_coro()
            waiter = getattr(task, "_fut_waiter", None)
            label = _labels.describe_wait(coro, waiter) if waiter is not None else "sleep(0)"
            waiting.append(f"{task.get_name()} waits on {_labels.explain_wait(coro, label)}")
        return DeadlockError(waiting, self.time() - self._start_time)

    def _check_end_of_time(self, when: float) -> None:
        if self._until is not None and when - self._start_time > self._until:
            running = sorted(t.get_name() for t in asyncio.all_tasks(self))
            raise TimeLimitError(self._until, running)

    def _note_idle(self, start: float, end: float) -> None:
        if self.on_idle is not None and end > start:
            self.on_idle(start, end)

    def _wait(self, timeout: float | None) -> list[Any]:
        raise NotImplementedError


class RealTimeLoop(_TracingLoopBase):
    """A selector loop on the real clock that raises :class:`DeadlockError` instead of hanging."""

    def _wait(self, timeout: float | None) -> list[Any]:
        start = self.time()
        io_idle = 0.0
        try:
            while True:
                now = self.time()
                self._check_end_of_time(now)
                remaining = None if timeout is None else timeout - (now - start)
                if remaining is not None and remaining <= 0:
                    return []
                if self._until is not None:
                    left = self._start_time + self._until - now
                    remaining = left if remaining is None else min(remaining, left)
                nothing_scheduled = timeout is None and not self._busy()
                if nothing_scheduled and (not self._has_io() or io_idle >= IO_IDLE_LIMIT):
                    events = self._poll_after_busy_check()
                    if events:
                        return events
                    if self._idle_without_tasks():
                        continue
                    raise self._deadlock()
                chunk = REAL_WAIT_CHUNK if remaining is None else max(0.0, min(REAL_WAIT_CHUNK, remaining))
                t0 = time.perf_counter()
                events = self._deciding.real_select(chunk)
                if nothing_scheduled:
                    io_idle += time.perf_counter() - t0
                if events:
                    return events
        finally:
            self._note_idle(start, self.time())


class VirtualTimeLoop(_TracingLoopBase):
    """A selector loop whose clock jumps to the next timer when nothing else can happen.

    See the module docstring for the rules. ``loop.time()`` starts at ``start``.

    Args:
        until: the end of time, in virtual seconds after ``start``; ``None`` for no limit.
        io_grace: real seconds to wait for in-flight socket data before jumping.
        start: what ``loop.time()`` reads before any time has passed.
    """

    def __init__(self, *, until: float | None = None, io_grace: float = 0.005, start: float = 0.0) -> None:
        self._vtime = 0.0
        self._held_eofs: list[_ExitBeforeEOF] = []
        self._child_clocks: list[_ChildClock] = []
        self._last_wake = 0.0  # perf_counter() when a sleeping thread was last woken
        super().__init__(until=until, io_grace=io_grace)
        if not math.isfinite(start):
            self.close()  # the loop exists now: close it, or its __del__ warns
            raise ValueError(f"start must be a finite number of seconds, not {start!r}")
        self._vtime = self._start_time = float(start)

    def time(self) -> float:
        """The virtual clock: ``start`` plus the virtual seconds passed since the loop was made."""
        return self._vtime

    @property
    def _clock_resolution(self) -> float:
        # must stay above the float spacing at the current time, or a timer due "now"
        # never counts as due and the loop spins (large times: a year is 3e7 s)
        return max(1e-9, 4 * math.ulp(self._vtime))

    @_clock_resolution.setter
    def _clock_resolution(self, _: float) -> None:
        pass  # BaseEventLoop.__init__ sets it; ours is computed

    def close(self) -> None:
        for channel in list(self._child_clocks):  # children still running when the loop closes
            channel.close()
        super().close()

    def run_forever(self) -> None:
        _SLEEPERS.add(self)
        try:
            super().run_forever()
        finally:
            _SLEEPERS.remove(self)

    # ------------------------------------------------------------ time.sleep
    def _advance(self, seconds: float) -> None:
        """``time.sleep`` in the loop thread: the step holds the loop while the clock moves.

        A sleep that would pass the end of time moves the clock to the end of time and raises
        :class:`TimeLimitError` in the step (the timeline shows the step holding the loop until
        then): ``while True: time.sleep(1)`` never yields to the loop, which could not stop it.
        """
        if self._until is not None and self._vtime + seconds - self._start_time > self._until:
            self._vtime = max(self._vtime, self._start_time + self._until)
        self._check_end_of_time(self._vtime + seconds)
        self._vtime += seconds

    def _thread_sleep(self, seconds: float) -> None:
        """``time.sleep`` in one of this loop's threads: wait for the virtual clock."""
        event = threading.Event()
        # among timers and threads due at one instant, the one set first goes first: for a job's
        # thread that is when the job was submitted (a point in the loop's own order, the same
        # on every run), not when the thread happened to get here
        job = self.jobs.job_running_in(threading.get_ident())
        order = next(_scheduling_order) if job is None else job.seq
        with self._lock:
            wake = self._vtime + seconds
            heapq.heappush(self._wakes, (wake, order, next(self._wake_seq), event))
            self._sleeping += 1
        self._wake_from_thread()
        turns, started = self._turns, time.perf_counter()
        while not event.wait(0.05):
            if self.is_closed():
                return
            if self._turns != turns:
                turns, started = self._turns, time.perf_counter()
            elif time.perf_counter() - started > STUCK_LOOP_AFTER:
                # the loop has not turned for a while: a step blocks it, waiting for this very thread
                # (`executor.submit(f).result()` in a coroutine). Virtual time cannot move; sleep for real.
                with self._lock:
                    if event.is_set():
                        return
                    self._wakes = [w for w in self._wakes if w[3] is not event]
                    heapq.heapify(self._wakes)
                    self._sleeping -= 1
                _real_sleep(seconds)
                return

    # ------------------------------------------------------- child processes
    async def _make_subprocess_transport(self, protocol: Any, args: Any, *rest: Any, **kwargs: Any) -> Any:
        """Start the child with a channel to this loop's clock, for its ``time.sleep`` (``_child``)."""
        if sys.platform == "win32":
            raise NotImplementedError(WINDOWS_SUBPROCESS_MESSAGE)
        ours, theirs = socket.socketpair()
        env = dict(os.environ if kwargs.get("env") is None else kwargs["env"])
        if "PYTHONPATH" in env:
            env["HELPERS_ORIGINAL_PYTHONPATH"] = env["PYTHONPATH"]
        env["PYTHONPATH"] = os.pathsep.join(p for p in (_CHILD_DIR, env.get("PYTHONPATH")) if p)
        env["HELPERS_CLOCK_FD"] = str(theirs.fileno())
        kwargs["env"] = env
        kwargs["pass_fds"] = (*kwargs.get("pass_fds", ()), theirs.fileno())
        protocol = _ExitBeforeEOF(protocol, self)
        # fork and exec: asyncio's work in the caller's step, not a blocking call of the program
        note = self.__dict__.get("note_plumbing_wall")  # set by a recorder
        starting = _FirstStepTimed(super()._make_subprocess_transport(protocol, args, *rest, **kwargs), note)
        try:
            transport = await starting
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        channel = _ChildClock(self, ours, program_name(args).startswith("python"))
        self._add_reader(ours.fileno(), channel.read)
        for name in ("send_signal", "terminate", "kill"):  # Process.kill() and co. call these (rule 9)
            setattr(transport, name, _signalling(getattr(transport, name), channel))
        return transport

    def _settle_signals(self) -> None:
        now = time.perf_counter()
        for channel in self._child_clocks:
            channel.settle_signal(now)

    def _children_starting(self) -> bool:
        """True while a Python child has not yet said it is ready: its start-up is not its work.

        Starting an interpreter takes real time (much more on a busy machine); letting the clock
        jump to the next timer meanwhile would make the child's first sleep start at a different
        virtual time from run to run.
        """
        now = time.perf_counter()
        return any(c.starting and now - c.started_at < CHILD_START_LIMIT for c in self._child_clocks)

    def _release_stale_eofs(self) -> bool:
        now = time.perf_counter()
        stale = [p for p in self._held_eofs if now - p.held_since >= EOF_HELD_FOR]
        for protocol in stale:
            self.call_soon(protocol.release)
        return bool(stale)

    def _first_wake_due(self) -> int | None:
        """The order key of the first thread whose virtual sleep is over, or None."""
        with self._lock:
            if self._wakes and self._wakes[0][0] <= self._vtime:
                return self._wakes[0][1]
        return None

    def _wake_next_thread_due(self) -> bool:
        """Wake the first thread whose virtual sleep is over, once the one woken before has settled.

        Threads due at the same instant wake one at a time, in the order of their jobs: the next
        wakes when no outside work is busy (the last one finished, or sleeps again), or after
        ``WAKE_SETTLE_LIMIT`` real seconds. Their results then reach the loop in that order on
        every run, instead of in whatever order the threads happen to be scheduled.
        """
        with self._lock:
            if not self._wakes or self._wakes[0][0] > self._vtime:
                return False
        if time.perf_counter() - self._last_wake < WAKE_SETTLE_LIMIT and self._busy():
            return False
        with self._lock:
            event = heapq.heappop(self._wakes)[3]
            self._sleeping -= 1
        event.set()
        self._last_wake = time.perf_counter()
        return True

    def _next_deadline(self) -> float | None:
        deadline = self._scheduled[0]._when if self._scheduled else None
        with self._lock:
            if self._wakes and (deadline is None or self._wakes[0][0] < deadline):
                deadline = self._wakes[0][0]
        return deadline

    def _jump(self, to: float) -> None:
        if to > self._vtime:
            self._check_end_of_time(to)
            before = self._vtime
            self._vtime = to
            self._note_idle(before, to)

    # ------------------------------------------------------------- the rules
    def _wait(self, timeout: float | None) -> list[Any]:
        waited = 0.0  # real seconds spent waiting for busy outside work
        io_idle = 0.0
        while True:
            self._check_end_of_time(self._vtime)
            self._settle_signals()
            if self._held_eofs and self._release_stale_eofs():
                return []
            first_wake = self._first_wake_due()
            if self._scheduled and self._scheduled[0]._when <= self._vtime:
                if first_wake is None or getattr(self._scheduled[0], "_seq", 0) < first_wake:
                    return []  # timers are due now, set before any thread due now went to sleep
            if first_wake is not None and self._wake_next_thread_due():
                continue
            deadline = self._next_deadline()
            if self._busy():
                chunk = REAL_WAIT_CHUNK
                # (a deadline now is a thread waiting for its turn to wake: wait for the busy work)
                if deadline is not None and deadline > self._vtime and not self._children_starting():
                    left = (deadline - self._vtime) - waited
                    if left <= 0:
                        self._jump(deadline)
                        waited = 0.0
                        continue
                    chunk = min(chunk, left)
                t0 = time.perf_counter()
                events = self._deciding.real_select(chunk)
                waited += time.perf_counter() - t0
                if events:
                    return events
                continue
            events = self._poll_after_busy_check()
            if events:
                return events
            if self._has_io():
                t0 = time.perf_counter()
                events = self._deciding.real_select(self._io_grace if deadline is not None else REAL_WAIT_CHUNK)
                if events:
                    return events
                if deadline is None:
                    io_idle += time.perf_counter() - t0
                    if io_idle < IO_IDLE_LIMIT:
                        continue
            if deadline is None:
                if self._idle_without_tasks():
                    continue
                raise self._deadlock()
            self._jump(deadline)
            if not self._wakes or self._wakes[0][0] > self._vtime:
                return []
