"""See the asyncio event loop: record task timelines on virtual or real time, show them, check them.

Example use::

    import asyncio, helpers

    async def main():
        await asyncio.gather(asyncio.sleep(1), asyncio.sleep(2))

    timeline = helpers.trace(main())   # virtual time: instant, exact, reproducible
    print(timeline)                    # a text chart and a table
    timeline.plot()                    # a Gantt chart

In Jupyter, ``%load_ext helpers`` adds the ``%%timeline`` cell magic, lets ■ stop a cell stuck in
``await`` and starts tracebacks at the learner's code (the course's kernels load it by themselves).
Importing this package changes nothing: no loop patching, no matplotlib settings.
"""

from . import checks
from ._errors import DeadlockError, TimeLimitError, TraceError, WallTimeLimitError
from ._loop import RealTimeLoop, VirtualTimeLoop
from ._run import trace, tracing
from ._timeline import (
    Callback,
    Cancellation,
    Event,
    Idle,
    JobRecord,
    Leftover,
    Step,
    TaskRecord,
    TaskView,
    Timeline,
    Wait,
)

__all__ = [
    "trace",
    "tracing",
    "checks",
    "Timeline",
    "TaskView",
    "TaskRecord",
    "JobRecord",
    "Step",
    "Wait",
    "Cancellation",
    "Callback",
    "Idle",
    "Event",
    "Leftover",
    "VirtualTimeLoop",
    "RealTimeLoop",
    "TraceError",
    "DeadlockError",
    "TimeLimitError",
    "WallTimeLimitError",
    "load_ipython_extension",
    "accelerated",
]


def accelerated() -> bool:
    """Whether task steps are recorded by the optional C accelerator ``helpers._speedups``.

    False when it was not built at install (no working C compiler) or ``HELPERS_PURE_PYTHON`` is set: the
    pure-Python recorder then gives the same timelines, more slowly. ``python -m helpers`` says which.

    Example use::

        >>> helpers.accelerated()
        True
    """
    from ._recorder import _speedups

    return _speedups is not None


def load_ipython_extension(ipython):  # noqa: ANN001, ANN201 - IPython's hook
    """``%load_ext helpers``: the ``%%timeline`` magic, ■ on ``await``, short tracebacks (see ``helpers._kernel``)."""
    from ._kernel import load

    load(ipython)
