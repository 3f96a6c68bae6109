"""Grading a folder of honest submissions: right scores, and no submission stops the run.

The sample class hands in notebook 01 in every way an honest class does: fully
right, right but copied from another student's variant, empty, raising,
looping forever, tampered with, and not a notebook at all; and notebook 00 with
the student's ID written in its enrolment cell. The notebooks are the short
course of :mod:`grading_class` (the exercises without the teaching cells).
"""

from __future__ import annotations

import csv
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_output

from grading_class import NB00, NB01, SALT, answers, blank, literal, short_course, solved
from kpath_nb.coursework import question
from kpath_nb.coursework.grading import grade_folder
from kpath_nb.coursework.student import STUDENT_MIME
from kpath_nb.coursework.variants import DEFAULT_SALT, CourseError
from test_coursework_subnets import SOLVE


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return short_course(tmp_path_factory.mktemp("course"))


@pytest.fixture(scope="module")
def graded(tmp_path_factory, course) -> dict[str, dict]:
    folder = tmp_path_factory.mktemp("submissions")
    instructor = nbformat.read(course / NB01, as_version=4)

    def hand_in(name: str, nb: nbformat.NotebookNode) -> None:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, path)

    hand_in(f"alice/{NB01}", instructor)               # the worked solutions: right for anyone
    hand_in(f"bob/{NB01}", instructor)
    copied = solved(course, "alice")                   # alice's values, handed in by carol
    [me] = [cell for cell in copied.cells if cell.source.startswith("me = kp.coursework.student")]
    me.outputs = [new_output("execute_result", {STUDENT_MIME: {"id": "alice"},
                                                "text/plain": "Student('alice')"},
                             execution_count=1)]
    hand_in(f"carol/{NB01}", copied)
    hand_in(f"dan/{NB01}", blank(course))              # nothing answered
    raising = blank(course)
    answers(raising)[0].source = literal("01.1", "erin")
    answers(raising)[1].source = "raise ValueError('I give up')"
    hand_in(f"erin/{NB01}", raising)
    looping = blank(course)
    answers(looping)[0].source = literal("01.1", "frank")
    answers(looping)[2].source = "while True:\n    pass"
    hand_in(f"frank/{NB01}", looping)
    tampered = blank(course)
    answers(tampered)[0].source = literal("01.1", "gus")
    checks = [c for c in tampered.cells if c.source.startswith("q") and ".check(" in c.source]
    checks[1].source = "print('✅ 01.2 network address: right.')"
    hand_in(f"gus__{NB01}", tampered)
    (folder / "hana.ipynb").write_text("{ this is not a notebook")
    enrolled = nbformat.read(course / NB00, as_version=4)   # notebook 00, ID entered
    [enrol] = [c for c in enrolled.cells if "kp.coursework.enrol(" in c.source]
    enrol.source = enrol.source.replace("student_id = ...", 'student_id = "ines"')
    hand_in(f"ines/{NB00}", enrolled)

    out = tmp_path_factory.mktemp("grades")
    grade_folder(folder, out, instructor=course, salt=SALT, cell_timeout=5, timeout=120,
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
                                         "hana", "ines"]


def test_worked_solutions_score_full_marks_for_every_student(graded) -> None:
    for sid in ("alice", "bob"):
        row = graded["summary"][sid]
        assert (row["points"], row["max_points"], row["status"]) == ("6", "6", "graded")
        assert set(_scores(graded, sid).values()) == {"correct"}


def test_answers_copied_from_another_variant_do_not_fit(graded) -> None:
    expected = sum(question(key, "carol", salt=SALT).check(SOLVE[key](
        question(key, "alice", salt=SALT))).score for key in SOLVE)
    assert expected < 6
    assert int(graded["summary"]["carol"]["points"]) == expected
    assert "incorrect" in _scores(graded, "carol").values()


def test_saved_outputs_accuse_nobody(graded) -> None:
    """Outputs are the student's to edit: the grader reads none, and names no classmate."""
    assert "alice" not in graded["summary"]["carol"]["note"]


def test_an_empty_notebook_scores_nothing_and_says_not_answered(graded) -> None:
    row = graded["summary"]["dan"]
    assert (row["points"], row["status"]) == ("0", "graded")
    assert set(_scores(graded, "dan").values()) == {"unanswered"}


def test_a_raising_answer_costs_only_its_exercise(graded) -> None:
    row = graded["summary"]["erin"]
    assert (row["points"], row["status"]) == ("1", "raised")
    assert "ValueError: I give up" in row["note"]
    scores = _scores(graded, "erin")
    assert scores["01.1"] == "correct" and scores["01.2"] == "unanswered"


def test_an_endless_loop_is_interrupted_and_the_rest_graded(graded) -> None:
    row = graded["summary"]["frank"]
    assert (row["points"], row["status"]) == ("1", "timed out")
    scores = _scores(graded, "frank")
    assert scores["01.1"] == "correct" and scores["01.3"] == "unanswered"
    assert scores["01.4"] == "unanswered"


def test_tampering_is_reported_and_graded_with_the_course_cells(graded) -> None:
    row = graded["summary"]["gus"]
    assert (row["points"], row["status"]) == ("1", "tampered")
    assert _scores(graded, "gus")["01.2"] == "unanswered"


def test_a_file_that_is_not_a_notebook_is_reported(graded) -> None:
    row = graded["summary"]["hana"]
    assert row["status"] == "unreadable" and row["points"] == "0"


def test_the_enrolment_cell_is_not_tampering(graded) -> None:
    row = graded["summary"]["ines"]
    assert (row["points"], row["max_points"], row["status"]) == ("2", "2", "graded")


def test_a_notebook_out_of_time_keeps_what_it_earned(tmp_path, course) -> None:
    nb = blank(course)
    answers(nb)[0].source = literal("01.1", "ivan")
    answers(nb)[1].source = ("import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                             "while True:\n    pass")
    (tmp_path / "in" / "ivan").mkdir(parents=True)
    nbformat.write(nb, tmp_path / "in" / "ivan" / NB01)
    [result] = grade_folder(tmp_path / "in", tmp_path / "out", instructor=course, salt=SALT,
                            cell_timeout=2, timeout=15)
    assert result.status == "timed out" and result.points == 1
    statuses = [row.status for row in result.rows]
    assert statuses == ["correct"] + ["not run"] * 5


@pytest.mark.parametrize("salt", ["", "  ", DEFAULT_SALT])
def test_grading_without_the_course_salt_is_refused(tmp_path, salt) -> None:
    with pytest.raises(CourseError, match="salt"):
        grade_folder(tmp_path, tmp_path / "out", instructor=tmp_path, salt=salt)
    assert not (tmp_path / "out").exists()


def test_the_default_salt_is_used_only_when_asked_for(tmp_path) -> None:
    assert grade_folder(tmp_path, tmp_path / "out", instructor=tmp_path, salt=DEFAULT_SALT,
                        allow_default_salt=True) == []
    assert (tmp_path / "out" / "summary.csv").read_text().startswith("student_id,")


def test_without_full_containment_the_grader_still_grades(tmp_path, course, monkeypatch) -> None:
    """Not root (or no mount namespace): the same grading, with rlimits and a killed group."""
    from kpath_nb.coursework import sandbox
    monkeypatch.setattr(sandbox, "containment_level", lambda: "reduced containment: testing")
    for sid, end in (("jo", ""), ("kim", "\nimport signal\nsignal.signal(signal.SIGINT, "
                                         "signal.SIG_IGN)\nwhile True:\n    pass")):
        nb = solved(course, sid)
        answers(nb)[4].source += f"\nimport subprocess\nsubprocess.Popen(['sleep', '613']){end}"
        (tmp_path / "in" / sid).mkdir(parents=True)
        nbformat.write(nb, tmp_path / "in" / sid / NB01)
    jo, kim = grade_folder(tmp_path / "in", tmp_path / "out", instructor=course, salt=SALT,
                           cell_timeout=2, timeout=12)
    assert (jo.points, jo.status) == (6, "graded")
    assert (kim.points, kim.status) == (4, "timed out")
    assert _left_behind() == []


def _left_behind() -> list[str]:
    """Processes a reduced-containment submission could leave: its ``sleep 613``, or a kernel
    of a grading run whose parent is gone."""
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            parent = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if command == "sleep 613 " or ("/kpath-grading-" in command and parent == 1):
            found.append(command)
    return found


def test_an_output_folder_that_is_a_link_is_refused_before_grading(tmp_path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "out").symlink_to(tmp_path / "real")
    with pytest.raises(CourseError, match="symbolic link"):
        grade_folder(tmp_path, tmp_path / "out", instructor=tmp_path, salt=SALT)
