"""Every notebook and widget in a real browser: JupyterLab, Notebook 7, headless Chromium.

nbval runs the notebooks' code but no JavaScript: a widget that fails to display, an
image that does not render, or an observer that raises only when a slider moves is
seen here alone. For each notebook: Run All in JupyterLab, then no error or stderr
output, no "Error displaying widget", at least the images it is known to draw, and
screenshots in artifacts/browser/. Then the explorers are driven the way a reader
drives them (dropdown, slider, play button; create and delete in the IPAM explorer)
and each interaction must change what it should. Last, Notebook 7 opens notebook 00
without asking for a kernel and shows the explorer.

Runs when Debian's chromium and playwright are present; KPATH_BROWSER_TESTS=1 makes it
required (CI), KPATH_BROWSER_TESTS=0 turns it off.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Iterator

import pytest

from browserlab import (ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, ENABLE, REPO, VIEWPORT, WIDGET_TIMEOUT,
                        Lab, NotebookPage, missing, required, unavailable, wait_for)
from latency import measure, summary

if unavailable() is not None:
    if required():
        pytest.fail(f"{ENABLE}=1 asks for the browser tests, but they cannot run: "
                    f"{missing()}", pytrace=False)
    pytest.skip(unavailable(), allow_module_level=True)


# -- one JupyterLab and one Chromium per session; the notebook under test kept open -----

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


# -- the tests ------------------------------------------------------------------------

NOTEBOOKS = sorted(p.name for p in (REPO / "notebooks").glob("[0-9][0-9]-*.ipynb"))

# Output images each notebook draws at least (matplotlib figures and widget images).
MIN_IMAGES = {
    "00": 2, "01": 4, "02": 7, "03": 11, "04": 4, "05": 2, "06": 4, "07": 7, "08": 7,
}

PLAY_WAIT = 2.5   # seconds of playing; the explorer advances one hop every 1.2 s


def test_every_notebook_is_checked() -> None:
    assert [name[:2] for name in NOTEBOOKS] == sorted(MIN_IMAGES)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_clean(name: str, notebooks, artifacts: Path) -> None:
    nb = notebooks.get(name)
    assert notebooks.ran["code"] > 0
    shots = nb.screenshots(artifacts / Path(name).stem)
    assert shots
    assert nb.problems() == []
    images = nb.images()
    assert images["broken"] == 0, f"{images['broken']} images failed to load"
    assert images["loaded"] >= MIN_IMAGES[name[:2]], images
    widget_errors = [line for line in nb.console if "widget" in line.lower()]
    assert widget_errors == []


# -- the explorers -------------------------------------------------------------------

# What one explorer shows, read from its DOM: the children of the Explorer VBox are
# the dropdown row, the play/slider row, status, image, packet, tables, hop table.
EXPLORER_STATE = """(root) => {
    const html = [...root.querySelectorAll(':scope > .widget-html')].map(h => h.innerText);
    const img = root.querySelector(':scope > img');
    return {
        img: img ? img.src : null,
        imgLoaded: img ? img.complete && img.naturalWidth > 0 : false,
        from: root.querySelectorAll('.widget-dropdown select')[0].value,
        to: root.querySelectorAll('.widget-dropdown select')[1].value,
        options: [...root.querySelectorAll('.widget-dropdown select')[1].options]
            .map(o => o.value),
        hop: Number(root.querySelector('.widget-slider .widget-readout').innerText),
        status: html[0], packet: html[1], tables: html[2], hopTable: html[3],
    }; }"""


def explorer_state(root) -> dict:
    return root.evaluate(EXPLORER_STATE)


def until(root, read, done, what: str) -> dict:
    """Wait until ``done(read(root))`` holds with the image loaded; that state.
    The AssertionError of a timeout shows the last state seen."""
    seen = []

    def probe():
        seen[:] = [read(root)]
        return seen[0] if seen[0]["imgLoaded"] and done(seen[0]) else None
    try:
        return wait_for(what, probe, WIDGET_TIMEOUT)
    except AssertionError as exc:
        last = {k: (v[:300] if isinstance(v, str) else v) for k, v in seen[0].items()}
        raise AssertionError(f"{exc}\nlast state: {last}") from None


def wait_change(root, before: dict, keys: tuple[str, ...], what: str) -> dict:
    """Wait until the explorer shows a hop whole (its packet view names the slider's hop)
    and every one of ``keys`` differs from ``before``."""
    return until(root, explorer_state, lambda s: s["packet"].startswith(f"hop {s['hop']} ")
                 and all(s[k] != before[k] for k in keys), what)


def set_hop(nb: NotebookPage, root, value: int) -> None:
    """Type ``value`` into the hop slider's readout, as a reader can."""
    readout = root.locator(".widget-slider .widget-readout").first
    readout.click()
    nb.page.keyboard.press("Control+A")
    nb.page.keyboard.type(str(value))
    nb.page.keyboard.press("Enter")


def drive_explorer(nb: NotebookPage, root, new_to: str, artifacts: Path, prefix: str) -> None:
    shot = artifacts / "widgets"
    shot.mkdir(exist_ok=True)
    start = until(root, explorer_state, lambda s: s["packet"].startswith("hop 0 "),
                  "the explorer to show hop 0")
    assert new_to in start["options"], f"{new_to} not among {start['options']}"
    root.screenshot(path=str(shot / f"{prefix}-0-initial.png"))

    # The hop slider, by its readout: image, packet and tables follow.
    set_hop(nb, root, 3)
    at3 = wait_change(root, start, ("img", "packet", "tables", "hop"),
                      "image, packet view and table view to follow the slider to hop 3")
    assert at3["hop"] == 3
    assert at3["status"] == start["status"]
    root.screenshot(path=str(shot / f"{prefix}-1-hop3.png"))

    # The slider by keyboard: one step right.
    root.locator(".widget-slider .noUi-handle").first.focus()
    nb.page.keyboard.press("ArrowRight")
    at4 = wait_change(root, at3, ("img", "packet", "hop"),
                      "the slider to move one hop with the arrow key")
    assert at4["hop"] == 4

    # Another destination: a new trace, from hop 0.
    root.locator(".widget-dropdown select").nth(1).select_option(new_to)
    moved = wait_change(root, at4, ("img", "status", "hopTable", "to"),
                        f"image, status and hop table to follow the destination {new_to}")
    assert moved["to"] == new_to and moved["hop"] == 0
    root.screenshot(path=str(shot / f"{prefix}-2-to-{new_to}.png"))

    # Play: the hop advances by itself.
    before = explorer_state(root)
    root.locator(".widget-play button").first.click()
    time.sleep(PLAY_WAIT)
    played = wait_for("the play button to advance the hop",
                      lambda: (lambda s: s if s["hop"] > before["hop"] else None)(
                          explorer_state(root)), WIDGET_TIMEOUT)
    root.locator(".widget-play button:has(.fa-pause)").first.click()
    assert played["hop"] >= 1
    root.screenshot(path=str(shot / f"{prefix}-3-played.png"))
    assert nb.problems() == []


def test_traditional_explorer(notebooks, artifacts: Path) -> None:
    nb = notebooks.get("00-start-here.ipynb")
    root = nb.mark_cell("kp.explore(", "explorer")
    drive_explorer(nb, root, "house-15", artifacts, "00-explorer")


def test_traditional_explorer_latency(notebooks, artifacts: Path) -> None:
    nb = notebooks.get("00-start-here.ipynb")
    record_latency(nb, "home network (00, seed-neighborhoods)", "house-14", artifacts)


def test_cluster_explorer(notebooks, artifacts: Path) -> None:
    nb = notebooks.get("07-across-nodes-vxlan.ipynb")
    root = nb.mark_cell("kp.explore(", "explorer")
    drive_explorer(nb, root, "apartment-14", artifacts, "07-explorer")


def test_cluster_explorer_latency(notebooks, artifacts: Path) -> None:
    nb = notebooks.get("07-across-nodes-vxlan.ipynb")
    record_latency(nb, "cluster (07, seed-cilium-buildings)", None, artifacts)


# -- how long the explorers make the reader wait (a benchmark: recorded, not asserted) --

LATENCY = "explorer-latency.json"
LATENCY_SEED = 16
HOP_STEPS, DST_CHANGES = 40, 24


def record_latency(nb: NotebookPage, label: str, src: str | None, artifacts: Path) -> None:
    """Time hop steps and destination changes of the notebook's explorer (see
    latency.py) and add the samples and their summary to artifacts/browser/"""
    root = nb.mark_cell("kp.explore(", "explorer")
    start = until(root, explorer_state, lambda s: s["packet"].startswith(f"hop {s['hop']} "),
                  "the explorer to show a hop")
    src = src or start["from"]
    assert start["from"] == src

    def settled() -> bool:
        state = explorer_state(root)
        return state["imgLoaded"] and state["packet"].startswith(f"hop {state['hop']} ")

    result = measure(nb.page, root, "latency", src=src, seed=LATENCY_SEED,
                     hop_steps=HOP_STEPS, dst_changes=DST_CHANGES, settled=settled,
                     wait=wait_for, timeout=WIDGET_TIMEOUT)
    assert len(result["samples"]) == HOP_STEPS + DST_CHANGES
    path = artifacts / LATENCY
    recorded = json.loads(path.read_text()) if path.exists() else {}
    recorded[label] = {"summary": summary(result["samples"]), **result}
    path.write_text(json.dumps(recorded, indent=1))
    assert nb.problems() == []


# -- the IPAM explorer ---------------------------------------------------------------

IPAM_STATE = """(root) => {
    const html = [...root.querySelectorAll(':scope > .widget-html')];
    const img = root.querySelector(':scope > img');
    const panel = html[1] ? html[1].querySelector('.widget-html-content') : null;
    const lines = (sel) => panel ? [...panel.querySelectorAll(sel)].map(d => d.innerText) : [];
    return {
        img: img ? img.src : null,
        imgLoaded: img ? img.complete && img.naturalWidth > 0 : false,
        message: html[0] ? html[0].innerText : '',
        warnings: html[0] ? html[0].querySelectorAll('div[style*="FEF3C7"]').length : 0,
        added: lines('div[style*="DDF4E4"]'),
        removed: lines('div[style*="line-through"]'),
        name: root.querySelector('input[type=text]').value,
        pods: [...root.querySelectorAll('select')].map(s => [...s.options].map(o => o.value)),
    }; }"""


def ipam_state(root) -> dict:
    return root.evaluate(IPAM_STATE)


def test_ipam_explorer(notebooks, artifacts: Path) -> None:
    nb = notebooks.get("05-cni-and-ipam.ipynb")
    root = nb.mark_cell("kp.explore_ipam(", "ipam")
    shot = artifacts / "widgets"
    shot.mkdir(exist_ok=True)
    start = ipam_state(root)
    assert start["imgLoaded"] and start["warnings"] == 0, start
    root.screenshot(path=str(shot / "05-ipam-0-initial.png"))
    name = start["name"]

    root.locator("button", has_text="create pod").click()
    created = until(root, ipam_state, lambda s: s["img"] != start["img"] and any(
        name in line for line in s["added"]), f"the image and the panel to show {name} added")
    assert all(line.startswith("+") for line in created["added"]), created["added"]
    assert name in created["message"] and created["warnings"] == 0
    root.screenshot(path=str(shot / "05-ipam-1-created.png"))

    text = root.locator("input[type=text]").first
    text.fill(name)
    text.press("Enter")
    root.locator("button", has_text="create pod").click()
    # Refused: a warning, and the marks of the creation go (the image is redrawn).
    refused = until(root, ipam_state, lambda s: s["warnings"] and s["img"] != created["img"]
                    and not s["added"] and not s["removed"],
                    "a warning box for the name taken, the marks of the last action gone")
    assert "already exists" in refused["message"], refused["message"]
    root.screenshot(path=str(shot / "05-ipam-2-name-taken.png"))

    root.locator("select").nth(2).select_option(name)
    root.locator("button", has_text="delete pod").click()
    deleted = until(root, ipam_state, lambda s: s["img"] != refused["img"] and any(
        name in line for line in s["removed"]), f"the image and the panel to show {name} gone")
    assert all(line.startswith("−") for line in deleted["removed"]), deleted["removed"]
    assert deleted["warnings"] == 0 and "deleted" in deleted["message"]
    root.screenshot(path=str(shot / "05-ipam-3-deleted.png"))
    assert nb.problems() == []


# -- Notebook 7 ------------------------------------------------------------------------

def test_notebook7_runs_start_here(lab, browser, artifacts: Path) -> None:
    lab.shutdown_kernels()
    context = browser.new_context(viewport=VIEWPORT)
    try:
        path = "notebooks/00-start-here.ipynb"
        nb = NotebookPage(lab, context.new_page(), path)
        nb.page.goto(lab.url(f"/notebooks/{path}"))
        dialogs = []

        def idle_without_dialog():
            if nb.page.locator(".jp-Dialog").count():
                dialogs.append(nb.page.locator(".jp-Dialog").first.inner_text())
                return True
            return (nb.status() or {}).get("kernel") == "idle"

        wait_for("Notebook 7 to start the kernel", idle_without_dialog, 90)
        assert dialogs == [], f"Notebook 7 asked: {dialogs}"
        nb.run_all()
        assert nb.problems() == []
        root = nb.mark_cell("kp.explore(", "explorer")
        state = explorer_state(root)
        assert state["imgLoaded"] and "delivered" in state["status"], state
        nb.page.screenshot(path=str(artifacts / "notebook7-00-explorer.png"))
    finally:
        context.close()
        lab.shutdown_kernels()
