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
from ._timeline import Callback, Event, Idle, Step, TaskRecord, TaskView, Timeline, Wait

__all__ = [
    "trace",
    "tracing",
    "checks",
    "Timeline",
    "TaskView",
    "TaskRecord",
    "Step",
    "Wait",
    "Callback",
    "Idle",
    "Event",
    "VirtualTimeLoop",
    "RealTimeLoop",
    "TraceError",
    "DeadlockError",
    "TimeLimitError",
    "WallTimeLimitError",
    "load_ipython_extension",
]


def load_ipython_extension(ipython):  # noqa: ANN001, ANN201 - IPython's hook
    """``%load_ext helpers``: the ``%%timeline`` magic, ■ on ``await``, short tracebacks (see ``helpers._kernel``)."""
    from ._kernel import load

    load(ipython)
