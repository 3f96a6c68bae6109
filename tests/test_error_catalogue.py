"""docs/errors.md cannot drift from the code: every example in it runs here.

An error example is a ```python block whose first line is ``# raises: ClassName``,
followed by a ```text block ``ClassName: message`` (``...`` in the message stands for
any text, as in doctest's ELLIPSIS). A drop example starts with ``# drops: cause``,
defines ``tr``, and is followed by a ```text block holding ``tr.reason``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import kpath_nb as kp
import kpath_nb.coursework.edition  # noqa: F401  (its errors must be shown too)
from kpath_nb.trace import CAUSES

CATALOGUE = Path(__file__).resolve().parent.parent / "docs" / "errors.md"
TEXT = CATALOGUE.read_text(encoding="utf-8")

_EXAMPLE = re.compile(
    r"^### (?P<title>.+?)\n.*?"
    r"```python\n# (?P<kind>raises|drops): (?P<what>\S+)\n(?P<code>.*?)```\s*"
    r"(?:`tr\.reason`:\s*)?```text\n(?P<shown>.*?)\n```",
    re.S | re.M)

EXAMPLES = [m.groupdict() for m in _EXAMPLE.finditer(TEXT)]
ERRORS = [e for e in EXAMPLES if e["kind"] == "raises"]
DROPS = [e for e in EXAMPLES if e["kind"] == "drops"]


def matches(shown: str, actual: str) -> bool:
    """``shown`` equals ``actual``, where each ``...`` in ``shown`` stands for any text."""
    pattern = ".*".join(re.escape(part) for part in shown.split("..."))
    return re.fullmatch(pattern, actual, re.S) is not None


def test_the_catalogue_has_examples():
    assert len(ERRORS) >= 50 and len(DROPS) >= 5
    titles = [e["title"] for e in EXAMPLES]
    assert len(titles) == len(set(titles)), "two examples share a title"


@pytest.mark.parametrize("example", ERRORS, ids=[e["title"] for e in ERRORS])
def test_error_example_raises_what_it_shows(example, monkeypatch, tmp_path):
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.chdir(tmp_path)  # a "file that cannot be read" must not exist here
    with pytest.raises(Exception) as caught:
        exec(compile(example["code"], example["title"], "exec"), {})
    exc = caught.value
    assert type(exc).__name__ == example["what"], f"raised {type(exc).__name__}: {exc}"
    cls, _, message = example["shown"].partition(": ")
    assert cls == example["what"]
    assert matches(message, str(exc)), f"the code now says:\n{exc}"


@pytest.mark.parametrize("example", DROPS, ids=[e["what"] for e in DROPS])
def test_drop_example_ends_as_shown(example):
    namespace: dict = {}
    exec(compile(example["code"], example["what"], "exec"), namespace)
    tr = namespace["tr"]
    assert tr.verdict == "dropped" and tr.cause == example["what"]
    assert matches(example["shown"], tr.reason), f"the reason now reads:\n{tr.reason}"


def test_every_drop_cause_is_explained():
    for cause, meaning in CAUSES.items():
        assert f"| `{cause}` | {meaning} |" in TEXT, f"{cause} is missing from the table"
        assert f"### `{cause}`" in TEXT, f"{cause} has no section"


def _subclasses(cls: type) -> set[type]:
    found = {cls}
    for sub in cls.__subclasses__():
        found |= _subclasses(sub)
    return found


def test_every_error_class_is_shown():
    shown = {e["what"] for e in ERRORS}
    for cls in _subclasses(kp.KpathError):
        assert cls.__name__ in shown, f"no example raises {cls.__name__}"
