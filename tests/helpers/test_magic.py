"""The %%timeline cell magic, in a real IPython shell."""

from __future__ import annotations

import pytest

IPython = pytest.importorskip("IPython")


@pytest.fixture(scope="module")
def shell():
    from IPython.testing.globalipapp import start_ipython

    ip = start_ipython()
    ip.run_line_magic("load_ext", "helpers")
    ip.run_cell("import asyncio")
    return ip


def test_cell_runs_with_top_level_await_and_keeps_its_variables(shell, capsys):
    cell = "x = 5\nawait asyncio.gather(asyncio.sleep(1), asyncio.sleep(2))\ny = x + 1"
    shell.run_cell_magic("timeline", "--text", cell)
    out = capsys.readouterr().out
    assert shell.user_ns["y"] == 6
    timeline = shell.user_ns["timeline"]
    assert timeline.duration == 2.0
    assert out.startswith("2.000 s of virtual time")
    assert timeline.task("main").coroutine == "cell"


def test_cell_without_await_and_a_custom_name(shell):
    result = shell.run_cell_magic("timeline", "--name tl", "z = 1")
    assert shell.user_ns["tl"] is result
    assert result.duration == 0.0


def test_cell_error_propagates_with_the_timeline(shell):
    with pytest.raises(ZeroDivisionError) as info:
        shell.run_cell_magic("timeline", "", "await asyncio.sleep(1)\n1 / 0")
    assert info.value.timeline.duration == 1.0
