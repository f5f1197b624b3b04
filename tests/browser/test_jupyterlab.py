"""The course as a learner meets it: JupyterLab with the nbgrader extension, in Chromium.

One file on purpose: ``make test`` distributes whole files to its workers (``--dist loadfile``), so the suite
never runs two browsers at once. Each test prints what it measured (run with ``-s`` to see it).
"""

from __future__ import annotations

import time

import nbformat
import pytest
from labsession import ROOT, Notebook, require_chromium

require_chromium()
expect = pytest.importorskip("playwright.sync_api", reason="the browser tests need `pip install playwright`").expect
expect.set_options(timeout=15_000)  # 5 s by default: too short on two busy cores

NOTEBOOK_00 = "notebooks/00-start-here/00-start-here.ipynb"
NOTEBOOK_03 = "notebooks/03-tasks/03-tasks.ipynb"


def cell_indexes(path: str, *cell_ids: str) -> list[int]:
    """Where the cells with these ids are in the notebook (the page knows cells by position only)."""
    ids = [cell.get("id") for cell in nbformat.read(ROOT / path, as_version=4).cells]
    return [ids.index(cell_id) for cell_id in cell_ids]


# the imports, the timeline drawn as a picture, exercise 0.1's stub, its "try it" cell and its two test cells
IMPORTS_00, CHART_00, GREET_00, TRY_GREET_00, *CHECKS_00 = cell_indexes(
    NOTEBOOK_00, "c03", "c11", "c16", "c18", "c19", "c20"
)
# the imports, fetch(), exercise 3.1's stub and its concurrency check
IMPORTS_03, FETCH_03, FETCH_ALL_03, RUNS_CONCURRENTLY_03 = cell_indexes(NOTEBOOK_03, "c02", "c04", "c13", "c16")

SHORT_TRACEBACK_LINES = 20  # the stub's error shows two frames of the learner's: about 12 lines
STOP_LIMIT = 2  # seconds from ■ to an idle kernel (issue 8, item 1)
HANGING_VALIDATE_LIMIT = 20  # seconds from Validate to an answer on a notebook that hangs (issue 8, item 3)


def measured(what: str, seconds: float) -> None:
    print(f"\n[browser suite] {what}: {seconds:.1f} s")


def scratch_notebook(server, name: str, *cells: str) -> str:
    """Write a notebook of code cells into the served course; its path for ``open_notebook``."""
    path = f"scratch/{name}.ipynb"
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in cells])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nbformat.write(notebook, server.course / path)
    return path


def test_run_all_draws_charts_and_stops_at_the_stub(page, open_notebook):
    measured("JupyterLab loaded (page ready)", page.ready_seconds)
    notebook = open_notebook(NOTEBOOK_00)
    measured("00 open with an idle kernel", notebook.ready_seconds)

    start = time.monotonic()
    notebook.menu("Run", "Run All Cells")
    error = notebook.output(TRY_GREET_00).locator(".jp-RenderedText[data-mime-type='application/vnd.jupyter.stderr']")
    error.wait_for(timeout=30_000)
    notebook.wait_idle()
    measured("Run All on 00, to the stub's error", time.monotonic() - start)

    assert notebook.output(CHART_00).locator("img").count() == 1, "the timeline did not draw itself as an image"
    assert notebook.output(CHART_00).locator("img").evaluate("img => img.naturalWidth") > 100
    text = error.inner_text()
    assert "NotImplementedError" in text and "Student exercise" in text, text
    for index in CHECKS_00:  # Run All stops at the first error: the test cells below it did not run
        assert notebook.output(index).inner_text().strip() == ""


def assert_short_traceback(text: str) -> None:
    """Only the learner's own frames: no frames of helpers, asyncio or installed packages, one screen at most."""
    for internal in ("helpers/", "asyncio/", "site-packages", "ipykernel"):
        assert internal not in text, f"the traceback shows {internal} frames:\n{text}"
    assert len(text.strip().splitlines()) <= SHORT_TRACEBACK_LINES, text


def test_the_stub_error_is_short_and_ends_with_its_message(open_notebook):
    notebook = open_notebook(NOTEBOOK_00)
    for index in (IMPORTS_00, GREET_00, TRY_GREET_00):
        notebook.run_cell(index)
    error = notebook.output(TRY_GREET_00).locator(".jp-RenderedText[data-mime-type='application/vnd.jupyter.stderr']")
    error.wait_for(timeout=30_000)
    notebook.wait_idle()
    text = error.inner_text()
    assert text.strip().endswith("NotImplementedError: Student exercise"), text
    assert_short_traceback(text)


def test_solve_an_exercise_check_validate_save(open_notebook, lab_server):
    notebook = open_notebook(NOTEBOOK_00)
    notebook.run_cell(IMPORTS_00)
    solution = ["async def greet(name):", "    await asyncio.sleep(1)", '    return f"Hello, {name}!"']
    typed = notebook.type_into(GREET_00, [line.strip() for line in solution])
    assert typed.splitlines() == solution
    notebook.menu("Run", "Run Selected Cell and All Below")
    notebook.wait_idle()
    assert notebook.output(TRY_GREET_00).inner_text().strip() == "'Hello, Ada!' after 1.0 s"
    for index in CHECKS_00:  # a check that passes prints nothing
        assert notebook.output(index).inner_text().strip() == "", f"cell {index} failed"
        assert notebook.cell(index).locator(".jp-InputArea-prompt").inner_text().strip() not in ("[ ]:", "[*]:")

    notebook.page.keyboard.press("ControlOrMeta+s")
    notebook.page.locator(".jp-mod-dirty").wait_for(state="detached")
    saved = nbformat.read(lab_server.course / NOTEBOOK_00, as_version=4)
    assert 'return f"Hello, {name}!"' in saved.cells[GREET_00].source

    text, seconds = notebook.validate()
    measured("Validate on the solved 00", seconds)
    assert "Success! Your notebook passes all the tests." in text, text


def test_a_wrong_answer_in_03_shows_its_message(open_notebook):
    notebook = open_notebook(NOTEBOOK_03)
    for index in (IMPORTS_03, FETCH_03):
        notebook.run_cell(index)
    sequential = "return {name: await fetch(name, delay) for name, delay in jobs.items()}"
    notebook.type_into(FETCH_ALL_03, ["async def fetch_all(jobs):", sequential])
    notebook.run_cell(FETCH_ALL_03)
    notebook.run_cell(RUNS_CONCURRENTLY_03)
    notebook.wait_idle()
    text = notebook.output(RUNS_CONCURRENTLY_03).inner_text()
    assert "only 0 task(s) were started besides the main one" in text, text
    assert "start each one with asyncio.create_task()" in text, text
    assert text.strip().splitlines()[-1].startswith("CheckFailed: Expected at least 3 tasks"), "the message comes last"


def test_timeline_magic_draws_a_chart(open_notebook, lab_server):
    path = scratch_notebook(
        lab_server,
        "timeline",
        "import asyncio\n%load_ext helpers",
        "%%timeline\nawait asyncio.gather(asyncio.sleep(1), asyncio.sleep(2))",
        "print(timeline.duration)",
    )
    notebook = open_notebook(path)
    notebook.menu("Run", "Run All Cells")
    notebook.output(2).locator(".jp-OutputArea-output").wait_for()
    notebook.wait_idle()
    assert notebook.output(1).locator("img").count() == 1, notebook.output(1).inner_text()
    assert notebook.output(2).inner_text().strip() == "2.0"


SETUP_CELL = (
    "import asyncio, threading, time\n"
    "import helpers\n"
    "threads_before = set(threading.enumerate())\n"
    "sleep = time.sleep"
)
AFTER_CELL = (
    "time.sleep(0.5)\n"
    "left = sorted(t.name for t in set(threading.enumerate()) - threads_before)\n"
    'print("next cell ran; threads left behind:", left, "; time.sleep restored:", time.sleep is sleep)'
)


def stop_and_run_next(notebook: Notebook, stuck: int) -> tuple[float, str]:
    """Run the stuck cell, press ■ once; the seconds to an idle kernel, and what the next cell printed."""
    notebook.run_cell(0)
    notebook.wait_idle()
    notebook.run_cell(stuck)
    notebook.cell(stuck).locator(".jp-InputArea-prompt", has_text="[*]").wait_for()
    notebook.page.wait_for_timeout(1000)  # let it get stuck
    start = time.monotonic()
    notebook.button("notebook:interrupt-kernel").click()
    try:
        notebook.wait_idle(timeout=STOP_LIMIT + 3)
    finally:
        seconds = time.monotonic() - start
        measured("■ to idle", seconds)
    notebook.run_cell(stuck + 1)
    notebook.output(stuck + 1).locator(".jp-OutputArea-output").wait_for(timeout=10_000)
    notebook.wait_idle()
    return seconds, notebook.output(stuck + 1).inner_text().strip()


def test_stop_ends_a_stuck_top_level_await(open_notebook, lab_server):
    path = scratch_notebook(lab_server, "stuck-await", SETUP_CELL, "await asyncio.sleep(3600)", AFTER_CELL)
    notebook = open_notebook(path)
    seconds, after = stop_and_run_next(notebook, stuck=1)
    assert seconds <= STOP_LIMIT, f"■ took {seconds:.1f} s to stop the cell"
    assert after == "next cell ran; threads left behind: [] ; time.sleep restored: True"
    assert_short_traceback(notebook.output(1).inner_text())


def test_stop_ends_a_spinning_traced_program(open_notebook, lab_server):
    spin = "async def spin():\n    while True:\n        await asyncio.sleep(0)\n\n\nhelpers.trace(spin())"
    path = scratch_notebook(lab_server, "spinning-trace", SETUP_CELL, spin, AFTER_CELL)
    notebook = open_notebook(path)
    seconds, after = stop_and_run_next(notebook, stuck=1)
    assert seconds <= STOP_LIMIT, f"■ took {seconds:.1f} s to stop the cell"
    assert after == "next cell ran; threads left behind: [] ; time.sleep restored: True"


def test_formgrader_and_create_assignment_open(open_notebook):
    notebook = open_notebook(NOTEBOOK_00)
    notebook.menu("Nbgrader", "Create assignment")
    total_points = notebook.page.locator(".nbgrader-CreateAssignmentWidget .nbgrader-TotalPointsInput")
    expect(total_points).to_have_value("2")  # exercise 0.1's two points
    notebook.menu("Nbgrader", "Formgrader")
    formgrader = notebook.page.frame_locator("iframe").first
    expect(formgrader.get_by_text("Manage Assignments").first).to_be_visible()
    expect(formgrader.get_by_role("link", name="00-start-here")).to_be_visible(timeout=30_000)
    notebook.page.locator(".lm-TabBar-tab", has_text="00-start-here.ipynb").click()
    notebook.menu("File", "Close Tab")  # Create assignment marked the notebook as changed
    notebook.page.get_by_role("button", name="Discard").click()
    expect(notebook.panel).to_have_count(0)


# Keep this test last: nbgrader validates inside the server process, which answers nothing else until it is done
# (about 40 s on this notebook before the kernel fix), so it uses the session's page without the ``page`` fixture,
# whose clean-up needs the server.
def test_validate_answers_in_bounded_time_on_a_hanging_notebook(lab_page):
    notebook = Notebook(lab_page, "hanging/00-start-here.ipynb")
    text, seconds = notebook.validate(timeout=HANGING_VALIDATE_LIMIT)
    measured("Validate on a hanging notebook", seconds)
    assert "Traceback" not in text and "CellTimeoutError" not in text, text
