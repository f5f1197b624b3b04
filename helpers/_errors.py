"""Errors raised when a traced program cannot go on: deadlock, end of time, wall-clock limit."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._timeline import Timeline

__all__ = ["TraceError", "DeadlockError", "TimeLimitError", "WallTimeLimitError"]


class TraceError(RuntimeError):
    """Base class: the traced program was stopped. ``timeline`` holds what ran until then."""

    timeline: Timeline | None = None


class DeadlockError(TraceError):
    """No task can ever wake again: nothing is ready, no timer, no I/O and no thread work is pending.

    Attributes:
        waiting: one line per stuck task, e.g. ``"consumer-1 waits on Queue.get (queue empty)"``.
        at: the loop time when the deadlock was found.
    """

    def __init__(self, waiting: list[str], at: float) -> None:
        self.waiting = waiting
        self.at = at
        lines = "\n".join(f"  - {line}" for line in waiting) or "  (no task left waiting)"
        super().__init__(
            f"deadlock at t={at:g}: no task can ever wake up. Nothing is scheduled, no timer is set,\n"
            f"and no I/O or thread work is pending. Still waiting:\n{lines}"
        )


class TimeLimitError(TraceError):
    """The program was still running when the virtual clock reached the end-of-time limit."""

    def __init__(self, until: float, running: list[str]) -> None:
        self.until = until
        self.running = running
        names = ", ".join(running) if running else "none"
        super().__init__(
            f"still running at the end-of-time limit t={until:g} s (tasks not finished: {names}). "
            "An endless loop of sleeps? Pass a larger until= to trace() if it should run longer."
        )


class WallTimeLimitError(TraceError):
    """The program used more real (wall-clock) seconds than allowed, e.g. a ``while True: pass`` loop."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(
            f"stopped after {seconds:g} s of real time: some code kept the loop busy without ever "
            "awaiting (a CPU loop or a blocking call inside a coroutine?)"
        )
