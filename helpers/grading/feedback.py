"""Feedback a learner can act on: a summary of the failed checks at the top of the feedback page.

nbgrader's feedback page (``nbgrader generate_feedback``) is the autograded notebook as HTML, with
a score per cell; what went wrong sits in each failed cell's traceback, far down the page.
:class:`FailedChecksSummary` adds a first cell, *What to fix*, that lists every graded cell that
lost points: its name (a link to the cell), its score, and the failure's message in full, without
the traceback. Under each failed cell it adds the same message again, in a box, so the reason
sits next to the code. The learner's run drawn as a chart and what the check expected are already
in the cell's output (the course's kernel adds them while grading: :mod:`helpers._feedback`).

Installed by ``nbgrader_config.py``::

    c.GenerateFeedback.preprocessors = [
        "nbgrader.preprocessors.GetGrades",
        "helpers.grading.feedback.FailedChecksSummary",
        "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
    ]
"""

from __future__ import annotations

import html
from typing import Any

from nbformat import NotebookNode
from nbformat.v4 import new_markdown_cell
from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor

from .execute import _what_went_wrong

__all__ = ["FailedChecksSummary", "failed_checks"]

_BOX = (
    '<div class="alert alert-danger course-failure" style="white-space: pre-wrap; font-family: monospace; '
    'font-size: 13px; margin: 0.3em 0 1em 0">{}</div>'
)


def failed_checks(nb: NotebookNode) -> list[tuple[int, str, float, float, str]]:
    """``(cell index, grade id, score, points, message)`` of every autograded cell that lost points."""
    found = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or not utils.is_grade(cell):
            continue
        score, points = utils.determine_grade(cell)
        if score is None or score >= points:
            continue
        grade_id = cell.metadata.nbgrader.get("grade_id", f"cell-{index}")
        found.append((index, grade_id, score, points, _what_went_wrong(cell)))
    return found


class FailedChecksSummary(NbGraderPreprocessor):
    """Put *What to fix* first, and each failed cell's message in a box under that cell."""

    def preprocess(self, nb: NotebookNode, resources: Any) -> tuple[NotebookNode, Any]:
        failed = failed_checks(nb)
        if not failed:
            nb.cells.insert(0, new_markdown_cell("**Every autograded check passed.**"))
            return nb, resources
        for index, _, _, _, message in reversed(failed):
            box = new_markdown_cell(_BOX.format(html.escape(message)))
            nb.cells.insert(index + 1, box)
        lines = [f"## What to fix ({len(failed)} of the graded checks failed)", ""]
        for _, grade_id, score, points, message in failed:
            lines.append(
                f'<p><a href="#{html.escape(grade_id)}"><code>{html.escape(grade_id)}</code></a> '
                f"(score {score:g} of {points:g})</p>"
            )
            lines.append(_BOX.format(html.escape(message)))
        lines.append(
            "<p>Each failed cell below shows the same message, the traceback, and, for checks on a run, "
            "your run as a chart next to what the check expected.</p>"
        )
        nb.cells.insert(0, new_markdown_cell("\n".join(lines)))
        return nb, resources
