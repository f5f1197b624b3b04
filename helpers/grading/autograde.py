"""Autograde a whole class in parallel, every student in bounded time: ``python -m helpers.grading ID``.

Stock ``nbgrader autograde`` grades one student after another and pays most of its time
waiting on kernels. This runner grades several students at once, each in its own short-lived
process forked from a server that has already imported nbgrader (so no process pays nbgrader's
start-up again), with:

- single-use kernels (one per student notebook, as nbgrader does; a kernel is never reused
  across students, so one student's monkeypatching cannot leak into another's grade);
- bounded time: cells that hang are stopped by the course's ``BoundedExecute`` preprocessor
  (see ``helpers.grading.execute``); a student whose grading still overruns ``--timeout`` is killed;
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
- one gradebook: every process writes the course's SQLite gradebook (``db_url`` of the
  course's ``nbgrader_config.py``; use ``?timeout=30`` in it so writers wait for each other).
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
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["StudentResult", "autograde", "main"]


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


def _load_config(root: Path) -> Any:
    from traitlets.config.loader import PyFileConfigLoader

    return PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()


def _become_subreaper() -> bool:
    """Make this process adopt its orphaned descendants (Linux ``PR_SET_CHILD_SUBREAPER``); False if it cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(36, 1, 0, 0, 0) == 0  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        return False


def _end_descendants() -> int:
    """Kill every process still running below this one (orphans included, once a subreaper); return how many."""
    import signal

    try:
        import psutil
    except ImportError:  # pragma: no cover - psutil comes with ipykernel
        return 0
    killed = 0
    for _ in range(5):  # a process may fork while we kill: look again until none is left
        children = psutil.Process().children(recursive=True)
        if not children:
            break
        for child in children:
            try:
                child.send_signal(signal.SIGKILL)
                killed += 1
            except psutil.Error:
                pass
        psutil.wait_procs(children, timeout=5)
    return killed


def _grade_one(root: str, assignment: str, student: str, conn: Any) -> None:
    """Worker process: autograde one student through nbgrader's API and report back.

    The worker is a child subreaper: whatever the student's kernel started, even in its own
    session or double-forked, is re-parented here when its parent dies, and killed before the
    worker reports.
    """
    warnings.simplefilter("ignore")
    os.chdir(root)
    _become_subreaper()
    try:
        from nbgrader.apps.api import NbGraderAPI

        api = NbGraderAPI(config=_load_config(Path(root)))
        result = api.autograde(assignment, student, force=True, create=True)
        left = _end_descendants()
        conn.send(
            {
                "success": bool(result["success"]),
                "error": result.get("error") or "",
                "log": result.get("log") or "",
                "left_running": left,
            }
        )
    except BaseException as exc:  # noqa: BLE001 - anything here must reach the coordinator
        _end_descendants()
        conn.send({"success": False, "error": f"{type(exc).__name__}: {exc}", "log": ""})
    finally:
        conn.close()


#: Failures another attempt may cure: the kernel did not start or answer in time, the process was killed.
_TRANSIENT = re.compile(
    r"Kernel died before replying|Kernel didn't respond|kernel_info|Kernel not alive|TimeoutError|"
    r"Address already in use|database is locked",
)
#: A locked cell nbgrader found changed (and restored): ``Attribute 'checksum' for cell NAME has changed!``.
_CHANGED = re.compile(r"Attribute '(\w+)' for cell (\S+) has changed!")
#: A tampering finding of ``BoundedExecute`` (``helpers.grading.tamper``): ``TAMPER: flagged for review: REASON``.
_TAMPER = re.compile(r"TAMPER: flagged for review: (.+)")


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

    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["nbgrader.apps.api", "helpers.grading.execute"])
    results = {s: StudentResult(s) for s in students}
    queue = []
    for student in students:
        cause = _precheck(root, assignment, student)
        if cause is None:
            queue.append(student)
        else:
            results[student].error = cause
    running: dict[str, tuple[Any, Any, float]] = {}
    while queue or running:
        while queue and len(running) < jobs:
            student = queue.pop(0)
            receiver, sender = ctx.Pipe(duplex=False)
            proc = ctx.Process(target=_grade_one, args=(str(root), assignment, student, sender), daemon=True)
            proc.start()
            sender.close()
            results[student].attempts += 1
            running[student] = (proc, receiver, time.monotonic())
        time.sleep(0.05)
        for student, (proc, receiver, started) in list(running.items()):
            result = results[student]
            elapsed = time.monotonic() - started
            message = None
            if receiver.poll():
                try:
                    message = receiver.recv()
                except EOFError:
                    message = None
            if message is None and proc.is_alive() and elapsed < timeout:
                continue
            transient = message is None
            if message is None and proc.is_alive():
                proc.kill()
                message = {"success": False, "error": f"grading overran --timeout and was killed after {timeout:.0f} s"}
            proc.join(timeout=30)
            receiver.close()
            del running[student]
            if message is None:
                message = {"success": False, "error": f"grading process exited with code {proc.exitcode}"}
            result.seconds = elapsed
            result.ok = message["success"]
            log = message.get("log", "")
            if result.ok:
                result.error, result.transient = "", False
                result.flags = sorted(
                    {
                        f"test cell {cell} was edited ({attr} changed; restored before grading)"
                        for attr, cell in _CHANGED.findall(log)
                    }
                ) + list(dict.fromkeys(f"tampering: {reason.strip()}" for reason in _TAMPER.findall(log)))
            else:
                raw = message["error"] or log[-4000:]
                result.error = _one_line(raw, log)
                result.transient = transient or bool(_TRANSIENT.search(raw))
            if not result.ok and result.transient and result.attempts <= retries:
                queue.append(student)
    for result in results.values():
        if not result.ok:
            result.removed_grade = _remove_grade(root, assignment, result.student)
    for student, (score, max_score) in _scores(root, assignment, students).items():
        if results[student].ok:
            results[student].score, results[student].max_score = score, max_score
    return [results[s] for s in students]


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: grade, print a table, exit 1 if any student could not be graded."""
    parser = argparse.ArgumentParser(prog="python -m helpers.grading", description=__doc__.splitlines()[0])
    parser.add_argument("assignment", help="assignment id, e.g. 01-event-loop")
    parser.add_argument("--student", action="append", help="grade only this student (repeatable)")
    parser.add_argument("--jobs", type=int, default=None, help="students graded at once (default 2 x CPUs)")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds before one student is killed")
    parser.add_argument(
        "--retries", type=int, default=1, help="extra attempts for a student whose failure may be transient"
    )
    parser.add_argument("--root", default=".", help="course root with nbgrader_config.py (default .)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    results = autograde(
        args.assignment, args.student, root=args.root, jobs=args.jobs, timeout=args.timeout, retries=args.retries
    )
    width = max([len(r.student) for r in results] + [7])
    print(f"{'student':<{width}}  {'score':>11}  {'seconds':>7}  status")
    for r in results:
        score = f"{r.score:g} / {r.max_score:g}" if r.score is not None else "-"
        if r.ok:
            status = "graded" + (f"; FLAGGED for review: {'; '.join(r.flags)}" if r.flags else "")
        else:
            tries = f" (after {r.attempts} attempts)" if r.attempts > 1 else ""
            status = f"FAILED{tries}: {r.student}: {r.error}" + ("; old grade removed" if r.removed_grade else "")
        print(f"{r.student:<{width}}  {score:>11}  {r.seconds:7.1f}  {status}")
    failed = sum(not r.ok for r in results)
    flagged = sum(bool(r.flags) for r in results)
    if flagged:
        print(f"{flagged} graded submission(s) flagged for review")
    print(f"{len(results) - failed} of {len(results)} graded in {time.monotonic() - started:.1f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
