"""Grade a folder of submitted notebooks into a score sheet the class cannot forge.

Each submission is read with suspicion (:mod:`~kpath_nb.coursework.inbox`),
laid over the pristine student edition
(:func:`~kpath_nb.coursework.submission.prepare`), given a collector cell
after each answer (:mod:`~kpath_nb.coursework.collect`), and run in a fresh
kernel inside its own containment (:mod:`~kpath_nb.coursework.sandbox`), named
as the student its file belongs to, with a time limit per cell and one for
the whole notebook. The kernel hands back *answers*, as data; the grader draws
that student's variant of each of this notebook's exercises itself and runs
the checks here, in its own process. No output of the submission counts, and
no score can exceed an exercise's points. A notebook that raises, hangs, kills
its kernel, cannot be read or was tampered with is scored for what did run
and reported; it never stops the run. :func:`grade_folder` writes
``grades.csv`` (one row per student, notebook and exercise) and
``summary.csv`` (one row per submission), each atomically.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from .collect import UnreadableAnswer, decode
from .edition import student_notebook
from .inbox import HandIn, hand_ins, read_hand_in
from .questions import exercise_keys, question, title_and_points
from .sandbox import Limits, Sandbox
from .sheets import write_sheet
from .submission import notebook_number, prepare, with_collectors
from .variants import DEFAULT_SALT, CourseError

__all__ = ["CELL_TIMEOUT", "NOTEBOOK_TIMEOUT", "Row", "Submission", "grade_folder"]

CELL_TIMEOUT = 60
"""Seconds one cell may run before it is interrupted."""

NOTEBOOK_TIMEOUT = 300
"""Seconds a whole submission may take before its process is stopped."""

GRADES_FIELDS = ["student_id", "notebook", "exercise", "title", "points", "max_points",
                 "status", "feedback"]
SUMMARY_FIELDS = ["student_id", "notebook", "file", "points", "max_points", "status", "note"]

_CHECKED = re.compile(r"""\b(q\d+)\.check\(\s*(answer_\d+)\s*\)""")
_ASKED = re.compile(r"""\b(q\d+)\s*=\s*me\.question\(\s*["'](\d\d\.\d+)["']\s*\)""")


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


def answer_keys(edition: nbformat.NotebookNode, number: str) -> dict[str, str]:
    """Which exercise each ``answer_N`` of a notebook answers, from its ``qN.check(answer_N)``
    and ``qN = me.question("NN.M")`` cells (``answer_M`` ↔ ``NN.M`` where they do not say)."""
    asked = {q: key for cell in edition.cells for q, key in _ASKED.findall(cell.source)}
    keys = {f"answer_{key.split('.')[1]}": key for key in exercise_keys(number)}
    for cell in edition.cells:
        for q, name in _CHECKED.findall(cell.source):
            if q in asked:
                keys[name] = asked[q]
    return keys


class _Grader:
    """What every submission of one run shares: the editions, the salt, the sandbox."""

    def __init__(self, instructor: Path, salt: str, sandbox: Sandbox, cell_timeout: int,
                 timeout: int) -> None:
        self.salt, self.sandbox = salt, sandbox
        self.cell_timeout, self.timeout = cell_timeout, timeout
        self.editions = {p.name[:2]: student_notebook(nbformat.read(p, as_version=4), p.name)
                         for p in sorted(instructor.glob("[0-9][0-9]-*.ipynb"))}
        self.keys = {n: answer_keys(nb, n) for n, nb in self.editions.items()}

    def grade(self, hand_in: HandIn) -> Submission:
        """Grade one hand-in; whatever goes wrong is reported on its own row."""
        result = Submission(hand_in.student_id, "?", hand_in.file)
        try:
            self._grade(hand_in, result)
        except Exception as err:  # a submission no rule above foresaw: its row says so
            result.status = "unreadable"
            result.notes.append(f"could not be graded ({type(err).__name__}: "
                                f"{str(err)[:150]})")
        return result

    def _grade(self, hand_in: HandIn, result: Submission) -> None:
        if hand_in.problem is not None:
            result.status = "refused"
            result.notes.append(hand_in.problem)
            return
        submitted = None
        try:
            submitted = _notebook(read_hand_in(hand_in).decode("utf-8"))
        except Exception as err:  # not UTF-8, not JSON, not a notebook
            submitted, unreadable = None, f"not a notebook ({type(err).__name__})"
        number = notebook_number(submitted, Path(hand_in.file.split("/")[-1]))
        if number not in self.editions:
            result.status = "unreadable" if submitted is None else "unknown notebook"
            result.notes.append(unreadable if submitted is None else
                                "neither its metadata, its name nor its exercises say which "
                                "notebook of the series it is")
            return
        result.notebook = number
        if submitted is None:
            result.status = "unreadable"
            result.notes.append(unreadable)
            answers, missing = {}, f"not run: {unreadable}"
        else:
            answers, missing = self._run(number, submitted, result)
        self._check(number, answers, missing, result)

    def _run(self, number: str, submitted: nbformat.NotebookNode, result: Submission
             ) -> tuple[dict[str, dict], str]:
        """Run the submission contained; the answers it gave, and what to say where it gave
        none."""
        edition = self.editions[number]
        graded, changed = prepare(edition, submitted)
        if changed:
            result.status = "tampered"
            result.notes.append(f"cells {', '.join(map(str, changed))} differ from the course's "
                                f"or are missing; graded with the course's cells")
        graded, collectors = with_collectors(graded, edition)
        job = {"student": result.student_id, "salt": self.salt,
               "cell_timeout": self.cell_timeout, "collectors": collectors}
        lines, stopped = self.sandbox.run(job, nbformat.writes(graded).encode(), self.timeout)
        answers: dict[str, dict] = {}
        errors, timeouts = [], []
        for line in lines:
            if isinstance(line.get("answer"), str):
                answers.setdefault(line["answer"], line)
            elif isinstance(line.get("error"), int):
                errors.append((line["error"], str(line.get("line", ""))[:200]))
            elif isinstance(line.get("timeout"), int):
                timeouts.append(line["timeout"])
            elif line.get("end") and isinstance(line.get("died"), str):
                result.status = "crashed"
                result.notes.append(line["died"][:200])
        if stopped:
            result.status = stopped.split(":")[0]
            result.notes.append(stopped)
        if timeouts:
            result.status = "timed out" if result.status == "graded" else result.status
            result.notes.append("interrupted after the time limit: cells "
                                + ", ".join(map(str, timeouts)))
        if errors:
            result.status = "raised" if result.status == "graded" else result.status
            result.notes.append("errors in cells " + ", ".join(str(n) for n, _ in errors)
                                + f" (first: {errors[0][1]})")
        return answers, (f"not checked: cell {errors[0][0]} raised {errors[0][1]}"
                         if errors else "not checked: the notebook stopped before it")

    def _check(self, number: str, answers: dict[str, dict], missing: str,
               result: Submission) -> None:
        """This notebook's exercises, checked here for the student the grader named."""
        by_key = {key: name for name, key in self.keys[number].items()}
        for key in exercise_keys(number):
            title, points = title_and_points(key)
            got = answers.get(by_key.get(key, ""))
            if got is None:
                result.rows.append(Row(result.student_id, number, key, title, 0, points,
                                       "not run", missing))
                continue
            try:
                if "unreadable" in got:
                    raise UnreadableAnswer(str(got["unreadable"])[:200])
                value = decode(got.get("value"))
            except UnreadableAnswer as err:
                result.rows.append(Row(result.student_id, number, key, title, 0, points,
                                       "unreadable answer", str(err)))
                continue
            try:
                feedback = question(key, result.student_id, salt=self.salt).check(value)
                score = max(0, min(int(feedback.score), points))
                row = Row(result.student_id, number, key, title, score, points,
                          feedback.status, str(feedback)[:500])
            except Exception as err:  # a check that cannot read this answer scores it 0
                row = Row(result.student_id, number, key, title, 0, points,
                          "unreadable answer", f"the check could not read it "
                                               f"({type(err).__name__})")
            result.rows.append(row)


def grade_folder(folder: Path | str, out: Path | str, *, instructor: Path | str, salt: str,
                 cell_timeout: int = CELL_TIMEOUT, timeout: int = NOTEBOOK_TIMEOUT,
                 jobs: int = 1, roster: set[str] | None = None,
                 allow_default_salt: bool = False, limits: Limits = Limits(),
                 progress=None) -> list[Submission]:
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
        How many notebooks to grade at once (each in its own containment).
    roster : set of str, optional
        The course's student IDs: a submission by anyone else is flagged ``unknown student``.
    allow_default_salt : bool
        Grade with the default salt (everyone's variants outside a course); refused otherwise.
    limits : Limits
        What one submission may use.
    progress : callable, optional
        Called with each :class:`Submission` as it is graded (the command line prints it).

    Returns
    -------
    list of Submission

    Raises
    ------
    CourseError
        When ``salt`` is empty, or the default salt without ``allow_default_salt``, or ``out``
        is a symbolic link.
    """
    if not salt or not salt.strip():
        raise CourseError("no course salt: give the one the student edition was built with "
                          "(--salt, KPATH_COURSE_SALT or the edition's course file)")
    if salt.strip() == DEFAULT_SALT and not allow_default_salt:
        raise CourseError(f"the salt is the default ({DEFAULT_SALT!r}), which every reader "
                          f"outside a course has: give the course's salt, or "
                          f"--allow-default-salt if the class really used the default")
    folder, out, instructor = Path(folder), Path(out), Path(instructor)
    exercise_keys()  # every chapter's checks loaded before any submission runs
    if out.is_symlink():
        raise CourseError(f"{out} is a symbolic link: give the output folder itself")
    out.mkdir(parents=True, exist_ok=True)
    repo = Path(__file__).resolve().parents[2]
    hide = [folder, out, instructor, repo / "tests", *_git_folders(repo)]
    with tempfile.TemporaryDirectory(prefix="kpath-grading-") as run:
        sandbox = Sandbox(Path(run), hide, jobs, limits)
        try:
            grader = _Grader(instructor, salt.strip(), sandbox, cell_timeout, timeout)

            def grade(hand_in: HandIn) -> Submission:
                graded = grader.grade(hand_in)
                if progress is not None:
                    progress(graded)
                return graded

            with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
                results = list(pool.map(grade, hand_ins(folder)))
        finally:
            sandbox.close()
    _flag(results, roster)
    write_sheet(out / "grades.csv", GRADES_FIELDS,
                (vars(row) for graded in results for row in graded.rows))
    write_sheet(out / "summary.csv", SUMMARY_FIELDS, (graded.summary_row() for graded in results))
    return results


def _notebook(text: str) -> nbformat.NotebookNode:
    """A submitted notebook, as it is: a version 4 notebook is taken without validation (the
    grader copes with odd cells; the validator itself may not), an older one converted."""
    data = json.loads(text)
    if isinstance(data, dict) and data.get("nbformat") == 4:
        submitted = nbformat.from_dict(data)
    else:
        submitted = nbformat.reads(text, as_version=4)
    if not isinstance(submitted, dict) or not isinstance(submitted.get("cells"), list):
        raise ValueError("no list of cells")
    return submitted


def _git_folders(repo: Path) -> list[Path]:
    """The repository's history: ``.git``, or for a worktree the git folders its ``.git``
    file points to (the instructor edition's history is there)."""
    dot_git = repo / ".git"
    if not dot_git.is_file():
        return [dot_git]
    try:
        pointed = Path(dot_git.read_text().split("gitdir:", 1)[1].strip())
    except (OSError, IndexError):
        return []
    common = pointed / "commondir"
    shared = [(pointed / common.read_text().strip()).resolve()] if common.is_file() else []
    return [dot_git, pointed, *shared]


def _flag(results: list[Submission], roster: set[str] | None) -> None:
    """Mark a notebook handed in more than once by one student, and students not on the roster."""
    twice = Counter((r.student_id, r.notebook) for r in results if r.notebook != "?")
    for graded in results:
        if twice[(graded.student_id, graded.notebook)] > 1:
            others = [r.file for r in results if r is not graded
                      and (r.student_id, r.notebook) == (graded.student_id, graded.notebook)]
            graded.notes.append(f"{graded.status}; notebook {graded.notebook} was handed in "
                                f"{twice[(graded.student_id, graded.notebook)]} times (also "
                                f"{', '.join(others)}): count one")
            graded.status = "duplicate"
        if roster is not None and graded.student_id not in roster and graded.status != "refused":
            graded.notes.append(f"{graded.status}; {graded.student_id} is not on the roster")
            graded.status = "unknown student"
