"""Exercises that vary per student: a maker draws a variant, a question asks and checks it.

Each notebook's exercises are written in one chapter module (``subnets`` for
``01``, and so on: see :data:`CHAPTERS`). A chapter registers one maker per
exercise with :func:`exercise`: given the student's random generator, the
maker returns a :class:`Variant`, the question's text, the values it gives
(numbers, names, a network) and the check that judges an answer against the
model. :func:`question` turns that into a :class:`Question` for one student:
it shows itself as Markdown in a notebook, lends its given values as
attributes (``q.prefixlen``), and checks answers with :meth:`Question.check`,
which knows the exercise's key and points so that the grader can count them.

Examples
--------
>>> q = question("01.1", "s2412345", salt="fall-2026")
>>> q.key, q.points
('01.1', 1)
>>> q == question("01.1", "s2412345", salt="fall-2026")
True
>>> q.check(...).status
'unanswered'
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from importlib import import_module
from random import Random
from typing import Any, Callable, Mapping

from ..errors import KpathError
from ..exercises import Feedback
from .variants import variant_random

__all__ = ["CHAPTERS", "Variant", "Question", "UnknownExerciseError", "exercise", "question",
           "exercise_keys", "title_and_points"]

CHAPTERS = {"00": "start", "01": "subnets", "02": "switching", "03": "routing", "04": "pods",
            "05": "ipam", "06": "maps", "07": "tunnel", "08": "capstone"}
"""Which module of :mod:`kpath_nb.coursework` holds each notebook's exercises."""


class UnknownExerciseError(KpathError):
    """An exercise key that no chapter defines."""


@dataclass(frozen=True)
class Variant:
    """What a maker draws for one student: the question, what it gives, and its check.

    Parameters
    ----------
    text : str
        The question in Markdown, with this variant's numbers and names in it.
    given : mapping
        The values the question gives, by name: addresses, node names, a
        network or a cluster. A notebook reads them as attributes of the
        question (``q.prefixlen``) to draw or trace what the question is about.
    check : callable
        Judges an answer: one argument, the answer, returning a
        :class:`~kpath_nb.exercises.Feedback`. It computes the right answer
        from the model, so the answer is written nowhere.
    """

    text: str
    given: Mapping[str, Any]
    check: Callable[[object], Feedback] = field(compare=False)


@dataclass(frozen=True)
class _Maker:
    key: str
    title: str
    points: int
    draw: Callable[[Random], Variant]


_MAKERS: dict[str, _Maker] = {}


def exercise(key: str, title: str, *, points: int = 1
             ) -> Callable[[Callable[[Random], Variant]], Callable[[Random], Variant]]:
    """Register a maker as exercise ``key`` (``"NN.M"``, NN the notebook's number).

    Parameters
    ----------
    key : str
        ``"01.1"`` for the first exercise of notebook 01.
    title : str
        A few words naming the exercise, such as ``"netmask"``.
    points : int
        What a right answer earns.

    Raises
    ------
    ValueError
        When ``key`` is not of the form ``NN.M`` for a known notebook, or is taken.
    """
    number, _, rank = key.partition(".")
    if number not in CHAPTERS or not rank.isdecimal():
        raise ValueError(f"exercise key {key!r} should be NN.M with NN one of {sorted(CHAPTERS)}")

    def register(draw: Callable[[Random], Variant]) -> Callable[[Random], Variant]:
        if key in _MAKERS:
            raise ValueError(f"exercise {key} is defined twice")
        _MAKERS[key] = _Maker(key, title, points, draw)
        return draw

    return register


def _maker(key: str) -> _Maker:
    chapter = CHAPTERS.get(str(key).partition(".")[0])
    if chapter is not None:
        import_module(f".{chapter}", __package__)
    if key not in _MAKERS:
        known = ", ".join(exercise_keys()) if chapter is None else ", ".join(
            k for k in exercise_keys(str(key)[:2]))
        raise UnknownExerciseError(f"there is no exercise {key!r}; the exercises are: {known}")
    return _MAKERS[key]


def exercise_keys(notebook: str | None = None) -> list[str]:
    """The keys of every exercise, or of one notebook's (``"05"``), in order.

    Examples
    --------
    >>> exercise_keys("01")[:2]
    ['01.1', '01.2']
    """
    for number in ([notebook] if notebook is not None else CHAPTERS):
        if number not in CHAPTERS:
            raise UnknownExerciseError(f"there is no notebook {number!r}; "
                                       f"the notebooks are {', '.join(CHAPTERS)}")
        import_module(f".{CHAPTERS[number]}", __package__)
    return sorted((k for k in _MAKERS if notebook is None or k.startswith(f"{notebook}.")),
                  key=lambda k: (k[:2], int(k[3:])))


def title_and_points(key: str) -> tuple[str, int]:
    """Exercise ``key``'s title and points, without drawing anyone's variant.

    Examples
    --------
    >>> title_and_points("01.1")
    ('netmask', 1)
    """
    maker = _maker(key)
    return maker.title, maker.points


@dataclass(frozen=True)
class Question:
    """One student's variant of one exercise.

    Build it with :func:`question` (or :meth:`~kpath_nb.coursework.Student.question`).
    """

    key: str
    title: str
    points: int
    student_id: str
    variant: Variant

    @property
    def text(self) -> str:
        """The question in Markdown."""
        return self.variant.text

    @property
    def given(self) -> Mapping[str, Any]:
        """The values the question gives, by name."""
        return self.variant.given

    def __getattr__(self, name: str) -> Any:
        given = self.__dict__.get("variant")
        if given is not None and name in given.given:
            return given.given[name]
        raise AttributeError(f"exercise {self.__dict__.get('key', '?')} gives no {name!r}"
                             + (f"; it gives {', '.join(given.given)}" if given else ""))

    def check(self, answer: object) -> Feedback:
        """Judge ``answer`` for this student's variant, with the key and points attached."""
        feedback = self.variant.check(answer)
        return replace(feedback, exercise=f"{self.key} {self.title}", key=self.key,
                       points=self.points)

    def __str__(self) -> str:
        return f"Exercise {self.key}, {self.title} ({self._worth()}): {self.text}"

    def _worth(self) -> str:
        return f"{self.points} point" + ("s" if self.points != 1 else "")

    def _repr_markdown_(self) -> str:
        return f"**Exercise {self.key}: {self.title}** ({self._worth()})\n\n{self.text}"


def question(key: str, student_id: str, *, salt: str) -> Question:
    """Student ``student_id``'s variant of exercise ``key`` in the course salted ``salt``.

    Raises
    ------
    UnknownExerciseError
        When no chapter defines ``key``.
    """
    maker = _maker(key)
    variant = maker.draw(variant_random(salt, key, student_id))
    return Question(key, maker.title, maker.points, student_id.strip(), variant)
