"""Tests for ``helpers.accelerated()`` and ``python -m helpers``: a learner can see whether the C accelerator runs."""

import os
import subprocess
import sys

import pytest

import helpers
from helpers import _recorder

try:
    from helpers import _speedups
except ImportError:
    _speedups = None

# run `python -m helpers` as if the extension had not been built: its import fails like a missing file's
WITHOUT_EXTENSION = """
import importlib.abc, runpy, sys

class NotBuilt(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "helpers._speedups":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)

sys.meta_path.insert(0, NotBuilt())
runpy.run_module("helpers", run_name="__main__")
"""


def run_helpers(*args: str, pure_python: str = "") -> str:
    env = {**os.environ, "HELPERS_PURE_PYTHON": pure_python}
    result = subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, timeout=60, check=True)
    return result.stdout


def test_accelerated_says_which_recorder_is_used(monkeypatch):
    monkeypatch.setattr(_recorder, "_speedups", None)
    assert helpers.accelerated() is False
    monkeypatch.setattr(_recorder, "_speedups", object())
    assert helpers.accelerated() is True


def test_main_says_when_the_extension_was_not_built():
    out = run_helpers("-c", WITHOUT_EXTENSION)
    assert out.startswith("helpers: the optional C accelerator was not built")
    assert "pure Python" in out and "same results" in out
    assert out.count("\n") == 1


def test_main_names_the_variable_that_turned_the_extension_off():
    out = run_helpers("-m", "helpers", pure_python="1")
    assert out == "helpers: HELPERS_PURE_PYTHON is set, so steps are recorded in pure Python (same results, slower).\n"


@pytest.mark.skipif(_speedups is None, reason="helpers._speedups is not built")
def test_main_says_the_extension_is_in_use():
    assert run_helpers("-m", "helpers") == "helpers: the C accelerator is in use.\n"


def test_a_module_built_from_older_sources_is_not_used(monkeypatch):
    """An editable install not rebuilt after an update keeps an old _speedups: use pure Python, not crash."""
    import types

    stale = types.ModuleType("helpers._speedups")  # what an old build looks like: no API_VERSION, or another one
    monkeypatch.setitem(sys.modules, "helpers._speedups", stale)
    monkeypatch.setattr(helpers, "_speedups", stale, raising=False)
    assert _recorder._load_speedups() is None
    stale.API_VERSION = _recorder.SPEEDUPS_API - 1
    assert _recorder._load_speedups() is None
