"""Command line for instructors: build the student edition, grade submissions.

``python -m kpath_nb.coursework student-edition notebooks student --salt fall-2026``
``python -m kpath_nb.coursework student-export . ../kpath-fall-2026 --salt fall-2026``
``python -m kpath_nb.coursework grade submissions/ --out grades/ --salt fall-2026``
(``make student``, ``make student-export`` and ``make grade`` call these);
``python -m kpath_nb.coursework exercises [--student ID]`` lists the exercises.
The grader's own child process is ``python -m kpath_nb.coursework.execution``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import KpathError
from .edition import build_student_edition, export_student_tree
from .grading import CELL_TIMEOUT, NOTEBOOK_TIMEOUT, Submission, grade_folder
from .inbox import read_roster
from .questions import exercise_keys, question
from .sandbox import containment_level
from .variants import course_salt


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m kpath_nb.coursework",
                                     description="Build the student edition; grade submissions.")
    commands = parser.add_subparsers(dest="command", required=True)
    edition = commands.add_parser("student-edition", help="write the notebooks without solutions")
    edition.add_argument("source", type=Path, help="the instructor edition (notebooks/)")
    edition.add_argument("target", type=Path, help="where the student edition goes")
    edition.add_argument("--salt", default=None,
                         help="the course salt, written beside the student notebooks")
    export = commands.add_parser("student-export",
                                 help="write the students' copy of the repository (no tests, "
                                      "no solutions, no history)")
    export.add_argument("repo", type=Path, help="the repository (instructor edition)")
    export.add_argument("target", type=Path, help="a new folder outside the repository")
    export.add_argument("--salt", required=True, help="the course salt")
    grade = commands.add_parser("grade", help="grade a folder of submitted notebooks")
    grade.add_argument("folder", type=Path, help="the submissions: <id>/<notebook>.ipynb, "
                                                 "<id>__<notebook>.ipynb or <id>.ipynb")
    grade.add_argument("--out", type=Path, default=Path("grades"),
                       help="where grades.csv and summary.csv go (default: grades/)")
    grade.add_argument("--notebooks", type=Path, default=Path("notebooks"),
                       help="the instructor edition (default: notebooks/)")
    grade.add_argument("--salt", default=None, help="the course salt (default: "
                       "KPATH_COURSE_SALT, else the course file of --edition, else the default)")
    grade.add_argument("--edition", type=Path, default=Path("student"),
                       help="the student edition folder whose course file holds the salt")
    grade.add_argument("--cell-timeout", type=int, default=CELL_TIMEOUT,
                       help=f"seconds one cell may run (default {CELL_TIMEOUT})")
    grade.add_argument("--timeout", type=int, default=NOTEBOOK_TIMEOUT,
                       help=f"seconds one notebook may run (default {NOTEBOOK_TIMEOUT})")
    grade.add_argument("--jobs", type=int, default=1,
                       help="notebooks graded at once (default 1)")
    grade.add_argument("--roster", type=Path, default=None,
                       help="the course's student IDs, one a line: others are flagged")
    grade.add_argument("--allow-default-salt", action="store_true",
                       help="grade with the default salt (refused unless given)")
    listing = commands.add_parser("exercises", help="list every exercise with its points")
    listing.add_argument("--student", default=None,
                         help="also show this student's variant of each question")
    listing.add_argument("--salt", default=None, help="the course salt (with --student)")
    return parser


def _line(graded: Submission) -> str:
    note = f"  ({'; '.join(graded.notes)})" if graded.notes else ""
    return (f"{graded.student_id:<16} {graded.notebook:>2}  {graded.points:>3}/{graded.max_points:<3}"
            f" {graded.status}{note}")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "student-edition":
            written = build_student_edition(args.source, args.target, salt=args.salt)
            print(f"wrote {len(written)} student notebooks to {args.target}/"
                  + (" with the course salt" if args.salt else " (default salt)"))
        elif args.command == "student-export":
            written = export_student_tree(args.repo, args.target, salt=args.salt)
            print(f"wrote the students' copy to {args.target}/ ({len(written)} notebooks); "
                  f"commit it as a branch with no history of its own (see the instructor guide)")
        elif args.command == "exercises":
            salt = args.salt or course_salt()
            for key in exercise_keys():
                q = question(key, args.student or "practice", salt=salt)
                print(f"{key:<6} {q.points} pt  {q.title}"
                      + (f"\n       {q.text}" if args.student else ""))
        else:
            if not args.folder.is_dir():
                print(f"error: {args.folder} is not a folder of submissions", file=sys.stderr)
                return 2
            salt = args.salt or course_salt(args.edition if args.edition.is_dir() else None)
            roster = read_roster(args.roster) if args.roster is not None else None
            print(containment_level())
            print(f"{'student':<16} nb  points  status")
            results = grade_folder(args.folder, args.out, instructor=args.notebooks, salt=salt,
                                   cell_timeout=args.cell_timeout, timeout=args.timeout,
                                   jobs=args.jobs, roster=roster,
                                   allow_default_salt=args.allow_default_salt,
                                   progress=lambda graded: print(_line(graded), flush=True))
            print(f"graded {len(results)} notebooks; wrote {args.out / 'grades.csv'} and "
                  f"{args.out / 'summary.csv'}")
    except KpathError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
