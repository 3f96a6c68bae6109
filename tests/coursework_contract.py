"""What every chapter's exercises must do for many students, given how to solve them.

Each tests/test_coursework_<chapter>.py writes ``SOLVE`` (the right answer of a
question, worked out independently of the checks, as a student would) and
``MISTAKE`` (the answer a learner gets with one idea wrong), then takes its three
contract tests from :func:`contract`.
"""

from __future__ import annotations

from typing import Callable

import pytest

from kpath_nb.coursework import exercise_keys, question

IDS = [f"s24{n:05d}" for n in range(30)]
SALT = "fall-2026"
# Words that occur in any feedback of a chapter by chance, right answer or not.
CHANCE = ("True", "False", "none", "eth0", "cilium_vxlan")


def pieces(right: object) -> list[str]:
    """The parts of a right answer that a feedback must not give away."""
    if isinstance(right, dict):
        right = list(right.values())
    return [str(part) for part in (right if isinstance(right, (list, tuple)) else [right])]


def contract(number: str, solve: dict[str, Callable], mistake: dict[str, Callable]
             ) -> tuple[Callable, ...]:
    """The three tests every chapter passes: solvers for all, right accepted, mistakes rejected."""

    def test_every_exercise_has_a_solver() -> None:
        assert sorted(solve) == sorted(mistake) == exercise_keys(number)

    @pytest.mark.parametrize("key", sorted(solve))
    @pytest.mark.parametrize("sid", IDS)
    def test_right_answers_are_accepted(key: str, sid: str) -> None:
        q = question(key, sid, salt=SALT)
        feedback = q.check(solve[key](q))
        assert feedback.status == "correct", (q.text, str(feedback))

    @pytest.mark.parametrize("key", sorted(mistake))
    @pytest.mark.parametrize("sid", IDS[:10])
    def test_mistakes_are_rejected_without_giving_the_answer(key: str, sid: str) -> None:
        q = question(key, sid, salt=SALT)
        feedback = q.check(mistake[key](q))
        assert feedback.status == "incorrect", (q.text, str(feedback))
        for piece in pieces(solve[key](q)):
            # Short answers (30, /8) and words of the question occur in feedback by chance.
            if len(piece) > 2 and piece not in q.text and piece not in CHANCE:
                assert piece not in str(feedback), piece

    return (test_every_exercise_has_a_solver, test_right_answers_are_accepted,
            test_mistakes_are_rejected_without_giving_the_answer)
