"""Score sheets written safely: whole or not at all, never through a link, never a formula.

:func:`write_sheet` writes a CSV file into a temporary file of the output
folder, then renames it over the target: a reader sees the old sheet or the
new one, never half of one, and a symbolic link put where the sheet goes is
replaced, not followed. Every cell that a spreadsheet would read as a
formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return) is written with a leading ``'`` (:func:`inert`).

Examples
--------
>>> inert("=HYPERLINK(\\"http://x\\")"), inert("-1"), inert("s2412345"), inert(3)
('\\'=HYPERLINK("http://x")', "'-1", 's2412345', 3)
"""

from __future__ import annotations

import csv
import os
import tempfile
from pathlib import Path
from typing import Iterable, Mapping

__all__ = ["inert", "write_sheet"]

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert(value: object) -> object:
    """``value``, with a ``'`` in front when it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def write_sheet(path: Path, fields: list[str], rows: Iterable[Mapping[str, object]]) -> None:
    """Write ``rows`` as CSV to ``path``, atomically, with every cell made :func:`inert`.

    Raises
    ------
    NotADirectoryError
        When ``path``'s folder is not a real folder (a link to one is refused).
    """
    folder = path.parent
    if folder.is_symlink() or not folder.is_dir():
        raise NotADirectoryError(f"{folder} is not a folder (a link to one is not followed)")
    fd, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as sheet:
            writer = csv.DictWriter(sheet, fields)
            writer.writeheader()
            writer.writerows({k: inert(v) for k, v in row.items()} for row in rows)
            sheet.flush()
            os.fsync(sheet.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
