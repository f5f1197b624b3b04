"""helpers.grading.progress: what the instructor sees while a class is graded, on a fake clock."""

from __future__ import annotations

import io
import sys
import types

import pytest

from helpers.grading import progress as progress_module
from helpers.grading.progress import Progress, format_duration


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class TTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def R(student: str, ok: bool = True, flags: list[str] | None = None) -> types.SimpleNamespace:
    return types.SimpleNamespace(student=student, ok=ok, flags=flags or [], error="" if ok else "boom")


def test_format_duration():
    assert format_duration(0) == "0:00"
    assert format_duration(75.4) == "1:15"
    assert format_duration(3725) == "1:02:05"
    assert format_duration(None) == "--:--"
    assert format_duration(float("inf")) == "--:--"


def test_eta_is_the_remaining_students_over_the_rate_since_the_first_start():
    clock = Clock()
    p = Progress(10, stream=io.StringIO(), clock=clock, mode="off")
    assert p.state().eta is None
    for s in "abcd":
        p.started(s)
    clock.now += 20
    assert p.state().eta is None, "no estimate before anyone finished"
    p.done(R("a"))
    p.done(R("b"))
    # 2 graded in 20 s: 0.1 students/s, 8 to go
    assert p.state().eta == pytest.approx(80.0)
    assert p.state().elapsed == pytest.approx(20.0)
    assert p.state().running == ("c", "d")


def test_rejected_students_finish_but_do_not_speed_up_the_estimate():
    clock = Clock()
    p = Progress(10, stream=io.StringIO(), clock=clock, mode="off")
    for s in "wxyz":  # not a notebook, no notebook: failed before grading started
        p.done(R(s, ok=False))
    p.started("a")
    clock.now += 10
    p.done(R("a"))
    state = p.state()
    assert (state.finished, state.failed) == (5, 4)
    assert state.eta == pytest.approx(50.0), "1 graded in 10 s, 5 to go"


def test_retries_are_counted_and_the_student_is_not_finished():
    clock = Clock()
    p = Progress(2, stream=io.StringIO(), clock=clock, mode="off")
    p.started("a")
    clock.now += 5
    p.retrying(R("a", ok=False))
    assert p.state().running == ()
    p.started("a")
    clock.now += 5
    p.done(R("a", flags=["test cell ex1 was edited"]))
    state = p.state()
    assert (state.finished, state.failed, state.flagged, state.retried) == (1, 0, 1, 1)
    assert "retried 1" in state.line() and "flagged 1" in state.line()


def test_the_line_says_done_failed_flagged_running_elapsed_and_eta():
    clock = Clock()
    p = Progress(120, label="03-tasks", stream=io.StringIO(), clock=clock, mode="off")
    for s in ["alice", "bob", "carol", "dave"]:
        p.started(s)
    clock.now += 42
    p.done(R("alice"))
    p.done(R("bob", ok=False))
    line = p.state().line("03-tasks")
    assert line.startswith("03-tasks [")
    assert "2/120" in line and "failed 1" in line and "flagged" not in line
    assert "running carol, dave" in line
    assert "0:42 elapsed" in line and "ETA 41:18" in line  # 2 in 42 s, 118 to go: 2478 s


def test_not_a_tty_gives_plain_periodic_lines_and_never_a_carriage_return():
    clock = Clock()
    out = io.StringIO()
    p = Progress(2000, label="03-tasks", stream=out, clock=clock, interval=30)
    assert p.mode == "lines"
    for i in range(2000):  # 4 at once, 2 s each: 1,000 s of grading, thousands of events and refreshes
        p.started(f"s{i}")
        p.refresh()
        clock.now += 0.5
        p.done(R(f"s{i}", ok=i % 50 != 0))
        p.refresh()
    p.close()
    text = out.getvalue()
    assert "\r" not in text
    lines = text.splitlines()
    assert len(lines) <= 1000 / 30 + 3, f"{len(lines)} lines for 1,000 s: one per 30 s expected"
    assert lines[0].startswith("03-tasks [--------------------] 0/2000")
    assert "2000/2000" in lines[-1] and "failed 40" in lines[-1] and "ETA" not in lines[-1]


def test_a_tty_gets_one_line_redrawn_in_place(monkeypatch):
    monkeypatch.setattr(
        progress_module.shutil, "get_terminal_size", lambda fallback: types.SimpleNamespace(columns=200)
    )
    clock = Clock()
    out = TTY()
    p = Progress(3, stream=out, clock=clock)
    assert p.mode == "tty"
    for s in ["alice_with_a_long_name", "bob"]:
        p.started(s)
    clock.now += 3
    p.done(R("alice_with_a_long_name"))
    p.done(R("bob"))
    p.close()
    text = out.getvalue()
    assert text.count("\n") == 1 and text.endswith("\n"), "one line, ended once at close"
    frames = text.rstrip("\n").split("\r")[1:]
    assert len(frames) == 6  # made, 2 started, 2 done, close
    # a shorter frame blanks what the longer one before it left on screen
    assert len(frames[-1]) >= len(frames[-2].rstrip())
    assert "2/3" in frames[-1]


def test_a_narrow_terminal_drops_the_running_names_before_cutting(monkeypatch):
    monkeypatch.setattr(progress_module.shutil, "get_terminal_size", lambda fallback: types.SimpleNamespace(columns=90))
    out = TTY()
    p = Progress(300, label="03-tasks", stream=out, clock=Clock())
    for s in ["a_rather_long_student_id", "another_long_student_id", "third"]:
        p.started(s)
    last = out.getvalue().split("\r")[-1]
    assert len(last.rstrip()) <= 89
    assert "running 3" in last and "ETA --:--" in last


def test_refresh_is_throttled_in_a_terminal():
    clock = Clock()
    out = TTY()
    p = Progress(3, stream=out, clock=clock, redraw=1.0)
    for _ in range(40):
        clock.now += 0.25
        p.refresh()
    assert out.getvalue().count("\r") == 1 + 10  # made, then once a second for 10 s


def test_off_writes_nothing():
    out = io.StringIO()
    with Progress(3, stream=out, mode="off") as p:
        p.started("a")
        p.done(R("a"))
    assert out.getvalue() == ""


class FakeDisplay:
    """IPython.display.display, recorded: what was shown and how each display was updated."""

    def __init__(self) -> None:
        self.shown: list[object] = []
        self.updates: list[object] = []

    def __call__(self, obj: object, display_id: bool = False) -> object:
        self.shown.append(obj)
        return types.SimpleNamespace(update=self.updates.append) if display_id else None


def test_notebook_without_ipywidgets_updates_one_html_display(monkeypatch):
    import IPython.display

    fake = FakeDisplay()
    monkeypatch.setattr(IPython.display, "display", fake)
    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # import fails, as where it is not installed
    clock = Clock()
    p = Progress(2, label="03-tasks", clock=clock, mode="notebook")
    p.started("alice")
    clock.now += 2
    p.done(R("alice", ok=False))
    p.close()
    assert len(fake.shown) == 1, "one display, updated in place"
    last = fake.updates[-1].data
    assert '<progress value="1" max="2"' in last and "failed 1" in last and "03-tasks" in last


def test_notebook_with_ipywidgets_shows_a_bar_then_leaves_a_static_summary(monkeypatch):
    ipywidgets = pytest.importorskip("ipywidgets")
    import IPython.display

    fake = FakeDisplay()
    monkeypatch.setattr(IPython.display, "display", fake)
    clock = Clock()
    p = Progress(4, label="03-tasks", clock=clock, mode="notebook")
    box = fake.shown[0]
    assert isinstance(box, ipywidgets.HBox)
    bar, label = box.children
    p.started("alice")
    p.started("bob")
    clock.now += 2
    p.done(R("alice"))
    assert (bar.value, bar.max) == (1, 4)
    assert "running bob" in label.value and "ETA" in label.value
    p.done(R("bob", ok=False))
    assert bar.bar_style == "danger"
    p.close()
    assert "<progress" in fake.shown[-1].data and "2/4" in fake.shown[-1].data


def test_in_a_real_kernel_auto_picks_the_notebook_display():
    """The detection and both notebook displays, in a real Jupyter kernel (about 3 s)."""
    jupyter_client = pytest.importorskip("jupyter_client")
    pytest.importorskip("ipykernel")
    from queue import Empty

    code = """
import os, types
from helpers.grading.progress import Progress
os.environ["HELPERS_PROGRESS_WIDGETS"] = "{widgets}"
p = Progress(3, label="03-tasks")
p.started("alice")
p.done(types.SimpleNamespace(student="alice", ok=True, flags=[]))
p.close()
print(p.mode)
"""
    km, kc = jupyter_client.manager.start_new_kernel(kernel_name="python3")
    try:
        seen = {}
        for widgets in ("1", "0"):
            msg_id = kc.execute(code.format(widgets=widgets))
            kinds: list[tuple[str, str]] = []
            while True:
                try:
                    msg = kc.get_iopub_msg(timeout=30)
                except Empty:
                    pytest.fail(f"no reply from the kernel; so far {kinds}")
                if msg["parent_header"].get("msg_id") != msg_id:
                    continue
                content = msg["content"]
                if msg["msg_type"] == "status" and content["execution_state"] == "idle":
                    break
                data = content.get("data", {})
                kinds.append((msg["msg_type"], content.get("text") or data.get("text/html") or str(data)))
            seen[widgets] = kinds
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    assert ("stream", "notebook\n") in seen["1"] and ("stream", "notebook\n") in seen["0"]
    assert any(kind == "comm_open" for kind, _ in seen["1"]), "ipywidgets is installed: a widget"
    assert any(kind == "display_data" and '<progress value="1"' in text for kind, text in seen["1"]), "static summary"
    assert not any(kind == "comm_open" for kind, _ in seen["0"])
    updates = [text for kind, text in seen["0"] if kind == "update_display_data"]
    assert updates and '<progress value="1" max="3"' in updates[-1], "one display updated in place"
