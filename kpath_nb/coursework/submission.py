"""What a student handed in, laid over the pristine student edition before it is graded.

A submission is graded with the course's own cells, not with whatever the
student did to them: :func:`prepare` starts from the student edition's notebook
and takes from the submission only the student's answer cells (matched by cell
id, or by position among the answer cells when ids were lost) and the cells
the student added, each placed before the edition cell it came before. Edition
cells that were changed or deleted are put back as they were and reported as
tampering, except the enrolment cell of notebook 00, where the student writes
their ID. :func:`with_collectors` then adds the grader's own cells that read
each answer back as data (see :mod:`~kpath_nb.coursework.collect`). Which
notebook it is comes from its metadata, its file name or the
exercises it asks; who handed it in, from where it lies (see
:mod:`~kpath_nb.coursework.inbox`), never from what it says.

Examples
--------
>>> from nbformat.v4 import new_code_cell, new_notebook
>>> edition = new_notebook(cells=[new_code_cell("q1 = me.question('01.1')"),
...                               new_code_cell("answer_1 = ...", metadata={"tags": ["answer"]}),
...                               new_code_cell("q1.check(answer_1)")])
>>> handed_in = new_notebook(cells=[c.copy() for c in edition.cells])
>>> handed_in.cells[1].source = "answer_1 = '255.255.255.0'"
>>> handed_in.cells[2].source = "print('all correct')"
>>> graded, changed = prepare(edition, handed_in)
>>> [c.source for c in graded.cells]
["q1 = me.question('01.1')", "answer_1 = '255.255.255.0'", 'q1.check(answer_1)']
>>> changed
[3]
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
from nbformat import NotebookNode
from nbformat.v4 import new_code_cell, new_markdown_cell

from .edition import ANSWER, answer_names

__all__ = ["COLLECTOR", "notebook_number", "prepare", "with_collectors"]

COLLECTOR = "kpath-collector"
"""The tag of the cells the grader adds; a submission's own cells never count as collectors."""

_NUMBER = re.compile(r"^(\d\d)-")
_ID_LINE = re.compile(r"^student_id\s*=")
ENROL = "kp.coursework.enrol("
"""What marks the enrolment cell, the one course cell where a student writes (their ID)."""
_ASKED = re.compile(r"""question\(\s*["'](\d\d)\.\d+["']""")


def notebook_number(nb: NotebookNode | None, path: Path) -> str | None:
    """Which notebook of the series ``nb`` is (``"05"``): from its metadata, its file name
    (``05-…``, or ``…__05-…``), or the exercises its cells ask; None when nothing tells.

    Examples
    --------
    >>> notebook_number(None, Path("s1__07-across-nodes-vxlan.ipynb"))
    '07'
    """
    if nb is not None:
        kpath = _mapping(_mapping(nb).get("metadata")).get("kpath")
        number = _mapping(kpath).get("notebook")
        if isinstance(number, str) and re.fullmatch(r"\d\d", number):
            return number
    match = _NUMBER.match(path.name.split("__")[-1])
    if match:
        return match.group(1)
    if nb is not None:
        asked = {m for cell in _cells(nb) for m in _ASKED.findall(_source(cell))}
        if len(asked) == 1:
            return asked.pop()
    return None


def _mapping(value: object) -> dict:
    """``value`` when it is a dict, else an empty one: a submission's metadata may be anything."""
    return value if isinstance(value, dict) else {}


def _cells(nb: NotebookNode) -> list[NotebookNode]:
    cells = _mapping(nb).get("cells")
    return [cell for cell in cells if isinstance(cell, dict)] if isinstance(cells, list) else []


def _source(cell: NotebookNode) -> str:
    source = cell.get("source", "")
    if isinstance(source, list) and all(isinstance(line, str) for line in source):
        return "".join(source)
    return source if isinstance(source, str) else ""


def _is_answer(cell: NotebookNode) -> bool:
    tags = _mapping(cell.get("metadata")).get("tags")
    return isinstance(tags, list) and ANSWER in tags


def _same_course_cell(course: str, theirs: str) -> bool:
    """True when ``theirs`` is the course cell ``course``, or is notebook 00's enrolment cell
    with only the ``student_id = ...`` line filled in."""
    if theirs == course:
        return True
    if ENROL not in course:
        return False
    kept = [line for line in course.splitlines() if not _ID_LINE.match(line)]
    return kept == [line for line in theirs.splitlines() if not _ID_LINE.match(line)]


def prepare(edition: NotebookNode, submitted: NotebookNode) -> tuple[NotebookNode, list[int]]:
    """The notebook to grade, and the (1-based) edition cells the student changed or deleted.

    Parameters
    ----------
    edition : NotebookNode
        The student edition of the notebook, as the course built it.
    submitted : NotebookNode
        What the student handed in.

    Returns
    -------
    graded : NotebookNode
        The edition's cells in the edition's order, with the student's answer
        cells and added cells; outputs cleared.
    changed : list of int
        Edition cells (numbered from 1) other than answer cells whose source
        the student changed, or that are missing from the submission.
    """
    theirs_cells = _cells(submitted)
    by_id = {_id(cell): cell for cell in theirs_cells if _id(cell)}
    edition_ids = {cell.get("id") for cell in edition.cells}
    # Cells the student added, grouped under the edition cell that follows them.
    added: dict[str | None, list[NotebookNode]] = {}
    pending: list[NotebookNode] = []
    for cell in theirs_cells:
        if _id(cell) in edition_ids:
            added[_id(cell)] = pending
            pending = []
        elif not _is_answer(cell):
            pending.append(cell)
    added[None] = pending
    # Answer cells without a matching id (a tool that dropped ids) are taken in order.
    loose_answers = [cell for cell in theirs_cells
                     if _is_answer(cell) and _id(cell) not in edition_ids]

    graded = nbformat.reads(nbformat.writes(edition), as_version=4)
    cells, changed = [], []
    for number, cell in enumerate(graded.cells, start=1):
        cells.extend(_rebuilt(c) for c in added.get(cell.get("id"), []))
        theirs = by_id.get(cell.get("id"))
        if _is_answer(cell):
            if theirs is None and loose_answers:
                theirs = loose_answers.pop(0)
            if theirs is not None:
                cell.source = _source(theirs)
        elif theirs is None or not _same_course_cell(cell.source, _source(theirs)):
            changed.append(number)
        cells.append(_fresh(cell))
    cells.extend(_rebuilt(c) for c in added[None])
    graded.cells = cells
    return graded, changed


def _id(cell: NotebookNode) -> str | None:
    value = cell.get("id")
    return value if isinstance(value, str) else None


def _rebuilt(cell: NotebookNode) -> NotebookNode:
    """A cell the student added, made anew from its source alone (code or Markdown)."""
    if cell.get("cell_type") == "code":
        return new_code_cell(_source(cell))
    return new_markdown_cell(_source(cell))


def _fresh(cell: NotebookNode) -> NotebookNode:
    """``cell`` without outputs (markdown and raw cells as they are)."""
    if cell.get("cell_type") == "code":
        cell = nbformat.from_dict(dict(cell))
        cell.outputs, cell.execution_count = [], None
    return cell


def _collector_source(name: str) -> str:
    return ("from IPython.display import display as _kpath_display\n"
            "from kpath_nb.coursework.collect import emit as _kpath_emit\n"
            f"_kpath_display(_kpath_emit({name!r}, globals().get({name!r}, ...)), raw=True)")


def with_collectors(graded: NotebookNode, edition: NotebookNode
                    ) -> tuple[NotebookNode, dict[int, str]]:
    """``graded`` with a collector cell after each answer cell, and where each collector is.

    A collector goes after the answer cell and the cells the student added
    after it, just before the next course cell: where the course's check of
    that answer runs.

    Returns
    -------
    notebook : NotebookNode
        A new notebook.
    collectors : dict of int to str
        The 0-based index of each collector cell in ``notebook``, to the
        ``answer_N`` name it reads.
    """
    course_ids = {cell.get("id") for cell in edition.cells}
    out = nbformat.from_dict(dict(graded))
    cells: list[NotebookNode] = []
    collectors: dict[int, str] = {}
    waiting: list[str] = []
    for cell in graded.cells:
        if waiting and cell.get("id") in course_ids:
            for name in waiting:
                collectors[len(cells)] = name
                cells.append(_collector(name))
            waiting = []
        cells.append(cell)
        if cell.get("id") in course_ids and ANSWER in cell.get("metadata", {}).get("tags", []):
            waiting = [n for n in _edition_names(edition, cell.get("id")) if n not in waiting]
    for name in waiting:
        collectors[len(cells)] = name
        cells.append(_collector(name))
    out.cells = cells
    return out, collectors


def _edition_names(edition: NotebookNode, cell_id: str) -> list[str]:
    [cell] = [c for c in edition.cells if c.get("id") == cell_id]
    return answer_names(cell.source)


def _collector(name: str) -> NotebookNode:
    return new_code_cell(_collector_source(name), metadata={"tags": [COLLECTOR]})
