"""A hang-proof replacement for nbgrader's ``Execute`` preprocessor, for autograding and for Validate.

Stock ``nbgrader autograde`` cannot stop every cell that runs too long. A cell with
top-level ``await`` is run as a task on the kernel's own event loop, and the
kernel's interrupt only schedules a callback on that loop (ipykernel issue #881):
a coroutine that awaits forever, blocks the loop with ``time.sleep`` or spins in
``while True`` is never stopped, nbgrader gives up on the whole notebook and the
student gets no grade (or keeps an old one). The course's kernels stop most of these
cells when interrupted (``helpers._kernel``); this module does not rely on it.

:class:`BoundedExecute` keeps nbgrader's behaviour for every cell that finishes and
adds one rule for a cell that does not: interrupt it. If the cell stops, it gets one
error that says so and grading goes on in the same kernel; if the kernel is still busy
after ``iopub_timeout`` seconds (or died, e.g. from ``SystemExit`` in a task),
record an error in that cell, start a fresh kernel, silently re-run the cells that
worked before it, and go on with the next cell. A notebook that hangs more than
``max_kernel_restarts`` times has its remaining cells marked as not run (an error,
so their tests score 0), which bounds the time any one student can take.

:func:`use_for_validation` makes nbgrader's ``Validator`` (``nbgrader validate FILE``
and JupyterLab's Validate button) run :class:`BoundedExecute` too, and answer with a
short list: the cells that hung, each failed graded cell with its message, and which
graded cells passed.

Limits per kernel (all configurable on ``BoundedExecute``, 0 turns one off):

- ``max_output_bytes`` / ``max_notebook_output_bytes``: output kept per cell and per notebook
  (counted in characters of text and of each data item, about bytes; an error is always kept,
  its message and traceback cut to 10 kB each).
  nbgrader's ``LimitOutput`` counts lines, so one huge line (or 200 MB of ``print``) went into
  the autograded notebook and the feedback page whole. Output past the limit is dropped as it
  arrives (the grader never holds it) and the cell ends with one note saying so.
- ``memory_limit_mb``: the kernel's address space (``RLIMIT_AS``, set as the kernel starts, hard
  limit too so student code cannot raise it). An allocation past it raises ``MemoryError`` in
  the student's code; the cell's error then says the grader's memory limit was reached.
- nothing outlives its kernel: every kernel gets a marker in its environment
  (``ASYNCIO_COURSE_KERNEL``); when the kernel is shut down or replaced, every process still
  carrying the marker is killed: children in their own session (``start_new_session=True``),
  daemons and orphans included. (A child started with an emptied environment escapes the
  marker; ``helpers.grading.autograde`` also makes each grading process a child subreaper and
  kills whatever is left under it.)
- ``sandbox`` (``"auto"``, ``"on"``, ``"off"``): each kernel runs in a sandbox (its own network and
  mount namespaces, the course, the gradebook and the homes hidden, an unprivileged uid, no gradebook
  path in its environment): see ``helpers.grading.sandbox``. ``"auto"`` warns once where the machine
  cannot provide it and grades anyway; ``"on"`` fails instead. Validate sets it ``"off"``.

Images are not drawn (``images``, off by default): a kernel makes only text, HTML, Markdown,
LaTeX and JSON outputs, so a timeline's PNG (and matplotlib itself) costs nothing when grading.

Kernels talk over IPC sockets with their own absolute path, so many grading
processes on one machine never race for TCP ports (and a sandboxed kernel, with no
network, still reaches its grader: its connection file sits beside the sockets).

This module imports nbgrader: only nbgrader's configuration loads it, through
``nbgrader_config.py``::

    c.Autograde.autograde_preprocessors = ["helpers.grading.execute.BoundedExecute", ...]
    c.Validator.BoundedExecute.timeout = 7
    use_for_validation()
"""

from __future__ import annotations

import asyncio
import html
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import uuid
from queue import Empty
from typing import Any

from jupyter_core.utils import ensure_async, run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import CheckCellMetadata, ClearOutput, Execute
from traitlets import Bool, Enum, Float, Integer, List, Unicode

from . import sandbox as _sandbox
from .tamper import LOG_PREFIX, PROBE_EXPRESSION, Sentinels, read_probe, scan_notebook, summarise

__all__ = ["BoundedExecute", "NOT_RUN", "HUNG", "use_for_validation", "validation_results"]

#: ``ename`` of the error put in a cell that was stopped because it ran too long or killed its kernel.
HUNG = "CellStoppedError"
#: ``ename`` of the error put in a cell that was not run because the notebook hung too often.
NOT_RUN = "CellNotRunError"
#: Environment variable marking every process a grading kernel started (its value is unique per kernel).
KERNEL_MARKER = "ASYNCIO_COURSE_KERNEL"
#: How often (s) a running cell's kernel is looked at for CPU use, and the CPU seconds that count as working.
IDLE_POLL = 0.25
IDLE_CPU = 0.005
#: The kinds of output a kernel makes when ``BoundedExecute.images`` is off (IPython's ``DisplayFormatter``).
TEXT_OUTPUTS = ("text/plain", "text/html", "text/markdown", "text/latex", "application/json")


def _memory_limit(limit_bytes: int) -> Any:
    def apply() -> None:  # runs in the kernel's process, between fork and exec
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, limit_bytes))

    return apply


def kill_marked(marker: str) -> list[int]:
    """SIGKILL every process (of this user) whose environment has ``KERNEL_MARKER=marker``; return their pids.

    Linux only (reads ``/proc/PID/environ``); elsewhere it does nothing.
    """
    needle = f"{KERNEL_MARKER}={marker}".encode()
    killed = []
    if not os.path.isdir("/proc"):
        return killed
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as f:
                environ = f.read().split(b"\0")
        except OSError:  # gone, or another user's
            continue
        if needle in environ:
            try:
                os.kill(int(entry), signal.SIGKILL)
                killed.append(int(entry))
            except OSError:
                pass
    return killed


def _error(ename: str, evalue: str) -> NotebookNode:
    return NotebookNode(
        output_type="error",
        ename=ename,
        evalue=evalue,
        traceback=[f"\x1b[0;31m{ename}\x1b[0m: {evalue}"],
    )


def _thread_runtimes(pid: int) -> dict[int, int]:
    """Nanoseconds of CPU each thread of process ``pid`` has used (``/proc/PID/task/*/schedstat``; Linux).

    Empty where the machine does not say (another system, no schedstat, the process gone).
    """
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return {}
    runtimes = {}
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                runtimes[int(tid)] = int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            continue
    return runtimes


class _Work:
    """CPU seconds a changing set of processes has used since the first look, exact where Linux allows.

    ``cpu_times()`` counts in ticks of 10 ms, so a waiting kernel whose heartbeat uses under 1 ms
    in 4 s now and then crosses a tick and seems to have worked 10 ms. Each thread's schedstat
    counts nanoseconds; threads and processes come and go, so the work is the sum of what each one
    grew since it was last seen (a new one: all it used), plus what the processes' reaped children
    used. Where schedstat is missing, a process's ``cpu_times()`` stands in for its threads.
    """

    def __init__(self) -> None:
        self._seen: dict[tuple[int, object], float] = {}
        self._total = 0.0
        self._looked = False

    def look(self, processes: list[Any], vanished: type[Exception] = OSError) -> float:
        """The work so far; a process after the first that is gone (``vanished``) is skipped."""
        for process in processes:
            try:
                times = process.cpu_times()
            except vanished:
                if process is processes[0]:
                    raise
                continue
            readings: dict[object, float] = {"reaped": times.children_user + times.children_system}
            threads = _thread_runtimes(process.pid)
            if threads:
                readings.update((tid, ns / 1e9) for tid, ns in threads.items())
            else:
                readings["ticks"] = times.user + times.system
            for what, used in readings.items():
                key = (process.pid, what)
                before = self._seen.get(key, 0.0 if self._looked else used)
                self._total += max(0.0, used - before)
                self._seen[key] = used
        self._looked = True
        return self._total


class BoundedExecute(Execute):
    """nbgrader's ``Execute`` that survives cells which hang, block the loop, spin or kill the kernel."""

    max_kernel_restarts = Integer(
        3,
        help="How many times one notebook may hang (or kill its kernel) before its remaining cells are "
        "marked as not run.",
    ).tag(config=True)
    max_output_bytes = Integer(
        1_000_000, help="Output bytes kept per cell (0: no limit); the rest is dropped with a note."
    ).tag(config=True)
    max_notebook_output_bytes = Integer(
        10_000_000, help="Output bytes kept per notebook (0: no limit); the rest is dropped with a note."
    ).tag(config=True)
    memory_limit_mb = Integer(
        2048, help="Address space of each kernel in MiB (RLIMIT_AS; 0: no limit). POSIX only."
    ).tag(config=True)
    idle_timeout = Float(
        4.0,
        help="Seconds a cell may wait while its kernel (and every process it started) uses no CPU before it "
        "is interrupted (0: only `timeout` applies). Longer than check_wall_limit, so a check stops a "
        "blocked program itself and says why.",
    ).tag(config=True)
    check_wall_limit = Float(
        3.0,
        help="Real seconds a program run by helpers.checks may keep the loop busy in a grading kernel "
        "(ASYNCIO_COURSE_WALL_LIMIT; 0: the checks' own default of 5 s). Course programs run on virtual time in "
        "milliseconds: a lower limit makes a student who blocks the loop cost seconds, not most of a minute.",
    ).tag(config=True)
    images = Bool(
        False,
        help="Whether kernels render images (PNG, JPEG, SVG) of outputs. Off: nobody looks at the timelines' "
        "pictures in an autograded notebook, and drawing them (matplotlib included) was the largest part of a "
        "kernel's CPU; every text and HTML output is kept.",
    ).tag(config=True)

    sandbox = Enum(
        ["auto", "on", "off"],
        "auto",
        help="Run each kernel in a sandbox (helpers.grading.sandbox: no network, no view of the course, the "
        "gradebook or the homes, an unprivileged uid). auto: where the machine can, with one warning where it "
        "cannot; on: grading fails where it cannot; off: never (Validate on a learner's machine).",
    ).tag(config=True)
    sandbox_hide = List(
        Unicode(), help="More folders the sandboxed kernel must not see (e.g. another copy of the course)."
    ).tag(config=True)
    show_kernel_stderr = Bool(
        False,
        help="Let each kernel process's own stdout and stderr through to the grader's (ipykernel's and zmq's "
        "logs, a kernel's last words when it fails to start). Off: they are discarded, so a kernel shutting "
        "down under load, or a student's code writing to file descriptor 2, never prints into the grader's "
        "output; what the notebook prints is kept in its outputs either way. Turn it on to see why kernels "
        "fail to start.",
    ).tag(config=True)
    detect_tampering = Bool(
        True,
        help="Scan the student's cells, probe the kernel after the last cell and check that each test cell "
        "ran to its end; log each finding as 'TAMPER: flagged for review: ...' (helpers.grading.tamper).",
    ).tag(config=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._identity: tuple[int, int] | None = None
        self._owned: list[tuple[str, int, int]] = []
        self._worked: list[str] = []
        self._hangs = 0
        self._ipc_dir: str | None = None
        self._markers: list[str] = []
        self._cell_bytes = 0
        self._notebook_bytes = 0
        self._truncated = False
        self._idle_seen = "no idle watcher (idle_timeout is 0)"  # what the idle watcher saw last, for the log

    def preprocess(self, nb: NotebookNode, resources: Any = None, km: Any = None) -> Any:
        self._worked = []
        self._hangs = 0
        self._markers = []
        self._notebook_bytes = 0
        self._ipc_dir = tempfile.mkdtemp(prefix="nbg-") if os.name == "posix" else None
        self._identity = _sandbox.new_identity() if os.name == "posix" and os.geteuid() == 0 else None
        self._owned = []
        self._sentinels = Sentinels()
        self._tampering = scan_notebook(nb) if self.detect_tampering else []
        try:
            return super().preprocess(nb, resources, km)
        finally:
            self._end_leftovers()
            self._give_back()
            if self._ipc_dir:
                shutil.rmtree(self._ipc_dir, ignore_errors=True)
            self._report_tampering()

    # ---- tamper detection (helpers.grading.tamper): the probe runs after the last cell, in the same kernel
    def preprocess_cell(self, cell: NotebookNode, resources: Any, index: int) -> Any:
        result = super().preprocess_cell(cell, resources, index)
        if self.detect_tampering and index == len(self.nb.cells) - 1 and self._hangs <= self.max_kernel_restarts:
            run_sync(self._probe)()
        return result

    async def _probe(self) -> None:
        if self.kc is None:
            return
        msg_id = self.kc.execute("", silent=True, store_history=False, user_expressions={"probe": PROBE_EXPRESSION})
        reply = await self._reply_within(msg_id, self.timeout, keep=True)
        if reply is None and self._hangs:
            return  # a kernel that hung before may be busy still: no answer proves nothing
        self._tampering.extend(read_probe(reply))

    def _report_tampering(self) -> None:
        for line in summarise(self._tampering):
            self.log.warning("%s%s", LOG_PREFIX, line)

    # -- sandbox (helpers.grading.sandbox) --------------------------------------------------------------

    def _sandbox_plan(self, cwd: str | None) -> tuple[_sandbox.Plan | None, list[str]]:
        """The sandbox for the next kernel (None: run without one) and the secrets to keep out of its environment."""
        from nbgrader.coursedir import CourseDirectory

        coursedir = CourseDirectory(config=self.config)
        db = str(coursedir.db_url)
        gradebook = db.split("sqlite:///", 1)[1].split("?", 1)[0] if db.startswith("sqlite:///") else ""
        secrets = [s for s in (gradebook, db) if s]
        if self.sandbox == "off" or self._ipc_dir is None:
            return None, secrets
        support = _sandbox.announce(self.sandbox, self.log)
        if not support.available:
            return None, secrets
        root = coursedir.root
        hide = [root, *self.sandbox_hide]
        for name in ("source", "release", "submitted", "autograded", "feedback"):
            hide.append(os.path.join(root, getattr(coursedir, f"{name}_directory")))
        if gradebook:
            hide.append(os.path.dirname(os.path.abspath(gradebook)))
        keep = [self._ipc_dir]
        plan = _sandbox.make_plan(
            cwd=cwd,
            hide=[h for h in hide if h],
            keep_rw=keep,
            own=[*keep, *([cwd] if cwd else []), self.km.connection_file],
            identity=self._identity,
        )
        if os.geteuid() == 0:
            for path in plan.own[:-1]:  # give the working folders back when the notebook is done
                st = os.stat(path)
                if (path, st.st_uid, st.st_gid) not in self._owned and st.st_uid != plan.uid:
                    self._owned.append((path, st.st_uid, st.st_gid))
        return plan, secrets

    def _give_back(self) -> None:
        """Return the kernel's working folders (and what the kernel wrote in them) to their owner."""
        if not self._identity:
            return
        for folder, uid, gid in self._owned:
            for base, dirs, files in os.walk(folder):
                for name in [*dirs, *files]:
                    path = os.path.join(base, name)
                    try:
                        if os.lstat(path).st_uid == self._identity[0]:
                            os.lchown(path, uid, gid)
                    except OSError:
                        pass
            try:
                os.chown(folder, uid, gid)
            except OSError:
                pass
        self._owned = []

    def _end_leftovers(self) -> None:
        for marker in self._markers:
            killed = kill_marked(marker)
            if killed:
                self.log.warning("Killed %d process(es) the student's kernel left running", len(killed))
        self._markers = []

    async def async_start_new_kernel(self, **kwargs: Any) -> None:
        marker = uuid.uuid4().hex
        self._markers.append(marker)
        env = dict(kwargs.pop("env", None) or os.environ)
        env[KERNEL_MARKER] = marker
        if self.check_wall_limit:
            env["ASYNCIO_COURSE_WALL_LIMIT"] = str(self.check_wall_limit)
        limit = None
        if self.memory_limit_mb and os.name == "posix" and sys.platform != "darwin":
            limit = kwargs["preexec_fn"] = _memory_limit(self.memory_limit_mb * 1024 * 1024)
        if not self.images:
            flags = [f"--DisplayFormatter.active_types={kind}" for kind in TEXT_OUTPUTS]
            self.extra_arguments = [a for a in self.extra_arguments if a not in flags] + flags
        cwd = kwargs.get("cwd") or self.resources.get("metadata", {}).get("path") or None
        plan, secrets = self._sandbox_plan(os.path.abspath(cwd) if cwd else None)
        env = _sandbox.clean_env(env, secrets, home=plan is not None)
        kwargs["env"] = env
        if not self.show_kernel_stderr:
            kwargs.setdefault("stdout", subprocess.DEVNULL)
            kwargs.setdefault("stderr", subprocess.DEVNULL)
        if plan is None:
            await super().async_start_new_kernel(**kwargs)
            return
        read_fd, write_fd = os.pipe()  # the sandbox's setup says here what failed, if anything
        kwargs["preexec_fn"] = _sandbox.preexec(plan, then=limit, report_fd=write_fd)
        try:
            await super().async_start_new_kernel(**kwargs)
        except Exception:
            os.close(write_fd)
            write_fd = -1
            os.set_blocking(read_fd, False)
            try:
                why = os.read(read_fd, 1000).decode(errors="replace")
            except BlockingIOError:
                why = ""
            if why:
                raise _sandbox.SandboxError(1, f"the kernel's sandbox could not be set up: {why}") from None
            raise
        finally:
            for fd in (read_fd, write_fd):
                if fd >= 0:
                    os.close(fd)

    start_new_kernel = run_sync(async_start_new_kernel)

    def output(self, outs: list[NotebookNode], msg: dict[str, Any], display_id: str | None, cell_index: int) -> Any:
        """Keep output only up to the byte limits; note once per cell that the rest was dropped."""
        if msg["msg_type"] not in ("stream", "display_data", "execute_result", "error"):
            return super().output(outs, msg, display_id, cell_index)
        content = msg.get("content", {})
        size = len(content.get("text", "")) + sum(len(str(v)) for v in content.get("data", {}).values())
        cell_left = self.max_output_bytes - self._cell_bytes if self.max_output_bytes else sys.maxsize
        nb_limit = self.max_notebook_output_bytes
        nb_left = nb_limit - self._notebook_bytes if nb_limit else sys.maxsize
        left = min(cell_left, nb_left)
        if msg["msg_type"] == "error":
            # the error is what the student needs to read: always kept, its message and traceback cut to 10 kB
            tb = "\n".join(content.get("traceback", []))
            if len(tb) + len(str(content.get("evalue", ""))) > 20_000:
                evalue = str(content.get("evalue", ""))[:10_000]
                cut = "[traceback cut: longer than the grader keeps]"
                msg = {**msg, "content": {**content, "evalue": evalue, "traceback": [tb[:10_000], cut]}}
            return super().output(outs, msg, display_id, cell_index)
        if size > left:
            if msg["msg_type"] == "stream" and left > 0:
                msg = {**msg, "content": {**content, "text": content["text"][:left]}}
                super().output(outs, msg, display_id, cell_index)
            self._cell_bytes += max(left, 0)
            self._notebook_bytes += max(left, 0)
            if not self._truncated:
                self._truncated = True
                which = "this cell" if cell_left <= nb_left else "this notebook"
                limit = self.max_output_bytes if cell_left <= nb_left else self.max_notebook_output_bytes
                outs.append(
                    NotebookNode(
                        output_type="stream",
                        name="stderr",
                        text=f"\n[output cut: {which} printed more than the grader keeps ({limit} bytes)]\n",
                    )
                )
            return None
        self._cell_bytes += size
        self._notebook_bytes += size
        return super().output(outs, msg, display_id, cell_index)

    def create_kernel_manager(self) -> Any:
        km = super().create_kernel_manager()
        if self._ipc_dir:
            # Unix sockets with an absolute, private path: no TCP port can be taken by a parallel grader.
            km.transport = "ipc"
            km.ip = os.path.join(self._ipc_dir, uuid.uuid4().hex[:8])
            # the connection file beside the sockets: the one folder a sandboxed kernel shares with the grader
            km.connection_file = os.path.join(self._ipc_dir, f"kernel-{uuid.uuid4().hex[:8]}.json")
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
        self._cell_bytes = 0
        self._truncated = False
        cell = await self._execute_cell(cell, cell_index, execution_count, store_history)
        if self.memory_limit_mb:
            for out in cell.outputs:
                if out.get("ename") == "MemoryError":
                    out["evalue"] = (
                        f"the grader's memory limit for this notebook ({self.memory_limit_mb} MiB) was reached"
                        + (f" ({out['evalue']})" if out.get("evalue") else "")
                    )
                    out["traceback"] = list(out.get("traceback", [])) + [f"MemoryError: {out['evalue']}"]
        return cell

    async def _execute_cell(
        self, cell: NotebookNode, cell_index: int, execution_count: int | None, store_history: bool
    ) -> NotebookNode:
        if self._hangs > self.max_kernel_restarts:
            cell.outputs = [
                _error(NOT_RUN, f"not run: earlier cells hung {self._hangs} times, so grading stopped here.")
            ]
            return cell
        watcher = asyncio.ensure_future(self._stop_when_idle()) if self.idle_timeout else None
        source = cell.source
        if self.detect_tampering:
            cell.source = self._sentinels.arm(cell, cell_index)
        try:
            cell = await super().async_execute_cell(cell, cell_index, execution_count, store_history)
        except (CellTimeoutError, DeadKernelError) as exc:
            cell.source = source
            self._sentinels.check(cell, cell_index)
            died = isinstance(exc, DeadKernelError)
            why = "stopped the kernel" if died else f"was still running after {self.timeout} s and did not stop"
            self.log.warning(
                "Cell %d %s (%s): restarting the kernel and re-running earlier cells",
                cell_index,
                why,
                self._idle_seen,
            )
            cell.outputs.append(
                _error(HUNG, f"this cell {why}. The grader started a fresh kernel and re-ran the cells above it.")
            )
            if execution_count:
                cell["execution_count"] = execution_count
            self._hangs += 1
            if self._hangs <= self.max_kernel_restarts:
                await self._restart_and_replay()
            self.nb["cells"][cell_index] = cell
            return cell
        finally:
            idle = watcher is not None and watcher.done() and not watcher.cancelled() and watcher.result()
            if watcher is not None:
                watcher.cancel()
        cell.source = source
        forged = self._sentinels.check(cell, cell_index)
        if idle:
            # Stopped for waiting without doing anything (the course's kernels stop a cell stuck in `await`
            # or in time.sleep when interrupted): one error that says so replaces the interrupt's traceback.
            self.log.warning("Cell %d waited %s s doing nothing and was stopped", cell_index, self.idle_timeout)
            cell.outputs = [o for o in cell.outputs if o.get("output_type") != "error"]
            cell.outputs.append(
                _error(
                    HUNG,
                    f"this cell waited {self.idle_timeout:g} s without doing anything (its kernel and the "
                    "processes it started used no CPU) and was stopped.",
                )
            )
            self._hangs += 1
            return cell
        if any(o.get("ename") == "CellTimeoutError" for o in cell.outputs):
            # Interrupted at the timeout, the cell stopped (the course's kernels stop a cell stuck in
            # `await`: helpers._kernel) and the kernel goes on: one error that says so replaces
            # nbclient's "No reply from kernel" and the interrupt's own traceback.
            self.log.warning(
                "Cell %d was still running after %s s and was stopped (%s)",
                cell_index,
                self.timeout,
                self._idle_seen,
            )
            cell.outputs = [o for o in cell.outputs if o.get("output_type") != "error"]
            cell.outputs.append(_error(HUNG, f"this cell was still running after {self.timeout} s and was stopped."))
            self._hangs += 1
            return cell
        if forged and not utils.has_failed(cell) and not self._truncated:  # scores as passed, yet never ran its end
            self._tampering.append(forged)
        self._worked.append(cell.source)
        return cell

    execute_cell = run_sync(async_execute_cell)

    async def _stop_when_idle(self) -> bool:
        """Interrupt the kernel once it and its children have used no CPU for ``idle_timeout`` s; True if it did.

        A cell that awaits something nobody will ever set, or sleeps in ``time.sleep(10**6)``, costs
        ``idle_timeout`` seconds instead of the whole ``timeout``. A cell that spins, or whose work
        is slowed down by other kernels sharing the cores, keeps using CPU and is not idle.

        "No CPU" means no more than ``IDLE_CPU`` since the kernel last worked, counted exactly
        (:class:`_Work`): a kernel that wakes now and then (a trace on the real clock polls 20 times a
        second, some 16 ms of CPU in 4 s, while it waits for a timer that will fire) is working, and a
        kernel that only answers its heartbeat (under 1 ms in 4 s) is idle. What the watcher saw last
        is kept in ``_idle_seen`` for the log of a cell that ran into ``timeout`` instead.
        """
        self._idle_seen = "the idle watcher did not start"
        try:
            import psutil

            kernel = psutil.Process(self.km.provisioner.process.pid)  # type: ignore[union-attr]
        except Exception as exc:  # noqa: BLE001 - no psutil, no local process: only the timeout applies
            self._idle_seen = f"the idle watcher cannot see the kernel's process ({exc!r})"
            return False

        kernel_work, all_work = _Work(), _Work()

        def cpu(children: bool) -> float:
            """CPU seconds the kernel (and, if ``children``, its children) used since first looked at."""
            try:
                processes = [kernel, *kernel.children(recursive=True)] if children else [kernel]
                return (all_work if children else kernel_work).look(processes, psutil.Error)
            except psutil.Error:
                return -1.0

        loop = asyncio.get_running_loop()
        began = loop.time()
        kernel_last, last, quiet_since = cpu(False), None, began
        looks = busy = 0
        while True:
            await asyncio.sleep(IDLE_POLL)
            now, kernel_used = loop.time(), cpu(False)
            looks += 1
            if kernel_used < 0:
                self._idle_seen = "the idle watcher lost sight of the kernel's process"
                return False
            if kernel_used - kernel_last > IDLE_CPU:  # busy: no need to look at its children (a /proc scan)
                kernel_last, last, quiet_since = kernel_used, None, now
                busy += 1
                self._idle_seen = (
                    f"the kernel used CPU in {busy} of {looks} looks {IDLE_POLL:g} s apart, the last "
                    f"{now - began:.2f} s into the cell"
                )
                continue
            used = cpu(True)
            if last is None or used - last > IDLE_CPU:
                if last is not None:
                    self._idle_seen = f"the kernel's children last used CPU {now - began:.2f} s into the cell"
                last, quiet_since = used, now
            elif now - quiet_since >= self.idle_timeout:
                await ensure_async(self.km.interrupt_kernel())  # type: ignore[union-attr]
                return True

    async def _restart_and_replay(self) -> None:
        """Replace the kernel with a fresh one and re-run, silently, every cell that worked so far."""
        assert self.km is not None
        try:
            await ensure_async(self.km.shutdown_kernel(now=True))
        except RuntimeError:
            pass
        self._end_leftovers()
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
                self._hangs = self.max_kernel_restarts + 1
                return

    async def _reply_within(self, msg_id: str, timeout: float | None, keep: bool = False) -> Any:
        assert self.kc is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (timeout or 60)
        while (left := deadline - loop.time()) > 0:
            try:
                msg = await ensure_async(self.kc.shell_channel.get_msg(timeout=left))
            except Empty:
                return None if keep else False
            if msg["parent_header"].get("msg_id") == msg_id:
                return msg if keep else True
        return None if keep else False


# ---------------------------------------------------------------- Validate

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
#: Width of the lines of Validate's answer: nbgrader's command line cuts lines longer than 87 with its indent.
_WIDTH = 80


def _wrap(text: str) -> str:
    return "\n".join(textwrap.fill(line, _WIDTH, subsequent_indent="  ") if line else "" for line in text.splitlines())


def _what_went_wrong(cell: NotebookNode) -> str:
    """The error a cell ended with, as ``Name: message`` (no traceback), or what nbgrader saw instead."""
    errors = [f"{o.ename}: {o.evalue}".strip() for o in cell.outputs if o.output_type == "error"]
    if errors:
        return _ANSI.sub("", errors[-1])
    # IPython prints some tracebacks (exception groups) to stderr instead of an error output: keep their last line
    stderr = [o.text for o in cell.outputs if o.output_type == "stream" and o.name == "stderr"]
    lines = [line for text in stderr for line in _ANSI.sub("", text).splitlines() if line.strip()]
    if lines:
        return lines[-1]
    return "Partial credit: passed some but not all of the tests."


def _title(cell: NotebookNode) -> str:
    """A graded cell's grade id and the first line of its docstring ("Check that ...")."""
    name = cell.metadata.nbgrader.get("grade_id", "?")
    first = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
    doc = first.strip("\"' ").strip() if first.startswith(('"""', "'''")) else ""
    return f"{name}\n{_wrap(doc)}" if doc else name


def _head(cell: NotebookNode, lines: int = 2) -> str:
    source = cell.source.strip().splitlines()
    return "\n".join(source[:lines] + (["..."] if len(source) > lines else []))


def validation_results(nb: NotebookNode) -> dict[str, list[dict[str, str]]]:
    """Validate's answer for an executed notebook, in the shape nbgrader's front ends show.

    ``{}`` when every graded cell passed and no cell hung (the front ends then say
    "Success!"); otherwise ``{"failed": [...]}`` with one short entry per cell that hung
    (in notebook order) and per graded cell that failed, each ``source`` naming the cell,
    each ``error`` saying what happened in one message; the last entry ends with every
    graded cell marked passed or failed.
    """
    failed: list[tuple[str, str]] = []
    marks: list[str] = []
    graded = 0
    for cell in nb.cells:
        hung = cell.cell_type == "code" and any(o.get("ename") in (HUNG, NOT_RUN) for o in cell.outputs)
        if utils.is_grade(cell):
            score, max_score = utils.determine_grade(cell)
            if score is None:  # a written answer, graded by hand
                continue
            graded += 1
            ok = score >= max_score and not (max_score == 0 and utils.has_failed(cell))
            marks.append(f"  {'passed' if ok else 'FAILED'}  {cell.metadata.nbgrader.get('grade_id', '?')}")
            if not ok:
                failed.append((_title(cell), _what_went_wrong(cell)))
        elif hung:
            failed.append((_head(cell), _what_went_wrong(cell)))
    if not failed:
        return {}
    passed = sum(mark.startswith("  passed") for mark in marks)
    summary = f"Graded cells: {passed} of {graded} passed\n" + "\n".join(marks)
    entries = []
    for i, (source, error) in enumerate(failed):
        raw = _wrap(error) + ("\n\n" + summary if i == len(failed) - 1 else "")
        entries.append({"source": source, "error": html.escape(raw), "raw_error": raw})
    return {"failed": entries}


def _validate_preprocess(self: Any, nb: NotebookNode) -> NotebookNode:
    """``Validator._preprocess`` with :class:`BoundedExecute` in place of nbgrader's ``Execute``."""
    resources: dict[str, Any] = {}
    with utils.setenv(NBGRADER_VALIDATING="1", NBGRADER_EXECUTION="validate"):
        for preprocessor in (CheckCellMetadata, ClearOutput, BoundedExecute):
            nb, resources = preprocessor(parent=self).preprocess(nb, resources)
    self._course_executed = nb
    return nb


def use_for_validation() -> None:
    """Make nbgrader's ``Validator`` hang-proof and short in this process (call it from ``nbgrader_config.py``).

    nbgrader's ``Validator`` has no setting for its preprocessors, and both ``nbgrader
    validate`` and the Validate button (nbgrader's server extension, which loads
    ``nbgrader_config.py`` on every click) make a plain ``Validator``: so its two steps
    are replaced on the class. Configure the limits with ``c.Validator.BoundedExecute``.
    Calling it again changes nothing.
    """
    from nbgrader.validator import Validator

    if getattr(Validator, "_course_validation", False):
        return
    stock_validate = Validator.validate

    def validate(self: Any, filename: str) -> dict[str, list[dict[str, str]]]:
        self._course_executed = None
        results = stock_validate(self, filename)
        # a changed cell type or test cell, or --invert: nbgrader's own answer
        if self._course_executed is None or self.invert or set(results) - {"failed"}:
            return results
        return validation_results(self._course_executed)

    Validator._preprocess = _validate_preprocess
    Validator.validate = validate
    Validator._course_validation = True
