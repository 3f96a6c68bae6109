"""Coursework: per-student exercises, the student edition, and grading.

A student enters their ID once (:func:`enrol`, in notebook 00); every
notebook then asks its exercises in that student's own variant
(:meth:`Student.question`): the numbers, names and networks come from a
generator seeded by a hash of the course salt, the exercise and the ID (see
:mod:`~kpath_nb.coursework.variants`). Checks work the right answer out from
the model, so it is written nowhere. :mod:`~kpath_nb.coursework.edition`
builds the student edition of the notebooks (no solutions);
:mod:`~kpath_nb.coursework.grading` grades a folder of submitted notebooks
into a CSV. The command line is ``python -m kpath_nb.coursework``.

Examples
--------
>>> import kpath_nb as kp
>>> me = kp.coursework.Student("s2412345", salt="fall-2026")
>>> q = me.question("01.2")
>>> q.check(...).status
'unanswered'
"""

from __future__ import annotations

from .questions import (CHAPTERS, Question, UnknownExerciseError, Variant, exercise,
                        exercise_keys, question)
from .student import PRACTICE, Student, enrol, student
from .variants import CourseError, course_salt, variant_random

__all__ = ["CHAPTERS", "Question", "Variant", "UnknownExerciseError", "CourseError", "Student",
           "PRACTICE", "enrol", "student", "question", "exercise", "exercise_keys",
           "course_salt", "variant_random"]
