"""The grading child: run one submission and report what it answered, line by line.

``python -m kpath_nb.coursework.execution run-one`` is started by the grader
(:class:`~kpath_nb.coursework.sandbox.Sandbox`) with the job and the
notebook on its standard input. It contains itself
(:func:`~kpath_nb.coursework.sandbox.enter`), then runs the notebook in a
fresh kernel as the student the grader named, with a time limit per cell, and
writes one JSON line per event as soon as it happens: each collector cell's
answer (as data, see :mod:`~kpath_nb.coursework.collect`), each cell that
raised or was interrupted, and the end. What was written before a time limit
stopped the notebook is kept. The child reports answers, never verdicts: the
grader checks them itself.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from .collect import ANSWER_MIME
from .sandbox import enter
from .student import ID_VARIABLE
from .variants import SALT_VARIABLE

if TYPE_CHECKING:
    from nbformat import NotebookNode

__all__ = ["MAX_NOTEBOOK", "execute_for_grading", "run_one", "run_notebook"]

MAX_NOTEBOOK = 20 * 2**20
"""The largest notebook, in bytes, the grading child accepts on its standard input."""


def execute_for_grading(nb: NotebookNode, student_id: str, salt: str,
                        collectors: dict[int, str], report: Callable[[dict], None], *,
                        cell_timeout: int, workdir: Path) -> None:
    """Run ``nb`` in a fresh kernel as ``student_id``, calling ``report`` with each event.

    Parameters
    ----------
    nb : NotebookNode
        The notebook to grade, collector cells included.
    student_id, salt : str
        Who the kernel's exercises are drawn for (``KPATH_STUDENT_ID``,
        ``KPATH_COURSE_SALT``).
    collectors : dict of int to str
        Index of each collector cell → the ``answer_N`` it reads.
    report : callable
        Called with ``{"kernel": pid}`` once the kernel is started, then
        ``{"answer": name, "value": data}`` (or ``"unreadable"``),
        ``{"error": cell, "line": text}``, ``{"timeout": cell}``, and last
        ``{"end": True, "died": reason or None}``. Cells are numbered from 1
        without the collectors.
    cell_timeout : int
        Seconds one cell may run before it is interrupted.
    workdir : Path
        The kernel's working folder.
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import DeadKernelError

    def number(index: int) -> int:
        return index + 1 - sum(1 for i in collectors if i < index)

    def executed(cell: NotebookNode, cell_index: int, **_: object) -> None:
        if cell_index in collectors:
            name = collectors[cell_index]
            for output in cell.get("outputs", []):
                got = output.get("data", {}).get(ANSWER_MIME)
                if isinstance(got, dict) and got.get("name") == name:
                    report({"answer": name, **{k: got[k] for k in ("value", "unreadable")
                                               if k in got}})
                    return
            report({"answer": name, "unreadable": "the grader's cell that reads it did not "
                                                  "finish"})
            return
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                line = f"{output.get('ename')}: {output.get('evalue', '')}".strip()[:200]
                report({"timeout": number(cell_index)} if output.get("ename") ==
                       "KeyboardInterrupt" else {"error": number(cell_index), "line": line})

    def started(**_: object) -> None:
        """Say which process the kernel is: it runs in a session of its own, which the
        grader kills at the end when the submission has no uid of its own."""
        pid = getattr(getattr(client.km, "provisioner", None), "pid", None)
        if isinstance(pid, int):
            report({"kernel": pid})

    env = {**os.environ, ID_VARIABLE: student_id, SALT_VARIABLE: salt}
    client = NotebookClient(nb, timeout=cell_timeout, interrupt_on_timeout=True,
                            allow_errors=True, kernel_name="python3", on_cell_executed=executed,
                            on_notebook_start=started,
                            resources={"metadata": {"path": str(workdir)}})
    died = None
    try:
        client.execute(env=env, cwd=str(workdir))
    except DeadKernelError as err:
        died = f"the kernel died ({str(err).splitlines()[0] if str(err) else 'no reason given'})"
    except Exception as err:  # a kernel that cannot start, or nbclient giving up
        died = f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}"[:200]
    report({"end": True, "died": died})


def run_one() -> int:
    """The grading child's first stage: read the job, contain itself, start the second stage.

    The job arrives on standard input (one JSON line, then the notebook). The
    second stage, :func:`run_notebook`, runs under the contained identity,
    from the contained Python, and writes its lines to a copy of this
    process's standard output; standard output and error themselves go to
    ``/dev/null`` so that nothing the kernel inherits can reach the grader.
    """
    report_fd = os.dup(1)
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (1, 2):
        os.dup2(null, fd)
    data = sys.stdin.buffer.read(MAX_NOTEBOOK + 2**16)
    try:
        header, _, notebook = data.partition(b"\n")
        spec = json.loads(header)
        work, python = enter(spec)
        (work / "graded.ipynb").write_bytes(notebook)
        (work / "job.json").write_text(json.dumps(
            {k: spec[k] for k in ("student", "salt", "cell_timeout", "collectors")}))
    except Exception as err:  # containment that cannot be set up: say so, grade nothing
        os.write(report_fd, json.dumps({"trouble": f"{type(err).__name__}: {err}"}).encode()
                 + b"\n")
        return 1
    os.set_inheritable(report_fd, True)
    os.execv(python, [python, "-m", "kpath_nb.coursework.execution", "run-notebook", str(work),
                      str(report_fd)])


def run_notebook(work: Path, report_fd: int) -> int:
    """The grading child's second stage: run ``work/graded.ipynb``, reporting on ``report_fd``.
    """
    os.set_inheritable(report_fd, False)
    # nbclient loads nbformat, whose schema checker builds an IRI grammar (seconds of start-up
    # per submission) that notebook validation never uses: this process goes without it.
    sys.modules.setdefault("rfc3987_syntax", None)
    import nbformat
    with os.fdopen(report_fd, "w", encoding="utf-8") as channel:
        def report(line: dict) -> None:
            channel.write(json.dumps(line) + "\n")
            channel.flush()

        try:
            job = json.loads((work / "job.json").read_text())
            nb = nbformat.reads((work / "graded.ipynb").read_text(encoding="utf-8"),
                                as_version=4)
            collectors = {int(i): name for i, name in job["collectors"].items()}
        except Exception as err:  # cannot happen for what the grader wrote; said if it does
            report({"trouble": f"{type(err).__name__}: {err}"})
            return 1
        execute_for_grading(nb, job["student"], job["salt"], collectors, report,
                            cell_timeout=job["cell_timeout"], workdir=work)
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["run-one"]:
        sys.exit(run_one())
    sys.exit(run_notebook(Path(sys.argv[2]), int(sys.argv[3])))
