"""Who is doing the exercises: a student ID entered once, then found by every notebook.

Notebook 00 asks for the ID once: :func:`enrol` keeps it in
:data:`STUDENT_FILE` beside the notebooks, and every later notebook finds it
with :func:`student`. Without an ID a reader gets the practice variant, the
same for everyone. The grader names the student itself, through
:data:`ID_VARIABLE`, which wins over the file.

Examples
--------
>>> me = Student("s2412345", salt="fall-2026")
>>> q = me.question("01.1")
>>> q.student_id, q.key
('s2412345', '01.1')
>>> me.question("01.1") is q
True
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .questions import Question, question
from .variants import CourseError, course_salt

__all__ = ["ID_VARIABLE", "STUDENT_FILE", "PRACTICE", "STUDENT_MIME", "Student", "enrol", "student"]

ID_VARIABLE = "KPATH_STUDENT_ID"
"""The environment variable that names the student (the grader sets it)."""

STUDENT_FILE = ".kpath-student.json"
"""Where :func:`enrol` keeps the ID: in the notebooks' folder."""

PRACTICE = "practice"
"""The ID of the practice variant, used when no student ID is given."""

STUDENT_MIME = "application/vnd.kpath.student+json"
"""The output type that records, in a saved notebook, whose exercises it showed."""


class Student:
    """One student in one course: asks each exercise in their own variant.

    Parameters
    ----------
    student_id : str
        The ID the student entered, such as ``"s2412345"``.
    salt : str
        The course salt (see :func:`~kpath_nb.coursework.variants.course_salt`).
    """

    def __init__(self, student_id: str, *, salt: str) -> None:
        self.id = student_id.strip()
        self.salt = salt
        self._asked: dict[str, Question] = {}

    @property
    def practising(self) -> bool:
        """True for the practice variant (no student ID given)."""
        return self.id == PRACTICE

    def question(self, key: str) -> Question:
        """This student's variant of exercise ``key``, such as ``"05.3"``.

        Asking twice gives the same question (and the same network objects).
        """
        if key not in self._asked:
            self._asked[key] = question(key, self.id, salt=self.salt)
        return self._asked[key]

    def __repr__(self) -> str:
        return f"Student({self.id!r})"

    def _repr_mimebundle_(self, include: object = None, exclude: object = None) -> dict:
        """Markdown for the reader; the ID as data, which a saved notebook keeps (the grader
        reads no output: it names the student from where the file lies)."""
        return {"text/plain": repr(self), "text/markdown": self._repr_markdown_(),
                STUDENT_MIME: {"id": self.id}}

    def _repr_markdown_(self) -> str:
        if self.practising:
            return ("**Practice variant.** No student ID is set, so these exercises are the "
                    "practice ones, the same for everyone. For your own, enter your ID in "
                    "notebook 00 (`kp.coursework.enrol(\"your-id\")`) and run this cell again.")
        return (f"**Exercises for {self.id}.** The numbers, names and networks in the "
                f"questions below are yours alone; the checks work out your right answers.")


def _valid_id(student_id: object) -> str:
    if not isinstance(student_id, str) or not student_id.strip():
        raise CourseError(f"a student ID is text in quotes, such as \"s2412345\"; "
                          f"got {student_id!r}")
    cleaned = student_id.strip()
    if len(cleaned) > 64 or any(c in cleaned for c in "/\\\n\t\0"):
        raise CourseError(f"{cleaned!r} is not a usable student ID: at most 64 characters, "
                          f"without slashes or line breaks")
    return cleaned


def enrol(student_id: object, *, folder: Path | str | None = None) -> Student:
    """Enter a student ID once; every notebook in ``folder`` then finds it with :func:`student`.

    Parameters
    ----------
    student_id : str or ...
        The ID, in quotes. Left as ``...`` (not yet entered), nothing is kept
        and the practice variant is returned.
    folder : path, optional
        Where to keep :data:`STUDENT_FILE`: the current directory (in Jupyter,
        the notebook's folder) when not given.

    Raises
    ------
    CourseError
        When the ID is not text, is too long or contains slashes.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     _ = enrol("s2412345", folder=folder)
    ...     student(folder=folder).id if ID_VARIABLE not in os.environ else "s2412345"
    's2412345'
    >>> enrol(..., folder=".").practising or ID_VARIABLE in os.environ
    True
    """
    where = Path(folder if folder is not None else Path.cwd())
    if student_id is ... or student_id is None:
        return student(folder=where)
    cleaned = _valid_id(student_id)
    (where / STUDENT_FILE).write_text(json.dumps({"id": cleaned}) + "\n", encoding="utf-8")
    return student(folder=where)


def student(*, folder: Path | str | None = None) -> Student:
    """The student doing these exercises: from :data:`ID_VARIABLE`, the ID file, or practice.

    Parameters
    ----------
    folder : path, optional
        Where to look for :data:`STUDENT_FILE` and the course file; the current
        directory when not given.

    Raises
    ------
    CourseError
        When the ID file or the course file cannot be read.
    """
    where = Path(folder if folder is not None else Path.cwd())
    salt = course_salt(where)
    named = os.environ.get(ID_VARIABLE, "").strip()
    if named:
        return Student(_valid_id(named), salt=salt)
    path = where / STUDENT_FILE
    if not path.is_file():
        return Student(PRACTICE, salt=salt)
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))["id"]
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise CourseError(f"{STUDENT_FILE} cannot be read ({err}); enter your ID again in "
                          f"notebook 00 with kp.coursework.enrol(\"your-id\")") from None
    return Student(_valid_id(kept), salt=salt)
