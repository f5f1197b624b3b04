"""helpers.grading.report: the class report's numbers, files and bounds, on synthetic graded classes."""

from __future__ import annotations

import csv
import struct
import time
from pathlib import Path

import pytest

pytest.importorskip("matplotlib")

from grading_classes import (
    CELLS_03,
    DID_NOT_STOP,
    STILL_RUNNING,
    STOPPED_THE_KERNEL,
    result,
    synthetic_class,
)  # noqa: E402

from helpers.grading.report import summarize, summary_markdown, why, write_class_report  # noqa: E402

FILES = ["index.html", "summary.md", "scores.png", "exercises.png", "time.png", "students.csv", "exercises.csv"]


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    return struct.unpack(">II", data[16:24])


def small_class() -> list:
    """Three students: one clean, one who hung twice and was flagged, one not graded."""
    return [
        result(
            "alice",
            ok=True,
            score=3.0,
            max_score=4.0,
            seconds=2.5,
            attempts=1,
            cpu_seconds=1.1,
            cells={"ex1_runs": (2.0, 2.0), "ex1_order": (1.0, 1.0), "ex2_cleanup": (0.0, 1.0)},
        ),
        result(
            "bob",
            ok=True,
            score=1.5,
            max_score=4.0,
            seconds=41.0,
            attempts=2,
            cpu_seconds=1.4,
            cells={"ex1_runs": (0.5, 2.0), "ex1_order": (1.0, 1.0), "ex2_cleanup": (0.0, 1.0)},
            events=[f"cell 9: {STILL_RUNNING}", f"cell 14: {DID_NOT_STOP}"],
            flags=["test cell ex1_runs was edited (checksum changed; restored before grading)"],
        ),
        result("carol", ok=False, attempts=0, error="no notebook in submitted/carol/01-x/", removed_grade=True),
    ]


def test_summary_counts_scores_and_pass_rates():
    s = summarize("01-x", small_class())
    assert (s.students, len(s.graded), len(s.failed), len(s.flagged)) == (3, 2, 1, 1)
    assert (s.max_score, s.mean, s.median) == (4.0, 2.25, 2.25)
    rates = {e.grade_id: (e.points, e.full, e.students, e.mean, e.zero) for e in s.exercises}
    assert list(rates) == ["ex1_runs", "ex1_order", "ex2_cleanup"], "the notebook's order"
    assert rates["ex1_runs"] == (2.0, 1, 2, 1.25, 0), "partial credit is not full marks"
    assert rates["ex1_order"] == (1.0, 2, 2, 1.0, 0)
    assert rates["ex2_cleanup"] == (1.0, 0, 2, 0.0, 2)
    assert s.seconds == pytest.approx(43.5) and s.cpu_seconds == pytest.approx(2.5)


def test_why_says_what_happened_in_one_line():
    alice, bob, carol = small_class()
    assert why(alice) == ""
    assert why(bob) == "hung: cells 9, 14; 2 attempts"
    assert why(carol) == "not graded: no notebook in submitted/carol/01-x/"


def test_grading_events_are_told_apart():
    """The lines helpers.grading.pipeline.events_of writes, and a kernel that used the CPU all along."""
    events = [
        f"ex3_1_runs_concurrently: {STILL_RUNNING}",
        f"cell 12: {STOPPED_THE_KERNEL}",
        "2 cell(s) not run: the notebook hung too often",
        "cell 5: memory limit reached",
        "cell 6: output cut (printed more than the grader keeps)",
        "Killed 2 process(es) the student's kernel left running",
        "something nobody planned for",
    ]
    spinner = result("eve", ok=True, score=1.0, max_score=1.0, seconds=9.0, cpu_seconds=8.5, attempts=1, events=events)
    assert why(spinner).split("; ") == [
        "hung: ex3_1_runs_concurrently",
        "stopped the kernel: cell 12",
        "2 cell(s) not run: the notebook hung too often",
        "memory limit: cell 5",
        "output cut: cell 6",
        "Killed 2 process(es) the student's kernel left running",
        "something nobody planned for",
        "CPU busy 8.5 of 9.0 s",
    ]
    text = summary_markdown("03-tasks", [spinner])
    table = text[text.index("## What happened") :]
    for what in ["hung", "spun", "crashed", "not run", "memory", "processes killed", "output cut", "other"]:
        assert f"| {what} " in table, what
    waiting = result("fay", ok=True, score=1.0, max_score=1.0, seconds=9.0, cpu_seconds=1.5, attempts=1)
    assert why(waiting) == "", "a kernel that waited is not busy"


def test_the_markdown_tables_hold_the_numbers():
    text = summary_markdown("01-x", small_class())
    assert text.startswith("# Class report: 01-x\n")
    lines = text.splitlines()

    def row(first: str) -> list[str]:
        found = [line for line in lines if line.startswith(f"| {first} ")]
        assert found, f"no row {first!r} in:\n{text}"
        return [cell.strip() for cell in found[0].strip("|").split("|")]

    assert row("graded")[1] == "2 (67%)"
    assert row("not graded")[1] == "1 (33%)"
    assert row("mean score")[1] == "2.2 (56%)" or row("mean score")[1] == "2.3 (56%)"
    assert row("ex1_runs")[1:] == ["2", "1", "50%", "1.25", "0"]
    assert row("ex2_cleanup")[1:] == ["1", "0", "0%", "0.00", "2"]
    # slowest first, with the reason; a student who was not graded is in the not-graded table instead
    assert row("bob")[:4] == ["bob", "41.0", "1.4", "1.5 / 4"]
    assert row("bob")[4] == "hung: cells 9, 14; 2 attempts"
    assert row("hung")[1] == "1" and row("retried")[1] == "1"
    assert row("no notebook in submitted/STUDENT/01-x/")[1:] == ["1", "carol"]
    assert row("test cell ex1_runs was edited (checksum changed; restored before grading)")[1:] == ["1", "bob"]
    assert "## Old grade removed" in text
    widths = {len(line) for line in lines if line.startswith("| ex")}
    assert len(widths) == 1, "columns are aligned for a terminal"


def test_the_report_files_are_written_next_to_grades_csv(tmp_path: Path):
    index = write_class_report(tmp_path, "01-x", small_class())
    folder = tmp_path / "reports" / "01-x"
    assert index == folder / "index.html"
    assert sorted(p.name for p in folder.iterdir()) == sorted(FILES)
    for name in ["scores.png", "exercises.png", "time.png"]:
        width, height = png_size(folder / name)
        assert 300 < width < 1200 and 150 < height < 1000, (name, width, height)
        page = index.read_text()
        assert f'src="{name}"' in page
    rows = list(csv.DictReader((folder / "students.csv").open()))
    assert [r["student"] for r in rows] == ["alice", "bob", "carol"]
    assert [r["status"] for r in rows] == ["graded", "flagged", "not graded"]
    assert rows[1]["ex1_runs"] == "0.5" and rows[1]["attempts"] == "2"
    assert rows[1]["events"] == f"cell 9: {STILL_RUNNING} | cell 14: {DID_NOT_STOP}", "events whole in the CSV"
    assert rows[2]["old_grade_removed"] == "yes"
    cells = list(csv.DictReader((folder / "exercises.csv").open()))
    assert [(c["grade_id"], c["full_marks"], c["pass_rate"]) for c in cells] == [
        ("ex1_runs", "1", "0.500"),
        ("ex1_order", "2", "1.000"),
        ("ex2_cleanup", "0", "0.000"),
    ]
    assert (folder / "summary.md").read_text() == summary_markdown("01-x", small_class())


def test_html_escapes_what_students_control(tmp_path: Path):
    nasty = result("<script>x</script>", ok=False, attempts=1, error="NameError: name '<b>' is not defined")
    page = write_class_report(tmp_path, "01-x", [nasty]).read_text()
    assert "<script>x" not in page and "&lt;script&gt;x&lt;/script&gt;" in page
    assert "&lt;b&gt;" in page


def test_many_students_with_one_cause_are_one_row():
    students = [result(f"s{i}", ok=False, attempts=0, error=f"no notebook in submitted/s{i}/01-x/") for i in range(40)]
    students += [result("t", ok=False, attempts=0, error="01-x.ipynb is not a notebook (not valid JSON at line 1)")]
    text = summary_markdown("01-x", students)
    rows = [line for line in text.splitlines() if "no notebook in" in line]
    assert len(rows) == 1 and "|       40 |" in rows[0] and "(+32 more)" in rows[0]


@pytest.mark.parametrize("results", [[], "failed"], ids=["nobody", "nobody-graded"])
def test_an_empty_or_failed_class_still_gets_a_report(tmp_path: Path, results):
    if results == "failed":
        results = [result("a", ok=False, attempts=2, seconds=600.0, error="grading overran --timeout")]
    index = write_class_report(tmp_path, "01-x", results)
    assert sorted(p.name for p in index.parent.iterdir()) == sorted(FILES)
    assert "| students " in (index.parent / "summary.md").read_text()


def test_a_rerun_replaces_the_report(tmp_path: Path):
    write_class_report(tmp_path, "01-x", small_class())
    write_class_report(tmp_path, "01-x", small_class()[:1])
    rows = list(csv.DictReader((tmp_path / "reports" / "01-x" / "students.csv").open()))
    assert [r["student"] for r in rows] == ["alice"]


def test_two_thousand_students_render_in_bounded_time_and_size(tmp_path: Path):
    """Bins and top-N lists: the plots and tables of 2,000 students are no bigger than those of 120."""
    sizes = {}
    for n in (120, 2000):
        results = synthetic_class(n)
        started = time.process_time()  # CPU time: the machine may be busy with other tests
        index = write_class_report(tmp_path / str(n), "03-tasks", results)
        seconds = time.process_time() - started
        assert seconds < 10, f"{n} students took {seconds:.1f} s of CPU"
        folder = index.parent
        sizes[n] = {name: png_size(folder / name) for name in ["scores.png", "exercises.png", "time.png"]}
        text = (folder / "summary.md").read_text()
        assert len(text.splitlines()) < 120, "top-N lists, not one line per student"
        assert len(list(csv.DictReader((folder / "students.csv").open()))) == n
        summary = summarize("03-tasks", results)
        assert [e.grade_id for e in summary.exercises] == list(CELLS_03)
        assert f"| students             | {n}" in text
    assert sizes[120] == sizes[2000]
