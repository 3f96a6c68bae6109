"""How long the explorer makes a reader wait: from a change to the new picture painted.

A recorder installed in the page notes the time of the reader's input (the key that
steps the hop slider, the ``change`` of the destination dropdown: the event's
``timeStamp``), then, watching the explorer's ``<img>`` with a MutationObserver, the
moment its ``src`` changes (the kernel has drawn the picture and its bytes have
arrived), the moment ``img.decode()`` resolves (the PNG is decoded), and the first
task after the next animation frame (the frame that shows it has been painted).
:func:`measure` drives one explorer through a seeded random sequence of hop steps and
destination changes, one at a time: each waits for its picture and for the hop's
packet view before the next begins. :func:`summary` gives p50, p90 and max per kind.

Speed is a benchmark, not a test: the browser suite writes these figures to
``artifacts/browser/explorer-latency.json`` and ``make bench`` reports them; nothing
asserts on them.
"""

from __future__ import annotations

import random
import statistics
from typing import Any, Callable

# Installs window.kpathLatency[mark] on the explorer's root box.
RECORDER = """(root, mark) => {
    const img = root.querySelector(':scope > img');
    const rec = {pending: null, samples: [], stray: 0, busy: []};
    const longTasks = new PerformanceObserver((list) => {
        for (const e of list.getEntries()) rec.busy.push([e.startTime, e.duration]);
    });
    longTasks.observe({type: 'longtask', buffered: false});
    const start = (kind) => (event) => {
        rec.pending = {kind, input: event.timeStamp, src: null, decoded: null, painted: null};
    };
    const onKey = start('hop'), onChange = start('dst');
    root.querySelector('.widget-slider').addEventListener('keydown', onKey, true);
    root.querySelectorAll('.widget-dropdown select')[1].addEventListener('change', onChange,
                                                                         true);
    const observer = new MutationObserver(() => {
        const p = rec.pending;
        if (!p || p.src !== null) { rec.stray++; return; }
        p.src = performance.now();
        img.decode().catch(() => null).then(() => {
            p.decoded = performance.now();
            requestAnimationFrame(() => setTimeout(() => {
                p.painted = performance.now();
                rec.samples.push(p);
                rec.pending = null;
            }, 0));
        });
    });
    observer.observe(img, {attributes: true, attributeFilter: ['src']});
    rec.stop = () => {
        observer.disconnect();
        longTasks.disconnect();
        root.querySelector('.widget-slider').removeEventListener('keydown', onKey, true);
        root.querySelectorAll('.widget-dropdown select')[1].removeEventListener(
            'change', onChange, true);
    };
    window.kpathLatency = window.kpathLatency || {};
    window.kpathLatency[mark] = rec;
    return true; }"""

SAMPLES = "(mark) => window.kpathLatency[mark].samples.length"
PENDING = """(mark) => { const rec = window.kpathLatency[mark];
    return {pending: rec.pending, samples: rec.samples.length, stray: rec.stray}; }"""
RESULTS = """(mark) => { const rec = window.kpathLatency[mark];
    rec.stop();
    const busy = (from, to) => rec.busy.filter(([t, d]) => t < to && t + d > from)
        .reduce((sum, [t, d]) => sum + Math.min(to, t + d) - Math.max(from, t), 0);
    return {samples: rec.samples.map(({kind, input, src, decoded, painted}) =>
                ({kind, input, src, decoded, painted,
                  busyBeforeSrc: busy(input, src), busyAfterSrc: busy(src, painted)})),
            stray: rec.stray}; }"""


def summary(samples: list[dict]) -> dict:
    """p50, p90 and max (ms) of each kind of change, and of all, for the three moments:
    ``src`` (the image's source changed), ``decoded``, ``painted``; times from the input."""
    out = {}
    for kind in ("hop", "dst", "all"):
        chosen = [s for s in samples if kind in ("all", s["kind"])]
        if not chosen:
            continue
        out[kind] = {"n": len(chosen)}
        for moment in ("src", "decoded", "painted"):
            times = sorted(s[moment] - s["input"] for s in chosen)
            out[kind][moment] = {"p50": statistics.median(times),
                                 "p90": times[min(len(times) - 1, int(0.9 * len(times)))],
                                 "max": times[-1]}
    return out


SLIDER = """(root) => { const h = root.querySelector('.widget-slider .noUi-handle');
    return [Number(h.getAttribute('aria-valuenow')), Number(h.getAttribute('aria-valuemax'))];
    }"""


def measure(page: Any, root: Any, mark: str, *, src: str, seed: int, hop_steps: int,
            dst_changes: int, settled: Callable[[], bool],
            wait: Callable[[str, Callable, float], Any], timeout: float) -> dict:
    """Make ``hop_steps`` slider steps and ``dst_changes`` destination picks on the
    explorer ``root``, in a random order drawn from ``seed``, one at a time: each waits
    for its picture to be painted and for ``settled()``. A slider step is the arrow key
    on the slider's handle, right or left at random (never off either end); a pick is
    a destination from the dropdown other than the one shown and ``src``. The samples
    (ms since the page's time origin), the changes made, and the count of image
    changes no input explains."""
    rng = random.Random(seed)
    kinds = ["hop"] * hop_steps + ["dst"] * dst_changes
    rng.shuffle(kinds)
    handle = root.locator(".widget-slider .noUi-handle").first
    dropdown = root.locator(".widget-dropdown select").nth(1)
    options = [o for o in dropdown.evaluate("s => [...s.options].map(o => o.value)")
               if o != src]
    root.evaluate(RECORDER, mark)
    made = []
    for number, kind in enumerate(kinds, start=1):
        if kind == "hop":
            hop, last = root.evaluate(SLIDER)
            if last == 0:               # nothing to step through: pick another destination
                kind = "dst"
            else:
                what = ("ArrowRight" if hop == 0 else "ArrowLeft" if hop == last
                        else rng.choice(["ArrowRight", "ArrowRight", "ArrowLeft"]))
                handle.focus()
                page.keyboard.press(what)
        if kind == "dst":
            what = rng.choice([o for o in options if o != dropdown.input_value()])
            dropdown.select_option(what)
        made.append((kind, what))
        try:
            wait(f"the picture of change {number} ({kind} {what}) to be painted",
                 lambda: page.evaluate(SAMPLES, mark) >= number, timeout)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\nrecorder: {page.evaluate(PENDING, mark)}; slider "
                                 f"(value, max): {root.evaluate(SLIDER)}") from None
        wait(f"the explorer to settle after change {number}", settled, timeout)
        page.wait_for_timeout(50)
    return {**page.evaluate(RESULTS, mark), "changes": made}
