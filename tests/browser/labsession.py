"""Drive the course's JupyterLab in Chromium: a throwaway server, the page, a notebook as a learner uses it.

- ``run_lab_server(folder)``: ``python -m jupyterlab --port=0`` in a copy of the course, with its own runtime, config,
  data, settings, workspace and IPython folders and gradebook, so that nothing of the user's or of the repository is
  read or written; the port and token come from the server's ``jpserver-<pid>.json``.
- ``require_chromium()``: the Chromium from the system (``playwright install`` downloads a browser of its own, which
  this course never does). Without one, the calling test module is skipped with a message saying how to install
  it; on CI (``CI`` set) collection fails instead, so that a CI run never passes without it.
- ``Notebook``: one notebook in a tab, driven through menus, toolbar buttons and the keyboard.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import nbformat
import pytest

if TYPE_CHECKING:
    from playwright.sync_api import ConsoleMessage, Locator, Page

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "pipeline"))  # submission.py builds the hanging student's notebook
from submission import FIXTURES, Fixture, build  # noqa: E402

CHROMIUM_CANDIDATES = ["/usr/lib/chromium/chromium", "/usr/bin/chromium", "chromium", "chromium-browser"]
NEED_CHROMIUM = (
    "the browser tests (tests/browser) need Chromium: install it with `sudo apt-get install chromium`"
    " (Debian, Ubuntu), or point CHROMIUM at a Chromium or Chrome executable"
)
# headless as root in a container: no sandbox (it needs user namespaces), no GPU, no network chatter of its own
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
SERVER_START_LIMIT = 60  # seconds; the server answers in about 3 s on 2 busy cores


def find_chromium() -> str | None:
    """The Chromium to drive: ``$CHROMIUM`` if set (and only that one), else Debian's, else one on PATH."""
    candidates = [os.environ["CHROMIUM"]] if os.environ.get("CHROMIUM") else CHROMIUM_CANDIDATES
    return next(filter(None, map(shutil.which, candidates)), None)


def require_chromium() -> str:
    """The Chromium to drive; called where a test module starts, so that a missing one skips the module as one."""
    path = find_chromium()
    if path is None and os.environ.get("CI"):
        pytest.fail(f"CI must run the browser suite, but {NEED_CHROMIUM}")
    if path is None:
        pytest.skip(f"skipped: {NEED_CHROMIUM}", allow_module_level=True)
    return path


def _course(folder: Path) -> Path:
    """A copy of the course to serve: the notebooks the tests open, their sources, and a hanging student."""
    course = folder / "course"
    course.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", course)
    for assignment in ["00-start-here", "03-tasks"]:
        shutil.copytree(ROOT / "notebooks" / assignment, course / "notebooks" / assignment)
        shutil.copytree(ROOT / "solutions" / assignment, course / "solutions" / assignment)
    hanging = build("00-start-here", Fixture.read(FIXTURES / "00-start-here" / "hang-await-forever-cell.py"))
    (course / "hanging").mkdir()
    nbformat.write(hanging, course / "hanging" / "00-start-here.ipynb")
    (course / "scratch").mkdir()
    return course


def _settings(folder: Path) -> Path:
    """User settings: no "get notified about Jupyter news" pop-up over the notebook."""
    settings = folder / "settings"
    notification = settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    notification.parent.mkdir(parents=True)
    notification.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    return settings


def _wait_for_server(runtime: Path, process: subprocess.Popen) -> dict:
    """The server's ``jpserver-<pid>.json`` once the server answers on the port it names."""
    info_file = runtime / f"jpserver-{process.pid}.json"
    deadline = time.monotonic() + SERVER_START_LIMIT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = (runtime.parent / "server.log").read_text()[-3000:]
            raise RuntimeError(f"jupyter lab exited with {process.returncode} before serving:\n{log}")
        if info_file.exists():
            info = json.loads(info_file.read_text())
            try:
                urllib.request.urlopen(f"{info['url']}api/status?token={info['token']}", timeout=5)
            except OSError:
                pass
            else:
                return info
        time.sleep(0.2)
    raise RuntimeError(f"jupyter lab did not answer within {SERVER_START_LIMIT} s")


class LabServer:
    """A JupyterLab server: its course folder, and once ``wait_ready()`` returned, its base URL, token and a small
    REST client."""

    def __init__(self, process: subprocess.Popen, runtime: Path, course: Path) -> None:
        self.process = process
        self.runtime = runtime
        self.course = course

    def wait_ready(self) -> None:
        """Wait until the server answers (it starts while Chromium does)."""
        if not hasattr(self, "url"):
            info = _wait_for_server(self.runtime, self.process)
            self.url, self.token = info["url"], info["token"]

    def api(self, path: str, method: str = "GET") -> object:
        request = urllib.request.Request(f"{self.url}api/{path}", method=method)
        request.add_header("Authorization", f"token {self.token}")
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def shut_down_kernels(self) -> None:
        for kernel in self.api("kernels"):
            self.api(f"kernels/{kernel['id']}", method="DELETE")


@contextlib.contextmanager
def run_lab_server(folder: Path) -> Iterator[LabServer]:
    """Serve a fresh copy of the course from ``folder`` until the block ends, then stop the server and its kernels.

    The server is starting when the block begins: call its ``wait_ready()``. Its log is ``folder/server.log``."""
    course = _course(folder)
    config = folder / "config"
    config.mkdir()
    (folder / "exchange").mkdir()  # the Formgrader page fails without an exchange folder
    (config / "nbgrader_config.py").write_text(f"c.Exchange.root = {str(folder / 'exchange')!r}\n")
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",  # what `make lab` does
        "JUPYTER_RUNTIME_DIR": str(folder / "runtime"),
        "JUPYTER_CONFIG_DIR": str(config),
        "JUPYTER_DATA_DIR": str(folder / "data"),
        "JUPYTERLAB_SETTINGS_DIR": str(_settings(folder)),
        "JUPYTERLAB_WORKSPACES_DIR": str(folder / "workspaces"),
        "IPYTHONDIR": str(folder / "ipython"),
        "ASYNCIO_COURSE_GRADEBOOK": str(folder / "gradebook.db"),
        "PYTHONWARNINGS": "ignore",
    }
    command = [sys.executable, "-m", "jupyterlab", "--port=0", "--no-browser", f"--ServerApp.root_dir={course}"]
    command.append("--LabApp.expose_app_in_browser=True")  # window.jupyterapp: open and close tabs without reloading
    if os.geteuid() == 0:
        command.append("--allow-root")
    log = folder / "server.log"
    with log.open("w") as log_file:
        # a session of its own: whatever the server started (kernels, a Validate run) can be stopped with it
        process = subprocess.Popen(
            command, cwd=course, env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield LabServer(process, folder / "runtime", course)
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:  # busy in a synchronous handler (nbgrader's Validate runs in the server)
            pass
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


# Console errors seen and understood, each with where it comes from; any other error fails the test.
KNOWN_CONSOLE_ERRORS = [
    # nbgrader 0.9.6: closing a notebook while the Create assignment panel shows it (the tab closes all the same)
    re.compile(r"^TypeError: Cannot read properties of null \(reading 'model'\)\s+at \S+ \(\S+/@jupyter/nbgrader/"),
    # JupyterLab's debugger: a tab closed (its kernel shut down) before the kernel answered the debugger's request
    re.compile(r"^Could not restore the debugger state: Canceled future for debug_request message"),
]


class PageErrors(list):
    """Uncaught page errors and console errors, as text, except the known ones."""

    def watch(self, page: Page) -> None:
        page.on("pageerror", lambda error: self.append(f"page error: {error}"))
        page.on("console", self._console)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error" and not any(known.search(message.text) for known in KNOWN_CONSOLE_ERRORS):
            self.append(f"console error: {message.text}")


def load_lab(page: Page, server: LabServer) -> float:
    """Load JupyterLab in a fresh workspace; the seconds until its layout is restored."""
    start = time.monotonic()
    server.wait_ready()
    page.goto(f"{server.url}lab?reset&token={server.token}")
    page.wait_for_function("() => window.jupyterapp !== undefined", timeout=60_000)
    page.evaluate("() => window.jupyterapp.restored")
    return time.monotonic() - start


def close_all_tabs(page: Page) -> None:
    """Close every tab of the main area without saving, shutting down the notebooks' kernels."""
    page.evaluate(
        """async () => {
            for (const widget of [...window.jupyterapp.shell.widgets('main')]) {
                if (widget.context) widget.context.model.dirty = false;  // no "save your work?" dialog
                if (widget.sessionContext) await widget.sessionContext.shutdown();
                widget.dispose();
            }
        }"""
    )


class Notebook:
    """One notebook open in JupyterLab, driven as a learner does: menus, toolbar buttons and the keyboard."""

    def __init__(self, page: Page, path: str) -> None:
        self.page = page
        self.path = path
        self.ready_seconds = self._open()
        self.panel = page.locator(f"[id='{self.widget_id}']")

    def _open(self) -> float:
        """Open the notebook in a tab; the seconds until it is shown with an idle kernel."""
        start = time.monotonic()
        self.widget_id = self.page.evaluate(
            """async path => {
                const widget = await window.jupyterapp.commands.execute('docmanager:open', {path});
                await widget.context.ready;
                await widget.sessionContext.ready;
                return widget.id;
            }""",
            self.path,
        )
        self.wait_idle(60)  # the toolbar says idle before a kernel exists: wait for the status bar too
        return time.monotonic() - start

    def wait_idle(self, timeout: float = 30) -> float:
        """Wait until the kernel is idle and no cell waits to run; the seconds it took."""
        start = time.monotonic()
        self.page.wait_for_function(
            """id => {
                const status = [...document.querySelectorAll('#jp-main-statusbar .jp-StatusBar-TextItem')];
                const prompts = [...document.getElementById(id).querySelectorAll('.jp-InputArea-prompt')];
                return status.some(s => s.textContent.includes('| Idle'))
                    && !prompts.some(p => p.textContent.includes('*'));
            }""",
            arg=self.widget_id,
            timeout=timeout * 1000,
            polling=50,
        )
        return time.monotonic() - start

    def cell(self, index: int) -> Locator:
        """The cell at ``index`` (0-based, as in the .ipynb file)."""
        return self.panel.locator(f'.jp-Notebook-cell[data-windowed-list-index="{index}"]')

    def output(self, index: int) -> Locator:
        return self.cell(index).locator(".jp-OutputArea")

    def menu(self, menu: str, item: str) -> None:
        """Click ``item`` in the main menu ``menu`` (menu items carry no command name: find them by label)."""
        self.page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{re.escape(menu)}$")).click()
        self.page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{re.escape(item)}$")).click()

    def run_cell(self, index: int) -> None:
        """Put the cursor in the cell and press Shift+Enter."""
        self.cell(index).locator(".cm-content").click()
        self.page.keyboard.press("Shift+Enter")

    def type_into(self, index: int, lines: list[str]) -> str:
        """Replace the cell's code by typing ``lines``, each without its indentation: the editor indents after
        a colon as it does for a learner. Returns the cell's code as the editor has it."""
        editor = self.cell(index).locator(".cm-content")
        editor.click()
        self.page.keyboard.press("ControlOrMeta+a")
        for number, line in enumerate(lines):
            if number:
                self.page.keyboard.press("Enter")
            self.page.keyboard.type(line)
        return editor.inner_text()

    def button(self, name: str) -> Locator:
        """A button of the notebook's toolbar, by its label or its command name (the ■ is ``interrupt-kernel``)."""
        toolbar = self.panel.locator(".jp-NotebookPanel-toolbar")
        if ":" in name:
            return toolbar.locator(f'[data-command="{name}"]')
        return toolbar.get_by_role("button", name=name, exact=True)

    def validate(self, timeout: float = 60) -> tuple[str, float]:
        """Click Validate; the text of the dialog that answers, and the seconds it took to appear."""
        start = time.monotonic()
        self.button("Validate").click()
        dialog = self.page.locator(".jp-Dialog-content")
        dialog.wait_for(timeout=timeout * 1000)
        seconds = time.monotonic() - start
        text = dialog.inner_text()
        dialog.locator(".jp-Dialog-button.jp-mod-accept").click()
        return text, seconds
