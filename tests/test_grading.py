"""Grading a folder of submissions: right scores, and no submission stops the run.

The sample class hands in notebook 01 in every way a class does: fully right,
right but copied from another student's variant, empty, raising, looping forever,
tampered with, and not a notebook at all.
"""

from __future__ import annotations

import csv
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_output

from kpath_nb.coursework import question
from kpath_nb.coursework.edition import ANSWER, student_notebook
from kpath_nb.coursework.grading import grade_folder
from kpath_nb.coursework.student import STUDENT_MIME
from test_coursework_subnets import SOLVE

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"
NB01 = "01-ip-addresses-and-subnets.ipynb"
SALT = "test-course"


def _answers(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [cell for cell in nb.cells if ANSWER in cell.metadata.get("tags", [])]


def _literal(key: str, sid: str) -> str:
    """``answer_N = <the right value for sid>``, written out as a student would."""
    value = SOLVE[key](question(key, sid, salt=SALT))
    return f"answer_{key.split('.')[1]} = {value!r}"


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict[str, dict]:
    folder = tmp_path_factory.mktemp("submissions")
    instructor = nbformat.read(NOTEBOOKS / NB01, as_version=4)

    def hand_in(name: str, nb: nbformat.NotebookNode) -> None:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, path)

    hand_in(f"alice/{NB01}", instructor)               # the worked solutions: right for anyone
    hand_in(f"bob/{NB01}", instructor)
    copied = student_notebook(instructor)              # alice's values, handed in by carol
    for cell, key in zip(_answers(copied), sorted(SOLVE)):
        cell.source = _literal(key, "alice")
    [me] = [cell for cell in copied.cells if cell.source.startswith("me = kp.coursework.student")]
    me.outputs = [new_output("execute_result", {STUDENT_MIME: {"id": "alice"},
                                                "text/plain": "Student('alice')"},
                             execution_count=1)]
    hand_in(f"carol/{NB01}", copied)
    hand_in(f"dan/{NB01}", student_notebook(instructor))   # nothing answered
    raising = student_notebook(instructor)
    _answers(raising)[0].source = _literal("01.1", "erin")
    _answers(raising)[1].source = "raise ValueError('I give up')"
    hand_in(f"erin/{NB01}", raising)
    looping = student_notebook(instructor)
    _answers(looping)[0].source = _literal("01.1", "frank")
    _answers(looping)[2].source = "while True:\n    pass"
    hand_in(f"frank/{NB01}", looping)
    tampered = student_notebook(instructor)
    _answers(tampered)[0].source = _literal("01.1", "gus")
    checks = [c for c in tampered.cells if c.source.startswith("q") and ".check(" in c.source]
    checks[1].source = "print('✅ 01.2 network address: right.')"
    hand_in(f"gus__{NB01}", tampered)
    (folder / "hana.ipynb").write_text("{ this is not a notebook")

    out = tmp_path_factory.mktemp("grades")
    grade_folder(folder, out, instructor=NOTEBOOKS, salt=SALT, cell_timeout=5, timeout=120,
                 jobs=2)
    with open(out / "summary.csv", encoding="utf-8") as sheet:
        summary = {row["student_id"]: row for row in csv.DictReader(sheet)}
    with open(out / "grades.csv", encoding="utf-8") as sheet:
        rows = list(csv.DictReader(sheet))
    return {"summary": summary, "rows": rows}


def _scores(graded: dict, sid: str) -> dict[str, str]:
    return {row["exercise"]: row["status"] for row in graded["rows"] if row["student_id"] == sid}


def test_every_submission_is_reported(graded) -> None:
    assert sorted(graded["summary"]) == ["alice", "bob", "carol", "dan", "erin", "frank", "gus",
                                         "hana"]


def test_worked_solutions_score_full_marks_for_every_student(graded) -> None:
    for sid in ("alice", "bob"):
        row = graded["summary"][sid]
        assert (row["points"], row["max_points"], row["status"]) == ("6", "6", "graded")
        assert set(_scores(graded, sid).values()) == {"correct"}


def test_answers_copied_from_another_variant_do_not_fit(graded) -> None:
    assert int(graded["summary"]["carol"]["points"]) <= 3
    assert "worked as alice, not carol" in graded["summary"]["carol"]["note"]
    assert "incorrect" in _scores(graded, "carol").values()


def test_an_empty_notebook_scores_nothing_and_says_not_answered(graded) -> None:
    row = graded["summary"]["dan"]
    assert (row["points"], row["status"]) == ("0", "graded")
    assert set(_scores(graded, "dan").values()) == {"unanswered"}


def test_a_raising_answer_costs_only_its_exercise(graded) -> None:
    row = graded["summary"]["erin"]
    assert (row["points"], row["status"]) == ("1", "raised")
    assert "ValueError: I give up" in row["note"]
    scores = _scores(graded, "erin")
    assert scores["01.1"] == "correct" and scores["01.2"] == "not run"


def test_an_endless_loop_is_interrupted_and_the_rest_graded(graded) -> None:
    row = graded["summary"]["frank"]
    assert (row["points"], row["status"]) == ("1", "timed out")
    scores = _scores(graded, "frank")
    assert scores["01.1"] == "correct" and scores["01.3"] == "not run"
    assert scores["01.4"] == "unanswered"


def test_tampering_is_reported_and_graded_with_the_course_cells(graded) -> None:
    row = graded["summary"]["gus"]
    assert (row["points"], row["status"]) == ("1", "tampered")
    assert _scores(graded, "gus")["01.2"] == "unanswered"


def test_a_file_that_is_not_a_notebook_is_reported(graded) -> None:
    row = graded["summary"]["hana"]
    assert row["status"] == "unreadable" and row["points"] == "0"


def test_a_kernel_that_ignores_interrupts_is_stopped(tmp_path) -> None:
    nb = student_notebook(nbformat.read(NOTEBOOKS / NB01, as_version=4))
    _answers(nb)[0].source = ("import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                              "while True:\n    pass")
    (tmp_path / "in" / "ivan").mkdir(parents=True)
    nbformat.write(nb, tmp_path / "in" / "ivan" / NB01)
    [result] = grade_folder(tmp_path / "in", tmp_path / "out", instructor=NOTEBOOKS, salt=SALT,
                            cell_timeout=2, timeout=15)
    assert result.status == "timed out" and result.points == 0
    assert len(result.rows) == 6 and {row.status for row in result.rows} == {"not run"}
