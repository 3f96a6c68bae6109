"""`make lab` serves the series: JupyterLab starts from this environment, lists the notebooks
and knows the kernel they ask for, so they open without a kernel prompt."""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, b""


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    pytest.importorskip("jupyterlab", reason="JupyterLab is installed by `make lab`")
    port, token = _free_port(), secrets.token_hex(8)
    runtime = tmp_path_factory.mktemp("lab-runtime")
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(runtime))
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1",
         f"--port={port}", f"--IdentityProvider.token={token}", "--allow-root",
         f"--ServerApp.root_dir={ROOT}", f"--LabApp.workspaces_dir={runtime}"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"JupyterLab exited with code {proc.returncode} before serving")
            try:
                if _get(f"{base}/api/status?token={token}")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.3)
        else:
            pytest.fail("JupyterLab did not answer within 60 s")
        yield base, token
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_lab_page_is_served(lab):
    base, token = lab
    status, body = _get(f"{base}/lab/tree/notebooks/00-start-here.ipynb?token={token}")
    assert status == 200
    assert b"JupyterLab" in body


def test_every_notebook_is_served_with_an_installed_kernel(lab):
    base, token = lab
    status, body = _get(f"{base}/api/kernelspecs?token={token}")
    assert status == 200
    kernels = set(json.loads(body)["kernelspecs"])
    assert NOTEBOOKS, "the series has notebooks"
    for path in NOTEBOOKS:
        status, body = _get(f"{base}/api/contents/notebooks/{path.name}?token={token}")
        assert status == 200, path.name
        wanted = json.loads(body)["content"]["metadata"]["kernelspec"]["name"]
        assert wanted in kernels, f"{path.name} asks for kernel {wanted!r}; installed: {kernels}"
