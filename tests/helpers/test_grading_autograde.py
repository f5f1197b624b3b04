"""Unit tests of helpers.grading.autograde's failure handling and helpers.grading.execute's process cleanup."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

pytest.importorskip("nbgrader")

from helpers.grading import autograde  # noqa: E402
from helpers.grading.execute import KERNEL_MARKER, kill_marked  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def course(tmp_path: Path) -> Path:
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\n")
    return tmp_path


def _submit(course: Path, student: str, text: str | None) -> None:
    folder = course / "submitted" / student / "01-x"
    folder.mkdir(parents=True)
    if text is not None:
        (folder / "01-x.ipynb").write_text(text)


def test_precheck_names_the_cause_in_one_line(course: Path):
    _submit(course, "alice", "{ not json")
    _submit(course, "bob", None)
    _submit(course, "carol", "[1, 2]")
    _submit(course, "dave", '{"nbformat": 4, "nbformat_minor": 5, "cells": 3}')
    _submit(course, "erin", (ROOT / "notebooks" / "00-start-here" / "00-start-here.ipynb").read_text())
    assert autograde._precheck(course, "01-x", "alice") == "01-x.ipynb is not a notebook (not valid JSON at line 1)"
    assert autograde._precheck(course, "01-x", "bob") == "no notebook in submitted/bob/01-x/"
    assert "JSON without an nbformat version" in autograde._precheck(course, "01-x", "carol")
    assert "no list of cells" in autograde._precheck(course, "01-x", "dave")
    assert autograde._precheck(course, "01-x", "erin") is None


def test_one_line_prefers_the_cause_over_nbgraders_summary():
    log = "Traceback (most recent call last):\n  File x\nnbformat.reader.NotJSONError: Notebook is not JSON"
    error = "Traceback...\nnbgrader.converters.base.NbGraderException: Please see the the above traceback"
    assert autograde._one_line(error, log) == "nbformat.reader.NotJSONError: Notebook is not JSON"


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        ("RuntimeError: Kernel died before replying to kernel_info", True),
        ("RuntimeError: Kernel didn't respond in 60 seconds", True),
        ("sqlite3.OperationalError: database is locked", True),
        ("nbformat.reader.NotJSONError: Notebook does not appear to be JSON", False),
        ("KeyError: 'cells'", False),
    ],
)
def test_only_transient_failures_are_retried(error: str, transient: bool):
    assert bool(autograde._TRANSIENT.search(error)) is transient


def test_kill_marked_ends_a_child_in_its_own_session():
    marker = uuid.uuid4().hex
    child = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(60)"],
        env={**os.environ, KERNEL_MARKER: marker},
        start_new_session=True,
    )
    try:
        time.sleep(0.2)
        assert kill_marked(marker) == [child.pid]
        assert child.wait(timeout=10) < 0
        assert kill_marked(marker) == []
    finally:
        child.kill()
        child.wait()


_WRITES_TO_FD_2 = """
import nbformat
from traitlets.config import Config
from helpers.grading.execute import BoundedExecute

cell = "import os, subprocess, sys\\nos.write(2, b'KERNEL-FD2\\\\n'); os.write(1, b'KERNEL-FD1\\\\n')\\n"
cell += "subprocess.run([sys.executable, '-c', 'import sys; sys.stderr.write(\\"CHILD-FD2\\\\\\\\n\\")'])\\n"
cell += "print('NOTEBOOK-STDOUT')"
nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(cell)])
config = Config()
config.BoundedExecute.sandbox = "off"
config.BoundedExecute.detect_tampering = False
config.BoundedExecute.show_kernel_stderr = {show}
BoundedExecute(config=config).preprocess(nb, {{"metadata": {{"path": "."}}}})
print("".join(output.get("text", "") for output in nb.cells[0].outputs))
"""


@pytest.mark.parametrize("show", [False, True])
def test_a_kernels_own_stderr_stays_out_of_the_graders_output(tmp_path: Path, show: bool):
    """A kernel shutting down under load logs zmq tracebacks on its stderr, and a student's code (or its
    children) can write to file descriptor 2: none of it reaches the grader's output unless asked for."""
    script = _WRITES_TO_FD_2.format(show=show)
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "NOTEBOOK-STDOUT" in done.stdout  # what the notebook prints is kept in its outputs
    seen = done.stdout + done.stderr
    for mark in ("KERNEL-FD2", "KERNEL-FD1", "CHILD-FD2"):
        assert (mark in seen) == show, (mark, show, seen)
