"""The browser suite's fixtures (the driver itself is ``labsession.py``).

- ``lab_server``, ``browser`` and ``lab_page``, one each per session: the server, Chromium driven by Playwright, and
  JupyterLab loaded once (a load takes 5-10 s); tests open notebooks in tabs through ``window.jupyterapp``.
- ``page``: that page for one test; afterwards every tab is closed and its kernel shut down, and the test fails on a
  page error or an unknown console error. ``open_notebook(path)`` gives a ``Notebook`` shown with an idle kernel.

Keep the suite in one file: ``make test`` runs two xdist workers with ``--dist loadfile``, which gives a whole file
to one worker, so two browsers never run at once. ``make test`` installs Chromium where it can.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pytest
from labsession import (
    CHROMIUM_FLAGS,
    LabServer,
    Notebook,
    PageErrors,
    close_all_tabs,
    load_lab,
    require_chromium,
    run_lab_server,
)

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page


@pytest.fixture(scope="module")
def chromium() -> str:
    return require_chromium()


@pytest.fixture(scope="module")
def lab_server(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    with run_lab_server(tmp_path_factory.mktemp("jupyterlab")) as server:
        yield server


@pytest.fixture(scope="module")
def browser(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        context = playwright.chromium.launch_persistent_context(
            tmp_path_factory.mktemp("chromium-profile"),
            executable_path=chromium,
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1400, "height": 1000},
        )
        yield context
        context.close()
    finally:
        playwright.stop()


@pytest.fixture(scope="module")
def lab_page(lab_server: LabServer, browser: BrowserContext) -> Iterator[Page]:
    """JupyterLab, loaded once for the suite (one file; a load takes 5-10 s of its 2 minutes)."""
    lab_server.wait_ready()  # started before Chromium, so that the two start together
    page = browser.new_page()
    page.errors = PageErrors()
    page.errors.watch(page)
    page.ready_seconds = load_lab(page, lab_server)
    yield page
    page.close()


@pytest.fixture
def page(lab_page: Page, lab_server: LabServer) -> Iterator[Page]:
    """The session's JupyterLab page; the test fails if the page reports an error while it runs. Afterwards every
    tab is closed and its kernel shut down."""
    lab_page.errors.clear()
    yield lab_page
    lab_page.keyboard.press("Escape")  # a dialog or menu a failed test left open
    close_all_tabs(lab_page)
    lab_server.shut_down_kernels()
    assert not lab_page.errors, "the page reported errors:\n" + "\n".join(lab_page.errors)


@pytest.fixture
def open_notebook(page: Page) -> Callable[[str], Notebook]:
    """``open_notebook("notebooks/00-start-here/00-start-here.ipynb")``: the notebook, shown with an idle kernel."""
    return lambda path: Notebook(page, path)
