"""The submissions folder, read with suspicion: which files, whose, and which are refused.

:func:`hand_ins` lists the notebooks in a submissions folder
(``<id>/<notebook>.ipynb``, ``<id>__<notebook>.ipynb`` or ``<id>.ipynb``)
without following a symbolic link, opening a FIFO or a device, or reading a
file bigger than :data:`MAX_BYTES`. Each :class:`HandIn` names its student by
an ID checked with :func:`valid_id` before it is used anywhere; a file that
cannot be graded says why in ``problem``. :func:`read_hand_in` reads one,
again without following links and never more than the cap.

Examples
--------
>>> valid_id("s2412345"), valid_id("-rf"), valid_id("=cmd|' /C calc'!A0")
(True, False, False)
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

__all__ = ["MAX_BYTES", "HandIn", "valid_id", "printable", "hand_ins", "read_hand_in", "read_roster"]

MAX_BYTES = 10 * 2**20
"""The largest submitted notebook, in bytes, the grader reads."""

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
_SKIPPED = {".ipynb_checkpoints"}


def valid_id(student_id: str) -> bool:
    """True for an ID the grader accepts: 1 to 64 letters, digits, ``.``, ``_``, ``@`` or
    ``-``, starting with a letter or a digit (so never an option, nor a spreadsheet formula)."""
    return _ID.fullmatch(student_id) is not None


def printable(name: str) -> str:
    """A file name as text, with bytes that are not UTF-8 shown as ``�``.

    Examples
    --------
    >>> printable(os.fsdecode(b"s1__\\xff.ipynb"))
    's1__�.ipynb'
    """
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


@dataclass(frozen=True)
class HandIn:
    """One submitted file: where it is, its name as the score sheet shows it, whose it is,
    and, when it cannot be graded, why."""

    path: Path
    file: str
    student_id: str
    problem: str | None = None


def _owner(relative: tuple[str, ...]) -> str:
    if len(relative) > 1:
        return relative[0]
    stem = relative[0][: -len(".ipynb")]
    return stem.split("__")[0]


def _check(path: Path, relative: tuple[str, ...]) -> HandIn:
    sid = _owner(relative)
    file = printable("/".join(relative))
    shown = printable(sid)
    if not valid_id(sid):
        return HandIn(path, file, shown, f"{shown!r} is not a usable student ID (1 to 64 "
                                         f"letters, digits, '.', '_', '@' or '-', starting "
                                         f"with a letter or digit): not graded")
    try:
        info = path.lstat()
    except OSError as err:
        return HandIn(path, file, sid, f"cannot be read ({err.strerror})")
    if stat.S_ISLNK(info.st_mode):
        return HandIn(path, file, sid, "a symbolic link, not a file: not followed")
    if not stat.S_ISREG(info.st_mode):
        return HandIn(path, file, sid, "not a regular file (a FIFO, device or folder)")
    if info.st_size > MAX_BYTES:
        return HandIn(path, file, sid, f"too big: {info.st_size} bytes, more than the "
                                       f"{MAX_BYTES} a notebook may have")
    return HandIn(path, file, sid)


def hand_ins(folder: Path) -> list[HandIn]:
    """Every ``*.ipynb`` in ``folder`` and in its sub-folders one level down, sorted by name.

    Sub-folders that are symbolic links are not entered; ``.ipynb_checkpoints``
    is skipped.
    """
    found: list[HandIn] = []
    with os.scandir(folder) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            if entry.is_dir(follow_symlinks=False) and entry.name not in _SKIPPED:
                with os.scandir(entry.path) as inner:
                    found.extend(_check(Path(e.path), (entry.name, e.name))
                                 for e in sorted(inner, key=lambda e: e.name)
                                 if e.name.endswith(".ipynb"))
            elif entry.name.endswith(".ipynb"):
                found.append(_check(Path(entry.path), (entry.name,)))
    return found


def read_hand_in(hand_in: HandIn) -> bytes:
    """The file's bytes, at most :data:`MAX_BYTES`; raises OSError for a link or a non-file.

    The file is opened without following a link and without blocking on a
    FIFO, and checked again once open (it may have been swapped since it was listed).
    """
    fd = os.open(hand_in.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(f"{hand_in.file} is not a regular file")
        chunks, size = [], 0
        while size <= MAX_BYTES:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > MAX_BYTES:
            raise OSError(f"{hand_in.file} grew past {MAX_BYTES} bytes")
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_roster(path: Path) -> set[str]:
    """The student IDs of a roster: one per line (or the first column of a CSV); blank lines
    and lines starting with ``#`` are skipped.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as f:
    ...     _ = f.write("# id,name\\ns2412345,Ada\\n\\ns2412346\\n")
    >>> sorted(read_roster(Path(f.name)))
    ['s2412345', 's2412346']
    """
    ids = set()
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            ids.add(line.split(",")[0].strip())
    return ids
