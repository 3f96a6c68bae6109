"""Measure how fast the series runs, and how far it scales; write BENCHMARKS.md.

Run from the repository root (``make bench`` does)::

    .venv/bin/python benchmarks/bench.py

Every measurement that builds something big, or imports the plotting stack, runs in a
fresh Python process (``bench.py --child <what> [N]``, which prints one JSON object), so
peak memory and import costs are that measurement's own. Times are medians of repeated
runs, taken with :func:`time.perf_counter`; peak memory is the child's ``ru_maxrss``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ".venv/bin/python"
SELF = "benchmarks/bench.py"

IMPORT_RUNS = 7
TRACE_RUNS = 200
SCALE_TRACE_RUNS = 50
EXPLORER_RUNS = 10
SCALE = {10: 5, 100: 3, 1000: 3}  # nodes: fresh processes (100 pods per node)
PAIR_SEED = 1  # random.Random(PAIR_SEED) draws the random pairs, the same in every process
PAIRS = 1000  # random pod -> pod pairs timed per process
OTHER_PAIRS = 300  # pairs per process of each other kind (same node, pod -> node, node -> pod)

TARGETS = {
    "import": 0.3,
    "explorer": 0.150,
    "notebooks": 60.0,
    "build": 5.0,
    "memory": 1024.0,
    "trace": 0.001,
    "first": 0.050,
    "p99": 0.005,
}


def median_time(action, runs: int) -> float:
    """The median wall time of ``action()`` over ``runs`` runs, in seconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def peak_mb() -> float:
    """This process's peak resident memory so far, in MB (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- children: each prints one JSON object ------------------------------------------------


def child_seed_traces() -> dict:
    import kpath_nb as kp

    net = kp.load_topology("seed-neighborhoods")
    cl = kp.load_topology("seed-cilium-buildings")
    kp.trace(net, "house-14", "house-24")
    kp.trace(cl, "apartment-12", "apartment-22")
    return {"neighborhoods": median_time(lambda: kp.trace(net, "house-14", "house-24"),
                                         TRACE_RUNS),
            "cilium": median_time(lambda: kp.trace(cl, "apartment-12", "apartment-22"),
                                  TRACE_RUNS)}


def child_explorer() -> dict:
    import kpath_nb as kp

    result = {}
    for label, name, src, targets in (
            ("traditional", "seed-neighborhoods", "house-14", ("house-24", "house-22")),
            ("cluster", "seed-cilium-buildings", "apartment-12",
             ("apartment-22", "apartment-14"))):
        ex = kp.explore(kp.load_topology(name), src, targets[0])
        retrace, step = [], []
        for run in range(EXPLORER_RUNS + 1):
            before = ex.image.value
            start = time.perf_counter()
            ex.dst.value = targets[(run + 1) % 2]  # observers run at once: retrace, redraw
            middle = time.perf_counter()
            ex.hop.value = ex.hop.max // 2
            end = time.perf_counter()
            assert ex.image.value is not before and ex.trace is not None
            if run:  # the first run pays for fonts and caches
                retrace.append(middle - start)
                step.append(end - middle)
        # A destination whose picture this explorer has not drawn yet (another part of the
        # cluster, or the first change after opening): the network is drawn once more.
        cold = []
        for run in range(6):
            ex = kp.explore(kp.load_topology(name), src, targets[1])
            start = time.perf_counter()
            ex.dst.value = targets[0]
            if run:
                cold.append(time.perf_counter() - start)
        result[label] = {"dst": statistics.median(retrace), "hop": statistics.median(step),
                         "cold": statistics.median(cold)}
    return result


def random_pairs(cl, rng) -> dict[str, list[tuple[str, str]]]:
    """The pairs timed on a fresh cluster, by kind, drawn from ``rng``: two different pods
    (uniformly: at 1000 nodes nearly all on different nodes), two pods on the same node,
    a pod and a node (in either order)."""
    pods, nodes = list(cl.pods), list(cl.nodes)
    pairs = {"pod → pod": [tuple(rng.sample(pods, 2)) for _ in range(PAIRS)],
             "pod → pod on the same node": [], "pod → node": [], "node → pod": []}
    for _ in range(OTHER_PAIRS):
        src = rng.choice(pods)
        neighbours = [p.name for p in cl.pods_on(cl.pods[src].node) if p.name != src]
        pairs["pod → pod on the same node"].append((src, rng.choice(neighbours)))
        pairs["pod → node"].append((rng.choice(pods), rng.choice(nodes)))
        pairs["node → pod"].append((rng.choice(nodes), rng.choice(pods)))
    return pairs


def child_scale(nodes: int) -> dict:
    import random

    import kpath_nb as kp

    baseline = peak_mb()
    start = time.perf_counter()
    cl = kp.generate_cluster(nodes=nodes, pods_per_node=100, seed=0)
    build = time.perf_counter() - start  # including the full collection that ends it
    memory = peak_mb()
    pairs = random_pairs(cl, random.Random(PAIR_SEED))
    walls: dict[str, list[float]] = {}
    cpus: dict[str, list[float]] = {}
    for kind, chosen in pairs.items():  # the very first is the first trace of the process
        walls[kind], cpus[kind] = [], []
        for src, dst in chosen:
            start, cpu = time.perf_counter(), time.thread_time()
            kp.trace(cl, src, dst)
            walls[kind].append(time.perf_counter() - start)
            cpus[kind].append(time.thread_time() - cpu)
    src, dst = "pod-1-1", f"pod-{nodes}-50"
    first = kp.trace(cl, src, dst)
    assert first.delivered and first.routers_crossed() == []
    cold = median_time(lambda: kp.trace(cl, src, dst), SCALE_TRACE_RUNS)
    kp.trace(cl, src, dst, learn=True)  # now ARP and the switch know the way
    warm = median_time(lambda: kp.trace(cl, src, dst), SCALE_TRACE_RUNS)
    import pandas  # noqa: F401  (imported once here, so the frame timing is the frame's own)

    dbg = median_time(lambda: cl.cilium_dbg("node-1", "bpf ipcache list"), 3)
    frame = median_time(lambda: cl.bpf_map("node-1", "cilium_ipcache_v2"), 3)
    return {"nodes": nodes, "pods": len(cl.pods), "build": build,
            "memory": memory, "baseline": baseline, "trace_cold": cold, "trace_warm": warm,
            "walls": walls, "cpus": cpus,
            "dbg": dbg, "frame": frame,
            "ipcache_entries": len(cl.cilium_dbg("node-1", "bpf ipcache list").splitlines()) - 1}


# -- the parent ------------------------------------------------------------------------------


def run_child(*args: str) -> dict:
    env = {**os.environ, "MPLBACKEND": "Agg"}
    out = subprocess.run([sys.executable, SELF, "--child", *args], cwd=ROOT, env=env,
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def measure_import() -> tuple[float, float, list[tuple[str, float]]]:
    """Median wall time of ``python -c "import kpath_nb"``, median of the import itself
    (``-X importtime``), and the modules that cost most on their own."""
    walls, cumulative, self_times = [], [], {}
    for _ in range(IMPORT_RUNS):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import kpath_nb"], cwd=ROOT, check=True)
        walls.append(time.perf_counter() - start)
        err = subprocess.run([sys.executable, "-X", "importtime", "-c", "import kpath_nb"],
                             cwd=ROOT, check=True, capture_output=True, text=True).stderr
        for line in err.splitlines():
            match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
            if not match:
                continue
            own, total, name = int(match[1]), int(match[2]), match[4]
            self_times.setdefault(name, []).append(own / 1e6)
            if name == "kpath_nb":
                cumulative.append(total / 1e6)
    top = sorted(((name, statistics.median(t)) for name, t in self_times.items()),
                 key=lambda item: -item[1])[:6]
    return statistics.median(walls), statistics.median(cumulative), top


def measure_notebooks() -> tuple[float, bool]:
    env = {**os.environ, "MPLBACKEND": "Agg"}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "notebooks", "-p",
                           "no:randomly"], cwd=ROOT, env=env, capture_output=True, text=True)
    return time.perf_counter() - start, done.returncode == 0


# -- grading throughput ----------------------------------------------------------------------

GRADING_STUDENTS = 2  # students handing in the whole series, per measurement
GRADING_JOBS = (1, 2)
GRADING_ROW = "grade the whole series (00–08, worked solutions)"
GRADING_NOTE = (
    "- Grading rows: the worked solutions of all nine notebooks, handed in by "
    f"{GRADING_STUDENTS} students, graded by `python -m kpath_nb.coursework grade`; each "
    "notebook runs in a fresh kernel inside its own containment (see the instructor guide), "
    "and the checks run in the grader. Most of a notebook's time is its own teaching cells.")


def measure_grading(jobs: int, students: int = GRADING_STUDENTS) -> float:
    """Seconds per student to grade the whole series handed in by ``students`` students,
    with ``--jobs jobs`` (the command line, contained as it runs for an instructor)."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="kpath-bench-grading-") as folder:
        handed_in = Path(folder) / "submissions"
        for n in range(students):
            (handed_in / f"s24{n:05d}").mkdir(parents=True)
            for notebook in sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb")):
                (handed_in / f"s24{n:05d}" / notebook.name).write_bytes(notebook.read_bytes())
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "kpath_nb.coursework", "grade", str(handed_in),
                        "--out", str(Path(folder) / "grades"), "--salt", "bench-course",
                        "--jobs", str(jobs)], cwd=ROOT, check=True, capture_output=True,
                       env={**os.environ, "MPLBACKEND": "Agg"})
        return (time.perf_counter() - start) / students


def grading_rows() -> list[tuple[str, str, str, str, str]]:
    """The grading throughput rows of the table, one per ``--jobs``."""
    from kpath_nb.coursework.sandbox import containment_level

    contained = containment_level().split(":")[0]
    return [(f"{GRADING_ROW}, --jobs {jobs} ({contained})",
             f"{measure_grading(jobs):.1f} s per student", "—", "—",
             f"{PYTHON} {SELF} --only grading")
            for jobs in GRADING_JOBS]


def update_grading_rows() -> None:
    """Measure grading alone and put its rows into the BENCHMARKS.md there is."""
    path = ROOT / "BENCHMARKS.md"
    lines = [line for line in path.read_text(encoding="utf-8").splitlines()
             if not line.startswith(f"| {GRADING_ROW}")]
    last = max(i for i, line in enumerate(lines) if line.startswith("|"))
    lines[last + 1:last + 1] = [f"| {what} | {value} | {target} | {result} | `{command}` |"
                                for what, value, target, result, command in grading_rows()]
    if GRADING_NOTE not in lines:
        lines = [line for line in lines if not line.startswith("- Grading rows:")]
        lines.append(GRADING_NOTE)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# -- the explorers in a browser: from a reader's change to the new picture painted -----------

BROWSER = ROOT / "tests" / "browser"
LATENCY_TARGET = {"p50": 0.100, "max": 0.150}
LATENCY_KINDS = {"hop": "hop slider step (arrow key)", "dst": "new destination (dropdown)"}


def browser_missing() -> str | None:
    """Why the browser suite cannot run here (its own words), or None."""
    spec = importlib.util.spec_from_file_location("browserlab", BROWSER / "browserlab.py")
    lab = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(lab)
    return lab.missing()


def measure_browser_latency() -> dict | str:
    """Run the browser suite's two latency tests (JupyterLab, headless Chromium; see
    tests/browser/latency.py); their figures, or why they did not run."""
    lack = browser_missing()
    if lack is not None:
        return lack
    env = {**os.environ, "KPATH_BROWSER_TESTS": "1"}
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:randomly",
                           "-p", "no:cacheprovider", str(BROWSER), "-k", "latency"],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        return "the browser latency tests failed: " + done.stdout.strip().splitlines()[-1]
    return json.loads((ROOT / "artifacts" / "browser" / "explorer-latency.json").read_text())


def browser_rows(row) -> None:
    """The latency rows: p50 / p90 / max from input to painted, per explorer and change."""
    command = (f"KPATH_BROWSER_TESTS=1 {PYTHON} -m pytest tests/browser -k latency "
               "(writes artifacts/browser/explorer-latency.json)")
    load = os.getloadavg()[0]
    measured = measure_browser_latency()
    load = max(load, os.getloadavg()[0])
    if isinstance(measured, str):
        row("explorer in Chromium: not measured", f"skipped: {measured}",
            "p50 ≤ 100 ms, max ≤ 150 ms", "—", command)
        return
    for label, result in measured.items():
        for kind, text in LATENCY_KINDS.items():
            figures = result["summary"][kind]
            painted = {q: figures["painted"][q] / 1000 for q in ("p50", "p90", "max")}
            src = figures["src"]["p50"] / 1000
            ok = all(painted[q] <= LATENCY_TARGET[q] for q in LATENCY_TARGET)
            row(f"explorer in Chromium, {label}: {text}, input → picture painted "
                f"(n={figures['n']}; p50 until the image's src changes: {ms(src)}; "
                f"1-minute load average up to {load:.1f} on {os.cpu_count()} CPUs)",
                " / ".join(ms(painted[q]) for q in ("p50", "p90", "max")),
                "p50 ≤ 100 ms, max ≤ 150 ms", "pass" if ok else "MISS", command)


BROWSER_NOTE = (
    "- The 'explorer in Chromium' rows are p50 / p90 / max over seeded random sequences of "
    "40 hop-slider steps (the arrow key on the slider's handle) and 24 destination picks "
    "(the dropdown), one change at a time, in JupyterLab in headless Chromium (software "
    "rendering) on the machine above, with the notebook run (00 for the home network, 07 "
    "for the cluster). Each is timed in the page from the input event's timestamp to the "
    "first task after the animation frame that follows the new PNG's `img.decode()`, the "
    "image's `src` change being seen by a MutationObserver: kernel round trip, drawing, "
    "PNG encoding, transfer, decoding and paint. `tests/browser/latency.py` does the "
    "timing; the samples are in `artifacts/browser/explorer-latency.json`. Without "
    "Chromium or Playwright the rows say so and nothing is measured. For each hop the "
    "explorer draws only the trace over its cached network layers, draws texts it drew "
    "before at the same place from their kept glyph images, and compresses only the "
    "bands of PNG rows that differ from an earlier frame.")


def machine() -> dict:
    model = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.M)
        model = found[1].strip() if found else model
    return {"nproc": os.cpu_count(), "cpu": model, "python": platform.python_version(),
            "system": f"{platform.system()} {platform.release()}",
            "load": os.getloadavg()[0]}


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile: the smallest value with ``share`` of ``values`` at or
    below it (the 99th of 3000 values is the 2970th smallest)."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(round(share * len(ordered), 6))) - 1]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms" if seconds < 0.1 else f"{seconds * 1000:.0f} ms"


def verdict(value: float, target: float | None) -> str:
    if target is None:
        return "—"
    return "pass" if value <= target else "MISS"


def main() -> None:
    rows: list[tuple[str, str, str, str, str]] = []

    def row(what: str, value: str, target: str, result: str, command: str) -> None:
        rows.append((what, value, target, result, command))
        print(f"{what:58} {value:>22}  {target:>10}  {result}", flush=True)

    load = os.getloadavg()
    child = f"{PYTHON} {SELF} --child"
    wall, imported, top = measure_import()
    row("import kpath_nb (-X importtime, cumulative)", ms(imported), "≤ 300 ms",
        verdict(imported, TARGETS["import"]), f'{PYTHON} -X importtime -c "import kpath_nb"')
    row("python -c 'import kpath_nb' (with interpreter start-up)", ms(wall), "—", "—",
        f'{PYTHON} -c "import kpath_nb"')

    seeds = run_child("seeds")
    row("trace seed-neighborhoods house-14 → house-24", ms(seeds["neighborhoods"]), "—", "—",
        f"{child} seeds")
    row("trace seed-cilium-buildings apartment-12 → apartment-22", ms(seeds["cilium"]), "—",
        "—", f"{child} seeds")

    explorer = run_child("explorer")
    for label, name in (("traditional", "seed-neighborhoods"),
                        ("cluster", "seed-cilium-buildings")):
        for step, text in (("dst", "new destination (retrace + redraw)"),
                           ("cold", "new destination, picture not drawn before"),
                           ("hop", "new hop (redraw)")):
            value = explorer[label][step]
            row(f"explorer {name}: {text}", ms(value), "≤ 150 ms",
                verdict(value, TARGETS["explorer"]), f"{child} explorer")

    browser_rows(row)

    for nodes, repeats in SCALE.items():
        runs = [run_child("scale", str(nodes)) for _ in range(repeats)]

        def med(key: str) -> float:
            return statistics.median(r[key] for r in runs)

        size = f"{nodes} nodes × 100 pods"
        big = nodes == 1000
        each = f"median of {repeats} fresh processes"
        row(f"build {size}: generate_cluster, its closing full GC included ({each})",
            f"{med('build'):.2f} s", "≤ 5 s" if big else "—",
            verdict(med("build"), TARGETS["build"] if big else None), f"{child} scale {nodes}")
        firsts = [r["walls"]["pod → pod"][0] for r in runs]
        first_cpu = statistics.median(r["cpus"]["pod → pod"][0] for r in runs)
        row(f"first trace after building, {size}: the first random pod → pod pair, as "
            f"generate_cluster returns ({each}; slowest {ms(max(firsts))})",
            f"{ms(statistics.median(firsts))} (CPU {ms(first_cpu)})", "≤ 50 ms",
            verdict(statistics.median(firsts), TARGETS["first"]), f"{child} scale {nodes}")
        for kind in runs[0]["walls"]:
            walls = [t for r in runs for t in r["walls"][kind]]
            cpus = [t for r in runs for t in r["cpus"][kind]]
            pods = kind == "pod → pod"
            label = (f"trace {kind}, {size}: {len(walls) // repeats} random pairs (seed "
                     f"{PAIR_SEED}) × {repeats} fresh processes")
            for name, stat, target, key in (("median", statistics.median, "≤ 1 ms", "trace"),
                                            ("99th percentile",
                                             lambda v: percentile(v, 0.99), "≤ 5 ms", "p99")):
                row(f"{label}, {name}", f"{ms(stat(walls))} (CPU {ms(stat(cpus))})",
                    target if pods else "—",
                    verdict(stat(walls), TARGETS[key] if pods else None),
                    f"{child} scale {nodes}")
        row(f"peak memory {size} (ru_maxrss after building; {med('baseline'):.0f} MB after "
            f"import; {each})",
            f"{med('memory'):.0f} MB", "≤ 1 GB" if big else "—",
            verdict(med("memory"), TARGETS["memory"] if big else None),
            f"{child} scale {nodes}")
        one = (f"trace one pair pod-1-1 → pod-{nodes}-50, {size}: median of "
               f"{SCALE_TRACE_RUNS} traces ({each})")
        row(f"{one}, after the random pairs and one untimed: ARP broadcast to every node",
            ms(med("trace_cold")), "≤ 1 ms" if big else "—",
            verdict(med("trace_cold"), TARGETS["trace"] if big else None),
            f"{child} scale {nodes}")
        row(f"{one}, after one more with learn=True: ARP and switch already learned",
            ms(med("trace_warm")), "≤ 1 ms" if big else "—",
            verdict(med("trace_warm"), TARGETS["trace"] if big else None),
            f"{child} scale {nodes}")
        entries = runs[0]["ipcache_entries"]
        row(f"cilium_dbg 'bpf ipcache list', {size} ({entries} entries; median of 3 calls; "
            f"{each})", ms(med("dbg")),
            "—", "—", f"{child} scale {nodes}")
        row(f"bpf_map 'cilium_ipcache_v2' DataFrame, {size} (median of 3 calls; {each})",
            ms(med("frame")), "—", "—",
            f"{child} scale {nodes}")

    seconds, passed = measure_notebooks()
    row("execute every notebook (pytest -q notebooks)", f"{seconds:.1f} s"
        + ("" if passed else " (FAILED)"), "≤ 60 s",
        verdict(seconds, TARGETS["notebooks"]) if passed else "MISS",
        "MPLBACKEND=Agg .venv/bin/python -m pytest -q notebooks -p no:randomly")

    for grading in grading_rows():
        row(*grading)

    box = machine()
    lines = [
        "# Benchmarks",
        "",
        f"Written by `make bench` (`{PYTHON} {SELF}`) on {time.strftime('%Y-%m-%d')}. Times "
        "are medians of repeated runs (`time.perf_counter`); every big build runs in a "
        "fresh process, whose peak resident memory (`ru_maxrss`) is reported. Each "
        "command in the last column reproduces its row; the `--child` ones print JSON.",
        "",
        f"Machine: {box['nproc']} CPUs (`nproc`), {box['cpu']}, Python {box['python']}, "
        f"{box['system']}; load average (1 min) {load[0]:.1f} when the run began, "
        f"{box['load']:.1f} when it ended"
        + ("; `PYTHONDONTWRITEBYTECODE` was set, so every fresh process compiles the "
           "modules it imports." if sys.flags.dont_write_bytecode else "."),
        "",
        "| what | measured | target | result | reproduce |",
        "|---|---:|---:|---|---|",
        *(f"| {what} | {value} | {target} | {result} | `{command}` |"
          for what, value, target, result, command in rows),
        "",
        "Modules that cost most to import on their own (`-X importtime`, median):",
        "",
        *(f"- `{name}`: {ms(seconds)}" for name, seconds in top),
        "",
        "Notes:",
        "",
        "- The explorer draws the network once into cached layers and, on each new hop or "
        "destination, redraws only the trace over it; it keeps the last four pictures of the "
        "network (a cluster trace that stays on one node shows a cropped picture of its own). "
        "The 'picture not drawn before' rows open a fresh explorer and change the destination "
        "once: for a cluster that means drawing the other crop first.",
        BROWSER_NOTE,
        "- A cold cross-node trace starts with empty ARP tables (`learn=False` leaves the "
        "cluster as it was), so the node's ARP request for the far node is broadcast: the "
        "switch of the node network floods it to every node, as a real switch would, and the "
        "trace lists every port. Finding who answers asks only the door the request is for "
        "(an index from each switch's ports to the doors at their far ends), and every table "
        "lookup on the way is indexed (longest-prefix match by prefix length, endpoints by "
        "node, addresses by owner), so neither trace grows much with the cluster.",
        "- `generate_cluster` pauses Python's cyclic garbage collector while it builds and "
        "ends with one full collection, counted in the build row: left to run during the "
        "first traces, that scan of every object of the cluster took about a second.",
        f"- The random-pair rows time `kp.trace(cl, src, dst)` (an ICMP echo request and "
        f"its reply, Hubble lines included, `learn=False`) with `time.perf_counter` around "
        f"each call, in a fresh process per repeat, right after `generate_cluster(nodes=N, "
        f"pods_per_node=100, seed=0)`. Each pair drawn is traced once, with no warm-up: the "
        f"cluster keeps no ARP entries between traces, so a cross-node trace floods its "
        f"ARP request to every node, and the first trace of a process also imports the "
        f"Cilium datapath modules and indexes the node switch's cables. Pairs come from "
        f"`random.Random({PAIR_SEED})`: {PAIRS} pairs of two different pods, then "
        f"{OTHER_PAIRS} of each other kind; the same pairs in every process. 'First' is "
        f"the first of those traces; the median and 99th percentile (nearest rank) are "
        f"over every trace of that kind in every process. The verdict is on wall time, "
        f"which on a shared machine counts the time other processes held the CPU (see the "
        f"load average); 'CPU' is `time.thread_time` around the same call: the trace's own "
        f"work.",
        GRADING_NOTE,
        "- Lookups in tables of more than 64 rows keep only the rows that could match (the "
        "matched one included) in the trace; BPF maps of more than 40 entries likewise.",
        "",
    ]
    (ROOT / "BENCHMARKS.md").write_text("\n".join(lines), encoding="utf-8")
    print("\nwrote BENCHMARKS.md")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", nargs="+", metavar=("WHAT", "N"),
                        help="run one measurement in this process and print it as JSON: "
                             "seeds, explorer, or scale N")
    parser.add_argument("--only", choices=["grading"],
                        help="measure only this section and update its rows of BENCHMARKS.md")
    options = parser.parse_args()
    if options.only == "grading":
        update_grading_rows()
    elif options.child is None:
        main()
    else:
        what, *rest = options.child
        children = {"seeds": child_seed_traces, "explorer": child_explorer,
                    "scale": lambda: child_scale(int(rest[0]))}
        if what not in children or (what == "scale") != bool(rest):
            parser.error("--child takes seeds, explorer, or scale N")
        print(json.dumps(children[what]()))
