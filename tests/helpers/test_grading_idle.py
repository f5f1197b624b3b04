"""BoundedExecute's idle watcher, decided from scripted CPU readings (no kernel, no real waiting on CPU).

The watcher reads a kernel's CPU time every ``IDLE_POLL`` s and interrupts it once neither the kernel nor
its children have used CPU for ``idle_timeout`` s. Here the readings come from a script of CPU seconds by
the time since the watcher started, on the same clock the watcher uses, so a busy machine that wakes it
late changes when it looks, never what it sees at a given time.
"""

from __future__ import annotations

import asyncio
import sys
import time
import types
from collections.abc import Callable

import psutil
import pytest

from helpers.grading import execute
from helpers.grading.execute import BoundedExecute

POLL = 0.02  # seconds between looks in these tests
LIMIT = 0.2  # idle_timeout in these tests
SLACK = 1.0  # how late an interrupt may come on a busy machine


class _Kernel:
    """A stand-in for ``psutil.Process`` of the kernel: CPU seconds by seconds since it was made."""

    pid = 1

    def __init__(self, own: Callable[[float], float], children: Callable[[float], float]):
        self.began = time.monotonic()  # asyncio's loop.time() on Linux
        self.own, self.of_children = own, children

    def elapsed(self) -> float:
        return time.monotonic() - self.began

    def cpu_times(self) -> types.SimpleNamespace:
        used = self.own(self.elapsed())
        return types.SimpleNamespace(user=used, system=0.0, children_user=0.0, children_system=0.0)

    def children(self, recursive: bool = False) -> list[types.SimpleNamespace]:
        used = self.of_children(self.elapsed())
        times = types.SimpleNamespace(user=used, system=0.0, children_user=0.0, children_system=0.0)
        return [types.SimpleNamespace(pid=2, cpu_times=lambda: times)]


def _watch(
    monkeypatch: pytest.MonkeyPatch,
    own: Callable[[float], float],
    children=lambda t: 0.0,
    seconds: float = 1.0,
    threads: Callable[[float], dict[int, int]] | None = None,
) -> tuple[bool, float | None, str]:
    """Run the watcher on scripted readings for at most ``seconds``: (interrupted, when, what it saw).

    ``own`` and ``children`` script ``cpu_times()`` (seconds, in ticks as the system counts them);
    ``threads``, the kernel's exact per-thread nanoseconds (none: the system does not say).
    """
    kernel = _Kernel(own, children)
    monkeypatch.setattr(
        execute, "_thread_runtimes", lambda pid: threads(kernel.elapsed()) if threads and pid == 1 else {}
    )
    monkeypatch.setattr(psutil, "Process", lambda pid: kernel)
    monkeypatch.setattr(execute, "IDLE_POLL", POLL)
    interrupts = []
    runner = BoundedExecute(idle_timeout=LIMIT)
    runner.km = types.SimpleNamespace(
        provisioner=types.SimpleNamespace(process=types.SimpleNamespace(pid=1)),
        interrupt_kernel=lambda: interrupts.append(kernel.elapsed()),
    )

    async def main() -> bool:
        try:
            return await asyncio.wait_for(runner._stop_when_idle(), seconds)
        except TimeoutError:
            return False

    stopped = asyncio.run(main())
    return stopped, (interrupts or [None])[0], runner._idle_seen


@pytest.mark.skipif(sys.platform == "win32", reason="the watcher reads local processes")
class TestIdleWatcher:
    def test_a_kernel_that_never_runs_is_interrupted_after_the_limit(self, monkeypatch):
        stopped, at, _ = _watch(monkeypatch, own=lambda t: 0.42)
        assert stopped
        assert at is not None and LIMIT <= at <= LIMIT + SLACK, at

    def test_work_at_the_start_of_the_cell_moves_the_limit(self, monkeypatch):
        # the cell works for its first 0.3 s (a 10 ms tick every 20 ms), then waits for ever
        stopped, at, seen = _watch(monkeypatch, own=lambda t: 0.01 * int(min(t, 0.3) / 0.02), seconds=3)
        assert stopped
        assert at is not None and 0.3 + LIMIT <= at <= 0.3 + LIMIT + SLACK, at

    def test_a_kernel_that_wakes_now_and_then_is_working(self, monkeypatch):
        # a trace on the real clock polls while it waits for its timer: a 10 ms tick every 0.06 s
        stopped, _, seen = _watch(monkeypatch, own=lambda t: 0.01 * int(t / 0.06))
        assert not stopped
        assert "the kernel used CPU in" in seen, seen

    def test_a_child_that_works_keeps_the_cell_running(self, monkeypatch):
        stopped, _, seen = _watch(monkeypatch, own=lambda t: 0.3, children=lambda t: 0.01 * int(t / 0.05))
        assert not stopped
        assert "children last used CPU" in seen, seen

    def test_a_stray_tick_of_a_waiting_kernel_is_not_work_where_threads_are_counted_exactly(self, monkeypatch):
        # the kernel waits; its heartbeat thread uses 0.2 ms a second, while the tick counts it adds up to
        # keep crossing 10 ms: the ticks say "worked", the threads' nanoseconds do not
        stopped, at, _ = _watch(
            monkeypatch,
            own=lambda t: 0.42 + 0.01 * int(t / 0.15),
            threads=lambda t: {100: 420_000_000, 101: int(5_000_000 + 200_000 * t)},
        )
        assert stopped
        assert at is not None and LIMIT <= at <= LIMIT + SLACK, at

    def test_threads_that_come_and_go_neither_hide_nor_invent_work(self, monkeypatch):
        # a thread of 0.4 s ends (its time leaves the list), then a new one works 2 ms every 0.02 s
        def threads(t):
            if t < 0.1:
                return {100: 420_000_000, 101: 400_000_000}
            return {100: 420_000_000, 102: int(2_000_000 * (t - 0.1) / 0.02)}

        stopped, _, seen = _watch(monkeypatch, own=lambda t: 0.82, threads=threads)
        assert not stopped
        assert "the kernel used CPU in" in seen, seen

    def test_no_process_to_watch_leaves_only_the_timeout(self, monkeypatch):
        def gone(pid):
            raise psutil.NoSuchProcess(pid)

        monkeypatch.setattr(psutil, "Process", gone)
        runner = BoundedExecute(idle_timeout=1)
        runner.km = types.SimpleNamespace(provisioner=types.SimpleNamespace(process=types.SimpleNamespace(pid=1)))
        assert asyncio.run(runner._stop_when_idle()) is False
        assert "cannot see the kernel's process" in runner._idle_seen
