"""Exercise checks: instant feedback that never prints the answer.

Each notebook's exercises live in a module named after its subject
(:mod:`~kpath_nb.exercises.subnets`, :mod:`~kpath_nb.exercises.switching`,
:mod:`~kpath_nb.exercises.routing`). A check recomputes the expected answer
from the model, so the answer never sits in the notebook, and returns a
:class:`Feedback` that shows as ✅ or ❌ with a hint. An answer left as ``...``
(or None) is reported as not answered yet, never as an error. The checks read
what a learner wrote with the readers of :mod:`~kpath_nb.exercises.answers`.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from importlib import import_module
from types import ModuleType

__all__ = ["Feedback", "FEEDBACK_MIME", "unanswered", "judge"]

FEEDBACK_MIME = "application/vnd.kpath.feedback+json"
"""The output type that carries a check's result to the grader, beside its text and HTML."""

_CHAPTERS = ("subnets", "switching", "routing", "pods", "ipam", "maps", "tunnel", "capstone")


def __getattr__(name: str) -> ModuleType:
    """Load a chapter's checks on first use: ``kp.exercises.subnets``."""
    if name in _CHAPTERS:
        return import_module(f".{name}", __name__)
    raise AttributeError(f"module 'kpath_nb.exercises' has no attribute {name!r}")

_MARKS = {"correct": "✅", "incorrect": "❌", "unanswered": "✏️"}


@dataclass(frozen=True)
class Feedback:
    """The result of checking one answer.

    Parameters
    ----------
    exercise : str
        A short name for the exercise, such as ``"01.2 network address"``.
    status : {"correct", "incorrect", "unanswered"}
    message : str
        What the learner is told.
    hint : str
        A nudge towards the answer (shown only when the answer is not correct).
    key : str
        The exercise's key in a course, such as ``"01.2"`` (empty outside one).
    points : int
        What the exercise is worth when right.

    Examples
    --------
    >>> fb = judge("demo", 42, 42, "Right.", "Think again.")
    >>> bool(fb), fb.status
    (True, 'correct')
    >>> print(judge("demo", ..., 42, "Right.", "Think again."))
    ✏️ demo: not answered yet. Think again.
    """

    exercise: str
    status: str
    message: str
    hint: str = ""
    key: str = ""
    points: int = 1

    def __bool__(self) -> bool:
        return self.status == "correct"

    @property
    def correct(self) -> bool:
        """True when the answer was right."""
        return self.status == "correct"

    def __str__(self) -> str:
        text = f"{_MARKS[self.status]} {self.exercise}: {self.message}"
        if self.hint and self.status != "correct":
            text += f" {self.hint}"
        return text

    def __repr__(self) -> str:
        return str(self)

    @property
    def score(self) -> int:
        """The points earned: all of them when right, none otherwise."""
        return self.points if self.correct else 0

    def _repr_mimebundle_(self, include: object = None, exclude: object = None) -> dict:
        """Text and HTML for the reader; for a course exercise, the result for the grader too."""
        bundle: dict[str, object] = {"text/plain": str(self), "text/html": self._repr_html_()}
        if self.key:
            bundle[FEEDBACK_MIME] = {"key": self.key, "exercise": self.exercise,
                                     "status": self.status, "score": self.score,
                                     "points": self.points, "message": str(self)}
        return bundle

    def _repr_html_(self) -> str:
        colour = {"correct": "#1a7f37", "incorrect": "#b42318", "unanswered": "#6e6e6e"}
        hint = (f"<br><i>Hint:</i> {escape(self.hint)}"
                if self.hint and self.status != "correct" else "")
        return (f'<div style="border-left:4px solid {colour[self.status]};padding:4px 8px">'
                f"{_MARKS[self.status]} <b>{escape(self.exercise)}</b>: {escape(self.message)}"
                f"{hint}</div>")


def unanswered(answer: object) -> bool:
    """True for an answer still left blank: ``...``, None or an empty string."""
    return answer is ... or answer is None or (isinstance(answer, str) and not answer.strip())


def judge(exercise: str, answer: object, expected: object, praise: str, hint: str) -> Feedback:
    """Compare ``answer`` with ``expected`` and say so, without revealing ``expected``.

    Parameters
    ----------
    exercise : str
        The exercise's short name.
    answer : object
        What the learner wrote, already read by the caller (see
        :mod:`~kpath_nb.exercises.answers`); an unreadable answer is never right.
    expected : object
        The right answer, computed from the model.
    praise : str
        Said when the answer is right: explain why it is right.
    hint : str
        Said when it is wrong or missing: point to the idea, not the value.
    """
    if unanswered(answer):
        return Feedback(exercise, "unanswered", "not answered yet.", hint)
    if answer == expected:
        return Feedback(exercise, "correct", praise)
    return Feedback(exercise, "incorrect", "not quite.", hint)
