"""The course's kernel extension (helpers._kernel) in real Jupyter kernels, driven with jupyter_client.

■ is the kernel interrupt (SIGINT), as JupyterLab's stop button sends it.
"""

from __future__ import annotations

import dataclasses
import json
import re
import sys
import time
from pathlib import Path
from queue import Empty

import pytest

jupyter_client = pytest.importorskip("jupyter_client")
pytest.importorskip("ipykernel")

#: ■ must bring a stuck cell back to idle within this many seconds (issue 8).
STOP_WITHIN = 2.0
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclasses.dataclass
class Ran:
    status: str
    outputs: list[dict]
    stop_seconds: float | None  # from ■ to idle

    @property
    def text(self) -> str:
        parts = []
        for out in self.outputs:
            if "traceback" in out:
                parts.append("\n".join(out["traceback"]))
            else:
                parts.append(out.get("text") or out.get("data", {}).get("text/plain", ""))
        return _ANSI.sub("", "\n".join(parts))


class Kernel:
    def __init__(self) -> None:
        self.km, self.kc = jupyter_client.manager.start_new_kernel(kernel_name="python3")

    def run(self, code: str, *, interrupt_after: float | None = None, timeout: float = 20) -> Ran:
        """Run a cell; press ■ ``interrupt_after`` seconds after sending it."""
        msg_id = self.kc.execute(code)
        sent = time.monotonic()
        interrupted: float | None = None
        outputs: list[dict] = []
        while time.monotonic() - sent < timeout:
            if interrupt_after is not None and interrupted is None and time.monotonic() - sent > interrupt_after:
                self.km.interrupt_kernel()
                interrupted = time.monotonic()
            try:
                msg = self.kc.get_iopub_msg(timeout=0.05)
            except Empty:
                continue
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind in ("stream", "error", "execute_result", "display_data"):
                outputs.append(content)
            elif kind == "status" and content["execution_state"] == "idle":
                reply = self.kc.get_shell_msg(timeout=5)
                while reply["parent_header"].get("msg_id") != msg_id:
                    reply = self.kc.get_shell_msg(timeout=5)
                stop = time.monotonic() - interrupted if interrupted is not None else None
                return Ran(reply["content"]["status"], outputs, stop)
        raise AssertionError(f"still busy after {timeout} s: {code!r}")

    def value(self, expression: str) -> object:
        ran = self.run(f"print(repr({expression}))")
        assert ran.status == "ok", ran.text
        return eval(ran.text)  # noqa: S307 - a repr this test printed

    def shutdown(self) -> None:
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)


@pytest.fixture(scope="module")
def kernel():
    k = Kernel()
    assert k.run("import asyncio, threading, time\nimport helpers").status == "ok"
    yield k
    k.shutdown()


def test_every_kernel_of_the_environment_loads_the_extension(kernel):
    config = Path(sys.prefix) / "etc" / "ipython" / "ipython_kernel_config.json"
    assert json.loads(config.read_text())["InteractiveShellApp"]["extensions"] == ["helpers"], (
        "install ./kernel-config (make setup does)"
    )
    assert "helpers" in kernel.value("sorted(get_ipython().extension_manager.loaded)")
    assert kernel.run("%%timeline --text\nawait asyncio.sleep(1)").status == "ok"


@pytest.mark.parametrize("wait", ["asyncio.sleep(3600)", "asyncio.Event().wait()"])
def test_stop_button_ends_a_cell_stuck_in_a_top_level_await(kernel, wait):
    stuck = kernel.run(f"await {wait}", interrupt_after=0.5)
    assert stuck.stop_seconds is not None and stuck.stop_seconds < STOP_WITHIN
    assert stuck.status == "error"
    assert "CancelledError: interrupted (■)" in stuck.text
    assert "asyncio" not in stuck.text.replace(f"await {wait}", ""), f"library frames shown:\n{stuck.text}"
    after = kernel.run("1 + 1")
    assert after.status == "ok" and after.text == "2", "the next cell must run normally"


def test_stop_button_ends_a_top_level_await_cell_that_blocks_the_loop(kernel):
    stuck = kernel.run("await asyncio.sleep(0)\ntime.sleep(3600)", interrupt_after=0.5)
    assert stuck.stop_seconds is not None and stuck.stop_seconds < STOP_WITHIN
    assert "KeyboardInterrupt" in stuck.text
    assert kernel.run("2 + 2").text == "4"


def test_stop_button_cancels_a_spinning_task_the_cell_awaits(kernel):
    code = "async def spin():\n    while True:\n        pass\n\nawait asyncio.create_task(spin())"
    stuck = kernel.run(code, interrupt_after=0.5)
    assert stuck.stop_seconds is not None and stuck.stop_seconds < STOP_WITHIN
    assert "CancelledError: interrupted (■): this task was cancelled where it was running" in stuck.text
    assert kernel.run("3 + 3").text == "6"


def test_stop_button_ends_a_spinning_traced_program_and_its_thread(kernel):
    kernel.run("async def spin():\n    while True:\n        pass")
    stuck = kernel.run("helpers.trace(spin())", interrupt_after=0.5)
    assert stuck.stop_seconds is not None and stuck.stop_seconds < STOP_WITHIN
    assert "KeyboardInterrupt" in stuck.text
    assert "_run.py" not in stuck.text
    assert kernel.value("[t.name for t in threading.enumerate() if t.name == 'helpers-trace']") == []
    assert kernel.value("helpers._loop.virtual_sleep_installed()") is False
    assert kernel.run("helpers.trace(asyncio.sleep(1)).duration").text == "1.0"


def test_errors_show_the_learners_frames_and_message_without_helpers_internals(kernel):
    kernel.run(
        "async def stub():\n"
        "    raise NotImplementedError('Student exercise')\n\n"
        "async def main():\n"
        "    await asyncio.gather(stub(), asyncio.sleep(1))"
    )
    failed = kernel.run("timeline = helpers.trace(main())")
    assert failed.status == "error"
    text = failed.text
    assert "_run.py" not in text and "base_events.py" not in text and "threading.py" not in text, text
    assert text.index("helpers.trace(main())") < text.index("await asyncio.gather") < text.index("raise NotImpl")
    assert text.rstrip().endswith("NotImplementedError: Student exercise")
    assert len(text.splitlines()) < 25, text


def test_a_failed_check_shows_the_test_line_then_the_message(kernel):
    kernel.run(
        "from helpers import checks\n\n"
        "async def one_after_the_other():\n"
        "    await asyncio.sleep(1)\n"
        "    await asyncio.sleep(1)"
    )
    failed = kernel.run("checks.took_about(checks.run(one_after_the_other()), 1.0)")
    text = failed.text
    assert "checks.py" not in text and "def took_about" not in text, text
    lines = [line for line in text.splitlines() if line.strip() and not set(line) <= {"-"}]
    assert "CheckFailed" in lines[0] or "AssertionError" in lines[0], lines[0]
    assert "checks.took_about(" in text
    assert len(lines) < 8, text


def test_errors_without_helpers_frames_keep_their_whole_traceback(kernel):
    failed = kernel.run("import json\njson.loads('{')")
    assert "decoder.py" in failed.text, "a traceback through the standard library alone is left as IPython shows it"


def test_an_error_in_a_timeline_cell_shows_the_cells_own_lines(kernel):
    failed = kernel.run("%%timeline\nawait asyncio.sleep(1)\n1 / 0")
    assert "----> 2 1 / 0" in failed.text, failed.text
    assert "_magic.py" not in failed.text and "Could not get source" not in failed.text


def test_an_error_raised_from_none_over_an_exception_group_is_shown_as_an_error(kernel):
    """Checks re-raise ``from None`` over an ExceptionGroup; IPython would print the hidden group to stderr."""
    code = (
        "try:\n    raise ExceptionGroup('g', [ValueError('v')])\n"
        "except ExceptionGroup:\n    raise AssertionError('a') from None"
    )
    failed = kernel.run(code)
    assert [out.get("ename") for out in failed.outputs] == ["AssertionError"]
    assert "ExceptionGroup" not in failed.text.replace("except ExceptionGroup", "").replace("raise ExceptionGroup", "")
