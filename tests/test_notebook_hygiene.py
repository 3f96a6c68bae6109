"""Every notebook follows the series' skeleton and is committed clean."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("[0-9][0-9]-*.ipynb"))
SECTIONS = ("## Overview", "## Prerequisites", "## Summary", "## What's next")


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _sources(nb: dict, kind: str) -> list[str]:
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == kind]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_without_outputs(path):
    for cell in _load(path)["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, path.name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_opens_without_a_kernel_prompt(path):
    spec = _load(path)["metadata"]["kernelspec"]
    assert spec["name"] == "python3" and spec["language"] == "python"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_follows_the_skeleton(path):
    nb = _load(path)
    markdown = _sources(nb, "markdown")
    titles = [line for text in markdown for line in text.splitlines() if line.startswith("# ")]
    assert len(titles) == 1, f"{path.name} needs exactly one H1 title, has {titles}"
    text = "\n".join(markdown)
    for heading in SECTIONS:
        assert heading in text, f"{path.name} lacks a '{heading}' section"
    imports = [src for src in _sources(nb, "code") if "import kpath_nb as kp" in src]
    assert len(imports) == 1, f"{path.name} needs one imports cell with 'import kpath_nb as kp'"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_environment_tampering(path):
    code = "\n".join(_sources(_load(path), "code"))
    assert "sys.path" not in code
    assert "pip install" not in code


def test_series_is_in_reading_order():
    names = [p.stem for p in NOTEBOOKS]
    assert names[:9] == ["00-start-here", "01-ip-addresses-and-subnets",
                         "02-mac-switches-and-arp", "03-routing-between-subnets",
                         "04-kubernetes-nodes-and-pods", "05-cni-and-ipam",
                         "06-ebpf-maps-same-node", "07-across-nodes-vxlan", "08-capstone"]
