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
    """The program used more real (wall-clock) seconds than allowed, e.g. a ``while True: pass`` loop.

    Attributes:
        seconds: the limit, in real seconds.
        waiting: True if the loop was stopped while it waited (for work outside it, such as a
            thread or a child process, or for a timer on the real clock), False if code was running.
    """

    def __init__(self, seconds: float, waiting: bool = False) -> None:
        self.seconds = seconds
        self.waiting = waiting
        doing = (
            "the loop was waiting (for work outside it, I/O, or a timer on the real clock)"
            if waiting
            else "the loop was kept busy, by a step that never awaits or by tasks taking turns without "
            "waiting for anything that takes time"
        )
        super().__init__(f"stopped after {seconds:g} s of real time (wall_limit): {doing}")
