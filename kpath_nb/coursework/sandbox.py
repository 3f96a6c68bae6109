"""Containment: each submission runs where it can touch nothing but its own copy.

Run as root, the grader runs every submission as an unprivileged user of its
own: one numeric uid per grading slot (:data:`FIRST_UID` onwards, ``--jobs``
of them), so that one submission cannot signal, trace or read another's
kernel, nor the grader; two grading runs on one machine take different uids.
Before it drops to that uid, the grading child
(:func:`enter`, the first thing ``run-one`` does) takes a mount namespace of
its own in which ``/tmp``, ``/var/tmp`` and ``/dev/shm`` are small private
tmpfs, the package is a read-only copy, and the submissions folder, the
output folder, the instructor edition and the repository's tests and history
are hidden under empty tmpfs. Resource limits cap memory, processes, CPU time,
file size and open files. The child hands back its lines over a pipe that the
grader reads up to :data:`MAX_OUTPUT` bytes, and when the submission ends, or
its time is up, every process of that uid is killed, so no daemon outlives it.

Without root none of the uid, the namespace and the process cap is possible:
the submission runs as the grader's own user, with the other limits, in a
process group of its own that is killed at the end, from a throwaway copy of
the package. :func:`containment_level` says which applies, in one line.
"""

from __future__ import annotations

import ctypes
import fcntl
import json
import os
import pwd
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = ["FIRST_UID", "LOCKS", "MAX_OUTPUT", "Limits", "Sandbox", "containment_level", "enter"]

FIRST_UID = 64_100
"""The first uid the grader runs submissions as (no account needs to exist for it); a run
takes the first free ones from there, one per slot."""

LOCKS = Path("/run/kpath-grader")
"""Where a grading run (as root) holds a lock file for each uid it runs submissions as."""

MAX_OUTPUT = 8 * 2**20
"""Bytes of a grading child's output the grader reads; the rest is thrown away."""

_CLONE_NEWNS = 0x00020000
_MS_RDONLY, _MS_NOSUID, _MS_NODEV, _MS_REMOUNT = 1, 2, 4, 32
_MS_BIND, _MS_MOVE, _MS_REC, _MS_PRIVATE = 4096, 8192, 16384, 1 << 18
_PR_SET_NO_NEW_PRIVS = 38


@dataclass(frozen=True)
class Limits:
    """What one submission may use: bytes of memory per process, processes (as its own uid),
    CPU seconds, bytes per file, bytes of private ``/tmp``, open files."""

    memory: int = 3 * 2**30
    processes: int = 128
    cpu: int = 900
    file_size: int = 64 * 2**20
    scratch: int = 256 * 2**20
    open_files: int = 512


@lru_cache(maxsize=1)
def containment_level() -> str:
    """One line saying how submissions are contained on this machine, for this user.

    Full containment needs root and mount namespaces (a container may forbid them).

    Examples
    --------
    >>> containment_level().startswith(("full containment", "reduced containment"))
    True
    """
    reduced = ("reduced containment: {}, so submissions run as this user, without a private "
               "uid, mount namespace or process cap (rlimits and a killed process group only)")
    if os.geteuid() != 0:
        return reduced.format("not running as root")
    probe = subprocess.run([sys.executable, "-c", "import ctypes, sys; "
                            f"sys.exit(ctypes.CDLL(None).unshare({_CLONE_NEWNS}) != 0)"],
                           capture_output=True, timeout=60)
    if probe.returncode != 0:
        return reduced.format("this machine refuses a mount namespace")
    return ("full containment: each submission runs as its own unprivileged uid in a private "
            "mount namespace, with rlimits")


class Sandbox:
    """The grading run's containment: a read-only package copy and one uid per slot.

    Parameters
    ----------
    workdir : Path
        A folder only the grader can read, for the run (the package copy goes there).
    hide : list of Path
        Folders and files the submissions must not see.
    slots : int
        How many submissions run at once.
    limits : Limits
    first_uid : int
        The uid of slot 0 (slot n runs as ``first_uid + n``).
    """

    def __init__(self, workdir: Path, hide: list[Path], slots: int, limits: Limits = Limits(),
                 first_uid: int = FIRST_UID) -> None:
        self.full = containment_level().startswith("full")
        self.limits = limits
        self.hide = [str(p.resolve()) for p in hide if p.exists()]
        self.lib = workdir / "lib"
        package = Path(__file__).resolve().parents[1]
        shutil.copytree(package, self.lib / package.name,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        topologies = package.parent / "data" / "topologies"
        if topologies.is_dir() and not (self.lib / package.name / "topologies").exists():
            shutil.copytree(topologies, self.lib / package.name / "topologies")
        for path in self.lib.rglob("*"):
            path.chmod(0o555 if path.is_dir() else 0o444)
        self.lib.chmod(0o555)
        (workdir / "scratch").mkdir()
        workdir.chmod(0o700)
        self._locks: list[int] = []
        self.uids = self._claim(first_uid, max(1, slots)) if self.full else list(range(slots))
        self._free = list(self.uids)
        self._lock = threading.Lock()
        self._runs = 0

    def _claim(self, first_uid: int, slots: int) -> list[int]:
        """Take ``slots`` uids from ``first_uid`` on that no account owns and no other grading
        run holds (each held by a lock file until :meth:`close`)."""
        LOCKS.mkdir(mode=0o700, parents=True, exist_ok=True)
        claimed: list[int] = []
        for uid in range(first_uid, first_uid + 1000):
            try:
                pwd.getpwuid(uid)
                continue  # an account's uid: never ours
            except KeyError:
                pass
            fd = os.open(LOCKS / f"{uid}.lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                continue
            self._locks.append(fd)
            claimed.append(uid)
            if len(claimed) == slots:
                return claimed
        self.close()
        raise RuntimeError(f"no free uid from {first_uid} on for the grader")

    def close(self) -> None:
        """Let other grading runs have this run's uids."""
        for fd in self._locks:
            os.close(fd)
        self._locks = []

    def run(self, job: dict, notebook: bytes, timeout: int) -> tuple[list[dict], str | None]:
        """Run one submission's grading child; its lines, and why it stopped early, if it did.

        ``job`` says who and how (``student``, ``salt``, ``cell_timeout``); the
        notebook is handed over on the child's standard input. The child is
        killed, with everything it started, when ``timeout`` seconds are up.
        """
        with self._lock:
            uid = self._free.pop()
        try:
            return self._run(uid, job, notebook, timeout)
        finally:
            with self._lock:
                self._free.append(uid)

    def _run(self, uid: int, job: dict, notebook: bytes, timeout: int
             ) -> tuple[list[dict], str | None]:
        with self._lock:
            self._runs += 1
            work = self.lib.parent / f"work-{self._runs}"
        spec = {**job, "uid": uid if self.full else None, "hide": self.hide,
                "lib": str(self.lib), "work": str(work), "limits": vars(self.limits),
                "timeout": timeout}
        if self.full:
            _kill_uid(uid)
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8",
               "PYTHONPATH": str(self.lib), "PYTHONDONTWRITEBYTECODE": "1"}
        process = subprocess.Popen([sys.executable, "-m", "kpath_nb.coursework.execution",
                                    "run-one"],
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL, start_new_session=True,
                                   cwd=self.lib, env=env)
        kept = bytearray()
        reader = threading.Thread(target=_read_capped, args=(process.stdout, kept), daemon=True)
        reader.start()
        stopped = None
        try:
            process.stdin.write(json.dumps(spec).encode() + b"\n" + notebook)
            process.stdin.close()
        except OSError:
            pass  # the child stopped before reading it all: what it said tells why
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            stopped = f"timed out: the notebook ran for more than {timeout} s and was stopped"
        _stop(process, uid if self.full else None, _kernels(_lines(kept)))
        reader.join(timeout=5)
        process.stdout.close()
        lines = _lines(kept)
        if stopped is None and not any("end" in line for line in lines):
            stopped = ("crashed: the grading process stopped" + "".join(
                f" ({line['trouble'][:200]})" for line in lines[-1:] if "trouble" in line))
        return lines, stopped


def _lines(kept: bytearray) -> list[dict]:
    """The JSON objects, one a line, in what the child wrote (anything else skipped)."""
    lines = []
    for raw in bytes(kept).splitlines():
        try:
            line = json.loads(raw)
        except ValueError:
            continue
        if isinstance(line, dict):
            lines.append(line)
    return lines


def _kernels(lines: list[dict]) -> list[int]:
    """The kernels the child said it started (never this process's own group, nor init)."""
    return [line["kernel"] for line in lines if type(line.get("kernel")) is int
            and line["kernel"] > 1 and line["kernel"] != os.getpgrp()]


def _read_capped(stream, kept: bytearray) -> None:
    """Read ``stream`` to its end, keeping its first :data:`MAX_OUTPUT` bytes."""
    try:
        while chunk := stream.read1(65536):
            if len(kept) < MAX_OUTPUT:
                kept.extend(chunk[:MAX_OUTPUT - len(kept)])
    except (OSError, ValueError):
        pass


def _stop(process: subprocess.Popen, uid: int | None, kernels: list[int]) -> None:
    """Kill the child's process group and its kernel's and, with a uid of its own, every
    process of that uid."""
    for group in (process.pid, *kernels):
        try:
            os.killpg(group, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    if uid is not None:
        _kill_uid(uid)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass


def _kill_uid(uid: int) -> None:
    """SIGKILL every process whose real or effective uid is ``uid``, until none is left."""
    for _ in range(100):
        found = False
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                line = next(l for l in status.read_text().splitlines() if l.startswith("Uid:"))
            except (OSError, StopIteration):
                continue
            if uid in (int(n) for n in line.split()[1:3]):
                found = True
                try:
                    os.kill(int(status.parent.name), signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
        if not found:
            return
        time.sleep(0.02)


def _libc_call(name: str, *args, what: str = "") -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if getattr(libc, name)(*args) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{name} {what}: {os.strerror(err)}".replace("  ", " "))


def _mount(source: str | None, target: str, kind: str | None, flags: int,
           options: str | None = None) -> None:
    _libc_call("mount", *(None if v is None else v.encode() for v in (source, target, kind)),
               ctypes.c_ulong(flags), None if options is None else options.encode(),
               what=target)


def enter(spec: dict) -> tuple[Path, str]:
    """Contain the current process as ``spec`` says; the working folder and the python to run.

    Called by the grading child (as root, for full containment) before any of
    the submission runs. With ``spec["uid"]`` it takes a mount namespace of its
    own, mounts private tmpfs on ``/tmp``, ``/var/tmp`` and ``/dev/shm``, binds
    the package copy and the Python environment read-only into it, hides
    ``spec["hide"]``, sets the limits and becomes that uid for good.
    """
    limits = Limits(**spec["limits"])
    uid = spec["uid"]
    python = sys.executable
    if uid is None:
        work = Path(spec["work"])  # in the run's folder, which the grader removes at the end
        work.mkdir(mode=0o700)
        lib = spec["lib"]
    else:
        # The new /tmp is filled while it sits on the run's own scratch folder, where the
        # package copy and the Python installation can still be seen, then moved into place.
        scratch = str(Path(spec["lib"]).parent / "scratch")
        prefixes = sorted({sys.prefix, sys.base_prefix})
        _libc_call("unshare", _CLONE_NEWNS, what="(mount namespace)")
        _mount("none", "/", None, _MS_REC | _MS_PRIVATE)
        _mount("tmpfs", scratch, "tmpfs", _MS_NOSUID | _MS_NODEV,
               f"size={limits.scratch},mode=1777")
        staged = [(spec["lib"], f"{scratch}/.kpath/lib")] + [
            (prefix, f"{scratch}/.kpath/python-{n}") for n, prefix in enumerate(prefixes)]
        for source, target in staged:
            os.makedirs(target)
            _mount(source, target, None, _MS_BIND | _MS_REC)
            _mount(None, target, None, _MS_BIND | _MS_REMOUNT | _MS_RDONLY | _MS_NOSUID)
        os.chmod(f"{scratch}/.kpath", 0o755)
        _mount(scratch, "/tmp", None, _MS_MOVE)
        for other in ("/var/tmp", "/dev/shm"):
            if os.path.isdir(other):
                _mount("tmpfs", other, "tmpfs", _MS_NOSUID | _MS_NODEV, "size=16m,mode=1777")
        for n, prefix in enumerate(prefixes):  # Python where it was, readable by the uid
            _reach(prefix)
            _mount(f"/tmp/.kpath/python-{n}", prefix, None, _MS_MOVE)
        lib = "/tmp/.kpath/lib"
        for hidden in spec["hide"]:
            if os.path.isdir(hidden):
                _mount("tmpfs", hidden, "tmpfs", _MS_NOSUID | _MS_NODEV, "size=64k,mode=0755")
            elif os.path.isfile(hidden):
                _mount("/dev/null", hidden, None, _MS_BIND)
        work = Path("/tmp/work")
        work.mkdir(mode=0o700)
        os.chown(work, uid, uid)
    _limit(resource.RLIMIT_AS, limits.memory)
    _limit(resource.RLIMIT_CPU, limits.cpu)
    _limit(resource.RLIMIT_FSIZE, limits.file_size)
    _limit(resource.RLIMIT_NOFILE, limits.open_files)
    _limit(resource.RLIMIT_CORE, 0)
    if uid is not None:
        _limit(resource.RLIMIT_NPROC, limits.processes)
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
        _libc_call("prctl", _PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    os.environ.clear()
    os.environ.update({"PATH": f"{Path(python).parent}:/usr/bin:/bin", "LANG": "C.UTF-8",
                       "HOME": str(work), "PYTHONPATH": lib, "MPLBACKEND": "Agg",
                       "PYTHONDONTWRITEBYTECODE": "1", "MPLCONFIGDIR": str(work / ".mpl"),
                       "IPYTHONDIR": str(work / ".ipython"),
                       "JUPYTER_RUNTIME_DIR": str(work / ".runtime"),
                       "JUPYTER_DATA_DIR": str(work / ".jupyter"), "TMPDIR": str(work)})
    os.chdir(work)
    return work, python


def _reach(path: str) -> None:
    """Make ``path`` a folder others can reach: an ancestor they cannot enter (such as a
    ``/root`` of mode 700) is covered by an empty tmpfs in which the path is made anew."""
    parts = Path(path).parts
    for depth in range(1, len(parts)):
        ancestor = Path(*parts[:depth + 1])
        if not ancestor.exists():
            break
        if not ancestor.stat().st_mode & 0o001:
            _mount("tmpfs", str(ancestor), "tmpfs", _MS_NOSUID | _MS_NODEV, "size=64k,mode=0755")
            break
    os.makedirs(path, exist_ok=True)


def _limit(which: int, value: int) -> None:
    hard = resource.getrlimit(which)[1]
    value = value if hard == resource.RLIM_INFINITY else min(value, hard)
    resource.setrlimit(which, (value, value))
