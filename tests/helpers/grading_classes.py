"""Synthetic graded classes for the tests of helpers.grading.report and .progress, shaped like 03-tasks fixtures."""

from __future__ import annotations

import random

from helpers.grading.autograde import StudentResult

#: 03-tasks' graded cells and their points, in notebook order.
CELLS_03 = {
    "ex3_1_runs_concurrently": 2,
    "ex3_1_named_tasks": 1,
    "ex3_2_results_in_order": 1,
    "ex3_2_failures_become_none": 1,
    "ex3_3_saves_in_completion_order": 2,
    "ex3_3_downloads_overlap": 1,
    "ex3_4_returns_results": 1,
    "ex3_4_reports_value_errors": 1,
    "ex3_4_other_errors_propagate": 1,
}
#: Event lines as helpers.grading.pipeline.events_of writes them (after "cell N: " or "GRADE_ID: ").
STILL_RUNNING = "this cell was still running after 8 s and was stopped."
DID_NOT_STOP = (
    "this cell was still running after 8 s and did not stop. The grader started a fresh kernel and re-ran the "
    "cells above it."
)
STOPPED_THE_KERNEL = "this cell stopped the kernel. The grader started a fresh kernel and re-ran the cells above it."

#: How likely a student is to get each cell right (later exercises are harder).
_SOLVED = [0.92, 0.85, 0.8, 0.62, 0.5, 0.7, 0.66, 0.45, 0.38]


def result(student: str, **fields: object) -> StudentResult:
    """A StudentResult with ``fields``, those the dataclass does not have yet (cells, events, cpu_seconds) set after."""
    fields = {"cells": {}, "events": [], "cpu_seconds": None, **fields}
    known = {f: fields.pop(f) for f in list(fields) if f in StudentResult.__dataclass_fields__}
    r = StudentResult(student, **known)
    for name, value in fields.items():
        setattr(r, name, value)
    return r


def synthetic_class(n: int, seed: int = 13) -> list[StudentResult]:
    """``n`` students of 03-tasks: mostly clean, some hung, spun, crashed, retried, not graded, flagged."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        student = f"s{i:04d}" if n > 200 else rng.choice(["ana", "ben", "chen", "dora", "emeka", "fatima"]) + f"{i}"
        skill = rng.random()
        roll = rng.random()
        if roll < 0.03:
            error, attempts = rng.choice(
                [
                    ("03-tasks.ipynb is not a notebook (not valid JSON at line 1)", 1),
                    (f"no notebook in submitted/{student}/03-tasks/", 1),
                    ("grading overran --timeout and was killed after 600 s", 2),
                ]
            )
            if attempts == 1:  # rejected before grading: never started
                attempts, seconds = 0, 0.0
            else:
                seconds = 600.0
            out.append(
                result(student, ok=False, error=error, attempts=attempts, seconds=seconds, transient=attempts > 1)
            )
            continue
        cells = {}
        for (grade_id, points), p in zip(CELLS_03.items(), _SOLVED):
            cells[grade_id] = (float(points) if rng.random() < p * (0.5 + skill) else 0.0, float(points))
        seconds = rng.uniform(2.0, 4.0)
        cpu = seconds * rng.uniform(0.35, 0.5)
        events, flags, attempts = [], [], 1
        if roll < 0.08:
            cell = rng.choice([9, 14, 21])
            events.append(f"cell {cell}: {STILL_RUNNING}")
            seconds += 8.0
            if rng.random() < 0.3:
                events.append(f"cell {cell + 4}: {DID_NOT_STOP}")
                seconds += 12.0
        elif roll < 0.11:  # a busy loop: no event, the CPU time says it
            seconds += 6.0
            cpu = seconds * 0.95
        elif roll < 0.13:
            events.append(f"cell {rng.choice([7, 12])}: {STOPPED_THE_KERNEL}")
            seconds += 4.0
        elif roll < 0.14:
            events += [f"cell {c}: {DID_NOT_STOP}" for c in (9, 14, 21)]
            events.append("3 cell(s) not run: the notebook hung too often")
            seconds += 36.0
        elif roll < 0.15:
            events.append("cell 5: output cut (printed more than the grader keeps)")
        elif roll < 0.155:
            events.append("Killed 2 process(es) the student's kernel left running")
        elif roll < 0.16:
            attempts = 2
            seconds += 3.0
        if rng.random() < 0.03:
            flags.append("test cell ex3_1_runs_concurrently was edited (checksum changed; restored before grading)")
        score = sum(s for s, _ in cells.values())
        out.append(
            result(
                student,
                ok=True,
                score=score,
                max_score=11.0,
                seconds=seconds,
                attempts=attempts,
                cells=cells,
                events=events,
                cpu_seconds=cpu,
                flags=flags,
            )
        )
    return out
