"""The student edition: the notebooks with every solution replaced by an empty answer cell.

The notebooks in the repository are the instructor edition: each exercise's
answer is worked out in a code cell tagged ``solution``. :func:`student_notebook`
replaces each such cell by one tagged ``answer`` that keeps the cell's id and
assigns ``...`` to the same ``answer_N`` names, so that the checks below it
report "not answered yet" until the student writes there. Outputs are cleared.
:func:`build_student_edition` does that for a whole folder and writes the
course file that carries the salt.

Examples
--------
>>> import nbformat
>>> from nbformat.v4 import new_code_cell, new_notebook
>>> nb = new_notebook(cells=[new_code_cell("answer_1 = 2 + 2", metadata={"tags": ["solution"]}),
...                          new_code_cell("q1.check(answer_1)")])
>>> student = student_notebook(nb)
>>> student.cells[0].source, student.cells[0].metadata.tags
('answer_1 = ...', ['answer'])
>>> student.cells[0].id == nb.cells[0].id
True
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from .variants import CourseError, write_course_file

__all__ = ["SOLUTION", "ANSWER", "STUDENT_TREE", "EditionError", "answer_names",
           "student_notebook", "build_student_edition", "export_student_tree"]

SOLUTION = "solution"
"""The tag of a cell holding an exercise's worked answer (instructor edition only)."""

ANSWER = "answer"
"""The tag of the cell where a student writes an answer (student edition)."""

STUDENT_TREE = ("kpath_nb", "data", "README.md", "Makefile", "pyproject.toml",
                "environment.yml", ".gitignore", "docs/errors.md")
"""What of the repository a student's copy holds, beside the student edition: the package and
what installs and runs it; never ``tests/`` (their solvers answer every exercise), the
instructor guide, the benchmarks or the history."""

_ASSIGNED = re.compile(r"^[ \t]*(answer_\d+)\s*=(?!=)", re.MULTILINE)


class EditionError(CourseError):
    """A notebook the student edition cannot be built from, such as a solution with no answer."""


def _tags(cell: NotebookNode) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def answer_names(source: str) -> list[str]:
    """The ``answer_N`` names a cell assigns (at the start of a line, indented or not), in order,
    each once.

    Examples
    --------
    >>> answer_names("import ipaddress\\nanswer_2 = 1\\nanswer_3 = answer_2 + 1\\nanswer_2 = 5")
    ['answer_2', 'answer_3']
    >>> answer_names("if x:\\n    answer_4 = 1\\nelse:\\n    answer_4 = 2\\nanswer_4 == 2")
    ['answer_4']
    """
    return list(dict.fromkeys(_ASSIGNED.findall(source)))


def student_notebook(nb: NotebookNode, name: str = "notebook") -> NotebookNode:
    """A copy of ``nb`` with each ``solution`` cell replaced by an empty ``answer`` cell.

    Parameters
    ----------
    nb : NotebookNode
        An instructor-edition notebook (nbformat 4).
    name : str
        The notebook's name, for error messages.

    Raises
    ------
    EditionError
        When a solution cell assigns no ``answer_N`` (its exercise would have
        nowhere to write), or is not a code cell.
    """
    copy = nbformat.reads(nbformat.writes(nb), as_version=4)
    for index, cell in enumerate(copy.cells):
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        if SOLUTION not in _tags(cell):
            continue
        names = answer_names(cell.source)
        if cell.cell_type != "code" or not names:
            raise EditionError(f"{name}, cell {index + 1}: a cell tagged {SOLUTION!r} must be "
                               f"a code cell that assigns answer_N = ...; it has "
                               f"{cell.source[:60]!r}")
        cell.source = "\n".join(f"{answer} = ..." for answer in names)
        cell.metadata["tags"] = [ANSWER if tag == SOLUTION else tag for tag in _tags(cell)]
    return copy


def build_student_edition(source: Path | str, target: Path | str, *, salt: str | None = None
                          ) -> list[Path]:
    """Write the student edition of every notebook in ``source`` into ``target``.

    Parameters
    ----------
    source : path
        The folder of instructor-edition notebooks (``notebooks/``).
    target : path
        Where the student edition goes; created, or emptied of notebooks first.
    salt : str, optional
        The course salt, written to the course file in ``target`` so that the
        students' notebooks find it. Without it the students get the default salt.

    Returns
    -------
    list of Path
        The notebooks written.

    Raises
    ------
    EditionError
        When ``source`` holds no notebooks, ``target`` is ``source`` itself, or a
        solution cell is malformed.
    """
    source, target = Path(source).resolve(), Path(target).resolve()
    if source == target:
        raise EditionError("the student edition must go to another folder than the "
                           "instructor edition, or the solutions would be overwritten")
    notebooks = sorted(source.glob("*.ipynb"))
    if not notebooks:
        raise EditionError(f"{source.name}/ holds no notebooks to build a student edition from")
    target.mkdir(parents=True, exist_ok=True)
    for old in target.glob("*.ipynb"):
        old.unlink()
    written = []
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        out = target / path.name
        nbformat.write(student_notebook(nb, path.name), out)
        written.append(out)
    if salt is not None:
        write_course_file(target, salt)
    return written


def export_student_tree(repo: Path | str, target: Path | str, *, salt: str) -> list[Path]:
    """Write the students' copy of the repository into ``target``: what :data:`STUDENT_TREE`
    names, and the student edition as ``notebooks/``, with the course salt.

    ``target`` is meant to become the only commit of a branch of its own (see the
    instructor guide): no test, solution or instructor history goes there.

    Returns
    -------
    list of Path
        The student notebooks written.

    Raises
    ------
    EditionError
        When ``target`` exists and is not empty, or is inside ``repo``.
    """
    repo, target = Path(repo).resolve(), Path(target).resolve()
    if target == repo or repo in target.parents:
        raise EditionError("the students' copy must go outside the repository")
    if target.exists() and any(target.iterdir()):
        raise EditionError(f"{target.name}/ is not empty; the students' copy needs a new folder")
    junk = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", "*.egg-info")
    for name in STUDENT_TREE:
        source = repo / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=junk)
        elif source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return build_student_edition(repo / "notebooks", target / "notebooks", salt=salt)
