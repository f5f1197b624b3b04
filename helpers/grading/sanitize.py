"""Restore released test cells without a warning; keep the warning for a test cell a student edited.

nbgrader's ``OverwriteCells`` compares every locked cell of a submission with the source
cell in the gradebook. The gradebook keeps the instructor's version, *with* its
``### BEGIN HIDDEN TESTS`` region; the student copy was released without it. So every
untouched test cell with hidden tests differs, nbgrader logs "Attribute 'checksum' for cell
... has changed!" and puts the hidden tests back (that is how they run at all). A clean
student then logs one warning per hidden-test cell, and a test cell the student really
edited cannot be told from a clean one.

:class:`OverwriteReleasedCells` first compares a locked cell with what the student was
given (the source cell with its hidden-test regions removed, as ``generate_assignment``
removed them). If they match, the instructor's source is put back silently; otherwise
nbgrader's own check runs and warns as before (the cell is still restored: the student's
edit never runs). ``helpers.grading.autograde`` reads those warnings and flags the
student for review. Installed by ``nbgrader_config.py``::

    c.Autograde.sanitize_preprocessors = [..., "helpers.grading.sanitize.OverwriteReleasedCells", ...]
"""

from __future__ import annotations

import copy
from typing import Any

from nbformat import NotebookNode
from nbgrader.api import MissingEntry
from nbgrader.preprocessors import ClearHiddenTests, OverwriteCells

__all__ = ["OverwriteReleasedCells"]


class OverwriteReleasedCells(OverwriteCells):
    """nbgrader's ``OverwriteCells`` that accepts a test cell exactly as it was released (hidden tests removed)."""

    def preprocess_cell(self, cell: NotebookNode, resources: Any, cell_index: int) -> tuple[NotebookNode, Any]:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id is not None:
            try:
                source_cell = self.gradebook.find_source_cell(grade_id, self.notebook_id, self.assignment_id)
            except MissingEntry:
                source_cell = None
            if source_cell is not None and source_cell.locked and cell.source != source_cell.source:
                released = copy.deepcopy(cell)
                released.source = source_cell.source
                try:
                    ClearHiddenTests(parent=self)._remove_hidden_test_region(released)
                except RuntimeError:  # unbalanced markers in the source: let nbgrader's check decide
                    released.source = None
                if released.source is not None and released.source.rstrip() == cell.source.rstrip():
                    cell.source = source_cell.source
        return super().preprocess_cell(cell, resources, cell_index)
