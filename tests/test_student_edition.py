"""The student edition holds no solution and runs clean; the instructor edition is right for anyone.

Both are graded here as submissions are (a fresh, contained kernel per
notebook, named as a student): every exercise of the student edition says "not
answered yet", and every worked solution of the instructor edition is judged
right for two different students.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest

from kpath_nb.coursework import exercise_keys
from kpath_nb.coursework.__main__ import main
from kpath_nb.coursework.edition import (ANSWER, SOLUTION, EditionError, build_student_edition,
                                         export_student_tree, student_notebook)
from kpath_nb.coursework.grading import grade_folder
from kpath_nb.coursework.variants import COURSE_FILE

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"
PATHS = sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))
SALT = "test-course"


def _tagged(nb: nbformat.NotebookNode, tag: str) -> list[nbformat.NotebookNode]:
    return [cell for cell in nb.cells if tag in cell.metadata.get("tags", [])]


@pytest.fixture(scope="module")
def edition(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("student")
    assert main(["student-edition", str(NOTEBOOKS), str(target), "--salt", SALT]) == 0
    return target


def test_every_notebook_has_exercises_with_solutions() -> None:
    for path in PATHS:
        nb = nbformat.read(path, as_version=4)
        number = path.name[:2]
        assert nb.metadata["kpath"]["notebook"] == number
        assert len(_tagged(nb, SOLUTION)) == len(exercise_keys(number)), path.name


def test_the_student_edition_holds_no_solution(edition: Path) -> None:
    assert sorted(p.name for p in edition.glob("*.ipynb")) == [p.name for p in PATHS]
    assert json.loads((edition / COURSE_FILE).read_text()) == {"salt": SALT}
    for path in PATHS:
        instructor = nbformat.read(path, as_version=4)
        student = nbformat.read(edition / path.name, as_version=4)
        assert not _tagged(student, SOLUTION)
        solutions = _tagged(instructor, SOLUTION)
        answers = _tagged(student, ANSWER)
        assert [c.id for c in answers] == [c.id for c in solutions]
        text = "\n".join(cell.source for cell in student.cells)
        for solution, answer in zip(solutions, answers):
            assert all(re.fullmatch(r"answer_\d+ = \.\.\.", line)
                       for line in answer.source.splitlines())
            assert solution.source not in text
        assert all(cell.get("outputs", []) == [] for cell in student.cells)


def test_the_student_edition_runs_clean_with_nothing_answered(edition: Path, tmp_path) -> None:
    (tmp_path / "in" / "s2400001").mkdir(parents=True)
    for path in PATHS:
        (tmp_path / "in" / "s2400001" / path.name).write_bytes((edition / path.name).read_bytes())
    results = grade_folder(tmp_path / "in", tmp_path / "out", instructor=NOTEBOOKS, salt=SALT,
                           jobs=2)
    assert sorted(r.notebook for r in results) == [p.name[:2] for p in PATHS]
    for result in results:
        assert (result.status, result.notes) == ("graded", []), result.file
        statuses = {row.exercise: row.status for row in result.rows}
        assert statuses == {key: "unanswered" for key in exercise_keys(result.notebook)}


def test_the_worked_solutions_are_right_for_two_students(tmp_path) -> None:
    for sid in ("s2400001", "s2400002"):
        for path in PATHS:
            (tmp_path / "in" / sid).mkdir(parents=True, exist_ok=True)
            (tmp_path / "in" / sid / path.name).write_bytes(path.read_bytes())
    results = grade_folder(tmp_path / "in", tmp_path / "out", instructor=NOTEBOOKS, salt=SALT,
                           jobs=2)
    assert len(results) == 2 * len(PATHS)
    wrong = [(r.student_id, row.exercise, row.feedback) for r in results for row in r.rows
             if row.status != "correct"]
    assert wrong == []
    assert {r.status for r in results} == {"graded"}


def test_a_solution_cell_without_an_answer_is_refused() -> None:
    from nbformat.v4 import new_code_cell, new_notebook
    nb = new_notebook(cells=[new_code_cell("x = 1", metadata={"tags": [SOLUTION]})])
    with pytest.raises(EditionError, match="answer_N"):
        student_notebook(nb, "bad.ipynb")


def test_the_edition_cannot_overwrite_the_instructor_edition() -> None:
    with pytest.raises(EditionError, match="another folder"):
        build_student_edition(NOTEBOOKS, NOTEBOOKS)


def test_the_students_copy_holds_no_test_solution_or_history(tmp_path) -> None:
    target = tmp_path / "kpath-fall-2026"
    assert main(["student-export", str(REPO), str(target), "--salt", SALT]) == 0
    files = [p for p in target.rglob("*") if p.is_file()]
    names = {str(p.relative_to(target)) for p in files}
    assert not any(n.startswith(("tests/", ".git/", "benchmarks/")) for n in names)
    assert "docs/instructor-guide.md" not in names and "kpath_nb/__init__.py" in names
    assert json.loads((target / "notebooks" / COURSE_FILE).read_text()) == {"salt": SALT}
    text = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in files)
    assert "SOLVE" not in text and "MISTAKE" not in text
    for path in PATHS:
        for solution in _tagged(nbformat.read(path, as_version=4), SOLUTION):
            assert solution.source not in text, (path.name, solution.source[:60])
        student = nbformat.read(target / "notebooks" / path.name, as_version=4)
        assert not _tagged(student, SOLUTION)


def test_the_students_copy_goes_to_a_new_folder_outside_the_repository(tmp_path) -> None:
    with pytest.raises(EditionError, match="outside"):
        export_student_tree(REPO, REPO / "student-copy", salt=SALT)
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    with pytest.raises(EditionError, match="not empty"):
        export_student_tree(REPO, tmp_path / "full", salt=SALT)
