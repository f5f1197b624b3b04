"""Validate as a learner meets it: JupyterLab's Validate button and ``nbgrader validate FILE``.

Both go through nbgrader's ``Validator`` with the course's ``nbgrader_config.py``; the button's
server handler is driven here exactly as the server calls it (in a process of its own, since the
configuration changes nbgrader's ``Validator`` in the process that loads it).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from coursedir import BIN, ROOT, course_env, make_course
from submission import Fixture, build

ASSIGNMENT = "03-tasks"
#: Wall seconds Validate may take on any notebook, one that hangs included (issue 8).
VALIDATE_BOUND = 20

# What the server does on a click (nbgrader/server_extensions/validate_assignment/handlers.py).
_BUTTON = """
import json, logging, sys, time, types
from nbgrader.server_extensions.validate_assignment.handlers import ValidateAssignmentHandler as H
logging.basicConfig(level=logging.WARNING)  # the validator's warnings (a cell that hung, and why) to stderr
server = types.SimpleNamespace(root_dir=".", log=logging.getLogger("server"))
server.load_config = lambda: H.load_config(server)
started = time.monotonic()
answer = H.validate_notebook(server, sys.argv[1])
print(json.dumps({"seconds": time.monotonic() - started, "answer": answer}))
"""


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = make_course(tmp_path_factory.mktemp("validate"), [])
    nbformat.write(build(ASSIGNMENT, None), folder / "solved.ipynb")
    hanging = Fixture.read(ROOT / "tests" / "submissions" / ASSIGNMENT / "hang-await-forever.py")
    nbformat.write(build(ASSIGNMENT, hanging), folder / "hanging.ipynb")
    shutil.copy(ROOT / "notebooks" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", folder / "untouched.ipynb")
    return folder


def _click_validate(course: Path, notebook: str) -> tuple[dict, float, str]:
    proc = subprocess.run(
        [sys.executable, "-c", _BUTTON, notebook],
        cwd=course, env=course_env(course), capture_output=True, text=True, timeout=120, check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["answer"]["success"], f"the dialog shows an error instead of results:\n{out['answer']['value']}"
    return out["answer"]["value"], out["seconds"], proc.stderr


IDLE_STOP = "CellStoppedError: this cell waited 4 s without doing anything"


def _dialog_lines(value: dict) -> list[str]:
    """The lines JupyterLab's dialog shows for a ``failed`` answer (a heading, the source, the error)."""
    lines = []
    for entry in value["failed"]:
        lines += ["The following cell failed:", *entry["source"].splitlines(), *entry["raw_error"].splitlines()]
    return lines


def test_a_solved_notebook_passes(course: Path):
    value, seconds, _ = _click_validate(course, "solved.ipynb")
    assert value == {}, "the dialog then says: Success! Your notebook passes all the tests."
    print(f"Validate on a solved {ASSIGNMENT}: {seconds:.1f} s")


def test_a_hanging_notebook_answers_in_bounded_time_with_the_cell_that_hung_and_what_passed(course: Path):
    value, seconds, log = _click_validate(course, "hanging.ipynb")
    print(f"Validate on a hanging {ASSIGNMENT}: {seconds:.1f} s")
    assert seconds < VALIDATE_BOUND
    first, *_, last = value["failed"]
    assert first["source"].startswith("await run_all("), "the cell that hung comes first"
    assert first["raw_error"].startswith(IDLE_STOP), f"{first['raw_error']}\nthe validator's log:\n{log[-3000:]}"
    assert "Graded cells: 7 of 9 passed" in last["raw_error"]
    assert "  passed  ex3_1_runs_concurrently" in last["raw_error"]
    assert "  FAILED  ex3_4_returns_results" in last["raw_error"]
    assert "Traceback" not in json.dumps(value)


def test_unsolved_exercises_give_one_short_entry_per_graded_cell(course: Path):
    value, _, _ = _click_validate(course, "untouched.ipynb")
    entries = value["failed"]
    assert [e["source"].splitlines()[0] for e in entries][:2] == ["ex3_1_runs_concurrently", "ex3_1_named_tasks"]
    assert all(e["raw_error"].startswith("NotImplementedError: Student exercise") for e in entries)
    assert "Graded cells: 0 of 9 passed" in entries[-1]["raw_error"]
    assert len(_dialog_lines(value)) < 80


def test_nbgrader_validate_prints_the_same_short_answer_without_cutting_lines(course: Path):
    started = time.monotonic()
    proc = subprocess.run(
        [str(BIN / "nbgrader"), "validate", "hanging.ipynb"],
        cwd=course, env=course_env(course), capture_output=True, text=True, timeout=120, check=False,
    )
    print(f"nbgrader validate on a hanging {ASSIGNMENT}: {time.monotonic() - started:.1f} s")
    out = proc.stdout
    assert "Graded cells: 7 of 9 passed" in out
    assert IDLE_STOP in out, f"{out}\nthe validator's log:\n{proc.stderr[-3000:]}"
    assert not [line for line in out.splitlines() if line.endswith("...") and line.strip() != "..."], out
    assert len(out.splitlines()) < 60, out
