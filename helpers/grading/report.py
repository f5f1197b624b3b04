"""A class report after grading: scores, per-exercise pass rates, the slowest students and why, failures, flags.

:func:`write_class_report` takes the ``StudentResult`` list that ``helpers.grading.autograde`` returns and
writes, next to ``grades.csv`` (the course root, where ``nbgrader export`` writes it)::

    reports/ASSIGNMENT/
        index.html      the report to open in a browser: the three plots and every table below
        summary.md      the same tables as plain text (Markdown pipe tables, aligned), also printed by the CLI
        scores.png      score distribution: one bar per point value (20 bins past 40 points), flagged
                        students stacked in orange, students not graded as a separate bar, mean and median
        exercises.png   per graded cell (grade_id), in notebook order: the share of graded students with
                        full marks (bar) and the mean score as a share of the cell's points (diamond)
        time.png        grading time of every student (histogram) and the slowest students (bars: wall
                        time, CPU time inside it), coloured by what happened (hung, spun, crashed, retried)
        students.csv    one row per student: status, score, seconds, CPU, attempts, each cell's score,
                        flags, events, error (everything the tables leave out at 2,000 students)
        exercises.csv   one row per graded cell: points, students, full marks, pass rate, mean

Tables (HTML and Markdown): the summary (students, graded, not graded, flagged, mean, median, grading
time), exercises, the ``top`` slowest students with their events, students who could not be graded
grouped by cause (the student's own id replaced by ``STUDENT``, so 300 missing notebooks are one
row), students flagged for review grouped by reason, and what happened during grading across the class
(hung, spun, crashed, cells not run, output cut, retried: how many students, one example each).
Long lists stop at ``top`` rows and say how many more there are in ``students.csv``; every plot has a
bounded number of bars, so 3 students and 2,000 students both read well.

It reads these attributes of each result (extra ones are ignored, missing ones count as empty):
``student, ok, score, max_score, seconds, attempts, error, flags, removed_grade`` and, when the grader
provides them, ``cells`` (``{grade_id: (score, max_score)}``), ``events`` (lines such as
``"cell 12: this cell was still running after 8 s and was stopped."``) and ``cpu_seconds``.

What happened is read from the event lines, first match wins (``CATEGORIES``): ``not run``; ``crashed``
(stopped the kernel, died, segfault, exited); ``hung`` (still running, did not stop, timed out, overran);
``spun``; ``processes killed`` (left running); ``output cut``; ``memory``; anything else is ``other`` and
shown whole. A student also counts as ``spun`` when the CPU time was at least 75% of a wall time of 5 s
or more (``"CPU busy 8.6 of 9.1 s"``): a kernel that waits uses little CPU, one that spins uses it all.
``retried`` is more than one attempt. In the tables an event located in a cell (``cell 9: ...``,
``GRADE_ID: ...``) is shortened to its category and cells (``hung: cells 9, 14``); ``students.csv`` has
every event whole.

matplotlib is imported only here, with its Agg canvas (no pyplot, no global backend change).

Example use::

    from helpers.grading.autograde import autograde
    from helpers.grading.report import summary_markdown, write_class_report

    results = autograde("03-tasks", jobs=4)
    index = write_class_report(".", "03-tasks", results)   # ./reports/03-tasks/index.html
    print(summary_markdown("03-tasks", results))
"""

from __future__ import annotations

import collections
import csv
import dataclasses
import html
import math
import re
import statistics
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

__all__ = ["ClassSummary", "summarize", "summary_markdown", "write_class_report", "why"]

#: Rows in the slowest / not graded / flagged tables before "N more in students.csv".
TOP = 15

#: What an event line says happened, tried in order: (category, pattern).
CATEGORIES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("not run", re.compile(r"not run", re.I)),
    ("crashed", re.compile(r"stopped the kernel|kernel died|\bdied\b|crash|segfault|exited", re.I)),
    ("hung", re.compile(r"\bhung\b|still running|did not stop|timed? ?out|overran", re.I)),
    ("spun", re.compile(r"\bspun\b|\bspin|busy|never yield", re.I)),
    ("processes killed", re.compile(r"killed \d+ process|left running", re.I)),
    ("output cut", re.compile(r"output cut", re.I)),
    ("memory", re.compile(r"memory", re.I)),
)
#: A student is also counted as ``spun`` when CPU time was at least this share of a wall time of at least
#: ``BUSY_SECONDS``: a kernel that waits (a hang, a sleep) uses little CPU, one that spins uses it all.
BUSY_SHARE = 0.75
BUSY_SECONDS = 5.0
#: A student's colour in time.png: the first of these that applies.
_PRIORITY = (
    "not graded",
    "hung",
    "spun",
    "crashed",
    "not run",
    "memory",
    "processes killed",
    "output cut",
    "retried",
    "other",
    "clean",
)

#: Okabe-Ito colours (as in ``helpers._plot``), told apart with every common kind of colour blindness.
_COLORS = {
    "clean": "#0072B2",  # blue
    "flagged": "#E69F00",  # orange
    "not graded": "#555555",
    "crashed": "#CC79A7",  # reddish purple
    "hung": "#D55E00",  # vermillion
    "spun": "#E69F00",  # orange
    "not run": "#56B4E9",  # sky blue
    "memory": "#009E73",  # bluish green
    "output cut": "#009E73",
    "processes killed": "#8C7F00",  # dark yellow
    "retried": "#F0E442",  # yellow
    "other": "#999999",
}


def _get(result: Any, name: str, default: Any = None) -> Any:
    value = getattr(result, name, default)
    return default if value is None else value


def _category(event: str) -> str:
    """The category of one event line (see ``CATEGORIES``), ``"other"`` if none fits."""
    return next((name for name, pattern in CATEGORIES if pattern.search(event)), "other")


def _slowest(results: Sequence[Any], top: int) -> list[Any]:
    """The ``top`` graded students who took longest (a failed student's time is in the not-graded table)."""
    return sorted((r for r in results if r.ok), key=lambda r: (-_get(r, "seconds", 0.0), r.student))[:top]


def _busy(result: Any) -> str:
    """``"CPU busy 16.8 of 17.7 s"`` if the grading kernel used the CPU nearly all the time, else ``""``."""
    cpu, wall = _get(result, "cpu_seconds"), _get(result, "seconds", 0.0)
    if cpu is None or wall < BUSY_SECONDS or cpu < BUSY_SHARE * wall:
        return ""
    return f"CPU busy {cpu:.1f} of {wall:.1f} s"


def _categories(result: Any) -> list[str]:
    """What happened while grading ``result``: categories of its events, ``retried``, ``not graded``."""
    found = []
    for event in _get(result, "events", []):
        name = _category(event)
        if name not in found:
            found.append(name)
    if _busy(result) and "spun" not in found:
        found.append("spun")
    if _get(result, "attempts", 0) > 1:
        found.append("retried")
    if not result.ok:
        found.insert(0, "not graded")
    return found


def _primary(result: Any) -> str:
    found = _categories(result)
    return next((name for name in _PRIORITY if name in found), "clean")


#: How a category reads after the cells it happened in: ``hung: cells 9, 14``.
_VERBS = {"crashed": "stopped the kernel", "memory": "memory limit", "output cut": "output cut"}


def _short(events: Sequence[str]) -> list[str]:
    """Events in a few words: those located in a cell (``cell 9: ...``, ``GRADE_ID: ...``) grouped by what happened.

    An event of no known category is kept whole: what it says is not guessed at.

    Example use::

        >>> _short(["cell 9: this cell was still running after 8 s and was stopped.",
        ...         "cell 7: this cell stopped the kernel. The grader started a fresh kernel ...",
        ...         "ex3_2_order: this cell was still running after 8 s and did not stop. ...",
        ...         "3 cell(s) not run: the notebook hung too often"])
        ['hung: cell 9, ex3_2_order', 'stopped the kernel: cell 7', '3 cell(s) not run: the notebook hung too often']
        >>> _short(["cell 9: this cell was still running ...", "cell 14: this cell was still running ..."])
        ['hung: cells 9, 14']
    """
    located: dict[str, list[str]] = {}
    out: list[str | tuple[str]] = []
    for event in events:
        name = _category(event)
        match = re.match(r"(cell \d+|[A-Za-z_][\w.-]*): ", event)
        if match is None or name == "other":
            out.append(event)
            continue
        if name not in located:
            located[name] = []
            out.append((name,))
        located[name].append(match.group(1))
    lines = []
    for item in out:
        if isinstance(item, str):
            lines.append(item)
            continue
        where = located[item[0]]
        if len(where) > 1 and all(w.startswith("cell ") for w in where):
            place = "cells " + ", ".join(w[5:] for w in where)
        else:
            place = ", ".join(where)
        lines.append(f"{_VERBS.get(item[0], item[0])}: {place}")
    return lines


def why(result: Any) -> str:
    """Why grading ``result`` was slow or odd, in a few words: events, busy CPU, retries, error; ``""`` if nothing.

    The events themselves are in ``students.csv``, whole.

    Example use::

        >>> from types import SimpleNamespace as R
        >>> why(R(ok=True, events=["cell 12: this cell was still running after 8 s and was stopped."], attempts=1))
        'hung: cell 12'
        >>> why(R(ok=False, events=[], attempts=2, error="kernel died before replying"))
        'not graded: kernel died before replying; 2 attempts'
    """
    parts = []
    if not result.ok:
        parts.append(f"not graded: {_get(result, 'error', '') or 'unknown error'}")
    parts.extend(_short(_get(result, "events", [])))
    if _busy(result):
        parts.append(_busy(result))
    attempts = _get(result, "attempts", 0)
    if attempts > 1:
        parts.append(f"{attempts} attempts")
    return "; ".join(parts)


@dataclasses.dataclass
class Exercise:
    """Class results of one graded cell."""

    grade_id: str
    points: float
    students: int  # graded students whose notebook had this cell
    full: int  # of them, how many got every point
    zero: int
    mean: float

    @property
    def pass_rate(self) -> float:
        return self.full / self.students if self.students else 0.0


@dataclasses.dataclass
class ClassSummary:
    """The numbers of a class report (see :func:`summarize`)."""

    assignment: str
    students: int
    graded: list[Any]
    failed: list[Any]
    flagged: list[Any]
    max_score: float | None
    scores: list[float]
    exercises: list[Exercise]
    seconds: float
    cpu_seconds: float | None

    @property
    def mean(self) -> float | None:
        return statistics.fmean(self.scores) if self.scores else None

    @property
    def median(self) -> float | None:
        return statistics.median(self.scores) if self.scores else None


def _most_common(values: Iterable[float]) -> float | None:
    counts = collections.Counter(v for v in values if v is not None)
    return counts.most_common(1)[0][0] if counts else None


def summarize(assignment: str, results: Sequence[Any]) -> ClassSummary:
    """Count and average ``results``: graded, failed, flagged, scores, per-cell pass rates, time.

    Example use::

        >>> from types import SimpleNamespace as R
        >>> s = summarize("03-tasks", [
        ...     R(student="a", ok=True, score=3, max_score=3, seconds=2.0, cells={"ex1": (1, 1), "ex2": (2, 2)}),
        ...     R(student="b", ok=True, score=1, max_score=3, seconds=4.0, cells={"ex1": (1, 1), "ex2": (0, 2)}),
        ...     R(student="c", ok=False, score=None, max_score=None, seconds=1.0, error="no notebook")])
        >>> len(s.graded), len(s.failed), s.mean, [(e.grade_id, e.pass_rate, e.mean) for e in s.exercises]
        (2, 1, 2.0, [('ex1', 1.0, 1.0), ('ex2', 0.5, 1.0)])
    """
    graded = [r for r in results if r.ok and r.score is not None]
    failed = [r for r in results if not r.ok]
    flagged = [r for r in results if r.ok and _get(r, "flags", [])]
    max_score = _most_common(r.max_score for r in graded)
    order: dict[str, None] = {}
    for r in graded:
        for grade_id in _get(r, "cells", {}):
            order.setdefault(grade_id, None)
    exercises = []
    for grade_id in order:
        cells = [r.cells[grade_id] for r in graded if grade_id in _get(r, "cells", {})]
        points = _most_common(m for _, m in cells) or 0.0
        got = [s or 0.0 for s, _ in cells]
        exercises.append(
            Exercise(
                grade_id=grade_id,
                points=points,
                students=len(cells),
                full=sum(s >= m - 1e-9 and m > 0 for s, m in ((s or 0.0, m or 0.0) for s, m in cells)),
                zero=sum(s <= 1e-9 for s in got),
                mean=statistics.fmean(got) if got else 0.0,
            )
        )
    cpu = [r.cpu_seconds for r in results if _get(r, "cpu_seconds") is not None]
    return ClassSummary(
        assignment=assignment,
        students=len(results),
        graded=graded,
        failed=failed,
        flagged=flagged,
        max_score=max_score,
        scores=[float(r.score) for r in graded],
        exercises=exercises,
        seconds=sum(_get(r, "seconds", 0.0) for r in results),
        cpu_seconds=sum(cpu) if cpu else None,
    )


# tables -------------------------------------------------------------------------------------------


def _num(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "-"
    return f"{value:.{digits}f}".rstrip("0").rstrip(".") if not float(value).is_integer() else f"{value:.0f}"


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "-"


def _students(names: Sequence[str], limit: int = 8) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" (+{len(names) - limit} more)" if len(names) > limit else "")


def _normalized(text: str, student: str) -> str:
    """``text`` with the student's own id replaced, so one cause of many students groups as one row."""
    return re.sub(rf"(?<![\w-]){re.escape(student)}(?![\w-])", "STUDENT", text) if student else text


def _grouped(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, list[str]]]:
    """``[(reason, student)]`` -> ``[(reason, [students])]``, the most common reason first."""
    groups: dict[str, list[str]] = {}
    for reason, student in pairs:
        groups.setdefault(reason, []).append(student)
    return sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))


def _tables(summary: ClassSummary, results: Sequence[Any], top: int) -> list[tuple[str, list[str], list[list[str]]]]:
    """Every table of the report as ``(title, header, rows)``; a title ending in ``:`` has a note after it."""
    s = summary
    tables = []
    rows = [
        ["students", str(s.students)],
        ["graded", f"{len(s.graded)} ({_pct(len(s.graded), s.students)})"],
        ["not graded", f"{len(s.failed)} ({_pct(len(s.failed), s.students)})"],
        ["flagged for review", f"{len(s.flagged)}"],
        ["points available", _num(s.max_score)],
        [
            "mean score",
            _num(s.mean) + (f" ({100 * s.mean / s.max_score:.0f}%)" if s.mean is not None and s.max_score else ""),
        ],
        ["median score", _num(s.median)],
        ["full marks", str(sum(score >= (s.max_score or math.inf) - 1e-9 for score in s.scores))],
        ["zero", str(sum(score <= 1e-9 for score in s.scores))],
        ["grading time, summed", f"{s.seconds:.0f} s"],
    ]
    if s.cpu_seconds is not None:
        rows.append(["CPU time, summed", f"{s.cpu_seconds:.0f} s"])
    tables.append(("Summary", ["", s.assignment], rows))

    if s.exercises:
        tables.append(
            (
                f"Exercises (of {len(s.graded)} graded students)",
                ["grade_id", "points", "full marks", "pass rate", "mean", "zero"],
                [
                    [e.grade_id, _num(e.points), str(e.full), _pct(e.full, e.students), f"{e.mean:.2f}", str(e.zero)]
                    for e in s.exercises
                ],
            )
        )

    slow = _slowest(results, top)
    has_cpu = any(_get(r, "cpu_seconds") is not None for r in results)
    header = ["student", "seconds"] + (["CPU s"] if has_cpu else []) + ["score", "why"]
    rows = []
    for r in slow:
        cpu = [f"{r.cpu_seconds:.1f}" if _get(r, "cpu_seconds") is not None else "-"] if has_cpu else []
        score = f"{_num(r.score)} / {_num(r.max_score)}" if r.ok and r.score is not None else "not graded"
        rows.append([r.student, f"{_get(r, 'seconds', 0.0):.1f}"] + cpu + [score, why(r) or "-"])
    tables.append((f"Slowest {len(slow)} of {len(s.graded)} graded students", header, rows))

    happened: dict[str, list[tuple[str, str]]] = {}
    for r in results:
        events = _get(r, "events", [])
        for name in _categories(r):
            if name == "not graded":
                continue
            example = {"retried": f"{_get(r, 'attempts', 0)} attempts", "spun": _busy(r)}.get(name, "")
            for event in events:
                if _category(event) == name:
                    example = event
                    break
            happened.setdefault(name, []).append((r.student, example))
    if happened:
        rows = [
            [name, str(len(happened[name])), f"{happened[name][0][0]}: {happened[name][0][1]}"]
            for name in _PRIORITY
            if name in happened
        ]
        tables.append(("What happened during grading", ["what", "students", "for example"], rows))

    if s.failed:
        groups = _grouped(
            (_normalized(_get(r, "error", "") or "unknown error", r.student), r.student) for r in s.failed
        )
        rows = [[reason, str(len(names)), _students(names)] for reason, names in groups[:top]]
        more = f": {len(groups) - top} more causes in students.csv" if len(groups) > top else ""
        tables.append((f"Not graded ({len(s.failed)}){more}", ["cause", "students", "who"], rows))
        removed = [r.student for r in s.failed if _get(r, "removed_grade", False)]
        if removed:
            tables.append(
                (
                    "Old grade removed (the regrade failed)",
                    ["students", "who"],
                    [[str(len(removed)), _students(removed, top)]],
                )
            )

    if s.flagged:
        groups = _grouped((_normalized(flag, r.student), r.student) for r in s.flagged for flag in _get(r, "flags", []))
        rows = [[reason, str(len(names)), _students(names)] for reason, names in groups[:top]]
        more = f": {len(groups) - top} more reasons in students.csv" if len(groups) > top else ""
        tables.append((f"Flagged for review ({len(s.flagged)}){more}", ["reason", "students", "who"], rows))
    return tables


def _numeric_columns(header: list[str], rows: list[list[str]]) -> list[bool]:
    """Which columns hold numbers (``12``, ``3.5 s``, ``84%``, ``7 / 11``, ``-``): those are right-aligned."""
    return [
        all(re.fullmatch(r"[-\d.,/ %s]*", row[i]) for row in rows) and any(re.search(r"\d", row[i]) for row in rows)
        for i in range(len(header))
    ]


def _markdown_table(header: list[str], rows: list[list[str]]) -> str:
    cells = [header] + rows
    cells = [[c.replace("|", "\\|").replace("\n", " ") for c in row] for row in cells]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    numeric = _numeric_columns(header, rows)

    def line(row: list[str]) -> str:
        return "| " + " | ".join(c.rjust(w) if n else c.ljust(w) for c, w, n in zip(row, widths, numeric)) + " |"

    rule = "|" + "|".join(("-" * (w + 1) + ":") if n else ("-" * (w + 2)) for w, n in zip(widths, numeric)) + "|"
    return "\n".join([line(cells[0]), rule] + [line(row) for row in cells[1:]])


def summary_markdown(assignment: str, results: Sequence[Any], *, top: int = TOP) -> str:
    """The report's tables as aligned Markdown, for a terminal or ``summary.md``.

    Example use::

        >>> from types import SimpleNamespace as R
        >>> text = summary_markdown("01-x", [R(student="al", ok=True, score=2, max_score=2, seconds=1.5)])
        >>> print(text.splitlines()[0])
        # Class report: 01-x
    """
    summary = summarize(assignment, results)
    parts = [f"# Class report: {assignment}"]
    for title, header, rows in _tables(summary, results, top):
        parts.append(f"## {title}\n\n{_markdown_table(header, rows)}")
    return "\n\n".join(parts) + "\n"


# plots --------------------------------------------------------------------------------------------


def _figure(width: float, height: float) -> Any:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=100, layout="constrained")


def _plot_scores(summary: ClassSummary, path: Path) -> None:
    from matplotlib.ticker import MaxNLocator

    s = summary
    fig = _figure(7.5, 3.9)
    ax = fig.add_subplot()
    top = s.max_score if s.max_score else max(s.scores, default=1.0) or 1.0
    whole = all(float(x).is_integer() for x in s.scores) and top <= 40
    if whole:
        edges = [k - 0.5 for k in range(int(top) + 2)]
    else:
        edges = [top * k / 20 for k in range(21)]
    flagged = {r.student for r in s.flagged}
    clean = [float(r.score) for r in s.graded if r.student not in flagged]
    marked = [float(r.score) for r in s.graded if r.student in flagged]
    ax.hist(
        [clean, marked],
        bins=edges,
        stacked=True,
        color=[_COLORS["clean"], _COLORS["flagged"]],
        label=["graded", "graded, flagged for review"],
        edgecolor="white",
        linewidth=0.5,
    )
    width = (edges[1] - edges[0]) if len(edges) > 1 else 1.0
    gap = -width * 1.5
    if s.failed:
        ax.bar([gap], [len(s.failed)], width=width * 0.9, color=_COLORS["not graded"], label="not graded")
    ticks = list(ax.get_xticks())
    ax.set_xlim(gap - width if s.failed else edges[0], edges[-1])
    if whole:
        step = max(1, math.ceil((int(top) + 1) / 12))
        ticks = list(range(0, int(top) + 1, step))
    else:
        ticks = [t for t in ticks if 0 <= t <= top]
    labels = [_num(t) for t in ticks]
    if s.failed:
        ticks, labels = [gap] + ticks, ["not\ngraded"] + labels
    ax.set_xticks(ticks, labels)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    if s.scores:
        ax.axvline(s.mean, color="black", linewidth=1, linestyle="--", label=f"mean {_num(s.mean)}")
        ax.axvline(s.median, color="black", linewidth=1, linestyle=":", label=f"median {_num(s.median)}")
    ax.set_xlabel(f"score (points out of {_num(s.max_score)})" if s.max_score else "score (points)")
    ax.set_ylabel("students")
    ax.set_title(f"{s.assignment}: scores of {len(s.graded)} graded students, {len(s.failed)} not graded", fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    handles, names = ax.get_legend_handles_labels()
    keep = [(h, n) for h, n in zip(handles, names) if n != "graded, flagged for review" or marked]
    fig.legend(*zip(*keep), fontsize=8, frameon=False, loc="outside lower center", ncols=len(keep))
    fig.savefig(path)


def _plot_exercises(summary: ClassSummary, path: Path) -> None:
    s = summary
    exercises = s.exercises
    fig = _figure(7.5, 1.3 + 0.32 * max(len(exercises), 1))
    ax = fig.add_subplot()
    if not exercises:
        reason = "nobody was graded" if not s.graded else "the results carry no per-cell scores"
        ax.text(0.5, 0.5, f"no graded cells: {reason}", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        fig.savefig(path)
        return
    rows = list(range(len(exercises)))[::-1]  # the notebook's first cell on top
    rates = [100 * e.pass_rate for e in exercises]
    means = [100 * e.mean / e.points if e.points else 0.0 for e in exercises]
    ax.barh(rows, rates, height=0.6, color=_COLORS["clean"], label="full marks (share of students)")
    ax.scatter(means, rows, marker="D", s=18, color="black", zorder=3, label="mean score (share of points)")
    for row, e, rate in zip(rows, exercises, rates):
        ax.text(102, row, f"{rate:.0f}% full · mean {e.mean:.2f}/{_num(e.points)}", va="center", fontsize=8)
    ax.set_yticks(rows, [e.grade_id for e in exercises], fontsize=8)
    ax.set_xlim(0, 100)
    ax.set_xticks(range(0, 101, 20), [f"{p}%" for p in range(0, 101, 20)])
    ax.set_ylim(-0.6, len(exercises) - 0.4)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_title(f"{s.assignment}: each graded cell, {len(s.graded)} graded students", fontsize=10)
    fig.legend(fontsize=8, frameon=False, loc="outside lower center", ncols=2)
    fig.savefig(path)


def _seconds_formatter() -> Any:
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda x, _: _num(x, 2))


def _plot_time(summary: ClassSummary, results: Sequence[Any], path: Path, top: int) -> None:
    from matplotlib.patches import Patch
    from matplotlib.ticker import MaxNLocator

    rejected = sum(_get(r, "attempts", 0) == 0 for r in results)
    started = [r for r in results if _get(r, "attempts", 0) > 0]  # the others never started: no time to show
    slow = _slowest(results, top)
    seconds = [max(_get(r, "seconds", 0.0), 0.01) for r in started]
    low, high = min(seconds, default=1.0), max(seconds, default=1.0)
    # Hung and timed-out students take 10 to 200 times a clean one: a log axis keeps both readable.
    log = high > 20 * statistics.median(seconds or [1.0]) and high > low
    with_histogram = len(started) >= 10  # a histogram of a handful of students says less than their bars
    fig = _figure(10.5 if with_histogram else 7.5, 1.5 + 0.3 * max(len(slow), 3))
    if with_histogram:
        left, right = fig.subplots(1, 2, width_ratios=[2, 3])
    else:
        left, right = None, fig.add_subplot()
    kinds = [k for k in _PRIORITY if any(_primary(r) == k for r in (started if with_histogram else slow))]
    if left is not None:
        nbins = min(30, max(5, len(started) // 4))
        bins: Any = [low * (high / low) ** (k / nbins) for k in range(nbins + 1)] if log else nbins
        groups = [[sec for r, sec in zip(started, seconds) if _primary(r) == k] for k in kinds]
        left.hist(groups, bins=bins, stacked=True, color=[_COLORS[k] for k in kinds], edgecolor="white", linewidth=0.5)
        left.yaxis.set_major_locator(MaxNLocator(integer=True))
        if log:
            left.set_xscale("log")
            left.xaxis.set_major_formatter(_seconds_formatter())
        left.set_xlabel("grading time (s)" + (", log scale" if log else ""))
        left.set_ylabel("students")
        note = f"\n({rejected} rejected before grading: not shown)" if rejected else ""
        left.set_title(f"all {len(started)} students started{note}", fontsize=9)
        left.spines[["top", "right"]].set_visible(False)

    rows = list(range(len(slow)))[::-1]
    walls = [max(_get(r, "seconds", 0.0), 0.01) for r in slow]
    colors = [_COLORS[_primary(r)] for r in slow]
    cpus = [_get(r, "cpu_seconds") for r in slow]
    has_cpu = any(c is not None for c in cpus)
    right.barh(rows, walls, height=0.7, color=colors, alpha=0.45 if has_cpu else 1.0)
    if has_cpu:
        right.barh(rows, [c or 0.0 for c in cpus], height=0.3, color=colors)
    for row, r, wall in zip(rows, slow, walls):
        label = why(r)
        label = label if len(label) <= 44 else label[:43] + "…"
        right.text(wall, row, " " + label, va="center", fontsize=7.5)
    right.set_yticks(rows, [r.student for r in slow], fontsize=8)
    right.set_ylim(-0.6, max(len(slow), 3) - 0.4)
    if log:
        right.set_xscale("log")
        right.set_xlim(min([low] + [c for c in cpus if c]) * 0.8, max(walls, default=1.0) * 15)
        right.xaxis.set_major_formatter(_seconds_formatter())
    else:
        right.set_xlim(0, max(walls, default=1.0) * 1.8)
    right.set_xlabel(
        ("seconds (wide: wall time; narrow: CPU time)" if has_cpu else "seconds") + (", log scale" if log else "")
    )
    graded = sum(r.ok for r in results)
    right.set_title(f"the {len(slow)} slowest of {graded} graded students, and what happened", fontsize=9)
    right.spines[["top", "right"]].set_visible(False)
    if not slow:
        right.set_axis_off()
        right.text(0.5, 0.5, "nobody was graded", ha="center", va="center", transform=right.transAxes)
    if kinds:
        fig.legend(
            handles=[Patch(color=_COLORS[k], label=k) for k in kinds],
            loc="outside lower center",
            ncols=len(kinds),
            fontsize=8,
            frameon=False,
        )
    fig.suptitle(f"{summary.assignment}: grading time", fontsize=11)
    fig.savefig(path)


# files --------------------------------------------------------------------------------------------


def _write_csvs(summary: ClassSummary, results: Sequence[Any], folder: Path) -> None:
    grade_ids = [e.grade_id for e in summary.exercises]
    with open(folder / "students.csv", "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(
            ["student", "status", "score", "max_score", "seconds", "cpu_seconds", "attempts"]
            + grade_ids
            + ["flags", "events", "error", "old_grade_removed"]
        )
        for r in results:
            status = "not graded" if not r.ok else "flagged" if _get(r, "flags", []) else "graded"
            cells = _get(r, "cells", {})
            cpu = _get(r, "cpu_seconds")
            out.writerow(
                [r.student, status, _num(r.score, 3) if r.ok else "", _num(r.max_score, 3) if r.ok else ""]
                + [f"{_get(r, 'seconds', 0.0):.2f}", "" if cpu is None else f"{cpu:.2f}", _get(r, "attempts", 0)]
                + [_num(cells[g][0], 3) if g in cells else "" for g in grade_ids]
                + [
                    " | ".join(_get(r, "flags", [])),
                    " | ".join(_get(r, "events", [])),
                    _get(r, "error", ""),
                    "yes" if _get(r, "removed_grade", False) else "",
                ]
            )
    with open(folder / "exercises.csv", "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["grade_id", "points", "students", "full_marks", "pass_rate", "mean", "zero"])
        for e in summary.exercises:
            out.writerow(
                [e.grade_id, _num(e.points, 3), e.students, e.full, f"{e.pass_rate:.3f}", f"{e.mean:.3f}", e.zero]
            )


_CSS = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 70em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.9em; }
th, td { border-bottom: 1px solid #ddd; padding: 0.25em 0.7em; text-align: left; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
th { background: #f3f3f3; white-space: nowrap; }
img { max-width: 100%; display: block; margin: 0.5em 0 1.5em; }
"""


def _html(summary: ClassSummary, results: Sequence[Any], top: int) -> str:
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Class report: {e(summary.assignment)}</title><style>{_CSS}</style></head><body>",
        f"<h1>Class report: {e(summary.assignment)}</h1>",
        '<p>Every student, with each cell\'s score, events and errors: <a href="students.csv">students.csv</a>; '
        'per cell: <a href="exercises.csv">exercises.csv</a>; as text: <a href="summary.md">summary.md</a>.</p>',
    ]
    images = {
        "Summary": '<img src="scores.png" alt="score distribution">',
        "Exercises": '<img src="exercises.png" alt="full marks and mean score per graded cell">',
        "Slowest": '<img src="time.png" alt="grading time and the slowest students">',
    }
    tables = _tables(summary, results, top)
    if not any(title.startswith("Exercises") for title, _, _ in tables):
        images["Summary"] += "\n" + images.pop("Exercises")
    for title, header, rows in tables:
        numeric = _numeric_columns(header, rows)
        parts.append(f"<h2>{e(title)}</h2>")
        image = next((images[key] for key in images if title.startswith(key)), None)
        if image and not title.startswith("Summary"):
            parts.append(image)
        parts.append("<table><tr>" + "".join(f"<th>{e(h)}</th>" for h in header) + "</tr>")
        for row in rows:
            parts.append(
                "<tr>"
                + "".join(f'<td class="n">{e(c)}</td>' if n else f"<td>{e(c)}</td>" for c, n in zip(row, numeric))
                + "</tr>"
            )
        parts.append("</table>")
        if image and title.startswith("Summary"):
            parts.append(image)
    parts.append("</body></html>\n")
    return "\n".join(parts)


def write_class_report(folder: str | Path, assignment: str, results: Sequence[Any], *, top: int = TOP) -> Path:
    """Write the class report of ``assignment`` to ``folder/reports/ASSIGNMENT/``; return its ``index.html``.

    Args:
        folder: the course root, where ``nbgrader export`` writes ``grades.csv``.
        assignment: the assignment id, e.g. ``"03-tasks"``.
        results: the ``StudentResult`` list of ``helpers.grading.autograde`` (or anything with its attributes).
        top: rows in the slowest / not graded / flagged tables and bars in the slowest-students plot.

    Files already there from an earlier report of the same assignment are replaced.

    Example use::

        index = write_class_report(".", "03-tasks", autograde("03-tasks"))
        print(f"class report: {index}")
    """
    out = Path(folder) / "reports" / assignment
    out.mkdir(parents=True, exist_ok=True)
    results = list(results)
    summary = summarize(assignment, results)
    _plot_scores(summary, out / "scores.png")
    _plot_exercises(summary, out / "exercises.png")
    _plot_time(summary, results, out / "time.png", top)
    _write_csvs(summary, results, out)
    (out / "summary.md").write_text(summary_markdown(assignment, results, top=top), encoding="utf-8")
    index = out / "index.html"
    index.write_text(_html(summary, results, top), encoding="utf-8")
    return index
