"""Grading proof: real nbgrader autograde, with the project's nbgrader_config.py, on real submissions.

For every assignment: the untouched student copy scores 0 on every autograded cell, the
solution scores full marks, and every fixture in tests/submissions/<assignment>/ (plausible
wrong answers, and students whose code hangs, blocks the loop, spins or exits) gets exactly
the score it declares, in bounded time. The first assignment is graded by the stock
``nbgrader autograde`` command, the others by ``python -m helpers.grading`` (parallel).
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from coursedir import ASSIGNMENTS, BIN, ROOT, cell_scores, course_env, make_course, nbgrader
from submission import Fixture, build, fixtures

#: Wall seconds grading one student may take, hanging and spinning students included (2 cores, shared).
STUDENT_BOUND = 120

# Every class is graded in the module's first test (the ``classes`` fixture): some 380 notebooks, 15-25 minutes
# on 2 cores. The per-student bound above is what this proves; the suite's 600 s default is far too short here.
pytestmark = pytest.mark.timeout(3600)


@dataclasses.dataclass
class Graded:
    assignment: str
    course: Path
    fixtures: list[Fixture]
    seconds: float
    output: str

    def scores(self, student: str) -> dict[str, tuple[float, float]]:
        return cell_scores(self.course, self.assignment, student)


def _submit(assignment: str, course: Path) -> list[Fixture]:
    """Put the untouched copy, the solution and every fixture in ``course/submitted/``."""
    found = fixtures(assignment)
    students = {"untouched": None, "solution": build(assignment, None)}
    students |= {f.name: build(assignment, f) for f in found}
    for student, nb in students.items():
        folder = course / "submitted" / student / assignment
        folder.mkdir(parents=True)
        if nb is None:
            shutil.copy(ROOT / "notebooks" / assignment / f"{assignment}.ipynb", folder)
        else:
            nbformat.write(nb, folder / f"{assignment}.ipynb")
    return found


#: Assignments graded at the same time: enough to overlap the waiting, few enough that 2 cores keep up.
CONCURRENT_CLASSES = 3


def _start(assignment: str, tmp_path_factory: pytest.TempPathFactory) -> tuple:
    course = make_course(tmp_path_factory.mktemp(assignment), [assignment])
    nbgrader(course, "generate_assignment", assignment)
    found = _submit(assignment, course)
    if assignment == ASSIGNMENTS[0]:
        command = [str(BIN / "nbgrader"), "autograde", assignment]
    else:
        command = [sys.executable, "-m", "helpers.grading", assignment, "--jobs", "4"]
    # output to a file, not a pipe: nobody reads a pipe while we wait, and a full one would stall the grader
    with open(course / "grading.log", "w") as log:
        proc = subprocess.Popen(command, cwd=course, env=course_env(course), stdout=log, stderr=subprocess.STDOUT)
    return course, found, proc, time.monotonic()


def _finish(assignment: str, course: Path, found: list[Fixture], proc: subprocess.Popen, started: float) -> Graded:
    seconds = time.monotonic() - started
    output = (course / "grading.log").read_text()
    assert proc.returncode == 0, f"grading {assignment} failed:\n{output[-8000:]}"
    return Graded(assignment, course, found, seconds, output)


@pytest.fixture(scope="module")
def classes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Graded]:
    """Every assignment's class, a few at a time (the first by stock nbgrader, the rest by the parallel tool)."""
    waiting = list(ASSIGNMENTS)
    running: dict[str, tuple] = {}
    graded = {}
    while waiting or running:
        while waiting and len(running) < CONCURRENT_CLASSES:
            assignment = waiting.pop(0)
            running[assignment] = _start(assignment, tmp_path_factory)
        for _, found, proc, started in running.values():
            # a safety net only: the students of a class are graded a few at a time, each within STUDENT_BOUND
            if proc.poll() is None and time.monotonic() - started > STUDENT_BOUND * (len(found) + 2):
                proc.kill()  # reported by test_grading_is_bounded_even_with_hanging_students
                proc.wait()
        finished = [a for a, (_, _, proc, _) in running.items() if proc.poll() is not None]
        for assignment in finished:
            graded[assignment] = _finish(assignment, *running.pop(assignment))
        if not finished:
            time.sleep(0.2)
    return graded


@pytest.fixture(params=ASSIGNMENTS)
def graded(request: pytest.FixtureRequest, classes: dict[str, Graded]) -> Graded:
    return classes[request.param]


def test_untouched_student_copy_scores_zero(graded: Graded):
    scores = graded.scores("untouched")
    assert scores, "no autograded cells found"
    assert {k: s for k, (s, _) in scores.items() if s != 0} == {}


def test_solution_scores_full_marks(graded: Graded):
    assert {k: (s, m) for k, (s, m) in graded.scores("solution").items() if s != m} == {}


def test_fixtures_name_real_graded_cells(graded: Graded):
    cells = set(graded.scores("solution"))
    named = {f.name: set(f.expect) | set(f.alternative_for) for f in graded.fixtures}
    unknown = {name: sorted(ids - cells) for name, ids in named.items() if ids - cells}
    assert not unknown, f"fixtures expect scores for cells that do not exist: {unknown}"


def test_every_fixture_gets_exactly_its_score(graded: Graded):
    wrong = {}
    for fixture in graded.fixtures:
        for cell, (score, max_score) in graded.scores(fixture.name).items():
            expected = fixture.expect.get(cell, max_score)
            if score != expected:
                wrong[f"{fixture.name}: {cell}"] = f"expected {expected:g}, got {score:g} of {max_score:g}"
    assert not wrong, "\n".join(f"{k}: {v}" for k, v in wrong.items())


def test_every_graded_cell_catches_a_wrong_answer(graded: Graded):
    caught = {cell for f in graded.fixtures for cell, points in f.expect.items() if points == 0}
    missed = sorted(set(graded.scores("solution")) - caught)
    assert not missed, f"graded cells no wrong-answer fixture fails (add one to tests/submissions/): {missed}"


def test_every_graded_cell_accepts_a_valid_alternative(graded: Graded):
    """A test that rejects a correct program is as much a defect as one that accepts a wrong one."""
    covered = {cell for f in graded.fixtures for cell in f.alternative_for}
    missing = sorted(set(graded.scores("solution")) - covered)
    assert not missing, f"graded cells with no valid-alternative fixture (add one to tests/submissions/): {missing}"


def _student_seconds(output: str) -> dict[str, float]:
    """Seconds per student from the table ``python -m helpers.grading`` prints: student, score, seconds, status."""
    row = re.compile(r"^(\S+)\s+(?:-|\S+ / \S+)\s+(\d+\.\d)\s+\S")
    return {m[1]: float(m[2]) for m in map(row.match, output.splitlines()) if m}


def test_grading_is_bounded_even_with_hanging_students(graded: Graded):
    students = len(graded.fixtures) + 2
    if graded.assignment == ASSIGNMENTS[0]:  # stock nbgrader: one student after another, no table
        assert graded.seconds < STUDENT_BOUND * students, f"grading {graded.assignment} took {graded.seconds:.0f} s"
        return
    seconds = _student_seconds(graded.output)
    assert len(seconds) == students, f"expected a line per student in the grader's table:\n{graded.output[-3000:]}"
    slow = {student: s for student, s in seconds.items() if s >= STUDENT_BOUND}
    assert not slow, f"students of {graded.assignment} graded in more than {STUDENT_BOUND} s: {slow}"


def test_no_student_is_flagged(graded: Graded):
    # Fixtures change solution cells and add cells, never a test cell: restoring the hidden tests must not warn.
    # Nor does any fixture tamper with the checks or the kernel (helpers.grading.tamper: scan, probe, sentinels).
    assert "has changed" not in graded.output and "FLAGGED" not in graded.output, graded.output[-3000:]
    assert "TAMPER" not in graded.output, graded.output[-3000:]
