"""Grade a folder of submitted notebooks into a score sheet.

Each submission is laid over the pristine student edition
(:func:`~kpath_nb.coursework.submission.prepare`), then executed in a fresh
kernel in a process of its own, named as its student through
``KPATH_STUDENT_ID``, with a time limit per cell and one for the whole
notebook. The checks' results are read from their outputs (the
``application/vnd.kpath.feedback+json`` beside the ✅ or ❌). A notebook that
raises, hangs, kills its kernel, cannot be read or was tampered with is scored
for what did run and reported; it never stops the run. :func:`grade_folder`
writes ``grades.csv`` (one row per student, notebook and exercise) and
``summary.csv`` (one row per submission).
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import nbformat

from ..exercises import FEEDBACK_MIME
from .edition import student_notebook
from .questions import exercise_keys, title_and_points
from .student import ID_VARIABLE
from .submission import notebook_number, prepare, student_id_of, worked_as
from .variants import SALT_VARIABLE

__all__ = ["CELL_TIMEOUT", "NOTEBOOK_TIMEOUT", "Row", "Submission", "grade_notebook",
           "grade_folder", "execute_for_grading"]

CELL_TIMEOUT = 60
"""Seconds one cell may run before it is interrupted."""

NOTEBOOK_TIMEOUT = 300
"""Seconds a whole submission may take before its process is stopped."""

GRADES_FIELDS = ["student_id", "notebook", "exercise", "title", "points", "max_points",
                 "status", "feedback"]
SUMMARY_FIELDS = ["student_id", "notebook", "file", "points", "max_points", "status", "note"]


@dataclass
class Row:
    """One exercise of one submission, as the score sheet shows it."""

    student_id: str
    notebook: str
    exercise: str
    title: str
    points: int
    max_points: int
    status: str
    feedback: str


@dataclass
class Submission:
    """One graded notebook: its rows, its total and what went wrong, if anything."""

    student_id: str
    notebook: str
    file: str
    status: str = "graded"
    notes: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)

    @property
    def points(self) -> int:
        return sum(row.points for row in self.rows)

    @property
    def max_points(self) -> int:
        return sum(row.max_points for row in self.rows)

    def summary_row(self) -> dict[str, object]:
        return {"student_id": self.student_id, "notebook": self.notebook, "file": self.file,
                "points": self.points, "max_points": self.max_points, "status": self.status,
                "note": "; ".join(self.notes)}


@lru_cache(maxsize=16)
def _edition(path: Path, modified: int) -> nbformat.NotebookNode:
    """The student edition of the instructor notebook at ``path`` as it was at ``modified``
    (its mtime): built once, not once per submission."""
    return student_notebook(nbformat.read(path, as_version=4), path.name)


def execute_for_grading(nb: nbformat.NotebookNode, student_id: str, salt: str,
                        cell_timeout: int = CELL_TIMEOUT) -> dict:
    """Run ``nb`` in a fresh kernel as ``student_id``; what the grader needs to know.

    Returns a dictionary with ``feedback`` (key → the check's result), ``errors``
    (the cells that raised: number and one line), ``timeouts`` (cells
    interrupted) and ``died`` (why the kernel stopped, or None). Runs in the
    calling process: :func:`grade_notebook` calls it in a child process.
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import DeadKernelError

    env = {**os.environ, ID_VARIABLE: student_id, SALT_VARIABLE: salt, "MPLBACKEND": "Agg"}
    died = None
    with tempfile.TemporaryDirectory(prefix="kpath-grade-") as workdir:
        client = NotebookClient(nb, timeout=cell_timeout, interrupt_on_timeout=True,
                                allow_errors=True, kernel_name="python3",
                                resources={"metadata": {"path": workdir}})
        try:
            client.execute(env=env, cwd=workdir)
        except DeadKernelError as err:
            died = f"the kernel died ({str(err).splitlines()[0] if str(err) else 'no reason given'})"
        except Exception as err:  # a kernel that cannot start, or nbclient giving up
            died = f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}"
    feedback, errors, timeouts = {}, [], []
    for number, cell in enumerate(nb.cells, start=1):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if FEEDBACK_MIME in data:
                result = data[FEEDBACK_MIME]
                feedback[result["key"]] = result
            if output.get("output_type") == "error":
                line = f"{output.get('ename')}: {output.get('evalue', '')}".strip()
                (timeouts if output.get("ename") == "KeyboardInterrupt" else errors).append(
                    (number, line[:200]))
    return {"feedback": feedback, "errors": errors, "timeouts": timeouts, "died": died}


def _run_child(nb: nbformat.NotebookNode, student_id: str, salt: str, cell_timeout: int,
               timeout: int) -> dict | str:
    """:func:`execute_for_grading` in a child process; a string says why it gave nothing."""
    with tempfile.TemporaryDirectory(prefix="kpath-grade-") as folder:
        path = Path(folder) / "graded.ipynb"
        nbformat.write(nb, path)
        command = [sys.executable, "-m", "kpath_nb.coursework", "run-one", str(path),
                   "--student", student_id, "--salt", salt, "--cell-timeout", str(cell_timeout)]
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True, start_new_session=True)
        try:
            out, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # the kernel too: it is in the same group
            process.communicate()
            return f"timed out: the notebook ran for more than {timeout} s and was stopped"
        try:
            return json.loads(out.strip().splitlines()[-1])
        except (ValueError, IndexError):
            last = (err.strip().splitlines() or ["no output"])[-1]
            return f"crashed: the grading process stopped ({last[:200]})"


def grade_notebook(path: Path, folder: Path, instructor: Path, salt: str, *,
                   cell_timeout: int = CELL_TIMEOUT, timeout: int = NOTEBOOK_TIMEOUT
                   ) -> Submission:
    """Grade one submitted notebook; never raises for what is wrong with the submission.

    Parameters
    ----------
    path : Path
        The submitted notebook.
    folder : Path
        The folder of submissions (the student ID comes from ``path``'s place in it).
    instructor : Path
        The instructor-edition notebooks, from which the pristine student edition is made.
    salt : str
        The course salt.
    cell_timeout, timeout : int
        Seconds for one cell, and for the whole notebook.
    """
    sid = student_id_of(path, folder)
    file = str(path.relative_to(folder))
    try:
        submitted = nbformat.read(path, as_version=4)
    except Exception as err:  # not JSON, not a notebook: graded as nothing handed in
        submitted = None
        unreadable = f"unreadable: not a notebook ({type(err).__name__})"
    number = notebook_number(submitted, path)
    originals = {p.name[:2]: p for p in instructor.glob("[0-9][0-9]-*.ipynb")}
    if submitted is None and number not in originals:
        return Submission(sid, "?", file, "unreadable", [unreadable])
    if number not in originals:
        return Submission(sid, number or "?", file, "unknown notebook",
                          ["neither its metadata, its name nor its exercises say which "
                           "notebook of the series it is"])
    result = Submission(sid, number, file)
    keys = exercise_keys(number)
    if submitted is None:
        result.status = unreadable
        outcome: dict | str = unreadable
    else:
        graded, changed = prepare(
            _edition(originals[number], originals[number].stat().st_mtime_ns), submitted)
        others = sorted(worked_as(submitted) - {sid})
        if others:
            result.notes.append(f"its saved outputs show it was worked as {', '.join(others)}, "
                                f"not {sid}: answers fit that student's variant")
        if changed:
            result.status = "tampered"
            result.notes.append(f"cells {', '.join(map(str, changed))} differ from the course's "
                                f"or are missing; graded with the course's cells")
        outcome = _run_child(graded, sid, salt, cell_timeout, timeout)
    if isinstance(outcome, str):
        if submitted is not None:
            result.status = outcome.split(":")[0]
            result.notes.append(outcome)
        outcome = {"feedback": {}, "errors": [], "timeouts": [], "died": None}
    else:
        _note_trouble(result, outcome)
    first_error = (f"not checked: cell {outcome['errors'][0][0]} raised {outcome['errors'][0][1]}"
                   if outcome["errors"] else "not checked: the check did not run")
    for key in keys:
        title, points = title_and_points(key)
        got = outcome["feedback"].get(key)
        if got is None:
            result.rows.append(Row(sid, number, key, title, 0, points, "not run",
                                   first_error if submitted is not None else result.status))
        else:
            result.rows.append(Row(sid, number, key, title, min(int(got["score"]), points),
                                   points, got["status"], got["message"]))
    return result


def _note_trouble(result: Submission, outcome: dict) -> None:
    if outcome["died"]:
        result.status = "crashed"
        result.notes.append(outcome["died"])
    if outcome["timeouts"]:
        result.status = "timed out" if result.status == "graded" else result.status
        result.notes.append("interrupted after the time limit: cells "
                            + ", ".join(str(n) for n, _ in outcome["timeouts"]))
    if outcome["errors"]:
        result.status = "raised" if result.status == "graded" else result.status
        result.notes.append("errors in cells " + ", ".join(str(n) for n, _ in outcome["errors"])
                            + f" (first: {outcome['errors'][0][1]})")


def grade_folder(folder: Path | str, out: Path | str, *, instructor: Path | str, salt: str,
                 cell_timeout: int = CELL_TIMEOUT, timeout: int = NOTEBOOK_TIMEOUT,
                 jobs: int = 1, progress=None) -> list[Submission]:
    """Grade every notebook under ``folder``; write ``grades.csv`` and ``summary.csv`` in ``out``.

    Parameters
    ----------
    folder : path
        Submissions: ``<folder>/<student-id>/<notebook>.ipynb``, or
        ``<folder>/<student-id>__<notebook>.ipynb``, or ``<folder>/<student-id>.ipynb``.
    out : path
        Where the two CSV files go (created if needed).
    instructor : path
        The instructor-edition notebooks (the repository's ``notebooks/``).
    salt : str
        The course salt the students' variants were drawn with.
    cell_timeout, timeout : int
        Seconds for one cell, and for a whole notebook.
    jobs : int
        How many notebooks to grade at once (each runs in its own process and kernel).
    progress : callable, optional
        Called with each :class:`Submission` as it is graded (the command line prints it).

    Returns
    -------
    list of Submission
    """
    folder, out, instructor = Path(folder), Path(out), Path(instructor)
    paths = sorted(p for p in folder.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)

    def grade(path: Path) -> Submission:
        graded = grade_notebook(path, folder, instructor, salt, cell_timeout=cell_timeout,
                                timeout=timeout)
        if progress is not None:
            progress(graded)
        return graded

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        results = list(pool.map(grade, paths))
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "grades.csv", "w", newline="", encoding="utf-8") as sheet:
        writer = csv.DictWriter(sheet, GRADES_FIELDS)
        writer.writeheader()
        for graded in results:
            writer.writerows(vars(row) for row in graded.rows)
    with open(out / "summary.csv", "w", newline="", encoding="utf-8") as sheet:
        writer = csv.DictWriter(sheet, SUMMARY_FIELDS)
        writer.writeheader()
        writer.writerows(graded.summary_row() for graded in results)
    return results
