"""A short course for grading tests: notebooks 00 and 01 cut down to their exercises.

Grading runs every submission in a fresh kernel; the full notebook 01 takes many
seconds to run, its exercises alone about two. :func:`short_course` writes
instructor editions of notebooks 00 and 01 that keep only the import, the
enrolment or student cell and the question, solution and check cells (with
their ids), so the tests can
grade a whole class of hostile submissions in one run.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

from kpath_nb.coursework import question
from kpath_nb.coursework.edition import ANSWER, SOLUTION, student_notebook
from test_coursework_subnets import SOLVE

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"
NB00 = "00-start-here.ipynb"
NB01 = "01-ip-addresses-and-subnets.ipynb"
SALT = "test-course"


def short_course(folder: Path) -> Path:
    """Write the cut-down instructor editions of notebooks 00 and 01 into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in (NB00, NB01):
        nb = nbformat.read(NOTEBOOKS / name, as_version=4)
        nb.cells = [cell for cell in nb.cells if cell.cell_type == "code" and (
            cell.source.startswith("import kpath_nb") or "kp.coursework." in cell.source
            or ".question(" in cell.source or ".check(" in cell.source
            or SOLUTION in cell.metadata.get("tags", []))]
        nbformat.write(nb, folder / name)
    return folder


def answers(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    """The answer cells of a student-edition notebook, in order."""
    return [cell for cell in nb.cells if ANSWER in cell.metadata.get("tags", [])]


def literal(key: str, sid: str) -> str:
    """``answer_N = <the right value for sid>``, written out as a student would."""
    value = SOLVE[key](question(key, sid, salt=SALT))
    return f"answer_{key.split('.')[1]} = {value!r}"


def blank(course: Path) -> nbformat.NotebookNode:
    """The student edition of the short notebook 01, nothing answered."""
    return student_notebook(nbformat.read(course / NB01, as_version=4))


def solved(course: Path, sid: str) -> nbformat.NotebookNode:
    """The short notebook 01 with every answer written out right for ``sid``."""
    nb = blank(course)
    for cell, key in zip(answers(nb), sorted(SOLVE)):
        cell.source = literal(key, sid)
    return nb
