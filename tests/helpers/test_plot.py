"""Tests for helpers._plot: the matplotlib Gantt chart and its PNG."""

import os
import struct
import subprocess
import sys

import numpy as np
import pytest
import timeline_samples as samples
from matplotlib.collections import PolyCollection
from matplotlib.colors import to_hex

from helpers._plot import COLORS, plot_timeline, png_bytes

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(PNG_SIGNATURE), "not a PNG file"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def _bars(fig, color: str) -> list[np.ndarray]:
    """The rectangles drawn in one colour, as (4, 2) vertex arrays."""
    found = []
    for collection in fig.axes[0].collections:
        if isinstance(collection, PolyCollection) and to_hex(collection.get_facecolor()[0]) == color.lower():
            found.extend(path.vertices[:4] for path in collection.get_paths())
    return found


def test_importing_views_changes_nothing_in_matplotlib():
    code = (
        "import sys, helpers._plot, helpers._text, helpers._chrome\n"
        "assert 'matplotlib' not in sys.modules, 'views must import matplotlib only when drawing'\n"
        "import matplotlib\n"
        "backend = matplotlib.rcParams._get_backend_or_none()\n"
        "from timeline_samples import three_workers\n"
        "helpers._plot.png_bytes(three_workers())\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'png_bytes must not use pyplot'\n"
        "assert matplotlib.rcParams._get_backend_or_none() == backend, 'the backend must not change'\n"
    )
    env = {**os.environ, "PYTHONPATH": os.path.dirname(samples.__file__)}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr


def test_one_row_per_task_in_start_order_then_the_loop():
    fig = plot_timeline(samples.outcomes())
    labels = [label.get_text() for label in fig.axes[0].get_yticklabels()]
    assert labels == ["main", "sleeper", "failer", "waiter", "never-ran", "loop"]


def test_blocking_steps_have_their_own_colour():
    fig = plot_timeline(samples.blocking())
    assert COLORS["blocking"] != COLORS["running"]
    blocking = _bars(fig, COLORS["blocking"])
    # the blocker's 0.3 s step, on its own row and on the loop's row
    assert len(blocking) == 2
    assert all(np.isclose(b[:, 0].max() - b[:, 0].min(), 0.3, atol=0.001) for b in blocking)
    assert len(_bars(fig, COLORS["running"])) == 7


def test_zero_length_steps_are_still_drawn_wide_enough_to_see():
    fig = plot_timeline(samples.three_workers())
    steps = _bars(fig, COLORS["running"])
    assert len(steps) == 9
    span = 1.5
    assert all(b[:, 0].max() - b[:, 0].min() >= span / 1000 for b in steps)


def test_waits_are_labelled_when_few_tasks_and_not_when_many():
    small = plot_timeline(samples.three_workers())
    assert sorted(t.get_text() for t in small.axes[0].texts) == [
        "gather",
        "sleep(0.5)",
        "sleep(0.5)",
        "sleep(1.0)",
        "sleep(1.5)",
    ]
    assert not plot_timeline(samples.three_workers(), show_labels=False).axes[0].texts
    assert not plot_timeline(samples.many_tasks(200)).axes[0].texts


def test_200_tasks_thin_tick_labels_and_cap_the_height():
    fig = plot_timeline(samples.many_tasks(200))
    labels = fig.axes[0].get_yticklabels()
    assert 20 <= len(labels) <= 41
    assert fig.get_figheight() == 11.0
    assert plot_timeline(samples.three_workers()).get_figheight() < 4


def test_png_bytes_is_a_png_of_the_figure_size():
    width, height = _png_size(png_bytes(samples.three_workers()))
    assert (width, height) == (1000, 300)
    assert _png_size(png_bytes(samples.three_workers(), dpi=50)) == (500, 150)


def test_figure_shows_itself_once_in_jupyter():
    fig = plot_timeline(samples.sequential())
    assert _png_size(fig._repr_png_())[0] == 1000
    assert samples.three_workers()._repr_png_().startswith(PNG_SIGNATURE)


def test_draws_into_given_axes():
    from matplotlib.figure import Figure

    fig = Figure()
    ax = fig.add_subplot()
    assert plot_timeline(samples.sequential(), ax=ax, title="") is fig
    assert ax.get_title(loc="left") == ""
    assert ax.get_xlabel() == "virtual seconds"
    assert plot_timeline(samples.blocking()).axes[0].get_xlabel() == "seconds"


@pytest.mark.parametrize("make", [samples.empty, samples.instant, samples.outcomes])
def test_edge_cases_draw(make):
    assert _png_size(png_bytes(make()))[0] == 1000


def test_200_tasks_of_100_steps_draw_in_a_few_artists():
    """Steps are drawn as a handful of collections, not one patch each: what keeps 20,000 steps fast.

    (Not a timed test: wall time on a shared machine says little. The time is in benchmarks/RESULTS.md.)
    """
    timeline = samples.many_tasks(200, 100)
    assert png_bytes(timeline).startswith(PNG_SIGNATURE)
    ax = plot_timeline(timeline).axes[0]
    assert len(ax.patches) + len(ax.collections) + len(ax.lines) < 20, "one artist per step would be slow"


def test_jobs_get_rows_with_their_thread_or_pid_and_a_link_to_the_awaiting_task():
    fig = plot_timeline(samples.with_jobs())
    ax = fig.axes[0]
    names = [label.get_text() for label in ax.get_yticklabels()]
    assert names == ["main", "worker", "> fetch (asyncio_0)", "> parse (asyncio_0)", "> python -c (pid 4242)", "loop"]
    running = _bars(fig, COLORS["job"])
    queued = _bars(fig, COLORS["job_queued"])
    assert len(running) == 3 and len(queued) == 1
    assert sorted((round(v[0][0], 3), round(v[2][0], 3)) for v in queued) == [(0.0, 0.5)]
    links = [line for line in ax.get_lines() if line.get_linestyle() == ":"]
    assert [tuple(line.get_xdata()) for line in links] == [(1.0, 1.0), (2.0, 2.0)], "links at each job's end"
    assert "job off the loop" in [t.get_text() for t in ax.get_legend().get_texts()]


def test_internal_tasks_are_not_drawn_unless_asked_for():
    timeline = samples.with_jobs()
    hidden = [label.get_text() for label in plot_timeline(timeline).axes[0].get_yticklabels()]
    shown = [label.get_text() for label in plot_timeline(timeline, show_internal=True).axes[0].get_yticklabels()]
    assert "Task-1" not in hidden and "Task-1" in shown, "the internal task, shown under its display name"


def _markers(fig) -> list:
    """Every scatter collection drawn (the marks)."""
    from matplotlib.collections import PathCollection

    return [c for c in fig.axes[0].collections if isinstance(c, PathCollection)]


def test_late_sleep_is_drawn_from_due_to_wake():
    fig = plot_timeline(samples.late_sleeper())
    (late,) = _bars(fig, COLORS["late"])
    assert late[:, 0].min() == pytest.approx(0.1) and late[:, 0].max() == pytest.approx(0.3)
    assert "woke late (| due)" in [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert not _bars(plot_timeline(samples.three_workers()), COLORS["late"])


def test_back_to_back_steps_get_a_parting_line():
    from matplotlib.collections import LineCollection

    fig = plot_timeline(samples.late_sleeper())
    white = [c for c in fig.axes[0].collections
             if isinstance(c, LineCollection) and to_hex(c.get_color()[0]) == COLORS["boundary"].lower()]
    (lines,) = white
    assert sorted(round(s[0][0], 6) for s in lines.get_segments()) == [0.1, 0.2]
    (due,) = [c for c in fig.axes[0].collections if isinstance(c, LineCollection) and c not in white]
    assert [round(s[0][0], 6) for s in due.get_segments()] == [0.1], "a tick where the late sleep was due"


def test_cancellation_marks_and_legend():
    fig = plot_timeline(samples.cancelled())
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert {"cancel()", "cancelled", "caught it, returned"} <= set(legend)
    offsets = np.concatenate([c.get_offsets() for c in _markers(fig)])
    assert (np.isclose(offsets[:, 0], 1.0)).sum() >= 5  # two requests, two deliveries, one ring


def test_by_turn_draws_turns_across_and_names_default_tasks_afresh():
    fig = plot_timeline(samples.instant())  # 0 s long: drawn by turn by default
    assert "turn" in fig.axes[0].get_xlabel() and fig.axes[0].get_title(loc="left").endswith("by loop turn")
    assert "seconds" in plot_timeline(samples.instant(), by="time").axes[0].get_xlabel()
    names = [t.get_text() for t in plot_timeline(samples.late_sleeper()).axes[0].get_yticklabels()]
    assert names == ["main", "Task-2", "Task-1", "loop"]
    with pytest.raises(ValueError, match="'auto', 'time' or 'turn'"):
        plot_timeline(samples.instant(), by="order")


def test_by_turn_draws_a_task_that_never_ran_without_a_mark():
    fig = plot_timeline(samples.outcomes(), by="turn")
    never_ran_row = [t.get_text() for t in fig.axes[0].get_yticklabels()].index("never-ran")
    offsets = np.concatenate([c.get_offsets() for c in _markers(fig)])
    assert not np.isclose(offsets[:, 1], never_ran_row).any()
