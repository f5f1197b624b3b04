"""helpers.grading.feedback: the feedback page starts with what to fix."""

from __future__ import annotations

import nbformat
import pytest

pytest.importorskip("nbgrader", reason="nbgrader is not installed")


def _test_cell(source: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata.nbgrader = {"grade": True, "solution": False, "grade_id": "ex1_test", "points": 1}
    return cell


def test_feedback_summary_lists_each_failed_check_first():
    from helpers.grading.feedback import FailedChecksSummary

    nb = nbformat.v4.new_notebook()
    passed = _test_cell("pass")
    passed.outputs = []
    failed = _test_cell("checks.took_about(t, 3)")
    failed.metadata.nbgrader["grade_id"] = "ex2_takes_three"
    failed.outputs = [
        nbformat.v4.new_output("error", ename="CheckFailed", evalue="The program took 6 s <here>", traceback=[])
    ]
    nb.cells = [passed, failed]
    nb, _ = FailedChecksSummary().preprocess(nb, {})
    summary = nb.cells[0].source
    assert summary.startswith("## What to fix (1 of the graded checks failed)")
    assert '<a href="#ex2_takes_three">' in summary and "CheckFailed: The program took 6 s &lt;here&gt;" in summary
    assert "course-failure" in nb.cells[3].source  # the message again, under the failed cell


def test_feedback_says_when_every_check_passed():
    from helpers.grading.feedback import FailedChecksSummary

    nb = nbformat.v4.new_notebook()
    passed = _test_cell("pass")
    passed.outputs = []
    nb.cells = [passed]
    nb, _ = FailedChecksSummary().preprocess(nb, {})
    assert nb.cells[0].source == "**Every autograded check passed.**" and len(nb.cells) == 2
