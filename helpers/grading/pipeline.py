"""Grade one student in three steps, so that running student code is the only step that goes anywhere.

nbgrader's ``Autograde`` does everything in one process: it reads the gradebook, restores
the hidden tests, runs the notebook, and writes the grades. This module splits that work
along the line where trust and cost change:

1. :func:`prepare` (the coordinator, next to the gradebook): read the submission, run the
   course's *sanitize* preprocessors (clear outputs, restore test cells and their hidden tests
   from the gradebook, check metadata) and pack what the kernel needs into a :class:`Job`:
   plain data, picklable, with no path into the course.
2. :func:`execute` (anywhere: a process on this machine or a Dask worker): run the *autograde*
   preprocessors that come before ``SaveAutoGrades`` (``BoundedExecute``: a fresh kernel per
   notebook, bounded in time, output and memory; ``IgnorePattern``, ``LimitOutput``, ...) in a
   private temporary folder. It never sees the gradebook, ``solutions/`` or other students.
   Returns an :class:`Executed`.
3. :func:`record` (the coordinator, the one gradebook writer): write the autograded copy to
   ``autograded/STUDENT/ASSIGNMENT/`` and run the rest of the autograde preprocessors
   (``SaveAutoGrades``, ``AssignLatePenalties``, ...) against the gradebook, as nbgrader does.

The preprocessor lists are the course's own (``c.Autograde.sanitize_preprocessors`` and
``c.Autograde.autograde_preprocessors`` in ``nbgrader_config.py``), split at
``SaveAutoGrades``; the gradebook ends up as ``nbgrader autograde`` leaves it, so
``nbgrader export``, formgrader and ``generate_feedback`` work unchanged.

Example (what ``helpers.grading.autograde`` does for each student)::

    course = Course.load(".")
    job = prepare(course, "03-tasks", "alice")
    done = execute(job)            # in a worker process
    record(course, done)           # back in the coordinator
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import logging
import os
import re
import shutil
import tempfile
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = ["Course", "Executed", "Job", "events_of", "execute", "flags_of", "prepare", "record", "scores_of"]

#: The preprocessor at which the autograde list goes back to the coordinator (it writes the gradebook).
_FIRST_RECORDING = "SaveAutoGrades"
#: Why a submission needs a look by hand, as nbgrader logs it: ``Attribute 'checksum' for cell NAME has changed!``.
_CHANGED = re.compile(r"Attribute '(\w+)' for cell (\S+) has changed!")
#: A tampering finding of ``BoundedExecute`` (``helpers.grading.tamper``): ``TAMPER: flagged for review: REASON``.
_TAMPER = re.compile(r"TAMPER: flagged for review: (.+)")


def _dotted(item: Any) -> str:
    return item if isinstance(item, str) else f"{item.__module__}.{item.__qualname__}"


def _load(dotted: str) -> Any:
    module, _, name = dotted.rpartition(".")
    return getattr(importlib.import_module(module), name)


@dataclasses.dataclass
class Course:
    """The course as the coordinator sees it: its root, nbgrader configuration and folders."""

    root: Path
    config: Any
    db_url: str
    submitted: Path
    autograded: Path
    source: Path
    sanitize: list[str]
    worker_steps: list[str]
    recording_steps: list[str]
    ignore: list[str]

    @classmethod
    def load(cls, root: str | os.PathLike[str] = ".") -> Course:
        """Read ``nbgrader_config.py`` of the course in ``root``."""
        from nbgrader.converters import Autograde
        from nbgrader.coursedir import CourseDirectory
        from traitlets.config.loader import PyFileConfigLoader

        root = Path(root).resolve()
        config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
        coursedir = CourseDirectory(config=config)
        defaults = Autograde(config=config)
        steps = [_dotted(p) for p in defaults.autograde_preprocessors]
        split = next((i for i, s in enumerate(steps) if s.rsplit(".", 1)[-1] == _FIRST_RECORDING), len(steps))
        course_root = Path(coursedir.root)
        return cls(
            root=course_root,
            config=config,
            db_url=coursedir.db_url,
            submitted=course_root / coursedir.submitted_directory,
            autograded=course_root / coursedir.autograded_directory,
            source=course_root / coursedir.source_directory,
            sanitize=[_dotted(p) for p in defaults.sanitize_preprocessors],
            worker_steps=steps[:split],
            recording_steps=steps[split:],
            ignore=list(coursedir.ignore),
        )

    def gradebook(self) -> Any:
        from nbgrader.api import Gradebook

        return Gradebook(self.db_url)


@dataclasses.dataclass
class Job:
    """One student's notebooks, ready to run anywhere: plain data, no path into the course.

    Attributes:
        assignment, student: ids.
        notebooks: notebook id -> the sanitized notebook (a ``NotebookNode``, picklable): outputs
            cleared, test cells and hidden tests restored.
        files: the other files of the submission and of the assignment's source folder
            (relative path -> bytes), put next to the notebook before it runs.
        steps: dotted names of the preprocessors to run (``BoundedExecute`` ... ``LimitOutput``).
        config: the course's nbgrader configuration (a traitlets ``Config``).
        log: what preparing logged (warnings about edited test cells).
    """

    assignment: str
    student: str
    notebooks: dict[str, Any]
    files: dict[str, bytes]
    steps: list[str]
    config: Any
    log: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Executed:
    """What running a :class:`Job` gave: the executed notebooks, or why there are none.

    Attributes:
        notebooks: notebook id -> executed notebook (a ``NotebookNode``), before the grades are recorded.
        log: warnings logged while preparing and running (kernel restarts, killed processes, ...).
        error: why the notebooks could not be run ("" if they were).
        transient: whether another attempt could cure ``error`` (a kernel that did not start).
        seconds, cpu_seconds: wall and CPU time of the run (the kernels' CPU included).
    """

    assignment: str
    student: str
    notebooks: dict[str, Any] = dataclasses.field(default_factory=dict)
    log: list[str] = dataclasses.field(default_factory=list)
    error: str = ""
    transient: bool = False
    seconds: float = 0.0
    cpu_seconds: float = 0.0


@contextlib.contextmanager
def _captured_log(name: str) -> Iterator[tuple[logging.Logger, list[str]]]:
    """A logger whose warnings (and worse) are kept, as ``LEVEL | message`` lines."""
    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(f"[{record.levelname}] {record.getMessage()}")

    logger = logging.getLogger(f"helpers.grading.{name}")
    logger.propagate = False
    logger.setLevel(logging.WARNING)
    handler = Keep()
    logger.addHandler(handler)
    try:
        yield logger, lines
    finally:
        logger.removeHandler(handler)


def _resources(job_or_ids: Any, notebook: str, db_url: str, path: str) -> dict[str, Any]:
    return {
        "unique_key": notebook,
        "output_files_dir": f"{notebook}_files",
        "nbgrader": {
            "student": job_or_ids.student,
            "assignment": job_or_ids.assignment,
            "notebook": notebook,
            "db_url": db_url,
        },
        "metadata": {"path": path},
    }


def _files(folder: Path, ignore: list[str]) -> dict[str, bytes]:
    from nbgrader.utils import find_all_files

    if not folder.is_dir():
        return {}
    return {
        os.path.relpath(name, folder): Path(name).read_bytes()
        for name in find_all_files(str(folder), ignore + ["*.ipynb"])
    }


def prepare(course: Course, assignment: str, student: str) -> Job:
    """Sanitize ``student``'s notebooks of ``assignment`` against the gradebook; return the job to run.

    Raises ``LookupError`` if the gradebook has no such assignment or the submission none of its notebooks.
    """
    import nbformat
    from nbgrader.api import MissingEntry

    folder = course.submitted / student / assignment
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with course.gradebook() as gb:
            try:
                known = [nb.name for nb in gb.find_assignment(assignment).notebooks]
            except MissingEntry:
                why = f"the gradebook has no assignment {assignment}: run nbgrader generate_assignment"
                raise LookupError(why) from None
    notebooks = {}
    with _captured_log(f"prepare.{student}") as (log, lines):
        for notebook in known:
            path = folder / f"{notebook}.ipynb"
            if not path.exists():
                continue
            nb = nbformat.read(str(path), as_version=nbformat.NO_CONVERT)
            resources = _resources(_Ids(assignment, student), notebook, course.db_url, str(folder))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                for step in course.sanitize:
                    nb, resources = _load(step)(config=course.config, log=log)(nb, resources)
            notebooks[notebook] = nb
    if not notebooks:
        raise LookupError(f"no notebook of {assignment} ({', '.join(known)}) in the submission")
    files = _files(folder, course.ignore)
    files.update(_files(course.source / assignment, course.ignore))  # the instructor's files win, as in nbgrader
    return Job(assignment, student, notebooks, files, course.worker_steps, course.config, lines)


@dataclasses.dataclass
class _Ids:
    assignment: str
    student: str


def _children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def execute(job: Job) -> Executed:
    """Run ``job``'s notebooks in a private temporary folder, each in a fresh kernel; never raises.

    The kernels' CPU counts in ``cpu_seconds`` only where they are children of this process
    (they are: nbclient starts them) and waited for (BoundedExecute shuts them down).
    """
    from nbgrader import utils

    started, cpu_started = time.monotonic(), time.process_time() + _children_cpu()
    done = Executed(job.assignment, job.student, log=list(job.log))
    with (
        _captured_log(f"execute.{job.student}") as (log, lines),
        tempfile.TemporaryDirectory(prefix=f"grade-{job.student}-") as folder,
    ):
        try:
            for relative, data in job.files.items():
                target = Path(folder, relative)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
            with warnings.catch_warnings(), utils.setenv(NBGRADER_EXECUTION="autograde"):
                warnings.simplefilter("ignore")
                for notebook, nb in job.notebooks.items():
                    resources = _resources(job, notebook, "", folder)
                    for step in job.steps:
                        nb, resources = _load(step)(config=job.config, log=log)(nb, resources)
                    done.notebooks[notebook] = nb
        except Exception as exc:  # noqa: BLE001 - reported, and judged transient or not by the coordinator
            done.error = f"{type(exc).__name__}: {exc}".strip()
            done.transient = bool(_TRANSIENT.search(done.error))
    done.log.extend(lines)
    done.seconds = time.monotonic() - started
    done.cpu_seconds = time.process_time() + _children_cpu() - cpu_started
    return done


#: Failures another attempt may cure: the kernel did not start or answer in time.
_TRANSIENT = re.compile(
    r"Kernel died before replying|Kernel didn't respond|kernel_info|Kernel not alive|TimeoutError|"
    r"Address already in use|database is locked",
)


def record(course: Course, done: Executed) -> None:
    """Write ``done``'s autograded copy and its grades to the gradebook, as ``nbgrader autograde`` does."""
    import nbformat

    folder = course.submitted / done.student / done.assignment
    dest = course.autograded / done.student / done.assignment
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for files in (_files(folder, course.ignore), _files(course.source / done.assignment, course.ignore)):
        for relative, data in files.items():
            (dest / relative).parent.mkdir(parents=True, exist_ok=True)
            (dest / relative).write_bytes(data)
    timestamp = _timestamp(folder)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with course.gradebook() as gb:
            gb.update_or_create_student(done.student)
            if timestamp is not None:
                gb.update_or_create_submission(done.assignment, done.student, timestamp=timestamp)
            else:
                gb.update_or_create_submission(done.assignment, done.student)
            for notebook in gb.find_assignment(done.assignment).notebooks:
                if notebook.name not in done.notebooks:  # not submitted: zero, as nbgrader gives
                    submitted = gb.find_submission_notebook(notebook.name, done.assignment, done.student)
                    for grade in submitted.grades:
                        grade.auto_score = 0
                        grade.needs_manual_grade = False
                    gb.db.commit()
        silent = logging.getLogger("helpers.grading.record")
        silent.propagate = False
        for notebook, nb in done.notebooks.items():
            resources = _resources(done, notebook, course.db_url, str(dest))
            for step in course.recording_steps:
                nb, resources = _load(step)(config=course.config, log=silent)(nb, resources)
            nbformat.write(nb, str(dest / f"{notebook}.ipynb"))


def _timestamp(folder: Path) -> Any:
    from nbgrader.coursedir import CourseDirectory

    return CourseDirectory().get_existing_timestamp(str(folder))


def flags_of(log: list[str]) -> list[str]:
    """Reasons to review a submission by hand, from what preparing and running it logged."""
    text = "\n".join(log)
    edited = {
        f"test cell {cell} was edited ({attr} changed; restored before grading)"
        for attr, cell in _CHANGED.findall(text)
    }
    tampering = dict.fromkeys(f"tampering: {reason.strip()}" for reason in _TAMPER.findall(text))
    return sorted(edited) + list(tampering)


def events_of(notebooks: dict[str, Any], log: list[str]) -> list[str]:
    """What made a run slow or odd, one line each: cells that hung or were not run, kernels killed, output cut."""

    from .execute import HUNG, NOT_RUN

    events = []
    for nb in notebooks.values():
        not_run = 0
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            for out in cell.get("outputs", []):
                if out.get("ename") == HUNG:
                    where = cell.metadata.get("nbgrader", {}).get("grade_id") or f"cell {index}"
                    events.append(f"{where}: {out.get('evalue', '')}")
                elif out.get("ename") == NOT_RUN:
                    not_run += 1
                elif out.get("ename") == "MemoryError":
                    events.append(f"cell {index}: memory limit reached")
                elif out.get("output_type") == "stream" and "[output cut:" in out.get("text", ""):
                    events.append(f"cell {index}: output cut (printed more than the grader keeps)")
        if not_run:
            events.append(f"{not_run} cell(s) not run: the notebook hung too often")
    events += [line.split("] ", 1)[-1] for line in log if "Killed" in line and "process" in line]
    return events


def scores_of(nb: Any) -> dict[str, tuple[float, float]]:
    """``{grade_id: (score, max_score)}`` of every autograded cell of an executed notebook."""
    from nbgrader import utils

    scores = {}
    for cell in nb.cells:
        if utils.is_grade(cell):
            score, max_score = utils.determine_grade(cell)
            if score is not None:
                scores[cell.metadata.nbgrader["grade_id"]] = (float(score), float(max_score))
    return scores
