"""A throwaway nbgrader course built from this repository, for the pipeline tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
ALL_ASSIGNMENTS = sorted(p.name for p in (ROOT / "solutions").iterdir() if (p / f"{p.name}.ipynb").exists())
# COURSE_ASSIGNMENTS=02-coroutines,03-tasks limits the pipeline tests to those notebooks (while writing one)
ASSIGNMENTS = ALL_ASSIGNMENTS
if os.environ.get("COURSE_ASSIGNMENTS"):
    ASSIGNMENTS = [a for a in ALL_ASSIGNMENTS if a in os.environ["COURSE_ASSIGNMENTS"].split(",")]


def make_course(folder: Path, assignments: list[str]) -> Path:
    """Copy the project's ``nbgrader_config.py`` and the assignments' sources into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "nbgrader_config.py", folder)
    for assignment in assignments:
        shutil.copytree(ROOT / "solutions" / assignment, folder / "solutions" / assignment)
    return folder


def course_env(course: Path) -> dict[str, str]:
    """Environment for nbgrader in ``course``: the venv on PATH (alembic), a private gradebook."""
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["ASYNCIO_COURSE_GRADEBOOK"] = str(course / "gradebook.db")
    env["PYTHONWARNINGS"] = "ignore"
    return env


def run(course: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run a command in ``course``; fail with its output if it fails."""
    proc = subprocess.run(
        args, cwd=course, env=course_env(course), capture_output=True, text=True, timeout=timeout, check=False
    )
    if proc.returncode:
        raise AssertionError(f"{' '.join(args)} exited {proc.returncode}\n{proc.stdout[-5000:]}\n{proc.stderr[-5000:]}")
    return proc


def nbgrader(course: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run the ``nbgrader`` command line in ``course``."""
    return run(course, str(BIN / "nbgrader"), *args, timeout=timeout)


def cell_scores(course: Path, assignment: str, student: str) -> dict[str, tuple[float, float]]:
    """``{grade_id: (score, max_score)}`` for every autograded cell of a student's submission."""
    from nbgrader.api import Gradebook

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
            notebook = gb.find_submission_notebook(assignment, assignment, student)
            return {g.name: (g.score, g.max_score) for g in notebook.grades if g.auto_score is not None}
