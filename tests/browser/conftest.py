"""Fixtures of the browser tests: one JupyterLab server and one Chromium per session,
and the notebook under test kept open while the tests of that notebook run.

The tests run only with ``KPATH_BROWSER_TESTS=1``; otherwise (and without Chromium or
Playwright) the test module skips itself and the summary says how to enable it.
"""

from __future__ import annotations

import shutil
from typing import Iterator

import pytest

from browserlab import (ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, VIEWPORT, Lab, NotebookPage,
                        unavailable)


def pytest_terminal_summary(terminalreporter, exitstatus, config: pytest.Config) -> None:
    """The one line that says why the browser tests did not run, unless -rs showed it."""
    reason = unavailable()
    shown = {"s", "a", "A"} & set(config.option.reportchars or "")
    if reason is not None and not shown and terminalreporter.stats.get("skipped"):
        terminalreporter.write_line(reason)


@pytest.fixture(scope="session")
def lab() -> Iterator[Lab]:
    """A JupyterLab server over a temporary copy of the notebooks."""
    server = Lab()
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's headless Chromium, driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                              args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def artifacts() -> object:
    """artifacts/browser, emptied once per session."""
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    return ARTIFACTS


class OpenNotebooks:
    """Opens a notebook in JupyterLab and runs it all, once; keeps it open while the
    next tests ask for the same notebook, and closes it (and ends its kernel) when
    one asks for another."""

    def __init__(self, lab: Lab, browser: object) -> None:
        self.lab, self.browser = lab, browser
        self.path: str | None = None
        self.notebook: NotebookPage | None = None
        self.context = None
        self.ran: dict | None = None

    def get(self, name: str) -> NotebookPage:
        path = f"notebooks/{name}"
        if path != self.path:
            self.close()
            self.context = self.browser.new_context(viewport=VIEWPORT)
            self.path = path
            self.notebook = NotebookPage(self.lab, self.context.new_page(), path)
            # A workspace of its own, reset: exactly this notebook is open.
            self.notebook.open(f"/lab/workspaces/{name.split('-')[0]}/tree/{path}?reset")
            # No file browser: the notebook gets the page's width.
            self.notebook.page.evaluate("() => window.jupyterapp.shell.collapseLeft()")
            self.notebook.page.evaluate("() => window.jupyterapp.commands.execute("
                                        "'notebook:clear-all-cell-outputs')")
            self.ran = self.notebook.run_all()
        return self.notebook

    def close(self) -> None:
        if self.context is not None:
            self.context.close()
            self.lab.shutdown_kernels()
        self.context = self.notebook = self.path = self.ran = None


@pytest.fixture(scope="session")
def notebooks(lab: Lab, browser: object) -> Iterator[OpenNotebooks]:
    """``notebooks.get("00-start-here.ipynb")``: that notebook open in JupyterLab, run."""
    opened = OpenNotebooks(lab, browser)
    try:
        yield opened
    finally:
        opened.close()
