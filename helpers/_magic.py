"""The ``%%timeline`` cell magic: run a notebook cell on a traced loop and show its timeline."""

from __future__ import annotations

import ast
import inspect
from typing import Any

from IPython.core.magic import Magics, cell_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring

from ._run import trace
from ._timeline import Timeline

__all__ = ["TimelineMagics", "register"]


@magics_class
class TimelineMagics(Magics):
    """Holds the ``%%timeline`` magic; loaded by ``%load_ext helpers``."""

    @magic_arguments()
    @argument("--real", action="store_true", help="run on the real clock instead of virtual time")
    @argument("--until", type=float, default=None, help="end of time in seconds (default: one virtual day)")
    @argument("--text", action="store_true", help="print the text chart instead of drawing the chart")
    @argument("--name", default="timeline", help="variable to store the Timeline in (default: timeline)")
    @cell_magic
    def timeline(self, line: str, cell: str) -> Timeline | None:
        """Run the cell (top-level ``await`` allowed) on a fresh traced loop, then show its timeline.

        The cell runs as the task ``main``; names it assigns stay in the notebook as
        usual, and the :class:`~helpers.Timeline` is stored in ``timeline`` (or ``--name``).

        Example::

            %%timeline
            await asyncio.gather(asyncio.sleep(1), asyncio.sleep(2))
        """
        args = parse_argstring(self.timeline, line)
        namespace = self.shell.user_ns
        # cached like a cell's own code, so that tracebacks show its lines as "Cell In[N]"
        running = getattr(self.shell.displayhook, "exec_result", None)
        number = running.execution_count if running is not None else self.shell.execution_count
        filename = self.shell.compile.cache(cell, number)
        code = compile(cell, filename, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)

        async def cell_body() -> None:
            outcome = eval(code, namespace)  # noqa: S307 - this is the learner's own cell
            if inspect.iscoroutine(outcome):
                await outcome

        cell_body.__qualname__ = cell_body.__name__ = "cell"
        result = trace(cell_body(), virtual=not args.real, until=args.until)
        namespace[args.name] = result
        if args.text:
            print(result)
            return None
        return result


def register(ipython: Any) -> None:
    """Register the magics with an IPython shell."""
    ipython.register_magics(TimelineMagics)
