"""Every exercise of every notebook, for many students: stable, varied, and never fooled.

The chapter tests (tests/test_coursework_<chapter>.py) check that right answers are
accepted; these check what every exercise must do whatever its chapter.
"""

from __future__ import annotations

import importlib.util

import pytest

from kpath_nb.coursework import (CHAPTERS, Student, UnknownExerciseError, exercise_keys,
                                 question)
from kpath_nb.exercises import Feedback

IDS = [f"s24{n:05d}" for n in range(20)]
WRITTEN = [number for number, chapter in CHAPTERS.items()
           if importlib.util.find_spec(f"kpath_nb.coursework.{chapter}") is not None]
KEYS = [key for number in WRITTEN for key in exercise_keys(number)]
WRONG = ["banana", -1, 10 ** 9]


def test_every_notebook_has_exercises() -> None:
    assert WRITTEN == list(CHAPTERS)
    assert sorted({key[:2] for key in KEYS}) == sorted(CHAPTERS)


@pytest.mark.parametrize("key", KEYS)
def test_one_id_always_gets_the_same_variant(key: str) -> None:
    first = question(key, "s2400001", salt="fall-2026")
    again = question(key, " s2400001 ", salt="fall-2026")
    assert first.text == again.text
    assert first.given.keys() == again.given.keys()


@pytest.mark.parametrize("key", KEYS)
def test_different_ids_get_different_variants(key: str) -> None:
    texts = {question(key, sid, salt="fall-2026").text for sid in IDS}
    assert len(texts) >= 2, f"{key}: all 20 students got the same question"


@pytest.mark.parametrize("key", KEYS)
def test_the_salt_changes_the_variants(key: str) -> None:
    this_year = [question(key, sid, salt="fall-2026").text for sid in IDS]
    next_year = [question(key, sid, salt="fall-2027").text for sid in IDS]
    assert this_year != next_year


def test_two_ids_get_different_exercise_sets() -> None:
    a, b = Student("s2400001", salt="fall-2026"), Student("s2400002", salt="fall-2026")
    differ = [key for key in KEYS if a.question(key).text != b.question(key).text]
    assert len(differ) >= len(KEYS) * 0.6, differ


@pytest.mark.parametrize("key", KEYS)
def test_blank_answers_are_not_answered_yet(key: str) -> None:
    q = question(key, "s2400003", salt="fall-2026")
    for blank in (..., None, "  "):
        feedback = q.check(blank)
        assert isinstance(feedback, Feedback)
        assert feedback.status == "unanswered"
        assert feedback.key == key and feedback.score == 0


@pytest.mark.parametrize("key", KEYS)
def test_nonsense_is_never_right_and_never_raises(key: str) -> None:
    q = question(key, "s2400004", salt="fall-2026")
    for answer in WRONG:
        feedback = q.check(answer)
        assert feedback.status == "incorrect", (answer, str(feedback))
        assert feedback.hint


def test_unknown_exercise_names_the_known_ones() -> None:
    with pytest.raises(UnknownExerciseError, match="01.1"):
        question("01.99", "s1", salt="x")
    with pytest.raises(UnknownExerciseError, match="notebooks are"):
        exercise_keys("42")


def test_a_question_lends_its_given_values() -> None:
    q = question("01.1", "s1", salt="x")
    assert q.prefixlen == q.given["prefixlen"]
    with pytest.raises(AttributeError, match="gives no 'mask'.*prefixlen"):
        q.mask
