"""Run grading jobs on a Dask cluster and hand each result back to the coordinator as it finishes.

When a class outgrows one machine, the execute step of grading (a fresh kernel per student notebook, no
gradebook needed) runs on `Dask distributed <https://distributed.dask.org>`_ workers, while the coordinator,
the one process that reads and writes the gradebook, prepares the jobs and records the results::

    from helpers.grading import pipeline
    from helpers.grading.cluster import run_on_dask

    course = pipeline.Course.load(".")
    jobs = [pipeline.prepare(course, "03-tasks", student) for student in students]  # or a generator
    outcomes = run_on_dask(
        pipeline.execute, jobs, scheduler="tcp://10.0.0.5:8786", key=lambda job: job.student,
        retry_if=lambda executed: executed.transient, preload=["nbgrader.apps.api", "helpers.grading.execute"],
        on_result=lambda outcome: pipeline.record(course, outcome.value) if outcome.ok else ...,
    )

Install the course environment (``pip install -e ".[course]"``) on the scheduler's machine and on every
worker: the scheduler unpickles each task (it refers to this module), the workers run ``function`` (sent as
cloudpickle bytes: by reference when its module is importable, as ``pipeline.execute`` is). ``jobs`` and what
``function`` returns must pickle. Neither the course folder nor the gradebook is needed on a worker. The scheduler
runs whatever it is sent on every worker: keep its port on a private network, or use Dask's TLS, and out of
reach of the students' kernels (no network for them), or a submission could run code of its own on every worker
and send back forged results.

What it guarantees:

- **a fresh process per job**: on the worker, each job runs in its own child process, forked from a server
  that has imported ``function``'s module and ``preload`` once per worker (so nbgrader's imports are paid once
  per worker, not per student: they took 10 s per student on a loaded machine). The child adopts everything
  the job starts (a Linux child subreaper) and kills it before it reports; it dies with its worker. So
  nothing a student's kernel left behind (a process started in its own session, a changed module global in
  the machinery) survives into the next student's job;
- **no student lost** when a worker dies mid-job (killed, out of memory, machine gone): the scheduler runs the
  job again on another worker (up to ``distributed.scheduler.allowed-failures`` deaths, 3 by default, then the
  job is reported failed: ``KilledWorker``);
- **bounded retries**: a job whose own process died or overran ``timeout``, whose exception has a true
  ``transient`` attribute, or whose result ``retry_if`` calls transient, is run again at most ``retries``
  times; any other exception fails the job at once (a broken notebook fails the same way twice);
- **results come back to one process**: :func:`iter_on_dask` yields (and :func:`run_on_dask` passes to
  ``on_result``) one :class:`Outcome` per job, in the coordinator, as jobs finish
  (``distributed.as_completed``), each job exactly once, whatever ran twice on the workers.

Where the cluster comes from (``scheduler=``):

- ``None``: a ``distributed.LocalCluster`` on this machine, ``workers`` processes (default: the number of
  CPUs) of one thread each, closed at the end;
- ``"tcp://HOST:8786"``: a running scheduler. On the machines, with the course environment installed::

      dask scheduler                              # one machine; prints tcp://HOST:8786
      dask worker tcp://HOST:8786 --nthreads 2    # each machine: 2 students at a time
      python -m helpers.grading 03-tasks --scheduler tcp://HOST:8786

  Workers may be killed and added at any time. ``workers=N`` waits until N workers have joined;

- a cluster object or a ``distributed.Client``: for batch systems and Kubernetes, either submit
  ``dask worker tcp://HOST:8786`` as batch jobs yourself (``sbatch --wrap "dask worker ..."``), or make the
  cluster in Python and pass it (or its ``scheduler_address``)::

      from dask_jobqueue import SLURMCluster         # also PBSCluster, SGECluster, ... (pip install dask-jobqueue)
      cluster = SLURMCluster(cores=4, processes=4, memory="8GB", walltime="01:00:00")
      cluster.scale(jobs=5)
      run_on_dask(execute, jobs, scheduler=cluster)  # or scheduler=cluster.scheduler_address

      from dask_kubernetes.operator import KubeCluster   # pip install dask-kubernetes
      cluster = KubeCluster(name="grading", image="IMAGE WITH THE COURSE ENVIRONMENT", n_workers=10)

  In both, the workers' threads (``cores``/``processes`` or ``--nthreads``) are the students graded at once.

Measured on 2 cores shared with other work (load 8-12): a scheduler and two ``dask worker`` processes are up
in 3-5 s, a ``LocalCluster`` of two in about as long; a worker's fork server starts with its first job (0.5-1 s
plus the import of ``function``'s module, once per worker process). Then each job costs 20 ms (quiet) to 50 ms
(loaded) more than ``function(job)`` for its own process (fork, pipes, pickles), and Dask's round trip adds
about 25 ms per job and worker thread: well under 2 % of a student's 2-4 s. Dask is imported lazily:
``import helpers.grading`` never loads it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import multiprocessing
import os
import signal
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from ._processes import become_subreaper, end_descendants

__all__ = ["Outcome", "iter_on_dask", "open_client", "run_on_dask", "run_isolated"]

_SERVER_LOCK = threading.Lock()
_NONE = object()


@dataclasses.dataclass
class Outcome:
    """How one job went.

    Attributes:
        job: the job, as passed in.
        key: the job's key (``key(job)``; the job's position by default).
        index: the job's position in ``jobs``.
        ok: whether ``function`` returned (its ``value`` may still say the student's grading failed).
        value: what ``function`` returned for the last attempt (``None`` if it did not return).
        error: why the last attempt failed, in one line (``""`` if ``ok``).
        transient: whether that failure could go away on another attempt.
        attempts: how many times the coordinator submitted the job (a run the scheduler repeated after
            a worker died counts once).
        seconds: wall seconds of the last attempt on its worker (0 if the worker never reported).
        worker: address of the worker that ran the last attempt (``""`` if unknown).
        traceback: the traceback of the exception ``function`` raised, if it raised.
    """

    job: Any
    key: str
    index: int = 0
    ok: bool = False
    value: Any = None
    error: str = ""
    transient: bool = False
    attempts: int = 0
    seconds: float = 0.0
    worker: str = ""
    traceback: str = ""


# --- on the worker: one job in a fresh process ---------------------------------------------------------


def _kill_all(processes: list[Any]) -> None:
    import psutil

    for proc in processes:
        with contextlib.suppress(psutil.Error):
            proc.kill()
    psutil.wait_procs(processes, timeout=5)


def _on_parent_death() -> None:
    """Get SIGTERM when the parent (the fork server, which ends with its worker) dies; end everything then."""

    def stop(signum: int, frame: Any) -> None:
        end_descendants()
        os._exit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    if sys.platform.startswith("linux"):
        parent = os.getppid()
        with contextlib.suppress(OSError, AttributeError):
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG
        if os.getppid() != parent:  # the parent died before prctl took effect
            stop(signal.SIGTERM, None)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}"[:300] if text else type(exc).__name__


def _child(function_bytes: bytes, job_bytes: bytes, conn: Any) -> None:
    """The job's process: run ``function(job)``, end whatever it started, send the outcome back."""
    import cloudpickle

    become_subreaper()
    _on_parent_death()
    try:
        function, job = cloudpickle.loads(function_bytes), cloudpickle.loads(job_bytes)
        message: tuple = (True, function(job), "", False, "")
    except BaseException as exc:  # noqa: BLE001 - anything here must reach the coordinator
        message = (False, None, _one_line(exc), bool(getattr(exc, "transient", False)), traceback.format_exc())
    end_descendants()
    try:
        data = cloudpickle.dumps(message)
    except Exception as exc:  # noqa: BLE001 - a value that does not pickle is the job's failure
        data = cloudpickle.dumps((False, None, f"the job's result does not pickle: {_one_line(exc)}", False, ""))
    with contextlib.suppress(OSError):  # BrokenPipeError: the worker is gone, nobody is waiting for the answer
        conn.send_bytes(data)
        conn.close()


def _context(modules: tuple[str, ...]) -> Any:
    """The fork-server context; its server imports ``modules`` once, before the first job of this process."""
    import json
    from multiprocessing import forkserver, spawn

    ctx = multiprocessing.get_context("forkserver")
    # A Dask worker started by a nanny is a daemonic process, and multiprocessing refuses children to those.
    # The job's process is ours to end (it dies with its parent and kills what it started): allow it.
    current = multiprocessing.current_process()
    if current.daemon:
        current.daemon = False
    with _SERVER_LOCK:  # the server starts at the first job of this process (again if it died)
        preload = ["helpers.grading._forkmain", "cloudpickle", "psutil", "helpers.grading.cluster"]
        ctx.set_forkserver_preload(preload + [name for name in modules if name and name != "__main__"])
        looks = spawn.get_preparation_data("job")
        keys = ("init_main_from_name", "init_main_from_path")
        os.environ["_HELPERS_GRADING_MAIN"] = json.dumps({k: looks[k] for k in keys if k in looks})
        try:
            forkserver.ensure_running()
        finally:
            os.environ.pop("_HELPERS_GRADING_MAIN", None)
    return ctx


def run_isolated(
    function: Callable[[Any], Any], job: Any, *, timeout: float | None = None, preload: Iterable[str] = ()
) -> dict[str, Any]:
    """Run ``function(job)`` in a fresh process; return what happened as a plain dict (never raises for the job).

    The keys: ``ok``, ``value``, ``error`` (one line), ``transient``, ``traceback``, ``seconds``, ``exitcode``.
    A process that dies without an answer (killed, ``os._exit``, a crash) or overruns ``timeout`` seconds
    (then it and everything it started are killed) is a transient failure. ``preload``: see :func:`iter_on_dask`.

    Example::

        >>> run_isolated(abs, -3)["value"]
        3
    """
    import cloudpickle

    modules = (*preload, getattr(function, "__module__", None) or "")
    return _run_isolated(cloudpickle.dumps(function), modules, job, timeout)


def _run_isolated(function_bytes: bytes, modules: tuple[str, ...], job: Any, timeout: float | None) -> dict[str, Any]:
    import cloudpickle
    import psutil

    started = time.monotonic()
    ctx = _context(modules)
    receiver, sender = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(function_bytes, cloudpickle.dumps(job), sender), daemon=True)
    proc.start()
    sender.close()
    data, overran = None, False
    try:
        if receiver.poll(timeout):
            with contextlib.suppress(EOFError, OSError):
                data = receiver.recv_bytes()
        else:
            overran = True
    finally:
        receiver.close()
        if data is None and proc.is_alive():  # overran (or interrupted): the job's process and all it started go
            with contextlib.suppress(psutil.Error):
                root = psutil.Process(proc.pid)
                _kill_all(root.children(recursive=True) + [root])
        proc.join(30)
    seconds = time.monotonic() - started
    if data is not None:
        ok, value, error, transient, trace = cloudpickle.loads(data)
    elif overran:
        ok, value, error, transient, trace = False, None, f"the job overran {timeout:g} s and was killed", True, ""
    else:
        code = proc.exitcode
        how = f"was killed by signal {-code}" if code is not None and code < 0 else f"exited with code {code}"
        ok, value, error, transient, trace = False, None, f"the job's process {how} before answering", True, ""
    return {
        "ok": ok,
        "value": value,
        "error": error,
        "transient": transient,
        "traceback": trace,
        "seconds": seconds,
        "exitcode": proc.exitcode,
    }


def _task(function_bytes: bytes, modules: tuple[str, ...], job: Any, timeout: float | None, isolate: bool) -> dict:
    """What a Dask worker runs for one job (the function travels as cloudpickle bytes: the scheduler need
    not import its module)."""
    try:
        from distributed import get_worker

        worker = get_worker().address
    except (ImportError, ValueError):
        worker = ""
    if isolate:
        result = _run_isolated(function_bytes, modules, job, timeout)
    else:
        import cloudpickle

        started = time.monotonic()
        try:
            value = cloudpickle.loads(function_bytes)(job)
            result = {"ok": True, "value": value, "error": "", "transient": False, "traceback": ""}
        except Exception as exc:  # noqa: BLE001 - the coordinator decides
            result = {
                "ok": False,
                "value": None,
                "error": _one_line(exc),
                "transient": bool(getattr(exc, "transient", False)),
                "traceback": traceback.format_exc(),
            }
        result["seconds"] = time.monotonic() - started
    result["worker"] = worker
    return result


# --- in the coordinator ---------------------------------------------------------------------------------


@contextlib.contextmanager
def open_client(scheduler: Any = None, workers: int | None = None, *, wait: float = 120.0) -> Iterator[Any]:
    """A ``distributed.Client`` for ``scheduler`` (see the module docstring), closed (with its local cluster) on exit.

    Args:
        scheduler: ``None`` (a new ``LocalCluster``), an address ``"tcp://HOST:PORT"``, a cluster object
            (``LocalCluster``, dask-jobqueue's ``SLURMCluster``, dask-kubernetes' ``KubeCluster``...) or a
            ``Client`` (used as it is, not closed).
        workers: for a ``LocalCluster``, its worker processes (default: the number of CPUs, one thread each);
            otherwise how many workers to wait for before returning (default: none).
        wait: seconds to wait for the scheduler and for ``workers`` workers.
    """
    import logging

    from distributed import Client, LocalCluster

    if isinstance(scheduler, Client):
        if workers:
            scheduler.wait_for_workers(workers, timeout=wait)
        yield scheduler
        return
    with contextlib.ExitStack() as stack:
        if scheduler is None:
            cluster = LocalCluster(
                n_workers=workers or os.cpu_count() or 1,
                threads_per_worker=1,
                processes=True,
                dashboard_address="127.0.0.1:0",  # no clash with another cluster (nor the network)
                silence_logs=logging.ERROR,
            )
            stack.callback(cluster.close)
            client = Client(cluster)
        else:
            client = Client(scheduler, timeout=wait)  # an address, or a cluster object
            if workers:
                client.wait_for_workers(workers, timeout=wait)
        stack.callback(client.close)
        yield client


def iter_on_dask(
    function: Callable[[Any], Any],
    jobs: Iterable[Any],
    *,
    scheduler: Any = None,
    workers: int | None = None,
    retries: int = 1,
    timeout: float | None = None,
    retry_if: Callable[[Any], bool] | None = None,
    key: Callable[[Any], str] | None = None,
    isolate: bool = True,
    preload: Iterable[str] = (),
    in_flight: int | None = None,
) -> Iterator[Outcome]:
    """Run ``function(job)`` for every job on Dask; yield one :class:`Outcome` per job as each finishes.

    Args:
        function: called once per job on a worker; importable there, or picklable by cloudpickle.
        jobs: the jobs (each picklable); read lazily, as room frees up (a generator that prepares each job
            when asked keeps the coordinator's memory small; it must not raise: an exception from it ends
            the run, so catch a student's ``prepare`` error in it and report that student apart).
        scheduler, workers: where to run (see :func:`open_client`).
        retries: extra attempts for a job whose failure may be transient: its process died or overran
            ``timeout``, it raised an exception whose ``transient`` attribute is true, or ``retry_if(value)``
            is true. Other exceptions are final at once. (A worker that dies is handled by the scheduler,
            see the module docstring, and costs no attempt.)
        timeout: wall seconds after which one job's process is killed (``None``: no limit).
        retry_if: called on what ``function`` returned; true means "transient, run it again".
        key: a unique, readable name per job (e.g. ``lambda job: job.student``); default its position.
        isolate: run each job in a fresh process (default). ``False`` runs it in the worker's thread.
        preload: modules for each worker's fork server to import, besides ``function``'s own module, so that
            no job pays for them: what ``function`` imports lazily (``["nbgrader.apps.api",
            "helpers.grading.execute"]``). The server starts with the first job of a worker process and keeps
            what it imported then.
        in_flight: jobs handed to the scheduler at a time (default: twice the cluster's worker threads, at
            least 4): a class of thousands never sits whole in the scheduler's memory.

    Closing the iterator early cancels the jobs not yet finished.
    """
    import cloudpickle
    from distributed import as_completed

    function_bytes = cloudpickle.dumps(function)
    modules = (*preload, getattr(function, "__module__", None) or "")
    run = uuid.uuid4().hex[:8]
    todo = iter(jobs)
    first = next(todo, _NONE)
    if first is _NONE:
        return
    todo = itertools.chain([first], todo)
    outcomes: list[Outcome] = []
    names: set[str] = set()
    with open_client(scheduler, workers) as client:
        index_of: dict[Any, int] = {}
        pending = as_completed()

        def submit(index: int) -> None:
            outcome = outcomes[index]
            outcome.attempts += 1
            future = client.submit(
                _task,
                function_bytes,
                modules,
                outcome.job,
                timeout,
                isolate,
                key=f"job-{outcome.key}-{run}-{outcome.attempts}",
                pure=False,
            )
            index_of[future.key] = index
            pending.add(future)

        def refill() -> None:
            """Keep ``in_flight`` jobs (default: twice the cluster's threads) at the scheduler, no more."""
            limit = in_flight or max(4, 2 * sum(client.nthreads().values()))
            while pending.count() < limit:
                job = next(todo, _NONE)
                if job is _NONE:
                    return
                name = str(key(job)) if key else str(len(outcomes))
                if name in names:
                    raise ValueError(f"key(job) must be unique: two jobs are called {name!r}")
                names.add(name)
                outcomes.append(Outcome(job, name, len(outcomes)))
                submit(len(outcomes) - 1)

        try:
            refill()
            for future in pending:
                index = index_of.pop(future.key)
                outcome = outcomes[index]
                if future.status == "finished":
                    result = future.result()
                    outcome.ok, outcome.value = result["ok"], result["value"]
                    outcome.error, outcome.transient = result["error"], result["transient"]
                    outcome.seconds, outcome.worker = result["seconds"], result["worker"]
                    outcome.traceback = result["traceback"]
                    if outcome.ok and retry_if is not None and retry_if(outcome.value):
                        outcome.transient = True
                else:  # the scheduler gave up (KilledWorker: its workers died), or it was cancelled
                    exc = future.exception() if future.status == "error" else None
                    outcome.ok, outcome.value, outcome.transient = False, None, False
                    outcome.error = _one_line(exc) if exc is not None else f"the job was {future.status}"
                    outcome.seconds, outcome.worker, outcome.traceback = 0.0, "", ""
                future.release()
                if outcome.transient and outcome.attempts <= retries:
                    submit(index)
                    continue
                refill()
                yield outcome
        finally:
            for future in list(pending.futures):
                future.cancel()


def run_on_dask(
    function: Callable[[Any], Any],
    jobs: Iterable[Any],
    *,
    scheduler: Any = None,
    workers: int | None = None,
    retries: int = 1,
    timeout: float | None = None,
    retry_if: Callable[[Any], bool] | None = None,
    on_result: Callable[[Outcome], None] | None = None,
    key: Callable[[Any], str] | None = None,
    isolate: bool = True,
    preload: Iterable[str] = (),
    in_flight: int | None = None,
) -> list[Outcome]:
    """Run ``function(job)`` for every job on Dask; return the outcomes in the order of ``jobs`` (read lazily).

    ``on_result(outcome)`` is called in this process as each job finishes (the place to write the gradebook:
    one writer). If it raises, the jobs not yet finished are cancelled and the exception propagates.
    The other arguments are those of :func:`iter_on_dask`.

    Example::

        outcomes = run_on_dask(pipeline.execute, jobs, scheduler="tcp://10.0.0.5:8786",
                               key=lambda job: job.student, retry_if=lambda executed: executed.transient,
                               preload=["nbgrader.apps.api", "helpers.grading.execute"],
                               on_result=lambda outcome: pipeline.record(course, outcome.value))
    """
    finished: list[Outcome] = []
    iterator = iter_on_dask(
        function,
        jobs,
        scheduler=scheduler,
        workers=workers,
        retries=retries,
        timeout=timeout,
        retry_if=retry_if,
        key=key,
        isolate=isolate,
        preload=preload,
        in_flight=in_flight,
    )
    with contextlib.closing(iterator):
        for outcome in iterator:
            finished.append(outcome)
            if on_result is not None:
                on_result(outcome)
    return sorted(finished, key=lambda outcome: outcome.index)
