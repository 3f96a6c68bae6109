"""Where a student's variant comes from: a hash of the course salt, the exercise and the ID.

Every exercise draws its numbers, names and networks from its own
:class:`random.Random`, seeded by SHA-256 of three things: the course's salt
(so that one year's answers do not fit the next), the exercise's key (so that
exercises vary independently) and the student's ID (so that each student has
their own). The same three always give the same generator, on any machine and
any Python version: :class:`random.Random` seeded with an integer is stable,
unlike :func:`hash` of a string.

Examples
--------
>>> a = variant_random("fall-2026", "01.1", "s2412345")
>>> b = variant_random("fall-2026", "01.1", "s2412345")
>>> a.random() == b.random()
True
>>> variant_random("fall-2026", "01.1", "s2412346").random() == \\
...     variant_random("fall-2026", "01.1", "s2412345").random()
False
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from random import Random

from ..errors import KpathError

__all__ = ["SALT_VARIABLE", "COURSE_FILE", "DEFAULT_SALT", "CourseError", "variant_random",
           "course_salt", "write_course_file"]

SALT_VARIABLE = "KPATH_COURSE_SALT"
"""The environment variable that sets the course salt (the grader sets it)."""

COURSE_FILE = "kpath-course.json"
"""The file, beside the notebooks or in a folder above them, that holds the course salt."""

DEFAULT_SALT = "kpath"
"""The salt when no course sets one: the variants everyone gets outside a course."""


class CourseError(KpathError):
    """A course setting that cannot be used: an unreadable course file, an empty salt or ID."""


def variant_random(salt: str, exercise: str, student_id: str) -> Random:
    """The random generator of one student's variant of one exercise.

    Parameters
    ----------
    salt : str
        The course's secret-ish salt (see :func:`course_salt`).
    exercise : str
        The exercise's key, such as ``"05.3"``.
    student_id : str
        The student's ID as they entered it (surrounding spaces are ignored).

    Returns
    -------
    random.Random
        Seeded from the first 16 bytes of SHA-256 over the three, separated by NUL bytes.

    Examples
    --------
    >>> variant_random("kpath", "01.1", " s1 ").randint(17, 30) == \\
    ...     variant_random("kpath", "01.1", "s1").randint(17, 30)
    True
    """
    digest = hashlib.sha256("\0".join((salt, exercise, student_id.strip())).encode()).digest()
    return Random(int.from_bytes(digest[:16], "big"))


def _course_file(start: Path) -> Path | None:
    """The nearest :data:`COURSE_FILE` in ``start`` or a folder above it."""
    for folder in (start, *start.parents):
        candidate = folder / COURSE_FILE
        if candidate.is_file():
            return candidate
    return None


def course_salt(start: Path | str | None = None) -> str:
    """The course salt: from :data:`SALT_VARIABLE`, else the nearest course file, else the default.

    Parameters
    ----------
    start : path, optional
        Where to look for :data:`COURSE_FILE` (and then in every folder above);
        the current directory when not given, which in Jupyter is the notebook's folder.

    Raises
    ------
    CourseError
        When the course file is not JSON with a non-empty ``"salt"`` string.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     _ = write_course_file(folder, "fall-2026")
    ...     course_salt(folder) if SALT_VARIABLE not in os.environ else "fall-2026"
    'fall-2026'
    """
    salt = os.environ.get(SALT_VARIABLE, "").strip()
    if salt:
        return salt
    found = _course_file(Path(start if start is not None else Path.cwd()).resolve())
    if found is None:
        return DEFAULT_SALT
    try:
        salt = json.loads(found.read_text(encoding="utf-8"))["salt"]
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise CourseError(f"{found.name} cannot be read ({err}); it should be JSON like "
                          f'{{"salt": "fall-2026"}}') from None
    if not isinstance(salt, str) or not salt.strip():
        raise CourseError(f'{found.name} has no salt; write it as {{"salt": "fall-2026"}}')
    return salt.strip()


def write_course_file(folder: Path | str, salt: str) -> Path:
    """Write :data:`COURSE_FILE` with ``salt`` into ``folder``; returns its path.

    Raises
    ------
    CourseError
        When ``salt`` is empty.
    """
    if not salt.strip():
        raise CourseError("the course salt is empty; choose a word only the course's "
                          "instructors know, such as 'fall-2026-7f3a'")
    path = Path(folder) / COURSE_FILE
    path.write_text(json.dumps({"salt": salt.strip()}) + "\n", encoding="utf-8")
    return path
