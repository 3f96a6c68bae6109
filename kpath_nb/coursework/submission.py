"""What a student handed in, laid over the pristine student edition before it is graded.

A submission is graded with the course's own cells, not with whatever the
student did to them: :func:`prepare` starts from the student edition's notebook
and takes from the submission only the student's answer cells (matched by cell
id, or by position among the answer cells when ids were lost) and the cells
the student added, each placed before the edition cell it came before. Edition
cells that were changed or deleted are put back as they were and reported as
tampering. Who handed it in comes from where it lies (:func:`student_id_of`),
which notebook it is from its metadata, its file name or the exercises it asks.

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

from .edition import ANSWER
from .student import STUDENT_MIME

__all__ = ["student_id_of", "worked_as", "notebook_number", "prepare"]

_NUMBER = re.compile(r"^(\d\d)-")
_ASKED = re.compile(r"""question\(\s*["'](\d\d)\.\d+["']""")


def student_id_of(path: Path, folder: Path) -> str:
    """Whose submission ``path`` is: its folder's name, or for a file directly in ``folder``,
    its name up to the first ``__`` (``s2412345__05-cni-and-ipam.ipynb``), else its whole stem.

    Examples
    --------
    >>> student_id_of(Path("in/s2412345/05-cni-and-ipam.ipynb"), Path("in"))
    's2412345'
    >>> student_id_of(Path("in/s2412345__05-cni-and-ipam.ipynb"), Path("in"))
    's2412345'
    >>> student_id_of(Path("in/s2412345.ipynb"), Path("in"))
    's2412345'
    """
    relative = path.relative_to(folder)
    if len(relative.parts) > 1:
        return relative.parts[0]
    return path.stem.split("__")[0]


def worked_as(nb: NotebookNode) -> set[str]:
    """The student IDs the notebook's saved outputs show it was worked under.

    Examples
    --------
    >>> from nbformat.v4 import new_code_cell, new_notebook, new_output
    >>> cell = new_code_cell("me", outputs=[new_output("execute_result",
    ...     {STUDENT_MIME: {"id": "s2412345"}, "text/plain": "Student('s2412345')"})])
    >>> worked_as(new_notebook(cells=[cell]))
    {'s2412345'}
    """
    return {output["data"][STUDENT_MIME]["id"]
            for cell in nb.cells for output in cell.get("outputs", [])
            if isinstance(output.get("data", {}).get(STUDENT_MIME), dict)
            and isinstance(output["data"][STUDENT_MIME].get("id"), str)}


def notebook_number(nb: NotebookNode | None, path: Path) -> str | None:
    """Which notebook of the series ``nb`` is (``"05"``): from its metadata, its file name
    (``05-…``, or ``…__05-…``), or the exercises its cells ask; None when nothing tells.

    Examples
    --------
    >>> notebook_number(None, Path("s1__07-across-nodes-vxlan.ipynb"))
    '07'
    """
    if nb is not None:
        number = nb.get("metadata", {}).get("kpath", {}).get("notebook")
        if isinstance(number, str) and re.fullmatch(r"\d\d", number):
            return number
    match = _NUMBER.match(path.name.split("__")[-1])
    if match:
        return match.group(1)
    if nb is not None:
        asked = {m for cell in nb.cells for m in _ASKED.findall(cell.get("source", ""))}
        if len(asked) == 1:
            return asked.pop()
    return None


def _is_answer(cell: NotebookNode) -> bool:
    return ANSWER in cell.get("metadata", {}).get("tags", [])


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
    by_id = {cell.get("id"): cell for cell in submitted.cells if cell.get("id")}
    edition_ids = {cell.get("id") for cell in edition.cells}
    # Cells the student added, grouped under the edition cell that follows them.
    added: dict[str | None, list[NotebookNode]] = {}
    pending: list[NotebookNode] = []
    for cell in submitted.cells:
        if cell.get("id") in edition_ids:
            added[cell.get("id")] = pending
            pending = []
        elif not _is_answer(cell):
            pending.append(cell)
    added[None] = pending
    # Answer cells without a matching id (a tool that dropped ids) are taken in order.
    loose_answers = [cell for cell in submitted.cells
                     if _is_answer(cell) and cell.get("id") not in edition_ids]

    graded = nbformat.reads(nbformat.writes(edition), as_version=4)
    cells, changed = [], []
    for number, cell in enumerate(graded.cells, start=1):
        cells.extend(_fresh(c) for c in added.get(cell.get("id"), []))
        theirs = by_id.get(cell.get("id"))
        if _is_answer(cell):
            if theirs is None and loose_answers:
                theirs = loose_answers.pop(0)
            if theirs is not None:
                cell.source = theirs.get("source", "")
        elif theirs is None or theirs.get("source", "") != cell.source:
            changed.append(number)
        cells.append(_fresh(cell))
    cells.extend(_fresh(c) for c in added[None])
    graded.cells = cells
    return graded, changed


def _fresh(cell: NotebookNode) -> NotebookNode:
    """``cell`` without outputs (markdown and raw cells as they are)."""
    if cell.get("cell_type") == "code":
        cell = nbformat.from_dict(dict(cell))
        cell.outputs, cell.execution_count = [], None
    return cell
