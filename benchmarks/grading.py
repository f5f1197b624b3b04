"""Grading a class: stock ``nbgrader autograde`` against ``python -m helpers.grading``, side by side.

One run builds three identical throwaway courses of one assignment (default 03-tasks) with N students
(default 20: the untouched student copy, the solution, then the assignment's fixtures from
``tests/submissions/``, the hanging ones first), grades one course with each grader, and prints:

- ``before``: stock ``nbgrader autograde`` with the course's configuration as it was before the grading
  work of issue 13 (cells stopped after 15 s, checks after 5 s, images drawn, no idle limit, no sandbox):
  the baseline the issue measured;
- ``stock``: stock ``nbgrader autograde`` with today's ``nbgrader_config.py`` (the course's execute step
  ``BoundedExecute`` with its shorter limits and no images: what makes one student cheaper helps it too);
- ``ours``: ``python -m helpers.grading`` (parallel, prepare / execute / record).

For each:

- wall seconds of each grader and the speed-ups;
- CPU seconds of each (user + system of every process the grader started, kernels included) and per student;
- the slowest students of our grader, with seconds each;
- whether both graders gave every student the same score (they must).

Run from the repository root, in the course's environment (``make setup`` first)::

    .venv/bin/python benchmarks/grading.py [--assignment 03-tasks] [--students 20] [--jobs 4] [--only ours]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "pipeline"))

import nbformat  # noqa: E402
from coursedir import BIN, course_env, make_course, nbgrader  # noqa: E402
from submission import build, fixtures  # noqa: E402

#: The course's grading settings before issue 13, on nbgrader's command line.
BEFORE = [
    "--Execute.timeout=15",
    "--BoundedExecute.images=True",
    "--BoundedExecute.check_wall_limit=0",
    "--BoundedExecute.idle_timeout=0",
    "--BoundedExecute.sandbox=off",
]


def make_class(folder: Path, assignment: str, students: int) -> list[str]:
    """A course in ``folder`` with ``students`` submissions of ``assignment``; return their ids."""
    make_course(folder, [assignment])
    nbgrader(folder, "generate_assignment", assignment)
    found = sorted(fixtures(assignment), key=lambda f: (not f.name.startswith("hang"), f.name))
    chosen: dict[str, nbformat.NotebookNode | None] = {"untouched": None, "solution": build(assignment, None)}
    for fixture in found[: max(0, students - 2)]:
        chosen[fixture.name] = build(assignment, fixture)
    for student, nb in list(chosen.items())[:students]:
        target = folder / "submitted" / student / assignment
        target.mkdir(parents=True)
        if nb is None:
            shutil.copy(ROOT / "notebooks" / assignment / f"{assignment}.ipynb", target)
        else:
            nbformat.write(nb, target / f"{assignment}.ipynb")
    return list(chosen)[:students]


def _adopt_orphans() -> None:
    """Become a child subreaper (Linux): processes the grader leaves behind (its forkserver) are waited for here."""
    import ctypes

    ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER


def _reap_orphans(seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            time.sleep(0.05)


def timed(command: list[str], course: Path) -> tuple[float, float, str]:
    """Run ``command`` in ``course``; return wall seconds, CPU seconds of it and its descendants, its output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run(command, cwd=course, env=course_env(course), capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    _reap_orphans()  # CPU of a process counts in RUSAGE_CHILDREN once it is waited for
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, proc.stdout + proc.stderr


def scores(course: Path, assignment: str) -> dict[str, float]:
    from nbgrader.api import Gradebook, MissingEntry

    found = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student in gb.students:
            try:
                found[student.id] = gb.find_submission(assignment, student.id).score
            except MissingEntry:
                pass
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", default="03-tasks")
    parser.add_argument("--students", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=None, help="--jobs of helpers.grading (default: its own)")
    parser.add_argument("--only", choices=["before", "stock", "ours"], help="run one grader only")
    parser.add_argument("--keep", action="store_true", help="keep the course folders (printed)")
    args = parser.parse_args()
    import warnings

    warnings.simplefilter("ignore")
    _adopt_orphans()
    base = Path(tempfile.mkdtemp(prefix="grading-bench-"))
    graders = {
        "before": [str(BIN / "nbgrader"), "autograde", args.assignment, *BEFORE],
        "stock": [str(BIN / "nbgrader"), "autograde", args.assignment],
        "ours": [sys.executable, "-m", "helpers.grading", args.assignment, "--no-progress", "--no-report"]
        + (["--jobs", str(args.jobs)] if args.jobs else []),
    }
    results = {}
    try:
        for name, command in graders.items():
            if args.only and name != args.only:
                continue
            course = base / name
            students = make_class(course, args.assignment, args.students)
            wall, cpu, output = timed(command, course)
            results[name] = (wall, cpu, scores(course, args.assignment), output)
            print(f"{name:>5}: {wall:6.1f} s wall, {cpu:6.1f} s CPU ({cpu / len(students):.2f} s per student)")
            if name == "ours":
                print(output.rstrip())
        print(
            f"\n{args.students} students of {args.assignment} on {os.cpu_count()} cores, "
            f"Python {sys.version.split()[0]}"
        )
        if len(results) == 3:
            names = {
                "before": "stock `nbgrader autograde`, course config before issue 13",
                "stock": "stock `nbgrader autograde`, today's course config",
                "ours": "`python -m helpers.grading`",
            }
            bw, sw = results["before"][0], results["stock"][0]
            print("| grader | wall s | CPU s | CPU s per student | speed-up vs before | speed-up vs stock |")
            print("|---|---|---|---|---|---|")
            for name, (wall, cpu, _, _) in results.items():
                print(
                    f"| {names[name]} | {wall:.1f} | {cpu:.1f} | {cpu / args.students:.2f} | {bw / wall:.1f} | "
                    f"{sw / wall:.1f} |"
                )
            ours = results["ours"][2]
            for name in ("before", "stock"):
                theirs = results[name][2]
                differ = {
                    s: (theirs.get(s), ours.get(s)) for s in set(theirs) | set(ours) if theirs.get(s) != ours.get(s)
                }
                print(
                    f"{name} and ours: "
                    + ("same score for every student" if not differ else f"SCORES DIFFER: {differ}")
                )
    finally:
        if args.keep:
            print(f"courses kept in {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
