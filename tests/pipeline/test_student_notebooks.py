"""The student notebooks: generated from solutions/, committed fresh, runnable top to bottom."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from coursedir import ALL_ASSIGNMENTS, ASSIGNMENTS, ROOT, make_course, nbgrader
from nbclient import NotebookClient


def test_there_are_assignments():
    assert ASSIGNMENTS, "no solutions/NN-topic/NN-topic.ipynb found"


def test_every_student_notebook_has_a_source():
    released = sorted(p.name for p in (ROOT / "notebooks").iterdir() if p.is_dir())
    assert released == ALL_ASSIGNMENTS, "notebooks/ and solutions/ must hold the same assignments"


def test_student_notebooks_are_not_stale(tmp_path: Path):
    """notebooks/ is exactly what nbgrader generates from solutions/ (run `make notebooks` after editing)."""
    course = make_course(tmp_path, ASSIGNMENTS)
    stale = []
    for assignment in ASSIGNMENTS:
        nbgrader(course, "generate_assignment", assignment, "--no-db")
        generated = sorted(p.relative_to(course / "notebooks") for p in (course / "notebooks" / assignment).rglob("*"))
        committed = sorted(p.relative_to(ROOT / "notebooks") for p in (ROOT / "notebooks" / assignment).rglob("*"))
        assert generated == committed, f"files of notebooks/{assignment} differ from a fresh generate_assignment"
        stale += [
            str(p)
            for p in generated
            if (course / "notebooks" / p).is_file()
            and (course / "notebooks" / p).read_bytes() != (ROOT / "notebooks" / p).read_bytes()
        ]
    assert not stale, f"stale student notebooks (run `make notebooks`): {stale}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_student_notebook_fails_only_at_stubs(assignment: str, tmp_path: Path):
    """On a fresh kernel, every cell of the student copy runs; only unsolved exercises raise NotImplementedError."""
    nb = nbformat.read(ROOT / "notebooks" / assignment / f"{assignment}.ipynb", as_version=4)
    NotebookClient(nb, timeout=120, allow_errors=True, resources={"metadata": {"path": str(tmp_path)}}).execute()
    errors = {
        i: (o["ename"], o["evalue"])
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        for o in cell.get("outputs", [])
        if o.output_type == "error"
    }
    wrong = {i: e for i, e in errors.items() if e[0] != "NotImplementedError"}
    assert not wrong, f"cells failing with something else than NotImplementedError: {wrong}"
    graded = [
        i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"
    ]
    untested = [nb.cells[i].metadata["nbgrader"]["grade_id"] for i in graded if i not in errors]
    assert not untested, f"graded test cells that pass on the unsolved notebook: {untested}"
