"""JupyterLab and a headless Chromium for the browser tests, and what they look for.

The suite runs wherever Debian's Chromium and Playwright are present; :func:`unavailable`
says in one line why it does not run, and with ``KPATH_BROWSER_TESTS=1`` (as CI sets
it) a missing browser fails the run instead. Playwright is
imported only once the suite runs, so this module imports anywhere.

:class:`Lab` runs one JupyterLab server on a free port of 127.0.0.1 over a copy
of the notebooks in a temporary directory, with its own settings, workspaces and
runtime directories: nothing the tests do (running cells, saving, checkpoints)
touches the repository. :class:`NotebookPage` drives one notebook in one browser
page through the JupyterLab application object (``window.jupyterapp``).
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Callable

ENABLE = "KPATH_BROWSER_TESTS"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "artifacts" / "browser"
VIEWPORT = {"width": 1400, "height": 1000}

SERVER_START_TIMEOUT = 60     # seconds until /api/status answers
KERNEL_IDLE_TIMEOUT = 90      # seconds from opening a notebook until its kernel is idle
RUN_ALL_TIMEOUT = 300         # seconds for Run All of one notebook
WIDGET_TIMEOUT = 30           # seconds for a widget to answer one interaction
POLL = 0.1                    # seconds between two looks at the page

# JupyterLab's own settings for the run: no news or update checks (no network, no
# notification toasts over the screenshots), no autosave, every cell in the DOM
# (so that images and outputs far down a notebook can be counted and shown).
SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
        {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}


def missing() -> str | None:
    """What this machine lacks to run the browser tests (one phrase), or None."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} not found (Debian: apt-get install chromium)"
    if importlib.util.find_spec("playwright") is None:
        return "playwright is not installed (pip install -e '.[test]')"
    return None


def unavailable() -> str | None:
    """Why the browser tests do not run here (one line), or None when they run.

    They run when Chromium and Playwright are both present. ``KPATH_BROWSER_TESTS=0``
    turns them off; ``KPATH_BROWSER_TESTS=1`` makes them required, so that a
    missing browser is an error (see :func:`required`) rather than a skip.
    """
    if os.environ.get(ENABLE) == "0":
        return f"browser tests skipped: {ENABLE}=0"
    lack = missing()
    if lack is not None:
        return f"browser tests skipped: {lack}; they run when chromium and playwright are present"
    return None


def required() -> bool:
    """True when the environment asks for the browser tests to run, not merely allows it."""
    return os.environ.get(ENABLE) == "1"


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Lab:
    """One JupyterLab server over a temporary copy of ``notebooks/``.

    Use :meth:`start`, then :meth:`url`; :meth:`stop` shuts the server and its
    kernels down and removes the temporary directory, also after a failed start.
    """

    def __init__(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="kpath-browser-"))
        self.root = self.tmp / "root"
        self.log = self.tmp / "lab.log"
        self.port = free_port()
        self.token = os.urandom(16).hex()
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        shutil.copytree(REPO / "notebooks", self.root / "notebooks",
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "*.pcap"))
        settings = self.tmp / "settings"
        for name, value in SETTINGS.items():
            path = settings / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(value))
        env = dict(os.environ)
        # A kernel started with MPLBACKEND=Agg (as `make test` sets it) draws nothing inline.
        env.pop("MPLBACKEND", None)
        # The kernels import this checkout's kpath_nb, whatever the environment installed.
        env["PYTHONPATH"] = os.pathsep.join(
            [str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])])
        env.update(JUPYTER_CONFIG_DIR=str(self.tmp / "config"),
                   JUPYTER_RUNTIME_DIR=str(self.tmp / "runtime"),
                   IPYTHONDIR=str(self.tmp / "ipython"))
        command = [
            sys.executable, "-m", "jupyterlab", "--no-browser",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0", f"--ServerApp.root_dir={self.root}",
            f"--IdentityProvider.token={self.token}",
            "--LabApp.expose_app_in_browser=True",
            "--JupyterNotebookApp.expose_app_in_browser=True",
            f"--LabApp.workspaces_dir={self.tmp / 'workspaces'}",
            f"--LabApp.user_settings_dir={settings}",
            f"--JupyterNotebookApp.workspaces_dir={self.tmp / 'workspaces'}",
            f"--JupyterNotebookApp.user_settings_dir={settings}",
        ]
        if os.geteuid() == 0:
            command.append("--allow-root")
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(command, cwd=self.root, env=env, stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with {self.proc.returncode}:\n"
                                   f"{self.log_tail()}")
            try:
                self.api("GET", "/api/status")
                return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        raise RuntimeError(f"JupyterLab did not answer within {SERVER_START_TIMEOUT} s:\n"
                           f"{self.log_tail()}")

    def url(self, path: str) -> str:
        """``path`` on the server, with the token."""
        sep = "&" if "?" in path else "?"
        return f"http://127.0.0.1:{self.port}{path}{sep}token={self.token}"

    def api(self, method: str, path: str) -> Any:
        """Call the server's REST API; the decoded JSON answer (None when empty)."""
        request = urllib.request.Request(self.url(path), method=method)
        with urllib.request.urlopen(request, timeout=10) as answer:
            body = answer.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self) -> None:
        """End every session (and so its kernel)."""
        for session in self.api("GET", "/api/sessions"):
            self.api("DELETE", f"/api/sessions/{session['id']}")

    def log_tail(self, lines: int = 40) -> str:
        if not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        """Shut the server and its kernels down; remove the temporary directory."""
        try:
            if self.proc is not None and self.proc.poll() is None:
                try:
                    self.shutdown_kernels()
                    self.api("POST", "/api/shutdown")
                    self.proc.wait(timeout=20)
                except (OSError, urllib.error.URLError, subprocess.TimeoutExpired):
                    pass
                if self.proc.poll() is None:
                    os.killpg(self.proc.pid, signal.SIGTERM)
                    try:
                        self.proc.wait(timeout=10)
                    except subprocess.TimeoutExpired:
                        os.killpg(self.proc.pid, signal.SIGKILL)
                        self.proc.wait(timeout=10)
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)


def wait_for(what: str, probe: Callable[[], Any], timeout: float) -> Any:
    """Poll ``probe`` until it returns something true; that value, or AssertionError
    naming ``what`` and the last value seen."""
    deadline = time.monotonic() + timeout
    while True:
        last = probe()
        if last:
            return last
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout:.0f} s for {what}; last seen: {last!r}")
        time.sleep(POLL)


# JavaScript run in the page. PANEL finds the notebook panel of one path among the
# main area's widgets (JupyterLab and Notebook 7 alike).
PANEL = """(path) => {
    const app = window.jupyterapp;
    if (!app || !app.shell) return null;
    for (const w of app.shell.widgets('main'))
        if (w.context && w.context.path === path && w.content && w.sessionContext) return w;
    return null; }"""

_STATUS = """(path) => { const w = (%s)(path);
    if (!w || !w.sessionContext.session || !w.sessionContext.session.kernel) return null;
    const cells = w.content.model.cells;
    let code = 0, pending = 0;
    for (let i = 0; i < cells.length; i++) {
        const c = cells.get(i);
        if (c.type !== 'code') continue;
        code++;
        if (c.executionCount === null || c.executionState === 'running') pending++;
    }
    const stars = [...w.node.querySelectorAll('.jp-InputPrompt')]
        .filter(p => p.innerText.includes('[*]')).length;
    return {kernel: w.sessionContext.session.kernel.status, code, pending, stars}; }""" % PANEL

_PROBLEMS = """(path) => { const w = (%s)(path);
    const cells = w.content.model.cells, out = [];
    for (let i = 0; i < cells.length; i++) {
        const c = cells.get(i);
        if (c.type !== 'code') continue;
        const head = c.sharedModel.source.split('\\n')[0].slice(0, 60);
        for (const o of c.outputs.toJSON()) {
            if (o.output_type === 'error')
                out.push(`cell ${i} (${head}): ${o.ename}: ${o.evalue}`);
            if (o.output_type === 'stream' && o.name === 'stderr')
                out.push(`cell ${i} (${head}): stderr: ` +
                         (Array.isArray(o.text) ? o.text.join('') : o.text).slice(0, 500));
        }
    }
    w.node.querySelectorAll('.jp-OutputArea-output').forEach(o => {
        const mime = o.getAttribute('data-mime-type') || '';
        if (mime.includes('stderr') || mime.includes('traceback'))
            out.push('rendered ' + mime + ': ' + o.innerText.slice(0, 300));
        if (o.innerText.includes('Error displaying widget'))
            out.push('rendered: ' + o.innerText.slice(0, 300));
    });
    return out; }""" % PANEL

# Widget outputs still waiting for their view: they say "Loading widget..." until the
# widget shows, or "Error displaying widget" (a missing model takes a few seconds).
_UNSETTLED_WIDGETS = """(path) => { const w = (%s)(path);
    return [...w.node.querySelectorAll('.jp-OutputArea-output')]
        .filter(o => o.innerText.includes('Loading widget')).length; }""" % PANEL

_IMAGES = """(path) => { const w = (%s)(path);
    const imgs = [...w.node.querySelectorAll('.jp-OutputArea-output img')];
    return {loaded: imgs.filter(i => i.complete && i.naturalWidth > 0).length,
            broken: imgs.filter(i => i.complete && i.naturalWidth === 0).length,
            loading: imgs.filter(i => !i.complete).length}; }""" % PANEL

_MARK = """([path, prefix, mark]) => { const w = (%s)(path);
    const cells = w.content.widgets;
    for (let i = 0; i < cells.length; i++)
        if (cells[i].model.type === 'code' &&
            cells[i].model.sharedModel.source.startsWith(prefix)) {
            cells[i].node.setAttribute('data-kpath-test', mark);
            cells[i].node.scrollIntoView({block: 'start'});
            return i;
        }
    return null; }""" % PANEL

_SCROLLER = """(path) => { const w = (%s)(path);
    return w.content.node.querySelector('.jp-WindowedPanel-outer') || w.content.node; }""" % PANEL


class NotebookPage:
    """One notebook open in one browser page, of JupyterLab or of Notebook 7."""

    def __init__(self, lab: Lab, page: Any, path: str) -> None:
        self.lab, self.page, self.path = lab, page, path
        self.console: list[str] = []
        page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}")
                if m.type == "error" else None)
        page.on("pageerror", lambda e: self.console.append(f"pageerror: {e}"))

    def open(self, url: str) -> None:
        """Load ``url`` and wait until this notebook's kernel is idle."""
        self.page.goto(self.lab.url(url))
        self.wait_idle()

    def status(self) -> dict | None:
        return self.page.evaluate(_STATUS, self.path)

    def wait_idle(self) -> None:
        wait_for(f"the kernel of {self.path} to be idle",
                 lambda: (self.status() or {}).get("kernel") == "idle", KERNEL_IDLE_TIMEOUT)

    def run_all(self) -> dict:
        """Run All in this notebook's panel; wait until every code cell has run and the
        kernel is idle (three looks in a row); the last status."""
        self.page.evaluate("""async (path) => { const w = (%s)(path);
            window.jupyterapp.shell.activateById(w.id);
            await window.jupyterapp.commands.execute('notebook:run-all-cells'); }""" % PANEL,
                           self.path)
        calm = []

        def done() -> dict | None:
            st = self.status()
            ok = bool(st) and st["kernel"] == "idle" and st["pending"] == 0 and st["stars"] == 0
            calm.append(ok)
            return st if ok and calm[-3:] == [True] * 3 else None

        return wait_for(f"Run All of {self.path} to finish", done, RUN_ALL_TIMEOUT)

    def problems(self) -> list[str]:
        """Error and stderr outputs, and widgets that failed to display (once every
        widget output shows either its widget or its error)."""
        wait_for(f"every widget output of {self.path} to show its widget or its error",
                 lambda: self.page.evaluate(_UNSETTLED_WIDGETS, self.path) == 0,
                 WIDGET_TIMEOUT)
        return self.page.evaluate(_PROBLEMS, self.path)

    def images(self) -> dict:
        """Counts of output images once none is still loading."""
        return wait_for(f"the images of {self.path} to load",
                        lambda: (lambda n: n if n["loading"] == 0 else None)(
                            self.page.evaluate(_IMAGES, self.path)), WIDGET_TIMEOUT)

    def mark_cell(self, prefix: str, mark: str) -> Any:
        """Mark the first code cell whose source starts with ``prefix`` as
        ``[data-kpath-test=mark]`` and scroll it into view; a locator of the
        outermost widget box of its output."""
        index = self.page.evaluate(_MARK, [self.path, prefix, mark])
        assert index is not None, f"{self.path} has no code cell starting with {prefix!r}"
        root = self.page.locator(f"[data-kpath-test={mark}] .jp-OutputArea-output "
                                 f".widget-vbox").first
        root.wait_for(state="visible", timeout=WIDGET_TIMEOUT * 1000)
        return root

    def screenshots(self, directory: Path, limit: int = 60) -> list[Path]:
        """Screenshots of the whole notebook, one screen after another from the top."""
        directory.mkdir(parents=True, exist_ok=True)
        for old in directory.glob("*.png"):
            old.unlink()
        shots = []
        self.page.evaluate("(path) => { (%s)(path).scrollTop = 0; }" % _SCROLLER, self.path)
        for k in range(limit):
            self.page.wait_for_timeout(200)   # let the scrolled screen paint
            shot = directory / f"{k:02d}.png"
            self.page.screenshot(path=str(shot))
            shots.append(shot)
            moved = self.page.evaluate("""(path) => { const s = (%s)(path);
                const before = s.scrollTop;
                s.scrollTop = before + s.clientHeight * 0.9;
                return s.scrollTop > before; }""" % _SCROLLER, self.path)
            if not moved:
                break
        return shots
