"""Autograde a whole class in parallel, every student in bounded time: ``python -m helpers.grading ID``.

Stock ``nbgrader autograde`` grades one student after another, in one process that reads and
writes the gradebook, and pays most of its time waiting on kernels. This runner grades
several students at once through :mod:`helpers.grading.pipeline`: this process (the
coordinator) prepares each submission against the gradebook, a short-lived worker process per
student runs it, and the coordinator alone records the grades. With:

- single-use kernels (one per student notebook, as nbgrader does; a kernel is never reused
  across students, so one student's monkeypatching cannot leak into another's grade), which
  draw no images (``BoundedExecute.images``);
- bounded time: cells that hang are stopped by the course's ``BoundedExecute`` preprocessor
  (see ``helpers.grading.execute``); a student whose grading still overruns ``--timeout`` is killed;
- bounded memory for the class: ``--jobs`` is lowered until every kernel's memory limit
  (``BoundedExecute.memory_limit_mb``, 2 GiB) fits in the memory available;
- causes in one line: a submission that cannot be graded is reported as such
  (``alice: 03-tasks.ipynb is not a notebook (not valid JSON at line 1)``,
  ``bob: no notebook in submitted/bob/03-tasks/``), never as a cut traceback;
- retries only for what can be transient: a grading process that was killed or overran
  ``--timeout``, a kernel that did not start. A broken notebook fails the same way twice: it is
  not retried;
- no stale grade: a student whose (re)grade fails loses any grade an earlier run left in the
  gradebook (``Gradebook.remove_submission``, the one removal nbgrader's API offers: the
  submission, its notebooks and grades go, the student stays), and the old ``autograded/`` and
  ``feedback/`` copies are deleted. ``nbgrader export`` then gives that student 0 with an empty
  timestamp, as for a student who did not submit; the table says "old grade removed";
- flags: a test cell the student edited is restored before grading (nbgrader) and, since
  clean cells restore silently (``helpers.grading.sanitize``), the student is flagged for review;
- one gradebook writer: only this process opens the course's gradebook; workers get plain data.
  No student is ever queued twice at once.

Run it from the course root (where ``nbgrader_config.py`` is), after ``nbgrader generate_assignment ID``
and ``nbgrader collect ID`` (or with submissions placed in ``submitted/STUDENT/ID/``)::

    python -m helpers.grading 01-event-loop --jobs 4

It prints one line per student (score, seconds, status) and exits non-zero if any student
could not be graded. nbgrader is imported lazily: ``import helpers`` never loads it.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import multiprocessing
import os
import re
import shutil
import sys
import time
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from ._processes import become_subreaper, end_descendants
from .pipeline import _TRANSIENT

__all__ = ["StudentResult", "autograde", "main"]

#: Classes up to this size get one table row per student; larger ones list only the failed and flagged.
TABLE_ROWS = 100


@dataclasses.dataclass
class StudentResult:
    """How grading one student went.

    Attributes:
        student: the student id.
        ok: whether nbgrader graded the submission (a hanging cell still counts as graded).
        score: points scored, from the gradebook (``None`` if not graded).
        max_score: points available.
        seconds: wall seconds of the last attempt.
        attempts: how many times the student was graded.
        error: what went wrong in the last failed attempt, in one line.
        transient: whether that failure could go away on another attempt.
        flags: reasons to review a graded submission by hand (e.g. an edited test cell).
        removed_grade: an older grade of this student was removed because this grading failed.
        skipped: not graded again: unchanged since the last successful grading (``force`` regrades).
        cells: grade id -> (score, max_score) of every autograded cell.
        events: what made grading slow or odd, one line each (a cell that hung, processes killed, output cut).
        cpu_seconds: CPU time of the last attempt, its kernels included.
    """

    student: str
    ok: bool = False
    score: float | None = None
    max_score: float | None = None
    seconds: float = 0.0
    attempts: int = 0
    error: str = ""
    transient: bool = False
    flags: list[str] = dataclasses.field(default_factory=list)
    removed_grade: bool = False
    skipped: bool = False
    cells: dict[str, tuple[float, float]] = dataclasses.field(default_factory=dict)
    events: list[str] = dataclasses.field(default_factory=list)
    cpu_seconds: float | None = None


def _load_config(root: Path) -> Any:
    from traitlets.config.loader import PyFileConfigLoader

    return PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()


def _execute_one(job: Any, conn: Any) -> None:
    """Worker process: run one student's prepared notebooks (``pipeline.execute``) and send back the result.

    The worker is a child subreaper: whatever the student's kernel started, even in its own
    session or double-forked, is re-parented here when its parent dies, and killed before the
    worker reports.
    """
    warnings.simplefilter("ignore")
    become_subreaper()
    from .pipeline import Executed, execute

    try:
        done = execute(job)
    except BaseException as exc:  # noqa: BLE001 - anything here must reach the coordinator
        done = Executed(job.assignment, job.student, error=f"{type(exc).__name__}: {exc}")
    left = end_descendants()
    if left:
        done.log.append(f"[WARNING] Killed {left} process(es) left running after grading")
    try:
        conn.send(done)
    finally:
        conn.close()


def _one_line(error: str, log: str = "") -> str:
    """The line of a traceback (or log) that says what went wrong: the last ``SomeError: ...`` line.

    nbgrader ends its own traceback with ``NbGraderException: Please see the above traceback``:
    the cause is the error before it, often only in the log.
    """
    lines = [line.strip() for text in (log, error) for line in text.strip().splitlines() if line.strip()]
    for line in reversed(lines):
        if re.match(r"^[\w.]*(Error|Exception|Exit|Interrupt)\b", line) and "NbGraderException" not in line:
            return line[:300]
    return lines[-1][:300] if lines else "unknown error"


def _precheck(root: Path, assignment: str, student: str) -> str | None:
    """Why ``student``'s submission cannot be graded at all (no notebook, not a notebook), or ``None``."""
    import nbformat

    config = _load_config(root)
    submitted = str(config.CourseDirectory.get("submitted_directory", "submitted"))
    folder = root / submitted / student / assignment
    notebooks = sorted(folder.glob("*.ipynb"))
    if not notebooks:
        return f"no notebook in {submitted}/{student}/{assignment}/"
    for path in notebooks:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            return f"{path.name} is not a notebook (not UTF-8 text)"
        except OSError as exc:
            return f"{path.name} cannot be read ({exc.strerror})"
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            return f"{path.name} is not a notebook (not valid JSON at line {exc.lineno})"
        if not isinstance(data, dict) or not isinstance(data.get("nbformat"), int):
            return f"{path.name} is not a notebook (JSON without an nbformat version)"
        if data["nbformat"] >= 4 and not isinstance(data.get("cells"), list):
            return f"{path.name} is not a notebook (no list of cells)"
        try:
            nbformat.reads(text, as_version=nbformat.NO_CONVERT)
        except Exception as exc:  # noqa: BLE001 - any reason nbformat gives
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            return f"{path.name} is not a notebook ({reason[:120]})"
    return None


def _remove_grade(root: Path, assignment: str, student: str) -> bool:
    """Remove ``student``'s grade of ``assignment`` (gradebook, autograded and feedback copies); True if one existed."""
    from nbgrader.api import Gradebook, MissingEntry

    config = _load_config(root)
    removed = False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with Gradebook(config.CourseDirectory.db_url) as gb:
            try:
                gb.remove_submission(assignment, student)
                removed = True
            except MissingEntry:
                pass
    for kind, default in (("autograded_directory", "autograded"), ("feedback_directory", "feedback")):
        folder = root / str(config.CourseDirectory.get(kind, default)) / student / assignment
        if folder.exists():
            shutil.rmtree(folder, ignore_errors=True)
            removed = True
    return removed


def _scores(root: Path, assignment: str, students: Sequence[str]) -> dict[str, tuple[float, float]]:
    from nbgrader.api import Gradebook, MissingEntry

    config = _load_config(root)
    scores = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with Gradebook(config.CourseDirectory.db_url) as gb:
            for student in students:
                try:
                    sub = gb.find_submission(assignment, student)
                except MissingEntry:
                    continue
                scores[student] = (sub.score, sub.max_score)
    return scores


def _submitted(root: Path, assignment: str) -> list[str]:
    config = _load_config(root)
    folder = root / str(config.CourseDirectory.get("submitted_directory", "submitted"))
    return sorted(p.parent.name for p in folder.glob(f"*/{assignment}") if p.is_dir())


def autograde(
    assignment: str,
    students: Sequence[str] | None = None,
    *,
    root: str | os.PathLike[str] = ".",
    jobs: int | None = None,
    timeout: float = 600.0,
    retries: int = 1,
    progress: Any = True,
    force: bool = False,
    scheduler: str | None = None,
) -> list[StudentResult]:
    """Autograde ``students`` (default: everyone in ``submitted/``) in parallel; return one result each.

    Args:
        assignment: the assignment id, e.g. ``"01-event-loop"``.
        students: student ids; default every folder ``submitted/*/ASSIGNMENT``.
        root: the course root holding ``nbgrader_config.py``.
        jobs: students graded at once (default: twice the number of CPUs; grading mostly waits).
        timeout: wall seconds after which one student's grading is killed (and retried).
        retries: extra attempts for a student whose grading failed in a way that may be transient
            (killed, overran ``timeout``, kernel did not start); a broken notebook is not retried.
        progress: show progress (``helpers.grading.progress``: a line in a terminal, a bar in a notebook);
            ``False`` for none, or a ``Progress`` to feed.
        force: grade every student; by default a student whose submission, assignment, grading
            configuration and tools are unchanged since their last successful grading is skipped
            (``helpers.grading.changes``) and keeps that grade.
        scheduler: grade on a Dask cluster instead of this machine: a scheduler address
            (``tcp://host:8786``), or ``"local"`` for a ``LocalCluster`` (``helpers.grading.cluster``).
            ``jobs`` then does not apply: the cluster's workers decide how many run at once.

    Example use::

        results = autograde("01-event-loop", jobs=4)
        failed = [r.student for r in results if not r.ok]
    """
    root = Path(root).resolve()
    if not (root / "nbgrader_config.py").exists():
        raise FileNotFoundError(f"no nbgrader_config.py in {root}: run from the course root or pass root=")
    # nbgrader shells out to alembic when it creates a gradebook: it must be on PATH.
    bindir = str(Path(sys.executable).parent)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")
    students = list(students) if students is not None else _submitted(root, assignment)
    jobs = max(1, jobs or 2 * (os.cpu_count() or 1))
    # the sandbox: probed and (if missing) warned about once, here; the graders inherit the answer
    from .sandbox import announce

    announce(str(_load_config(root).BoundedExecute.get("sandbox", "auto")))

    from .pipeline import Course

    course = Course.load(root)
    if not scheduler:
        jobs = _bounded_by_memory(jobs, course.config)
    results = {s: StudentResult(s) for s in students}
    if progress is True or progress is False:
        from .progress import Progress

        progress = Progress(len(students), label=assignment, mode="auto" if progress else "off")
    from .changes import Changes

    changes = Changes(root)
    grading = _Grading(course, assignment, results, progress, changes, force)
    with progress:
        if scheduler:
            grading.run_on_dask(students, scheduler, timeout, retries)
        else:
            grading.run_here(students, _process_context(), jobs, timeout, retries)
    for result in results.values():
        if not result.ok:
            result.removed_grade = _remove_grade(root, assignment, result.student)
    for student, (score, max_score) in _scores(root, assignment, students).items():
        if results[student].ok:
            results[student].score, results[student].max_score = score, max_score
    return [results[s] for s in students]


class _Grading:
    """One run of ``autograde``: prepares students, finishes each attempt, and (through ``changes``) skips the
    unchanged. The engines (:meth:`run_here`, :meth:`run_on_dask`) only run ``pipeline.execute`` somewhere."""

    def __init__(
        self, course: Any, assignment: str, results: dict[str, StudentResult], progress: Any, changes: Any, force: bool
    ) -> None:
        self.course, self.assignment, self.results, self.progress = course, assignment, results, progress
        self.changes, self.force = changes, force
        self.fingerprints: dict[str, str] = {}

    def jobs(self, students: list[str]) -> Iterator[Any]:
        """The prepared job of each student who needs grading; the others are finished here (skipped or failed)."""
        from .pipeline import prepare

        root = self.course.root
        for student in students:
            self.progress.refresh()
            result = self.results[student]
            if self.changes is not None and not self.changes.needs_grading(self.assignment, student, force=self.force):
                result.ok, result.skipped = True, True
                result.flags = list((self.changes.recall(self.assignment, student) or {}).get("flags", []))
                self.progress.done(result)
                continue
            cause = _precheck(root, self.assignment, student)
            job = None
            if cause is None:
                try:
                    if self.changes is not None:
                        self.fingerprints[student] = self.changes.fingerprint(self.assignment, student)
                    job = prepare(self.course, self.assignment, student)
                except Exception as exc:  # noqa: BLE001 - one line, this student only
                    cause = str(exc) if isinstance(exc, LookupError) else _one_line(f"{type(exc).__name__}: {exc}")
            if cause is not None:
                result.error = cause
                self.progress.done(result)
                continue
            yield job

    def finish(self, student: str, done: Any, error: str, transient: bool, seconds: float) -> bool:
        """Record one attempt (``done`` is what ``pipeline.execute`` returned, or None); True to try again."""
        from .pipeline import events_of, flags_of, record, scores_of

        result = self.results[student]
        result.seconds = seconds
        if done is not None:
            error, transient = done.error, done.transient
            result.cpu_seconds = done.cpu_seconds
        if not error:
            try:
                record(self.course, done)
            except Exception as exc:  # noqa: BLE001 - one line, this student only
                error = _one_line(f"{type(exc).__name__}: {exc}")
                transient = bool(_TRANSIENT.search(error))
        result.ok = not error
        if result.ok:
            result.error, result.transient = "", False
            result.flags = flags_of(done.log)
            result.events = events_of(done.notebooks, done.log)
            result.cells = {
                grade_id: score for nb in done.notebooks.values() for grade_id, score in scores_of(nb).items()
            }
            if self.changes is not None:
                self.changes.remember(self.assignment, student, self.fingerprints.get(student), flags=result.flags)
        else:
            result.error, result.transient = _one_line(error), transient
            if self.changes is not None:
                self.changes.forget(self.assignment, student)
        return not result.ok and result.transient

    def run_here(self, students: list[str], ctx: Any, jobs: int, timeout: float, retries: int) -> None:
        """Run ``jobs`` students at a time, each in a process of its own on this machine."""
        pending = self.jobs(students)
        queue: list[Any] = []
        running: dict[str, tuple[Any, Any, Any, float]] = {}
        while True:
            while len(running) < jobs and (queue or pending is not None):
                job = queue.pop(0) if queue else next(pending, None)
                if job is None:
                    pending = None
                    continue
                receiver, sender = ctx.Pipe(duplex=False)
                proc = ctx.Process(target=_execute_one, args=(job, sender), daemon=True)
                proc.start()
                sender.close()
                self.results[job.student].attempts += 1
                running[job.student] = (job, proc, receiver, time.monotonic())
                self.progress.started(job.student)
            if not running:
                return
            time.sleep(0.02)
            self.progress.refresh()
            for student, (job, proc, receiver, started) in list(running.items()):
                elapsed = time.monotonic() - started
                done = None
                if receiver.poll():
                    try:
                        done = receiver.recv()
                    except EOFError:
                        done = None
                if done is None and proc.is_alive() and elapsed < timeout:
                    continue
                error = ""
                if done is None and proc.is_alive():
                    proc.kill()
                    error = f"grading overran --timeout and was killed after {timeout:.0f} s"
                elif done is None:
                    error = f"grading process exited with code {proc.exitcode}"
                proc.join(timeout=30)
                receiver.close()
                del running[student]
                again = self.finish(student, done, error, True, elapsed)
                if again and self.results[student].attempts <= retries:
                    queue.append(job)
                    self.progress.retrying(self.results[student])
                else:
                    self.progress.done(self.results[student])

    def run_on_dask(self, students: list[str], scheduler: Any, timeout: float, retries: int) -> None:
        """Run every student on a Dask cluster (``helpers.grading.cluster``); record each here as it comes back."""
        from .cluster import iter_on_dask
        from .pipeline import execute

        def submitted() -> Iterator[Any]:
            for job in self.jobs(students):
                self.progress.started(job.student)
                yield job

        outcomes = iter_on_dask(
            execute,
            submitted(),
            scheduler=None if scheduler == "local" else scheduler,
            retries=retries,
            timeout=timeout,
            retry_if=lambda done: done.transient,
            key=lambda job: job.student,
            preload=["helpers.grading.pipeline", "helpers.grading.execute", "nbgrader.preprocessors"],
        )
        for outcome in outcomes:
            result = self.results[outcome.key]
            result.attempts = outcome.attempts
            done = outcome.value if outcome.ok else None
            self.finish(outcome.key, done, outcome.error, outcome.transient, outcome.seconds)
            self.progress.done(result)


def _process_context() -> Any:
    """How grading processes start: forked from this one, which has imported nbgrader already (no thread runs
    here yet, so forking is safe); a forkserver that imports it once where fork is missing or threads run."""
    import threading

    if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["helpers.grading.pipeline", "helpers.grading.execute", "nbgrader.preprocessors"])
    return ctx


def _bounded_by_memory(jobs: int, config: Any) -> int:
    """``jobs``, lowered so that every kernel's memory limit fits in the memory available now."""
    try:
        import psutil

        limit_mb = int(config.BoundedExecute.get("memory_limit_mb", 2048))
        available_mb = psutil.virtual_memory().available // 2**20
    except (ImportError, ValueError, TypeError):  # pragma: no cover
        return jobs
    if limit_mb <= 0:
        return jobs
    fits = max(1, available_mb // (limit_mb + 256))  # + what the grading process itself takes
    if fits < jobs:
        print(f"--jobs {jobs} lowered to {fits}: {fits} kernels of {limit_mb} MiB fit in {available_mb} MiB available")
    return min(jobs, fits)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: grade, print a table, exit 1 if any student could not be graded."""
    parser = argparse.ArgumentParser(prog="python -m helpers.grading", description=__doc__.splitlines()[0])
    parser.add_argument("assignment", nargs="?", help="assignment id, e.g. 01-event-loop")
    parser.add_argument("--student", action="append", help="grade only this student (repeatable)")
    parser.add_argument("--jobs", type=int, default=None, help="students graded at once (default 2 x CPUs)")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds before one student is killed")
    parser.add_argument(
        "--retries", type=int, default=1, help="extra attempts for a student whose failure may be transient"
    )
    parser.add_argument("--root", default=".", help="course root with nbgrader_config.py (default .)")
    parser.add_argument(
        "--force", action="store_true", help="grade every student (default: skip those unchanged since last time)"
    )
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="grade on a Dask cluster: its scheduler's address (tcp://host:8786), or 'local' for a LocalCluster",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress line while grading")
    parser.add_argument(
        "--no-report", action="store_true", help="no class report (reports/ASSIGNMENT/ next to grades.csv)"
    )
    parser.add_argument(
        "--check-sandbox", action="store_true", help="say whether grading kernels can be sandboxed here, and exit"
    )
    args = parser.parse_args(argv)
    if args.check_sandbox:
        from .sandbox import main as check_sandbox

        return check_sandbox()
    if not args.assignment:
        parser.error("the assignment id is required (e.g. python -m helpers.grading 01-event-loop)")
    started = time.monotonic()
    results = autograde(
        args.assignment,
        args.student,
        root=args.root,
        jobs=args.jobs,
        timeout=args.timeout,
        retries=args.retries,
        progress=not args.no_progress,
        force=args.force,
        scheduler=args.scheduler,
    )
    width = max([len(r.student) for r in results] + [7])
    print(f"{'student':<{width}}  {'score':>11}  {'seconds':>7}  status")
    # a large class: the students who need a look; everyone is in the report's students.csv
    shown = results if len(results) <= TABLE_ROWS else [r for r in results if not r.ok or r.flags]
    for r in shown:
        score = f"{r.score:g} / {r.max_score:g}" if r.score is not None else "-"
        if r.ok:
            status = "unchanged since the last grading: grade kept" if r.skipped else "graded"
            status += f"; FLAGGED for review: {'; '.join(r.flags)}" if r.flags else ""
        else:
            tries = f" (after {r.attempts} attempts)" if r.attempts > 1 else ""
            status = f"FAILED{tries}: {r.student}: {r.error}" + ("; old grade removed" if r.removed_grade else "")
        print(f"{r.student:<{width}}  {score:>11}  {r.seconds:7.1f}  {status}")
    failed = sum(not r.ok for r in results)
    flagged = sum(bool(r.flags) for r in results)
    if flagged:
        print(f"{flagged} graded submission(s) flagged for review")
    if len(shown) < len(results):
        print(f"({len(results) - len(shown)} students graded without a flag are not listed)")
    skipped = sum(r.skipped for r in results)
    kept = f" ({skipped} unchanged, not graded again: --force regrades them)" if skipped else ""
    print(f"{len(results) - failed} of {len(results)} graded{kept} in {time.monotonic() - started:.1f} s")
    if not args.no_report and results:
        from .report import write_class_report

        print(f"class report: {write_class_report(args.root, args.assignment, results)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
