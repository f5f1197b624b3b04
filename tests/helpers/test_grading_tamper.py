"""Tamper detection: helpers.grading.tamper (static scan, sentinels) and helpers.grading._probe (in-kernel probe).

End to end (each cheat graded and flagged) is in tests/pipeline/test_hostile.py.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import nbformat
import pytest

pytest.importorskip("nbgrader", reason="nbgrader is not installed")

from helpers import checks  # noqa: E402
from helpers.grading import _probe, tamper  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "pipeline"))
from submission import fixtures  # noqa: E402

#: Cheats as a student would write them, and a word the scan's reason contains.
CHEATS = {
    "checks.ran_concurrently = lambda *a, **k: None": "helpers.checks.ran_concurrently",
    "import helpers.checks as c\nc.took_about = print": "helpers.checks.took_about",
    "from helpers.checks import ran_concurrently\nran_concurrently.__code__ = (lambda: 0).__code__": "__code__",
    "import sys\nsys.modules['helpers.checks'] = object()": "sys.modules",
    "import sys\nm = sys.modules['helpers.checks']\nm.never_blocked = None": "never_blocked",
    "setattr(checks, 'took_about', lambda *a, **k: None)": "setattr",
    "ip = get_ipython()\nold = ip.run_cell\nip.run_cell = lambda raw, *a, **k: old('pass', *a, **k)": "run_cell",
    "get_ipython().run_cell_async = None": "run_cell_async",
    "get_ipython().kernel.do_execute = None": "do_execute",
    "get_ipython().ast_transformers.append(object())": "AST transformers",
    "get_ipython().set_custom_exc((Exception,), lambda *a: None)": "exception handler",
    "import builtins\nbuiltins.__import__ = None": "builtins.__import__",
    "import builtins as b\nb.AssertionError = KeyError": "AssertionError",
    "AssertionError = KeyError": "AssertionError",
    "def isinstance(obj, kind):\n    return True": "isinstance",
    "import sys\nsys.settrace(lambda *a: None)": "trace hook",
    "import threading\nthreading.setprofile(print)": "profile hook",
    "import asyncio\nasyncio.sleep = None": "asyncio.sleep",
    "import asyncio\nasyncio.tasks.Task.cancel = None": "asyncio.tasks.Task.cancel",
    "from helpers import Timeline\nTimeline.max_concurrency = lambda self, tasks=None: 9": "Timeline.max_concurrency",
    "type(asyncio.get_running_loop()).time = None": "type()",
    "exec('import helpers.checks as c; c.never_blocked = print')": "exec",
}


@pytest.mark.parametrize("source", sorted(CHEATS))
def test_scan_flags_each_cheat(source):
    reasons = tamper.scan_source(source)
    assert any(CHEATS[source] in reason for reason in reasons), reasons


@pytest.mark.parametrize(
    "source",
    [
        "loop = asyncio.get_running_loop()\nloop.slow_callback_duration = 0.1",
        "import inspect\ncode = getattr(f, '__code__', None)\nprint(code.co_flags & inspect.CO_COROUTINE)",
        "class Connection:\n    def open(self):\n        self.is_open = True",
        "compile('def plain():\\n    await asyncio.sleep(1)\\n', '<plain>', 'exec')",
        "%%timeline\nawait asyncio.sleep(1)",
        "import sys\nprint(sys.version_info, sys.modules.get('helpers') is not None)",
    ],
)
def test_scan_leaves_ordinary_code_alone(source):
    assert tamper.scan_source(source) == []


def test_no_notebook_or_fixture_of_the_course_is_flagged():
    """Every cell of every solution notebook, and every section of every fixture, scans clean."""
    flagged = []
    for notebook in sorted((ROOT / "solutions").glob("*/*.ipynb")):
        nb = nbformat.read(notebook, as_version=4)
        flagged += [f"{notebook.name}: {reason}" for reason in tamper.scan_notebook(nb)]
        for fixture in fixtures(notebook.parent.name):
            for _, grade_id, body in fixture.sections:
                flagged += [f"{fixture.name} ({grade_id}): {r}" for r in tamper.scan_source(body)]
    assert not flagged, "\n".join(flagged)


def test_scan_notebook_names_the_cell_and_skips_test_cells():
    nb = nbformat.v4.new_notebook()
    solution = nbformat.v4.new_code_cell("checks.run = None")
    solution.metadata.nbgrader = {"solution": True, "grade": False, "grade_id": "ex1"}
    test = nbformat.v4.new_code_cell("checks.run = None")
    test.metadata.nbgrader = {"solution": False, "grade": True, "grade_id": "ex1_test", "points": 1}
    nb.cells = [solution, test]
    assert tamper.scan_notebook(nb) == ["cell 0 (ex1) assigns helpers.checks.run"]


# ---- the runtime probe, in an IPython shell of this process


@pytest.fixture
def shell():
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()  # the probe finds it with IPython.get_ipython(), as in a kernel
    shell.run_cell("from helpers import checks\nimport helpers")
    yield shell
    InteractiveShell.clear_instance()


def test_probe_finds_nothing_in_a_clean_shell(shell):
    assert _probe.probe(shell) == []


def test_probe_finds_a_check_replaced_from_the_notebook(shell, monkeypatch):
    monkeypatch.setattr(checks, "ran_concurrently", checks.ran_concurrently)  # restored after the test
    shell.run_cell("checks.ran_concurrently = lambda *a, **k: None")
    assert "helpers.checks.ran_concurrently was replaced by code written in the notebook" in _probe.probe(shell)


def test_probe_finds_swapped_code(shell, monkeypatch):
    monkeypatch.setattr(checks.took_about, "__code__", checks.took_about.__code__)
    shell.run_cell("def nothing(*args, **kwargs):\n    pass\nchecks.took_about.__code__ = nothing.__code__")
    assert "helpers.checks.took_about no longer runs the code of checks.py" in _probe.probe(shell)


def test_probe_finds_a_patched_asyncio_class(shell, monkeypatch):
    monkeypatch.setattr(asyncio.Queue, "put_nowait", asyncio.Queue.put_nowait)
    shell.run_cell("import asyncio\nasyncio.Queue.put_nowait = lambda self, item: None")
    assert any("asyncio.queues.Queue.put_nowait" in reason for reason in _probe.probe(shell))


def test_probe_finds_a_wrapped_run_cell_and_a_shadowed_checks(shell):
    shell.run_cell("ip = get_ipython()\nip.run_cell = lambda raw, *a, **k: None")
    shell.user_ns["checks"] = object()
    reasons = _probe.probe(shell)
    assert "run_cell of the shell was replaced on the instance" in reasons
    assert "the name 'checks' in the notebook is not the module helpers.checks" in reasons


def test_probe_finds_a_trace_function(monkeypatch):
    # sys.gettrace answers as with a tracer set: really setting one in the suite's process (threads of earlier
    # tests, the C accelerator) hung it past pytest's timeout; the hostile cheat-settrace student is the real case
    monkeypatch.setattr(sys, "gettrace", lambda: (lambda *a: None))
    reasons: list[str] = []
    _probe._check_hooks(reasons)
    assert any("sys.settrace" in reason for reason in reasons)


def test_probe_finds_builtins_replaced_or_shadowed(shell, monkeypatch):
    import builtins

    monkeypatch.setattr(builtins, "AssertionError", AssertionError)
    shell.run_cell("import builtins\nclass Never(Exception):\n    pass\nbuiltins.AssertionError = Never\nabs = len")
    reasons = _probe.probe(shell)
    assert any("AssertionError" in r for r in reasons) and "the notebook redefines the builtin abs" in reasons


def test_read_probe_says_when_the_answer_is_missing_or_forged():
    assert tamper.read_probe(None) == ["the kernel did not answer the integrity probe"]
    assert "execution machinery" in tamper.read_probe({"content": {"status": "ok"}})[0]
    forged = {"content": {"user_expressions": {"probe": {"status": "ok", "data": {"text/plain": "'all good'"}}}}}
    assert "forged" in tamper.read_probe(forged)[0]
    fine = {"content": {"user_expressions": {"probe": {"status": "ok", "data": {"text/plain": "['x changed']"}}}}}
    assert tamper.read_probe(fine) == ["kernel: x changed"]


def test_probe_expression_runs_the_probe(shell):
    result = shell.user_expressions({"probe": tamper.PROBE_EXPRESSION})["probe"]
    assert result["status"] == "ok", result
    assert tamper.read_probe({"content": {"user_expressions": {"probe": result}}}) == []


# ---- sentinels


def _test_cell(source: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata.nbgrader = {"grade": True, "solution": False, "grade_id": "ex1_test", "points": 1}
    return cell


def test_sentinel_is_removed_from_a_cell_that_ran_to_its_end():
    sentinels = Sentinels = tamper.Sentinels()
    cell = _test_cell("print('hi')")
    armed = sentinels.arm(cell, 3)
    assert armed.startswith("print('hi')\nprint(") and armed.count("\n") == 1
    token = armed.split("'")[-2]
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=f"hi\n{token}\n")]
    assert Sentinels.check(cell, 3) is None
    assert cell.outputs[0].text == "hi\n"


def test_sentinel_missing_from_a_passing_cell_is_a_contradiction():
    sentinels = tamper.Sentinels()
    cell = _test_cell("assert False")
    sentinels.arm(cell, 0)
    cell.outputs = []
    assert sentinels.check(cell, 0) == "test cell ex1_test reported success but did not run to its end"
    failed = _test_cell("assert False")
    sentinels.arm(failed, 1)
    failed.outputs = [nbformat.v4.new_output("error", ename="AssertionError", evalue="", traceback=[])]
    assert sentinels.check(failed, 1) is None
    solution = nbformat.v4.new_code_cell("x = 1")
    assert sentinels.arm(solution, 2) == "x = 1" and sentinels.check(solution, 2) is None


def test_summarise_puts_contradictions_in_one_line_and_caps_the_rest():
    forged = [f"test cell ex{i} reported success but did not run to its end" for i in range(3)]
    lines = tamper.summarise([*forged, "kernel: a", "kernel: a", *(f"cell 1 b{i}" for i in range(9))])
    assert lines[0] == "3 test cells reported success but did not run to their end: ex0, ex1, ex2"
    assert lines[1] == "kernel: a" and lines[-1] == "... and 4 more findings" and len(lines) == 8
