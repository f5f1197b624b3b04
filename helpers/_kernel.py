"""The course's IPython extension: ■ stops a cell stuck in ``await``; tracebacks start at the learner's code.

Loaded by ``%load_ext helpers``, and in every kernel of the course's environment by
``etc/ipython/ipython_kernel_config.json`` (installed with the package). Nothing here runs on
``import helpers``.

The rules, as :func:`load` installs them:

1. **Interrupting a top-level ``await``.** ipykernel runs a cell that uses top-level ``await``
   as a task on the kernel's event loop and, on SIGINT, schedules that task's cancellation
   with ``call_soon`` from the signal handler. ``call_soon`` does not wake a loop that sleeps
   in ``select``, so a cell waiting on ``asyncio.sleep(3600)`` stays busy, and the
   cancellation only runs when the next message arrives: then the waiting cell ends with
   ``CancelledError`` and ipykernel aborts the queued cell (ipykernel issue #881). Here the
   handler (ipykernel's ``_cancel_on_sigint``, replaced on this kernel only) decides by what
   runs on the main thread when the signal arrives:

   a. the cell's own code is running (it spins, blocks in ``time.sleep`` or waits for
      ``helpers.trace``): raise ``KeyboardInterrupt`` there, as in plain Python;
   b. a task the learner started is running (it spins or blocks): raise ``CancelledError``
      in it, which ends that task as cancelled;
   c. otherwise the loop is waiting: cancel the cell's task with ``call_soon_threadsafe``,
      which wakes the loop at once. The cell ends with ``CancelledError`` at the ``await``
      it was waiting on, and the next cell runs normally.

2. **Tracebacks.** An error shows the learner's own frames and the message: a run of
   library frames that contains frames of ``helpers`` (``trace()``, its thread and loop,
   the checks) is left out; tracebacks without ``helpers`` frames are shown as IPython
   shows them. A cell stopped by ■ (rule 1c) shows only the learner's frames.

3. **Feedback while grading.** When nbgrader autogrades or validates (``NBGRADER_EXECUTION``
   is set) and a cell fails with an ``AssertionError`` about a recorded run, a second output
   under the error shows that run as a text chart and what the check expected
   (:func:`helpers._feedback.explain`). The error and its message are unchanged, and outside
   grading nothing is added (the notebooks' stored outputs stay as they are).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import sysconfig
import types
from collections.abc import Iterator
from typing import Any

__all__ = ["INTERRUPTED_AWAIT", "INTERRUPTED_TASK", "load", "learner_traceback"]

#: The message of the ``CancelledError`` that ends a cell stopped by ■ while it awaited (rule 1c).
INTERRUPTED_AWAIT = "interrupted (■): the cell was cancelled at the await it was waiting on"
#: The message of the ``CancelledError`` raised by ■ in a task of the learner's that was running (rule 1b).
INTERRUPTED_TASK = "interrupted (■): this task was cancelled where it was running"

_HELPERS_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
_LIBRARY_DIRS = tuple(
    sorted({os.path.abspath(p) + os.sep for k, p in sysconfig.get_paths().items() if k.endswith(("stdlib", "lib"))})
)


def _kind(filename: str) -> str:
    """``"helpers"``, ``"library"`` (the standard library, site-packages) or ``"learner"``."""
    if filename.startswith("<frozen "):
        return "library"
    if filename.startswith("<"):  # code compiled from a string: a cell, exec()
        return "learner"
    path = os.path.abspath(filename)
    if path.startswith(_HELPERS_DIR):
        return "helpers"
    if path.startswith(_LIBRARY_DIRS):
        return "library"
    return "learner"


def _entries(tb: types.TracebackType | None) -> list[types.TracebackType]:
    entries = []
    while tb is not None:
        entries.append(tb)
        tb = tb.tb_next
    return entries


def _rebuild(entries: list[types.TracebackType]) -> types.TracebackType | None:
    tb = None
    for entry in reversed(entries):
        tb = types.TracebackType(tb, entry.tb_frame, entry.tb_lasti, entry.tb_lineno)
    return tb


def learner_traceback(tb: types.TracebackType | None, *, learner_only: bool = False) -> types.TracebackType | None:
    """The traceback without the runs of library frames that contain ``helpers`` frames.

    Args:
        tb: a traceback, outermost frame first.
        learner_only: keep only frames of the learner's own code (cells, the course's files).

    Returns:
        A new traceback over the same frames (the original one is left as it was); ``tb``
        itself when nothing would be left.
    """
    entries = _entries(tb)
    kinds = [_kind(e.tb_frame.f_code.co_filename) for e in entries]
    if learner_only:
        kept = [e for e, kind in zip(entries, kinds) if kind == "learner"]
    else:
        kept, run, run_has_helpers = [], [], False
        for entry, kind in [*zip(entries, kinds), (None, "learner")]:  # a sentinel ends the last run
            if kind != "learner":
                run.append(entry)
                run_has_helpers = run_has_helpers or kind == "helpers"
                continue
            if not run_has_helpers:
                kept.extend(run)
            if entry is not None:
                kept.append(entry)
            run, run_has_helpers = [], False
    if not kept or len(kept) == len(entries):
        return tb
    # IPython leaves out the first frame (its own run_code): keep it first, whatever it is
    if entries and kept[0] is not entries[0]:
        kept.insert(0, entries[0])
    return _rebuild(kept)


def _shorten_chain(value: BaseException) -> None:
    """Shorten the tracebacks of ``value`` and of the exceptions it was raised from or during."""
    seen: set[int] = set()
    exc: BaseException | None = value
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        exc.__traceback__ = learner_traceback(exc.__traceback__)
        if exc.__suppress_context__:
            # never shown (``raise ... from None``), but IPython would print a whole hidden exception
            # group's traceback as plain text to stderr instead of the error itself
            exc.__context__ = None
        exc = exc.__cause__ or exc.__context__


def _show_error(shell: Any, etype: type, value: BaseException, tb: Any, tb_offset: int | None = None) -> None:
    """IPython's custom exception handler: the traceback as IPython shows it, minus the internals."""
    feedback = _feedback_for(shell, value, tb)
    if isinstance(value, asyncio.CancelledError) and value.args in ((INTERRUPTED_AWAIT,), (INTERRUPTED_TASK,)):
        tb = learner_traceback(tb, learner_only=True)
        value.__traceback__ = tb
        value.__suppress_context__ = True
    else:
        _shorten_chain(value)
        tb = value.__traceback__
    shell.showtraceback((etype, value, tb), tb_offset=tb_offset, running_compiled_code=True)
    if feedback:
        from IPython.display import display

        html = feedback.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        display({"text/plain": feedback, "text/html": f'<pre class="course-feedback">{html}</pre>'}, raw=True)


#: ``id`` of the notebook's ``timeline`` when the running cell started (rule 3: a cell's own timeline only).
_timeline_before: list[int] = [0]


def _feedback_for(shell: Any, value: BaseException, tb: Any) -> str | None:
    """Rule 3: while nbgrader grades or validates, the learner's run and what the failed check expected."""
    if not os.environ.get("NBGRADER_EXECUTION") or not isinstance(value, AssertionError):
        return None
    try:
        from ._feedback import explain

        timeline = shell.user_ns.get("timeline")
        own = timeline if timeline is not None and id(timeline) != _timeline_before[0] else None
        return explain(value, tb=tb, cell_timeline=own)
    except Exception:  # noqa: BLE001 - the feedback must never hide the error itself
        return None


def _remember_timeline(shell: Any) -> Any:
    def before_cell(*_: Any) -> None:
        _timeline_before[0] = id(shell.user_ns.get("timeline"))

    return before_cell


def _runs_cell_code(frame: types.FrameType | None, run_code: types.CodeType) -> bool:
    while frame is not None:
        if frame.f_code is run_code:
            return True
        frame = frame.f_back
    return False


def _is_learners(task: asyncio.Task) -> bool:
    code = getattr(task.get_coro(), "cr_code", None)
    return code is not None and _kind(code.co_filename) == "learner"


def _interrupt_handler(shell: Any) -> Any:
    """A replacement for ipykernel's ``_cancel_on_sigint(future)`` that applies rule 1."""
    run_code = type(shell).run_code.__code__

    @contextlib.contextmanager
    def stop_on_sigint(cell: asyncio.Future) -> Iterator[None]:
        loop = asyncio.get_running_loop()

        def cancel_cell() -> None:
            if not cell.done():
                cell.cancel(INTERRUPTED_AWAIT)

        def on_sigint(signum: int, frame: types.FrameType | None) -> None:
            if cell.done():
                return
            if _runs_cell_code(frame, run_code):
                raise KeyboardInterrupt
            task = asyncio.current_task(loop)
            if task is not None and task is not cell and _is_learners(task):
                raise asyncio.CancelledError(INTERRUPTED_TASK)
            loop.call_soon_threadsafe(cancel_cell)

        saved = signal.signal(signal.SIGINT, on_sigint)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, saved)

    return stop_on_sigint


def load(shell: Any) -> None:
    """Install the magics, the interrupt rule and the short tracebacks in an IPython shell.

    Args:
        shell: the ``InteractiveShell``; in a Jupyter kernel ``shell.kernel`` is the
            ipykernel kernel whose interrupt handling is replaced.
    """
    import gc

    from ._magic import register

    register(shell)
    # What exists now (the kernel, IPython, their modules) lives as long as the kernel: out of the
    # collector's way, every full collection (helpers.checks runs one before each check) costs less.
    gc.freeze()
    shell.set_custom_exc((BaseException,), _show_error)
    shell.events.register("pre_run_cell", _remember_timeline(shell))
    kernel = getattr(shell, "kernel", None)
    if kernel is None:
        return
    if not hasattr(kernel, "_cancel_on_sigint"):
        # an ipykernel that handles interrupts another way: keep its behaviour, and say so
        print("helpers: this ipykernel has no _cancel_on_sigint; ■ keeps its own behaviour", file=sys.stderr)
        return
    kernel._cancel_on_sigint = _interrupt_handler(shell)
