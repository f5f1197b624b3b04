"""A progress display for grading a class: students done, failed, flagged, running, elapsed and ETA.

One :class:`Progress` is fed one event at a time by the grading loop; it never reads a clock or
writes output on its own, so it is deterministic (inject ``clock`` and ``stream`` in tests) and needs
no thread. Where it draws:

- a terminal (``stream.isatty()``): one line, redrawn in place with ``\\r`` and cut to the terminal's width;
- a log or CI (not a TTY): a plain line at most every ``interval`` seconds (default 30), and a last line
  at :meth:`Progress.close`, so a log of 2,000 students holds a few dozen lines, never ``\\r`` spam;
- a Jupyter notebook cell: a live widget (``ipywidgets`` progress bar and label) when ipywidgets is
  installed, else an HTML display updated in place (``IPython.display.display(..., display_id=True)``).
  On close the live part is replaced by a static HTML summary, which the saved notebook keeps;
- nowhere (``mode="off"``).

The ETA is ``(total - finished) / rate``, where ``rate`` is the number of students who were graded (those
who went through :meth:`Progress.started`) per second since the first one started: it accounts for the
students graded at once without knowing ``--jobs``. Students rejected before grading (not a notebook,
no notebook) count as finished and failed, not in the rate.

Example use (what ``helpers.grading.autograde`` does)::

    progress = Progress(len(students), label="03-tasks")
    progress.started("alice")      # a grading process was started for alice
    progress.refresh()             # call often (e.g. each poll of the loop): redraws when due
    progress.retrying(result)      # alice failed in a way worth another attempt: she is queued again
    progress.done(result)          # a StudentResult: ok, flags, error
    progress.close()               # the last line / static summary

or as a context manager: ``with Progress(n) as progress: ...`` closes it, even on an error.
"""

from __future__ import annotations

import dataclasses
import html
import math
import os
import shutil
import sys
import time
from collections.abc import Callable
from typing import IO, Any, Literal

__all__ = ["Progress", "ProgressState", "format_duration"]

Mode = Literal["auto", "tty", "lines", "notebook", "off"]

_BAR_WIDTH = 20
#: Students named in the "running" part; the others are counted ("+3").
_RUNNING_NAMES = 2


def format_duration(seconds: float | None) -> str:
    """``75.2`` -> ``"1:15"``, ``3725`` -> ``"1:02:05"``, ``None`` -> ``"--:--"`` (not known yet).

    Example use::

        >>> format_duration(75.2), format_duration(3725), format_duration(None)
        ('1:15', '1:02:05', '--:--')
    """
    if seconds is None or math.isnan(seconds) or math.isinf(seconds):
        return "--:--"
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@dataclasses.dataclass(frozen=True)
class ProgressState:
    """What the display shows at one moment.

    Attributes:
        total: students to grade.
        finished: students with a final result (graded or failed).
        failed: finished students who could not be graded.
        flagged: graded students flagged for review.
        retried: attempts that failed and were queued again.
        running: students being graded now, longest-running first.
        elapsed: seconds since the display was made.
        eta: seconds still to go, ``None`` until a graded student has finished.
    """

    total: int
    finished: int
    failed: int
    flagged: int
    retried: int
    running: tuple[str, ...]
    elapsed: float
    eta: float | None

    def line(self, label: str = "", names: int = _RUNNING_NAMES) -> str:
        """One line of plain text, e.g. ``03-tasks [########------------] 45/120  failed 2 ...  ETA 1:13``."""
        filled = round(_BAR_WIDTH * self.finished / self.total) if self.total else _BAR_WIDTH
        bar = "#" * filled + "-" * (_BAR_WIDTH - filled)
        return (f"{label} " if label else "") + f"[{bar}] " + self.text(names)

    def text(self, names: int = _RUNNING_NAMES) -> str:
        """The line without label and bar: ``45/120  failed 2  running alice, bob +2  0:42 elapsed  ETA 1:13``."""
        parts = [f"{self.finished}/{self.total}"]
        if self.failed:
            parts.append(f"failed {self.failed}")
        if self.flagged:
            parts.append(f"flagged {self.flagged}")
        if self.retried:
            parts.append(f"retried {self.retried}")
        if self.running and names:
            more = len(self.running) - names
            parts.append(f"running {', '.join(self.running[:names])}" + (f" +{more}" if more > 0 else ""))
        elif self.running:
            parts.append(f"running {len(self.running)}")
        parts.append(f"{format_duration(self.elapsed)} elapsed")
        if self.finished < self.total:
            parts.append(f"ETA {format_duration(self.eta)}")
        return "  ".join(parts)

    def html(self, label: str = "") -> str:
        """The same as an HTML fragment: a ``<progress>`` bar and the line's text."""
        return (
            '<div style="font-family: monospace">'
            f'<progress value="{self.finished}" max="{max(self.total, 1)}" style="width: 16em"></progress> '
            f"{html.escape(self.line(label))}</div>"
        )


class _Shown:
    """A state as a notebook shows it: HTML in a browser, the plain line where only text is shown."""

    def __init__(self, state: ProgressState, label: str) -> None:
        self.data = state.html(label)
        self.text = state.line(label)

    def _repr_html_(self) -> str:
        return self.data

    def __repr__(self) -> str:
        return self.text


def _in_notebook() -> bool:
    """Whether this code runs in a Jupyter kernel (not a terminal IPython, not plain Python)."""
    if "IPython" not in sys.modules:
        return False
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython half-imported
        return False
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


class Progress:
    """A progress display for ``total`` students; see the module docstring.

    Args:
        total: students to grade.
        label: shown first on the line, e.g. the assignment id.
        stream: where text goes (default ``sys.stderr``, so a printed table on stdout stays clean).
        clock: seconds, monotonic (default ``time.monotonic``); tests pass a fake one.
        mode: ``"auto"`` (notebook if in a Jupyter kernel, else ``"tty"`` if ``stream.isatty()``, else
            ``"lines"``), or one of ``"tty"``, ``"lines"``, ``"notebook"``, ``"off"``.
        interval: seconds between two plain lines in ``"lines"`` mode.
        redraw: least seconds between two redraws by :meth:`refresh` in ``"tty"`` and ``"notebook"`` mode
            (an event always redraws).
        widgets: in ``"notebook"`` mode, use ipywidgets if it imports (default) or always the HTML display.

    Example use::

        >>> import io
        >>> now = [0.0]
        >>> out = io.StringIO()
        >>> progress = Progress(4, label="03-tasks", stream=out, clock=lambda: now[0], mode="lines")
        >>> progress.started("alice"); progress.started("bob")
        >>> now[0] = 10.0
        >>> progress.done(type("R", (), {"student": "alice", "ok": True, "flags": []})())
        >>> progress.state().eta    # 1 student graded in 10 s, 3 to go
        30.0
    """

    def __init__(
        self,
        total: int,
        *,
        label: str = "",
        stream: IO[str] | None = None,
        clock: Callable[[], float] = time.monotonic,
        mode: Mode = "auto",
        interval: float = 30.0,
        redraw: float = 0.2,
        widgets: bool = True,
    ) -> None:
        self.total = total
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.clock = clock
        self.interval = interval
        self.redraw = redraw
        self._start = clock()
        self._first_started: float | None = None
        self._running: dict[str, float] = {}
        self._finished = self._failed = self._flagged = self._retried = self._graded = 0
        self._last_draw: float | None = None
        self._last_width = 0
        self._closed = False
        self._widget: Any = None
        self._handle: Any = None
        if mode == "auto":
            if _in_notebook():
                mode = "notebook"
            else:
                isatty = getattr(self.stream, "isatty", None)
                mode = "tty" if isatty is not None and isatty() else "lines"
        self.mode: Mode = mode
        if mode == "notebook":
            self._open_notebook(widgets)
        self._draw(force=True)

    # events ---------------------------------------------------------------------------------

    def started(self, student: str) -> None:
        """A grading attempt for ``student`` began."""
        now = self.clock()
        if self._first_started is None:
            self._first_started = now
        self._running[student] = now
        self._draw()

    def retrying(self, result: Any) -> None:
        """``result.student``'s attempt failed and the student is queued again (not finished)."""
        self._running.pop(result.student, None)
        self._retried += 1
        self._draw()

    def done(self, result: Any) -> None:
        """``result.student`` is finished: graded (``result.ok``, maybe ``result.flags``) or failed."""
        was_running = self._running.pop(result.student, None) is not None
        self._finished += 1
        if was_running:
            self._graded += 1
        if not result.ok:
            self._failed += 1
        elif getattr(result, "flags", None):
            self._flagged += 1
        self._draw()

    def refresh(self) -> None:
        """Redraw if it is due (elapsed time and ETA move between events); cheap to call often."""
        self._draw(event=False)

    def close(self) -> None:
        """Draw the final state and release the line or the notebook display; idempotent."""
        if self._closed:
            return
        self._closed = True
        state = self.state()
        if self.mode == "tty":
            self._write_tty(state)
            self.stream.write("\n")
            self.stream.flush()
        elif self.mode == "lines":
            self._write_line(state.line(self.label))
        elif self.mode == "notebook":
            self._close_notebook(state)

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # state ----------------------------------------------------------------------------------

    def state(self) -> ProgressState:
        """What the display shows now."""
        now = self.clock()
        eta = None
        if self._graded and self._first_started is not None:
            rate = self._graded / max(now - self._first_started, 1e-9)
            eta = (self.total - self._finished) / rate
        running = tuple(sorted(self._running, key=lambda s: (self._running[s], s)))
        return ProgressState(
            total=self.total,
            finished=self._finished,
            failed=self._failed,
            flagged=self._flagged,
            retried=self._retried,
            running=running,
            elapsed=now - self._start,
            eta=eta,
        )

    # drawing --------------------------------------------------------------------------------

    def _draw(self, force: bool = False, event: bool = True) -> None:
        if self._closed or self.mode == "off":
            return
        now = self.clock()
        if not force:
            if self.mode == "lines":
                # A log gets a line when one is due, whatever happened in between.
                if self._last_draw is not None and now - self._last_draw < self.interval:
                    return
            elif not event and self._last_draw is not None and now - self._last_draw < self.redraw:
                return
        self._last_draw = now
        state = self.state()
        if self.mode == "tty":
            self._write_tty(state)
        elif self.mode == "lines":
            self._write_line(state.line(self.label))
        else:
            self._update_notebook(state)

    def _write_tty(self, state: ProgressState) -> None:
        width = shutil.get_terminal_size((100, 24)).columns - 1
        line = state.line(self.label)
        if len(line) > width:  # name fewer running students before cutting the ETA off
            line = state.line(self.label, names=0)
        if len(line) > width:
            line = line[: max(width - 1, 0)] + "…"
        pad = max(self._last_width - len(line), 0)
        self.stream.write("\r" + line + " " * pad)
        self.stream.flush()
        self._last_width = len(line)

    def _write_line(self, line: str) -> None:
        self.stream.write(line + "\n")
        self.stream.flush()

    def _open_notebook(self, widgets: bool) -> None:
        from IPython.display import display

        if widgets and os.environ.get("HELPERS_PROGRESS_WIDGETS", "1") != "0":
            try:
                import ipywidgets
            except ImportError:
                ipywidgets = None
            if ipywidgets is not None:
                bar = ipywidgets.IntProgress(value=0, min=0, max=max(self.total, 1), description=self.label[:20])
                text = ipywidgets.HTML()
                self._widget = (ipywidgets.HBox([bar, text]), bar, text)
                display(self._widget[0])
                return
        self._handle = display(_Shown(self.state(), self.label), display_id=True)

    def _update_notebook(self, state: ProgressState) -> None:
        if self._widget is not None:
            _, bar, text = self._widget
            bar.value = state.finished
            bar.bar_style = "danger" if state.failed else ""
            text.value = html.escape(state.text())
        elif self._handle is not None:
            self._handle.update(_Shown(state, self.label))

    def _close_notebook(self, state: ProgressState) -> None:
        from IPython.display import display

        if self._widget is not None:
            # A widget's state is not saved with the notebook: leave a static summary in its place.
            self._widget[0].close()
            display(_Shown(state, self.label))
        elif self._handle is not None:
            self._handle.update(_Shown(state, self.label))
