"""A hang-proof replacement for nbgrader's ``Execute`` preprocessor.

Stock ``nbgrader autograde`` cannot stop every cell that runs too long. A cell with
top-level ``await`` is run as a task on the kernel's own event loop, and the
kernel's interrupt only schedules a callback on that loop (ipykernel issue #881):
a coroutine that awaits forever, blocks the loop with ``time.sleep`` or spins in
``while True`` is never stopped, nbgrader gives up on the whole notebook and the
student gets no grade (or keeps an old one).

:class:`BoundedExecute` keeps nbgrader's behaviour for every cell that finishes and
adds one rule for a cell that does not: interrupt it; if the kernel is still busy
after ``iopub_timeout`` seconds (or died, e.g. from ``SystemExit`` in a task),
record an error in that cell, start a fresh kernel, silently re-run the cells that
worked before it, and go on with the next cell. A notebook that hangs more than
``max_kernel_restarts`` times has its remaining cells marked as not run (an error,
so their tests score 0), which bounds the time any one student can take.

Kernels talk over IPC sockets with their own absolute path, so many grading
processes on one machine never race for TCP ports.

This module imports nbgrader: only nbgrader's configuration loads it, through
``nbgrader_config.py``::

    c.Autograde.autograde_preprocessors = ["helpers._grading.BoundedExecute", ...]
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import uuid
from queue import Empty
from typing import Any

from jupyter_core.utils import ensure_async, run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Integer

__all__ = ["BoundedExecute", "NOT_RUN", "HUNG"]

#: ``ename`` of the error put in a cell that was stopped because it ran too long or killed its kernel.
HUNG = "CellStoppedError"
#: ``ename`` of the error put in a cell that was not run because the notebook hung too often.
NOT_RUN = "CellNotRunError"


def _error(ename: str, evalue: str) -> NotebookNode:
    return NotebookNode(
        output_type="error",
        ename=ename,
        evalue=evalue,
        traceback=[f"\x1b[0;31m{ename}\x1b[0m: {evalue}"],
    )


class BoundedExecute(Execute):
    """nbgrader's ``Execute`` that survives cells which hang, block the loop, spin or kill the kernel."""

    max_kernel_restarts = Integer(
        3,
        help="How many times one notebook may hang (or kill its kernel) before its remaining cells are "
        "marked as not run.",
    ).tag(config=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._worked: list[str] = []
        self._restarts = 0
        self._ipc_dir: str | None = None

    def preprocess(self, nb: NotebookNode, resources: Any = None, km: Any = None) -> Any:
        self._worked = []
        self._restarts = 0
        self._ipc_dir = tempfile.mkdtemp(prefix="nbg-") if os.name == "posix" else None
        try:
            return super().preprocess(nb, resources, km)
        finally:
            if self._ipc_dir:
                shutil.rmtree(self._ipc_dir, ignore_errors=True)

    def create_kernel_manager(self) -> Any:
        km = super().create_kernel_manager()
        if self._ipc_dir:
            # Unix sockets with an absolute, private path: no TCP port can be taken by a parallel grader.
            km.transport = "ipc"
            km.ip = os.path.join(self._ipc_dir, uuid.uuid4().hex[:8])
        return km

    async def async_execute_cell(
        self,
        cell: NotebookNode,
        cell_index: int,
        execution_count: int | None = None,
        store_history: bool = True,
    ) -> NotebookNode:
        if cell.cell_type != "code" or not cell.source.strip():
            return await super().async_execute_cell(cell, cell_index, execution_count, store_history)
        if self._restarts > self.max_kernel_restarts:
            cell.outputs = [
                _error(
                    NOT_RUN,
                    f"not run: earlier cells hung {self._restarts} times, so grading stopped here.",
                )
            ]
            return cell
        try:
            cell = await super().async_execute_cell(cell, cell_index, execution_count, store_history)
        except (CellTimeoutError, DeadKernelError) as exc:
            died = isinstance(exc, DeadKernelError)
            why = "stopped the kernel" if died else f"still ran after {self.timeout} s and could not be interrupted"
            self.log.warning("Cell %d %s: restarting the kernel and re-running earlier cells", cell_index, why)
            cell.outputs.append(
                _error(
                    HUNG,
                    f"this cell {why} (it awaits forever, blocks the event loop or spins?). "
                    "The grader started a fresh kernel and re-ran the cells above it.",
                )
            )
            if execution_count:
                cell["execution_count"] = execution_count
            self._restarts += 1
            if self._restarts <= self.max_kernel_restarts:
                await self._restart_and_replay()
            self.nb["cells"][cell_index] = cell
            return cell
        if not any(o.get("ename") == "CellTimeoutError" for o in cell.outputs):
            self._worked.append(cell.source)
        return cell

    execute_cell = run_sync(async_execute_cell)

    async def _restart_and_replay(self) -> None:
        """Replace the kernel with a fresh one and re-run, silently, every cell that worked so far."""
        assert self.km is not None
        try:
            await ensure_async(self.km.shutdown_kernel(now=True))
        except RuntimeError:
            pass
        await ensure_async(self.km.cleanup_resources())
        if self.kc is not None:
            await ensure_async(self.kc.stop_channels())
        self.kc = None
        self.km = self.create_kernel_manager()
        await self.async_start_new_kernel()
        await self.async_start_new_kernel_client()
        for source in self._worked:
            msg_id = self.kc.execute(source, silent=True, store_history=False, stop_on_error=False)
            if not await self._reply_within(msg_id, self.timeout):
                # A cell that worked once no longer finishes: nothing after it can be trusted.
                self._restarts = self.max_kernel_restarts + 1
                return

    async def _reply_within(self, msg_id: str, timeout: float | None) -> bool:
        assert self.kc is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (timeout or 60)
        while (left := deadline - loop.time()) > 0:
            try:
                msg = await ensure_async(self.kc.shell_channel.get_msg(timeout=left))
            except Empty:
                return False
            if msg["parent_header"].get("msg_id") == msg_id:
                return True
        return False
