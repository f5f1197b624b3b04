"""Event loops for tracing: one on real time, one on virtual time; both report deadlocks.

The rules of virtual time
-------------------------
A :class:`VirtualTimeLoop` starts its clock at ``start`` (0.0 unless told otherwise) and moves it
only in these ways,
decided each time the loop would otherwise block in ``select()``:

1. Callbacks are ready: I/O is polled without waiting; no time passes.
2. ``select(0)`` finds I/O ready: it is handled; no time passes.
3. Work outside the loop is busy (a thread from ``to_thread``/``run_in_executor``
   that is not in ``time.sleep``, a live subprocess, another thread started
   during the run): the loop waits for it in real time *without* moving the
   clock, so quick real work costs no virtual time and stays deterministic. If the
   real wait grows as long as the virtual distance to the next timer, the clock
   jumps to that timer (so a timeout around slow real work still fires).
4. Sockets are registered but nothing else is busy: a short real grace period
   (``io_grace``) lets in-flight data arrive, then the clock may jump.
5. Only timers are left: the clock is set exactly to the earliest one. No
   rounding: timestamps like 0.1, 0.25 or 1/3 come out exact and identical on
   every run and machine. Timers due at the same instant fire in the order they
   were scheduled, as they would on the real clock (``_timers.py``).
6. Nothing at all (no ready callback, no timer, no I/O, no thread or subprocess
   work) while tasks still wait: no task can ever wake. :class:`DeadlockError`
   is raised at once, listing each stuck task and what it awaits.

``time.sleep(x)`` is virtual too while a virtual loop runs: in the loop's own
thread it moves the clock forward by ``x`` at once (the step that called it
shows on the timeline as holding the loop for ``x``); in a worker thread of
this loop it waits until the virtual clock has moved ``x`` on. Every other use
of ``time.sleep`` is untouched. Other clocks (``time.time``, ``time.perf_counter``)
stay real: read ``loop.time()`` for the virtual clock.

The clock never passes ``until`` seconds after ``start`` (the end of time): a program
still running then is stopped with :class:`TimeLimitError`. The end of time, the times in
deadlock reports and the timeline's views all count from ``start``; only ``loop.time()``
itself reads ``start`` plus the seconds passed, so a program that mixes up a delay and a
deadline (``timeout_at(5)`` for ``timeout(5)``) shows it when ``start`` is not 0.

On Windows these loops are selector loops, which cannot run subprocesses
(asyncio's ``ProactorEventLoop`` can): see the asyncio platform notes.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import concurrent.futures.thread
import functools
import heapq
import itertools
import math
import selectors
import sys
import threading
import time
import weakref
from collections.abc import Callable
from typing import Any

from . import _labels
from ._errors import DeadlockError, TimeLimitError
from ._timers import OrderedTimerHandle, schedule_timer

__all__ = ["RealTimeLoop", "VirtualTimeLoop", "virtual_sleep_installed"]

#: Longest single real wait while something outside the loop is busy, in seconds.
REAL_WAIT_CHUNK = 0.05
#: Real seconds a worker thread's virtual sleep waits for a loop that has stopped turning before sleeping for real.
STUCK_LOOP_AFTER = 1.0
#: How long the loop waits in real time for I/O on registered sockets before declaring a deadlock.
IO_IDLE_LIMIT = 10.0

_real_sleep = time.sleep
_worker_target = concurrent.futures.thread._worker


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


class _PoolCount:
    """Work this loop gave one executor: submitted and not settled, and started in a worker."""

    def __init__(self, executor: Any) -> None:
        self.pending = 0
        self.running = 0
        self.max_workers: int | None = getattr(executor, "_max_workers", None)

    @property
    def queued(self) -> int:
        return max(0, self.pending - self.running)

    @property
    def has_free_worker(self) -> bool:
        return self.max_workers is None or self.running < self.max_workers


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
        self._executor_pending = 0
        self._sleeping = 0
        self._wakes: list[tuple[float, int, threading.Event]] = []
        self._wake_seq = itertools.count()
        self._subprocesses: weakref.WeakSet[Any] = weakref.WeakSet()
        self._known_threads = {t.ident for t in threading.enumerate()}
        self._pool_threads: set[int] = set()
        self._pools: dict[int, _PoolCount] = {}
        self._turns = 0  # times the loop came to select(): it stops counting while a step blocks it
        self.executor_labels: dict[int, str] = {}
        self.on_idle: Callable[[float, float], None] | None = None
        selector = _DecidingSelector(selectors.DefaultSelector())
        super().__init__(selector=selector)
        selector.loop = self
        self._deciding = selector
        self._start_time = self.time()

    def call_at(self, when: float, callback: Any, *args: Any, context: Any = None) -> asyncio.TimerHandle:
        """Like the base method, but timers due at the same instant fire in the order they were set."""
        return schedule_timer(self, OrderedTimerHandle, when, callback, args, context)

    # ---------------------------------------------------------- work outside
    def run_in_executor(self, executor: Any, func: Callable[..., Any], *args: Any) -> asyncio.Future:
        """Like the base method, but the loop knows while the work is pending."""
        self._check_closed()
        if self._debug:
            self._check_callback(func, "run_in_executor")
        if executor is None:
            executor = self._default_executor
            self._check_default_executor()
            if executor is None:
                executor = concurrent.futures.ThreadPoolExecutor(thread_name_prefix="asyncio")
                self._default_executor = executor
        loop = self
        pool = self._pools.setdefault(id(executor), _PoolCount(executor))

        def tracked() -> Any:
            loop._note_pool_thread(pool)
            try:
                return func(*args)
            except BaseException as exc:
                # hide this frame: the traceback reads as if func ran in the pool directly
                if exc.__traceback__ is not None and exc.__traceback__.tb_frame is sys._getframe():
                    exc.__traceback__ = exc.__traceback__.tb_next
                raise

        with self._lock:
            self._executor_pending += 1
            pool.pending += 1
        if isinstance(executor, concurrent.futures.ThreadPoolExecutor):
            concurrent_future = executor.submit(tracked)
        else:  # a process pool pickles what it runs: pass func itself, and count it as running
            with self._lock:
                pool.running += 1
            concurrent_future = executor.submit(func, *args)
        future = asyncio.wrap_future(concurrent_future, loop=self)
        label = f"run_in_executor({_labels._func_name(func)})"
        self.executor_labels[id(future)] = label
        future.add_done_callback(lambda f: self.executor_labels.pop(id(f), None))
        # after wrap_future's own callback, so the result is queued for the loop before we say "done"
        concurrent_future.add_done_callback(functools.partial(self._executor_work_settled, pool))
        return future

    def _note_pool_thread(self, pool: _PoolCount) -> None:
        with self._lock:
            self._pool_threads.add(threading.get_ident())
            pool.running += 1

    def _executor_work_settled(self, pool: _PoolCount, future: concurrent.futures.Future) -> None:
        with self._lock:
            self._executor_pending -= 1
            pool.pending -= 1
            if pool.running > 0 and not future.cancelled():
                pool.running -= 1
        self._wake_from_thread()

    def _wake_from_thread(self) -> None:
        try:
            self._write_to_self()
        except Exception:  # the loop is closing; nothing to wake
            pass

    async def _make_subprocess_transport(self, *args: Any, **kwargs: Any) -> Any:
        transport = await super()._make_subprocess_transport(*args, **kwargs)
        self._subprocesses.add(transport)
        return transport

    def _owns_thread(self, ident: int) -> bool:
        return ident in self._pool_threads or ident not in self._known_threads

    def _foreign_threads(self) -> int:
        return len(self._foreign_thread_list())

    def _foreign_thread_list(self) -> list[threading.Thread]:
        """Threads started during the run, other than executor workers: work the loop did not hand out."""
        found = []
        for thread in threading.enumerate():
            ident = thread.ident
            if ident in self._known_threads or ident in self._pool_threads or ident == self._thread_id:
                continue
            if getattr(thread, "_target", None) is _worker_target:
                continue  # an idle executor worker, not work
            found.append(thread)
        return found

    def _busy(self) -> int:
        """How many pieces of outside work are running (not sleeping on the virtual clock)."""
        live = sum(1 for t in list(self._subprocesses) if t.get_returncode() is None)
        with self._lock:
            # work running in a pool counts; work queued counts only if a worker is free to start it
            # (behind workers that sleep on the virtual clock it waits for the clock, not for real time)
            pools = sum(p.running + (p.queued if p.has_free_worker else 0) for p in self._pools.values())
            sleeping = self._sleeping
        return max(0, pools + live + self._foreign_threads() - sleeping)

    def _poll_after_busy_check(self) -> list[Any]:
        """Poll I/O once more, without waiting, after ``_busy()`` found no outside work.

        Finished thread work queues its result (writing to the self-pipe) before it stops
        counting as busy, so this poll sees any wake-up that raced with the check. Without
        it the loop could report a deadlock, or jump the clock, with a result already queued.
        """
        return self._deciding.real_select(0)

    def _has_io(self) -> bool:
        return len(self._deciding.get_map()) > 1  # more than the loop's own self-pipe

    # -------------------------------------------------------------- deadlock
    def _deadlock(self) -> DeadlockError:
        waiting = []
        for task in sorted(asyncio.all_tasks(self), key=lambda t: t.get_name()):
            coro = task.get_coro()
            waiter = getattr(task, "_fut_waiter", None)
            label = _labels.describe_wait(coro, waiter, self.executor_labels) if waiter is not None else "sleep(0)"
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
        with self._lock:
            wake = self._vtime + seconds
            heapq.heappush(self._wakes, (wake, next(self._wake_seq), event))
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
                    self._wakes = [w for w in self._wakes if w[2] is not event]
                    heapq.heapify(self._wakes)
                    self._sleeping -= 1
                _real_sleep(seconds)
                return

    def _wake_threads_due(self) -> bool:
        woke = False
        with self._lock:
            while self._wakes and self._wakes[0][0] <= self._vtime:
                _, _, event = heapq.heappop(self._wakes)
                self._sleeping -= 1
                event.set()
                woke = True
        return woke

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
            if self._wake_threads_due():
                continue  # let the woken threads settle before anything else runs
            deadline = self._next_deadline()
            if deadline is not None and deadline <= self._vtime:
                return []  # timers are due now
            if self._busy():
                chunk = REAL_WAIT_CHUNK
                if deadline is not None:
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
                raise self._deadlock()
            self._jump(deadline)
            if not self._wakes or self._wakes[0][0] > self._vtime:
                return []
