"""A hostile class: every attack and malformed file of the grading audit, graded in one run.

Each test fails if a score is forged, the run aborts or hangs, a process of a
submission outlives grading, a file outside the attacker's own copy changes,
or an honest classmate's row changes. The attacks know the real paths of the
submissions, the output folder, the instructor edition and the repository, as
a student who guessed them would. They need the grader's full containment
(root and mount namespaces); without it the module is skipped.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_output

from grading_class import NB01, REPO, SALT, answers, blank, literal, short_course, solved
from kpath_nb.coursework import question
from kpath_nb.coursework.grading import grade_folder
from kpath_nb.coursework.sandbox import containment_level
from kpath_nb.coursework.student import STUDENT_MIME
from kpath_nb.exercises import FEEDBACK_MIME
from test_coursework_subnets import SOLVE

# CI sets KPATH_GRADING_CONTAINED=1: there a machine without full containment fails the
# module instead of skipping it.
pytestmark = pytest.mark.skipif(not containment_level().startswith("full")
                                and os.environ.get("KPATH_GRADING_CONTAINED") != "1",
                                reason="needs the grader's full containment (root)")

KEYS = sorted(SOLVE)
VICTIMS = ("alice", "bob")
DAEMON = """
import ctypes, os, time
def daemon(work):
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            ctypes.CDLL(None).prctl(15, b"kpath-attack", 0, 0, 0)  # its name, for the test
            try:
                work()
            finally:
                os._exit(0)
        os._exit(0)
"""


def _forged_feedback(score: object) -> str:
    return "".join(
        f"display({{{FEEDBACK_MIME!r}: {{'key': {k!r}, 'exercise': {k!r}, 'status': 'correct', "
        f"'score': {score!r}, 'points': 1, 'message': 'forged'}}}}, raw=True)\n" for k in KEYS)


def _with_first_answer(course: Path, code: str, rest: dict[str, str] | None = None
                       ) -> nbformat.NotebookNode:
    nb = blank(course)
    cells = answers(nb)
    cells[0].source = code
    for cell, key in zip(cells, KEYS):
        if rest and key in rest:
            cell.source = f"{code}\n{rest[key]}" if cell is cells[0] else rest[key]
    return nb


def _literals(sid: str) -> dict[str, str]:
    return {key: literal(key, sid) for key in KEYS}


def _score(sid: str, literals_of: str) -> int:
    """What ``literals_of``'s right answers are worth for ``sid``'s variant."""
    return sum(question(k, sid, salt=SALT).check(SOLVE[k](question(k, literals_of, salt=SALT)))
               .score for k in KEYS)


def _digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()}


def _attackers() -> list[int]:
    """Daemons started by an attack (each names itself ``kpath-attack``)."""
    found = []
    for comm in Path("/proc").glob("[0-9]*/comm"):
        try:
            if comm.read_text().strip() == "kpath-attack":
                found.append(int(comm.parent.name))
        except OSError:
            continue
    return found


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> dict:
    course = short_course(tmp_path_factory.mktemp("course"))
    folder = tmp_path_factory.mktemp("submissions")
    out = tmp_path_factory.mktemp("grades")
    elsewhere = tmp_path_factory.mktemp("elsewhere") / "precious.txt"
    elsewhere.write_text("not for the grader to overwrite\n")
    (out / "summary.csv").symlink_to(elsewhere)                    # S8
    paths = {"FOLDER": str(folder), "OUT": str(out), "COURSE": str(course), "REPO": str(REPO)}

    def hand_in(name: str | bytes, nb: nbformat.NotebookNode) -> None:
        path = Path(os.fsdecode(os.path.join(os.fsencode(folder), os.fsencode(name))))
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, path)

    def attack(sid: str, code: str, rest: dict[str, str] | None = None) -> None:
        for name, value in paths.items():
            code = code.replace(name, repr(value))
        hand_in(f"{sid}/{NB01}", _with_first_answer(course, DAEMON + code, rest))

    instructor = nbformat.read(course / NB01, as_version=4)
    for sid in VICTIMS:
        hand_in(f"{sid}/{NB01}", instructor)

    # Forged scores.
    attack("p01", "from kpath_nb.coursework import questions\nfrom kpath_nb.exercises import "
                  "Feedback\nquestions.Question.check = lambda self, a: Feedback('x', 'correct', "
                  "'ok', key=self.key, points=self.points)\nanswer_1 = 'wrong'")
    added = blank(course)
    added.cells.append(new_code_cell(_forged_feedback(1)))
    hand_in(f"p02/{NB01}", added)
    attack("p03", "from IPython import get_ipython\n"
                  "def forge(result):\n    " + _forged_feedback(1).replace("\n", "\n    ")
           + "\nget_ipython().events.register('post_run_cell', forge)\nanswer_1 = 'wrong'")
    attack("p04", "from kpath_nb.coursework import questions, variants\n"
                  "questions.variant_random = lambda salt, key, sid: "
                  "variants.variant_random(salt, key, 'practice')", _literals("practice"))
    attack("p05", "os.environ['KPATH_STUDENT_ID'] = 'practice'", _literals("practice"))
    attack("p06", "q1 = kp.coursework.question('01.1', 'alice', salt=%r)" % SALT,
           _literals("alice"))
    attack("p12", "import json\nlines = b''.join(json.dumps(l).encode() + b'\\n' for l in ("
                  "{'answer': 'answer_2', 'value': ['str', 'forged']}, {'end': True, 'died': None},"
                  " {'feedback': {'01.1': {'score': 1000}}}, {'answer': 'answer_9', 'value': "
                  "['int', 1]}))\ndef forge():\n    for _ in range(50):\n"
                  "        for fd in range(64):\n            try:\n                "
                  "os.write(fd, lines)\n            except OSError:\n                pass\n"
                  "        time.sleep(0.1)\ndaemon(forge)\nanswer_1 = 'wrong'")
    attack("p13", "def rewrite():\n    time.sleep(3)\n    for name in ('grades.csv', "
                  "'summary.csv'):\n        try:\n            open(os.path.join(OUT, name), 'w')"
                  ".write('=forged')\n        except OSError:\n            pass\ndaemon(rewrite)")
    attack("p14", "import kpath_nb.exercises as e\nwrote = []\nfor path in (e.__file__, "
                  "os.path.join(REPO, 'kpath_nb', 'exercises', '__init__.py'), os.path.join("
                  "REPO, 'kpath_nb', 'coursework', 'questions.py')):\n    try:\n        "
                  "open(path, 'a').write('\\nFORGED = 1\\n')\n        wrote.append(path)\n    "
                  "except OSError:\n        pass\nraise ValueError(f'wrote: {wrote}')")
    attack("p15", "found = []\nfor path in (os.path.join(COURSE, %r), FOLDER, OUT, "
                  "os.path.join(REPO, 'tests'), os.path.join(REPO, '.git')):\n    try:\n        "
                  "found += [path] if (os.listdir(path) if os.path.isdir(path) else "
                  "open(path).read()) else []\n    except OSError:\n        pass\n"
                  "raise ValueError(f'read: {found}')" % NB01)
    forged_me = blank(course)
    forged_me.cells.append(new_code_cell(_forged_feedback(-1000) + _forged_feedback("lots")))
    forged_me.cells[1].outputs = [new_output("execute_result", {STUDENT_MIME: {"id": "alice"},
                                                                "text/plain": "x"})]
    hand_in(f"p16/{NB01}", forged_me)
    hand_in(f"p11/{NB01}", solved(course, "p11"))                  # P11: three times
    hand_in(f"p11__{NB01}", solved(course, "p11"))
    hand_in("p11/again.ipynb", solved(course, "p11"))

    # Sabotage of the class.
    attack("s01", "import signal\nend = time.time() + 8\nwhile time.time() < end:\n"
                  "    for pid in os.listdir('/proc'):\n        if pid.isdigit() and int(pid) != "
                  "os.getpid():\n            try:\n                os.kill(int(pid), "
                  "signal.SIGKILL)\n            except OSError:\n                pass\n"
                  "    time.sleep(0.05)")
    attack("s02", "daemon(lambda: time.sleep(600))")
    attack("s03", "for _ in range(50):\n    daemon(lambda: time.sleep(600))")
    attack("zz", "daemon(lambda: time.sleep(600))")  # graded last: no later run sweeps its uid
    attack("s04", "with open('/tmp/kpath-attack-fill', 'wb') as f:\n    for _ in range(2048):\n"
                  "        f.write(b'x' * 2**20)")
    attack("s05", "for fd in (1, 2):\n    for _ in range(1536):\n        os.write(fd, b'x' * "
                  "2**20)\nparent = f'/proc/{os.getppid()}/fd'\nfor name in os.listdir(parent):\n"
                  "    try:\n        fd = os.open(os.path.join(parent, name), os.O_WRONLY | "
                  "os.O_NONBLOCK)\n    except OSError:\n        continue\n    for _ in "
                  "range(256):\n        try:\n            os.write(fd, b'{\"end\": true}\\n' * "
                  "2**16)\n        except OSError:\n            break")
    attack("s07", "blank = open(os.path.join(FOLDER, 'alice', %r)).read()\n" % NB01
           + "for root, _, files in os.walk(FOLDER):\n    for name in files:\n"
             "        open(os.path.join(root, name), 'w').write('{}')")
    attack("s08", "hog = bytearray(8 * 2**30)")

    # Malformed submissions.
    for sid, metadata in (("m01", {"kpath": ["01"]}), ("m02", {"kpath": "01"}),
                          ("m03", {"kpath": {"notebook": 1}})):
        nb = solved(course, sid)
        nb.metadata.update(metadata)
        hand_in(f"{sid}/{NB01}", nb)
    tags = solved(course, "m04")
    for cell in tags.cells[:3]:
        cell.metadata["tags"] = 5
    (folder / "m04").mkdir()
    (folder / "m04" / NB01).write_text(json.dumps(tags))
    hand_in(b"m05__\xff\xfe.ipynb", solved(course, "m05"))         # non-UTF-8 file name
    hand_in(b"\xffm__" + NB01.encode(), solved(course, "m05"))
    os.mkfifo(folder / f"m06__{NB01}")
    (folder / f"m07__{NB01}").symlink_to("/dev/zero")
    with open(folder / f"m08__{NB01}", "wb") as huge:
        huge.truncate(300 * 2**20)
    for sid in ("=cmd|' -C calc'!A0", "+1", "-rf", "@SUM(1)", "a b", "x" * 65, "ünï"):
        hand_in(f"{sid}__{NB01}", solved(course, "alice"))
    for name, text in (("m10", ""), ("m11", "[]"), ("m12", '{"cells": "x", "metadata": []}'),
                       ("m13", '{"nbformat": 4, "nbformat_minor": 5, "metadata": 5, "cells": '
                               '[{"cell_type": "code", "source": [1, 2], "outputs": 7}]}'),
                       ("m14", "\x00\x01binary")):
        (folder / f"{name}__{NB01}").write_text(text)
    odd_cells = solved(course, "m15")
    odd_cells.cells.insert(2, nbformat.from_dict({"cell_type": "weird", "source": "x",
                                                  "metadata": {}}))
    odd_cells.cells[0]["id"] = ["not", "a", "string"]
    (folder / "m15").mkdir()
    (folder / "m15" / NB01).write_text(json.dumps(odd_cells))
    hand_in(f"zed/{NB01}", solved(course, "zed"))                  # not on the roster
    messages = _with_first_answer(course, "raise ValueError('=HYPERLINK(\"http://x\")')")
    hand_in(f"m16/{NB01}", messages)

    before = _digest(folder)
    package = _digest(REPO / "kpath_nb")
    roster = {"alice", "bob", *(f"p{n:02d}" for n in range(1, 17)),
              *(f"s{n:02d}" for n in range(1, 9)), *(f"m{n:02d}" for n in range(1, 17)), "zz"}
    started = time.monotonic()
    results = grade_folder(folder, out, instructor=course, salt=SALT, cell_timeout=20,
                           timeout=60, jobs=2, roster=roster)
    took = time.monotonic() - started
    survivors = _attackers()
    time.sleep(4)  # any daemon that survived would now rewrite the sheets
    with open(out / "summary.csv", encoding="utf-8", newline="") as sheet:
        summary_rows = list(csv.DictReader(sheet))
    with open(out / "grades.csv", encoding="utf-8", newline="") as sheet:
        grade_rows = list(csv.DictReader(sheet))
    return {"results": results, "summary": summary_rows, "grades": grade_rows,
            "by_id": {r.student_id: r for r in results}, "took": took, "folder": folder,
            "out": out, "before": before, "after": _digest(folder), "package": package,
            "package_after": _digest(REPO / "kpath_nb"), "survivors": survivors,
            "elsewhere": elsewhere, "later": _attackers()}


def _one(run: dict, sid: str):
    found = [r for r in run["results"] if r.student_id == sid]
    assert len(found) == 1, (sid, [(r.file, r.status) for r in found])
    return found[0]


def test_honest_classmates_score_full_marks_whatever_the_others_did(run) -> None:
    for sid in VICTIMS:
        result = _one(run, sid)
        assert (result.points, result.status) == (6, "graded"), (result.status, result.notes)
        assert [row.status for row in result.rows] == ["correct"] * 6


@pytest.mark.parametrize("sid", ["p01", "p02", "p03", "p12", "p13", "p16"])
def test_forged_verdicts_and_results_score_nothing(run, sid) -> None:
    result = _one(run, sid)
    assert result.points == 0, (sid, [(r.status, r.feedback) for r in result.rows])
    assert all(0 <= row.points <= row.max_points for row in result.rows)


@pytest.mark.parametrize("sid, of", [("p04", "practice"), ("p05", "practice"), ("p06", "alice")])
def test_answers_for_another_variant_score_only_what_they_earn(run, sid, of) -> None:
    expected = _score(sid, of)
    assert expected < 6
    assert _one(run, sid).points == expected


def test_the_package_cannot_be_edited_by_a_submission(run) -> None:
    assert run["package_after"] == run["package"]
    assert "wrote: []" in _one(run, "p14").notes[-1]


def test_a_submission_reads_no_solution_submission_or_sheet(run) -> None:
    assert "read: []" in " ".join(_one(run, "p15").notes)


def test_saved_outputs_accuse_nobody(run) -> None:
    assert "alice" not in " ".join(_one(run, "p16").notes)


def test_a_notebook_handed_in_three_times_is_flagged(run) -> None:
    found = [r for r in run["results"] if r.student_id == "p11"]
    assert len(found) == 3 and {r.status for r in found} == {"duplicate"}
    assert all("handed in 3 times" in " ".join(r.notes) for r in found)


def test_the_run_ends_and_nothing_of_a_submission_outlives_it(run) -> None:
    assert run["took"] < 600
    assert run["survivors"] == [] and run["later"] == []


def test_daemons_and_killers_change_no_sheet(run) -> None:
    assert run["summary"] and run["grades"]
    assert {row["student_id"] for row in run["summary"]} >= {"alice", "bob", "s01", "p13"}
    assert "forged" not in (run["out"] / "grades.csv").read_text()


def test_no_submission_changes_another_submission(run) -> None:
    assert run["after"] == run["before"]


def test_a_link_where_the_sheet_goes_is_replaced_not_followed(run) -> None:
    assert run["elsewhere"].read_text() == "not for the grader to overwrite\n"
    assert not (run["out"] / "summary.csv").is_symlink()


@pytest.mark.parametrize("sid", ["s01", "s02", "s03", "s04", "s05", "s07", "s08"])
def test_sabotage_is_contained_to_the_saboteur(run, sid) -> None:
    result = _one(run, sid)
    assert result.points == 0 and len(result.rows) == 6


def test_a_disk_filler_is_stopped_by_the_file_size_cap(run) -> None:
    assert not Path("/tmp/kpath-attack-fill").exists()
    assert _one(run, "s04").status in ("crashed", "raised")


def test_grading_runs_with_full_containment() -> None:
    assert containment_level().startswith("full")


def test_a_memory_hog_gets_a_memory_error(run) -> None:
    assert "MemoryError" in " ".join(_one(run, "s08").notes)


@pytest.mark.parametrize("sid", ["m01", "m02", "m03", "m04", "m15"])
def test_odd_metadata_tags_and_cells_are_graded_as_usual(run, sid) -> None:
    result = _one(run, sid)
    assert result.notebook == "01" and result.points == 6, (result.status, result.notes)


def test_a_file_name_that_is_not_utf8_is_graded_and_shown_readably(run) -> None:
    result = _one(run, "m05")
    assert result.points == 6 and "\ufffd" in result.file
    assert any("\ufffd" in row["student_id"] for row in run["summary"])


@pytest.mark.parametrize("name, problem", [("m06", "not a regular file"),
                                           ("m07", "symbolic link"), ("m08", "too big")])
def test_fifos_links_and_huge_files_are_refused_unread(run, name, problem) -> None:
    [result] = [r for r in run["results"] if r.file == f"{name}__{NB01}"]
    assert result.status == "refused" and problem in result.notes[0]


@pytest.mark.parametrize("sid", ["=cmd|' -C calc'!A0", "+1", "-rf", "@SUM(1)", "a b", "x" * 65,
                                 "ünï"])
def test_unusable_ids_are_refused_before_use(run, sid) -> None:
    result = _one(run, sid)
    assert result.status == "refused" and result.points == 0 and result.rows == []


@pytest.mark.parametrize("name", ["m10", "m11", "m12", "m13", "m14"])
def test_files_that_are_not_notebooks_are_reported(run, name) -> None:
    result = _one(run, name)
    assert result.status != "graded" and result.points == 0, (result.status, result.notes)


def test_no_cell_of_either_sheet_is_a_formula(run) -> None:
    for row in run["summary"] + run["grades"]:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), row


def test_a_student_not_on_the_roster_is_flagged(run) -> None:
    result = _one(run, "zed")
    assert result.status == "unknown student" and result.points == 6
