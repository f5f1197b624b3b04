"""Grading proof, hostile and broken submissions: each ends graded fairly or flagged, nothing left running.

One tiny assignment (00-start-here, two graded cells), a handful of students, graded by
``python -m helpers.grading`` (parallel, with the project's ``nbgrader_config.py``):

- ``clean``: the solution; graded 2/2 without a single warning (no "checksum has changed").
- ``tampered``: the solution with a test cell edited to ``pass``; the test is restored, the
  student scores what the code deserves (2/2) and is FLAGGED for review.
- ``notjson`` / ``empty``: a notebook that is not JSON, a folder without a notebook: FAILED
  with the cause in one line, after one attempt (no retry of what fails again).
- ``regrade``: graded 2/2, then its notebook is replaced by a broken one and regraded: the
  old grade is removed (gradebook, ``autograded/``) and ``nbgrader export`` gives it 0.
- ``flood``: prints 5 MB in one cell; the autograded notebook keeps at most the byte limit.
- ``hog``: allocates 3 GiB; ``MemoryError`` with the grader's limit in the message, 2/2 kept.
- ``orphans``: starts a child in its own session (``start_new_session=True``) and a double-forked
  grandchild with an empty environment; both are gone when grading ends.

In the sandbox (``helpers.grading.sandbox``; these two are graded only where the machine provides it):

- ``spy``: the solution plus a cell that looks for the hidden tests in ``solutions/``, lists
  ``submitted/``, hunts the gradebook (environment, course root, the default path, other processes'
  environments) and reads it with ``sqlite3``, lists the instructor's home and connects to a server
  on the grader's ``127.0.0.1``. It finds nothing, reaches nothing, runs as an unprivileged uid, can
  still serve and connect on its own loopback, and scores what its code deserves (2/2).
- ``forger``: an unsolved notebook whose cell writes ``manual_score = max_score`` for every grade in
  the course's gradebook and overwrites the other students' submissions: it scores 0, no grade anywhere gets a
  manual score, and the other student's notebook is untouched.
- ``blocking``: greet blocks the loop; 1/2, and its feedback page starts with *What to fix* and shows
  its run as a chart next to what ``never_blocked`` expected.
- cheats (:data:`CHEATS`): patched checks, a forged ``run_cell``, a silenced traceback, a trace hook...
  each scores what the cheat got it (often more than the code deserves) and is FLAGGED for review
  with a reason (``helpers.grading.tamper``).
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import nbformat
import pytest
from coursedir import BIN, ROOT, cell_scores, course_env, make_course, nbgrader
from submission import build

ASSIGNMENT = "00-start-here"
#: A word in the command line of every process the ``orphans`` student starts.
TAG = f"g13-orphan-{uuid.uuid4().hex[:8]}"

FLOOD = 'print("x" * 5_000_000)'
HOG = "hog = bytearray(3 * 1024**3)"
ORPHANS = f"""\
import os, subprocess, sys
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)", "{TAG}-session"], start_new_session=True)
if os.fork() == 0:  # a daemon: fork, new session, fork again, with an empty environment
    os.setsid()
    if os.fork() == 0:
        os.execve(sys.executable, [sys.executable, "-c", "import time; time.sleep(300)", "{TAG}-daemon"], {{}})
    os._exit(0)
print("started")
"""


#: How a hostile student finds the course and the gradebook (shared by ``spy`` and ``forger``).
HUNT = """\
import glob, json, os, socket, sqlite3
from pathlib import Path
found = {"uid": os.getuid()}
course = Path(%(course)r)  # the worst case: the student knows where the course lives
candidates = [os.environ.get("ASYNCIO_COURSE_GRADEBOOK"), course / "gradebook.db",
              Path("~/.local/share/asyncio-course/gradebook.db").expanduser(),
              "/root/.local/share/asyncio-course/gradebook.db"]
for proc in glob.glob("/proc/[0-9]*"):  # the grader's environment and command line name the gradebook
    for what in ("environ", "cmdline"):
        try:
            text = Path(proc, what).read_bytes().decode(errors="replace")
        except OSError:
            continue
        candidates += [w.split("=", 1)[-1] for w in text.split("\\0") if "gradebook" in w]
candidates += [str(p) for p in Path("/").glob("*/gradebook.db")]
gradebooks = sorted({str(c) for c in candidates if c and os.path.exists(str(c))})
found["gradebooks"] = gradebooks
"""
SPY = (
    HUNT
    + """\
def attempt(name, fn):
    try:
        found[name] = fn()
    except Exception as exc:
        found[name] = f"refused: {type(exc).__name__}"
attempt("solutions", lambda: sorted(os.listdir(course / "solutions")))
attempt("hidden_tests", lambda: "BEGIN HIDDEN TESTS" in (course / "solutions" / "%(a)s" / "%(a)s.ipynb").read_text())
attempt("submitted", lambda: sorted(os.listdir(course / "submitted")))
attempt("autograded", lambda: sorted(os.listdir(course / "autograded")))
attempt("gradebook_rows", lambda: [sqlite3.connect(f"file:{g}?mode=ro", uri=True).execute(
    "select count(*) from grade").fetchone()[0] for g in gradebooks])
attempt("home", lambda: sorted(os.listdir("/root")))
attempt("host_server", lambda: socket.create_connection(("127.0.0.1", %(port)d), timeout=2).close() or "connected")
def loopback():
    with socket.create_server(("127.0.0.1", 0)) as server:
        with socket.create_connection(server.getsockname(), timeout=2) as client:
            client.sendall(b"ok")
            return server.accept()[0].recv(2).decode()
attempt("own_loopback", loopback)
print("SPY " + json.dumps(found))
"""
)
FORGER = (
    HUNT
    + """\
for g in gradebooks:
    if not g.startswith(str(course)):
        continue  # never another course's gradebook (other test runs on this machine), even where unsandboxed
    try:
        db = sqlite3.connect(g, timeout=30)
        db.execute("update grade set manual_score = "
                   "(select max_score from grade_cells where grade_cells.id = grade.cell_id)")
        db.commit()
        found.setdefault("forged", []).append(g)
    except Exception as exc:
        found.setdefault("refused", []).append(type(exc).__name__)
for other in glob.glob(str(course / "submitted" / "*" / "%(a)s" / "*.ipynb")):
    try:
        Path(other).write_text("{}")
        found.setdefault("overwrote", []).append(other)
    except OSError:
        pass
print("FORGER " + json.dumps(found))
"""
)


#: sha256 of each student's submitted notebook as written.
_SHA: dict[str, str] = {}


def _with_cell(source: str) -> nbformat.NotebookNode:
    nb = build(ASSIGNMENT, None)
    nb.cells.append(nbformat.v4.new_code_cell(source))
    return nb


def _unsolved_with_cell(source: str) -> nbformat.NotebookNode:
    nb = nbformat.read(ROOT / "notebooks" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(source))
    return nb


def _sandboxed() -> bool:
    from helpers.grading.sandbox import probe

    return probe().available


def _printed(course: Path, student: str, prefix: str) -> dict:
    nb = nbformat.read(course / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            for line in out.get("text", "").splitlines():
                if line.startswith(prefix + " "):
                    return json.loads(line[len(prefix) + 1 :])
    raise AssertionError(f"{student} printed no {prefix} line")


#: A greet that blocks the loop: it returns the right greeting, but fails ex0_1_waits_without_blocking.
BLOCKING_GREET = 'async def greet(name):\n    time.sleep(1)\n    return f"Hello, {name}!"'
#: The forged run_cell of issue 13: test cells report success without running (14 lines in the original).
FORGED_RUN_CELL = """\
ip = get_ipython()
_run_cell, _run_cell_async = ip.run_cell, ip.run_cell_async
def _skip_tests(raw_cell):
    return "pass" if "checks." in raw_cell else raw_cell
def run_cell(raw_cell, *args, **kwargs):
    return _run_cell(_skip_tests(raw_cell), *args, **kwargs)
async def run_cell_async(raw_cell, *args, **kwargs):
    return await _run_cell_async(_skip_tests(raw_cell), *args, **kwargs)
ip.run_cell = run_cell
ip.run_cell_async = run_cell_async
"""
#: student -> (greet: None for the solution, "unsolved" for the stub, or a body; the cell added after it;
#: the score the cheat gets; a word the flag's reason must contain)
CHEATS = {
    "cheat-noop": (BLOCKING_GREET, "checks.never_blocked = lambda *a, **k: None", 2, "never_blocked"),
    "cheat-code": (BLOCKING_GREET, "checks.never_blocked.__code__ = (lambda *a, **k: None).__code__", 2, "__code__"),
    "cheat-module": (
        BLOCKING_GREET,
        "import sys, types\nfake = types.ModuleType('helpers.checks')\nfake.__dict__.update(vars(checks))\n"
        "fake.never_blocked = lambda *a, **k: None\nsys.modules['helpers.checks'] = checks = fake",
        2,
        "sys.modules",
    ),
    "cheat-hidden": (
        BLOCKING_GREET,
        "exec('import helpers.checks as c; c.never_blocked = lambda *a, **k: None')",
        2,
        "exec",
    ),
    "cheat-run-cell": ("unsolved", FORGED_RUN_CELL, 2, "run_cell"),
    # silencing the traceback does not even score here (the error still reaches nbgrader): flagged all the same
    "cheat-silenced": ("unsolved", "get_ipython().showtraceback = lambda *a, **k: None", 0, "traceback"),
    "cheat-settrace": (None, "import sys\nsys.settrace(lambda frame, event, arg: None)", 2, "trace"),
    "cheat-timeline": (
        BLOCKING_GREET,
        "from helpers import Timeline\nTimeline.blocking = lambda self, longer_than=0: []",
        2,
        "Timeline",
    ),
}


def _cheat(greet: str | None, cell: str) -> nbformat.NotebookNode:
    if greet == "unsolved":
        nb = nbformat.read(Path(__file__).resolve().parents[2] / "notebooks" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4)
    else:
        nb = build(ASSIGNMENT, None)
    index = next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == "ex0_1_greet")
    if greet not in (None, "unsolved"):
        nb.cells[index].source = greet
    nb.cells.insert(index + 1, nbformat.v4.new_code_cell(cell))
    return nb


def _tampered() -> nbformat.NotebookNode:
    nb = build(ASSIGNMENT, None)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "ex0_1_returns_greeting")
    cell.source = "pass  # the tests are gone"
    return nb


def _grade(course: Path, *students: str) -> str:
    args = [sys.executable, "-m", "helpers.grading", ASSIGNMENT, "--jobs", "3"]
    args += [a for s in students for a in ("--student", s)]
    proc = subprocess.run(args, cwd=course, env=course_env(course), capture_output=True, text=True, timeout=600)
    return proc.stdout + proc.stderr


def _line(output: str, student: str) -> str:
    return next(line for line in output.splitlines() if line.startswith(student + " "))


def _survivors() -> list[str]:
    found = []
    for entry in os.listdir("/proc"):
        try:
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if TAG in cmdline and "pytest" not in cmdline:
            found.append(f"{entry}: {cmdline}")
    return found


@pytest.fixture(scope="module")
def host_server() -> Any:
    """A TCP server on the grader's own 127.0.0.1 that a sandboxed kernel must not reach."""
    server = socket.create_server(("127.0.0.1", 0))
    server.setblocking(False)
    yield server
    server.close()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory, host_server: socket.socket) -> tuple[Path, str, str]:
    course = make_course(tmp_path_factory.mktemp("hostile"), [ASSIGNMENT])
    nbgrader(course, "generate_assignment", ASSIGNMENT)
    students = {
        "clean": build(ASSIGNMENT, None),
        "tampered": _tampered(),
        "regrade": build(ASSIGNMENT, None),
        "flood": _with_cell(FLOOD),
        "hog": _with_cell(HOG),
        "orphans": _with_cell(ORPHANS),
    }
    if _sandboxed():  # without a sandbox these attacks succeed (the grader warns): never run them there
        port = host_server.getsockname()[1]
        students["spy"] = _with_cell(SPY % {"a": ASSIGNMENT, "port": port, "course": str(course)})
        students["forger"] = _unsolved_with_cell(FORGER % {"a": ASSIGNMENT, "course": str(course)})
    students |= {name: _cheat(greet, cell) for name, (greet, cell, _, _) in CHEATS.items()}
    students["blocking"] = _cheat(BLOCKING_GREET, "# no cheat: this student's greet blocks the loop")
    for student, nb in students.items():
        folder = course / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{ASSIGNMENT}.ipynb")
        _SHA[student] = hashlib.sha256((folder / f"{ASSIGNMENT}.ipynb").read_bytes()).hexdigest()
    (course / "submitted" / "notjson" / ASSIGNMENT).mkdir(parents=True)
    (course / "submitted" / "notjson" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").write_text("this is { not json\n")
    (course / "submitted" / "empty" / ASSIGNMENT).mkdir(parents=True)
    first = _grade(course)
    # regrade: the notebook is replaced by a broken one, and graded again
    (course / "submitted" / "regrade" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").write_text(
        '{"nbformat": 4, "nbformat_minor": 5, "cells": 3}'
    )
    second = _grade(course, "regrade")
    nbgrader(course, "generate_feedback", ASSIGNMENT, "--student", "blocking")
    time.sleep(0.5)
    return course, first, second


def test_clean_submission_grades_without_warnings(hostile):
    course, first, _ = hostile
    assert _line(first, "clean").split()[1:4] == ["2", "/", "2"], first
    assert "FLAGGED" not in _line(first, "clean")
    # nbgrader's own log for the clean student: no "has changed" warning at all
    log = subprocess.run(
        [str(BIN / "nbgrader"), "autograde", ASSIGNMENT, "--student", "clean", "--force"],
        cwd=course,
        env=course_env(course),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "has changed" not in log.stdout + log.stderr, log.stderr[-3000:]


def test_tampered_test_cell_is_restored_and_flagged(hostile):
    course, first, _ = hostile
    line = _line(first, "tampered")
    assert "2 / 2" in line and "FLAGGED" in line and "ex0_1_returns_greeting" in line, line


def test_broken_submissions_fail_in_one_line_without_retry(hostile):
    _, first, _ = hostile
    notjson = _line(first, "notjson")
    assert f"notjson: {ASSIGNMENT}.ipynb is not a notebook (not valid JSON at line 1)" in notjson, notjson
    empty = _line(first, "empty")
    assert f"empty: no notebook in submitted/empty/{ASSIGNMENT}/" in empty, empty
    assert "attempts" not in notjson + empty and "Traceback" not in first


def test_failed_regrade_leaves_no_stale_grade(hostile):
    course, first, second = hostile
    assert "2 / 2" in _line(first, "regrade")
    line = _line(second, "regrade")
    assert "is not a notebook" in line and "old grade removed" in line and "attempts" not in line, line
    assert not (course / "autograded" / "regrade" / ASSIGNMENT).exists()
    nbgrader(course, "export", "--to", "grades.csv")
    rows = {r["student_id"]: r for r in csv.DictReader((course / "grades.csv").open()) if r["assignment"] == ASSIGNMENT}
    assert float(rows["regrade"]["score"]) == 0.0 and float(rows["clean"]["score"]) == 2.0, rows


def test_unchanged_students_keep_their_grade_unless_forced(hostile):
    course, _, _ = hostile
    again = _grade(course, "clean", "tampered")
    assert "unchanged since the last grading: grade kept" in _line(again, "clean"), again
    assert "2 / 2" in _line(again, "clean") and "FLAGGED for review" in _line(again, "tampered"), again
    args = [sys.executable, "-m", "helpers.grading", ASSIGNMENT, "--student", "clean", "--force", "--no-report"]
    forced = subprocess.run(args, cwd=course, env=course_env(course), capture_output=True, text=True, timeout=600)
    line = _line(forced.stdout, "clean")
    assert "2 / 2" in line and line.split()[-1] == "graded", forced.stdout + forced.stderr


def test_output_flood_is_capped_in_bytes(hostile):
    course, first, _ = hostile
    assert "2 / 2" in _line(first, "flood"), first
    path = course / "autograded" / "flood" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    assert path.stat().st_size < 1_500_000, path.stat().st_size
    assert "output cut" in path.read_text()


def test_memory_hog_hits_the_kernel_limit(hostile):
    course, first, _ = hostile
    assert "2 / 2" in _line(first, "hog"), first
    text = (course / "autograded" / "hog" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text()
    assert "memory limit" in text and "MemoryError" in text


def test_nothing_a_kernel_started_survives_grading(hostile):
    _, first, _ = hostile
    assert "2 / 2" in _line(first, "orphans"), first
    assert _survivors() == []


def test_cell_scores_of_hostile_students_are_fair(hostile):
    course, _, _ = hostile
    for student in ("clean", "tampered", "flood", "hog", "orphans"):
        assert cell_scores(course, ASSIGNMENT, student) == {
            "ex0_1_returns_greeting": (1.0, 1.0),
            "ex0_1_waits_without_blocking": (1.0, 1.0),
        }, student


needs_sandbox = pytest.mark.skipif(
    not _sandboxed(), reason="this machine cannot sandbox kernels (python -m helpers.grading.sandbox says why)"
)


@needs_sandbox
def test_spy_finds_nothing_and_reaches_nothing(hostile, host_server):
    course, first, _ = hostile
    assert "2 / 2" in _line(first, "spy"), first
    found = _printed(course, "spy", "SPY")
    assert found["uid"] != 0 and found["uid"] != os.getuid(), found
    for what in ("solutions", "hidden_tests", "submitted", "autograded"):
        assert found[what] in ([], False) or str(found[what]).startswith("refused"), (what, found)
    assert found["gradebooks"] == [] and found["gradebook_rows"] == [], found
    python = set(Path(sys.base_prefix).parts) | set(Path(sys.prefix).parts)
    assert set(found["home"]) <= python, found["home"]  # only the way to Python, nothing of the instructor's
    assert found["host_server"].startswith("refused"), found
    with pytest.raises(BlockingIOError):
        host_server.accept()
    assert found["own_loopback"] == "ok", found


@needs_sandbox
def test_forger_cannot_write_the_gradebook_or_other_submissions(hostile):
    course, first, _ = hostile
    assert "0 / 2" in _line(first, "forger"), first
    found = _printed(course, "forger", "FORGER")
    assert "forged" not in found and "overwrote" not in found, found
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        manual = [
            (s.student_id, g.name, g.manual_score)
            for s in gb.assignment_submissions(ASSIGNMENT)
            for nb in s.notebooks
            for g in nb.grades
            if g.manual_score is not None
        ]
    assert manual == []
    clean = course / "submitted" / "clean" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    assert hashlib.sha256(clean.read_bytes()).hexdigest() == _SHA["clean"]


@pytest.mark.parametrize("student", sorted(CHEATS))
def test_cheats_are_flagged_for_review(hostile, student):
    _, first, _ = hostile
    line = _line(first, student)
    score, word = CHEATS[student][2:]
    assert f"{score} / 2" in line and "FLAGGED for review" in line and "tampering" in line, line
    assert word in line, line


def test_feedback_shows_the_failed_check_and_the_learners_run(hostile):
    course, first, _ = hostile
    assert "1 / 2" in _line(first, "blocking") and "FLAGGED" not in _line(first, "blocking")
    page = (course / "feedback" / "blocking" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    summary = page.index("What to fix (1 of the graded checks failed)")
    assert page.index('href="#ex0_1_waits_without_blocking"', summary) < page.index("Grade cell: <code>")
    assert "CheckFailed: Task" in page[summary : page.index("Grade cell: <code>")]  # the message, in the summary
    assert "What your code did:" in page and "What the check expected: no step holds the loop" in page
