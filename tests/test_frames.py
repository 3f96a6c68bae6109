"""Frames: the explorer's pictures, the backdrop drawn once, are what savefig would draw."""

from __future__ import annotations

import io

import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

import kpath_nb as kp
from kpath_nb.views import clusterplot, clustertrace, plot, traceplot
from kpath_nb.views.frames import Frames


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA")).astype(int)


def _savefig(figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=figure.dpi)
    return buffer.getvalue()


@pytest.mark.parametrize("name, src, dst", [
    ("seed-neighborhoods", "house-14", "house-24"),
    ("broken-office", "pc3", "srv1"),
    ("seed-cilium-buildings", "apartment-12", "apartment-22")])
def test_every_frame_is_the_picture_a_full_draw_gives(name, src, dst):
    net = kp.load_topology(name)
    tr = kp.trace(net, src, dst)
    cluster = isinstance(net, kp.Cluster)
    axes = clusterplot.cluster_axes if cluster else plot.network_axes
    module = clustertrace if cluster else traceplot
    ax = axes(net, Figure(), trace=tr)
    draw = module.backdrop(net, tr, ax)
    frames = Frames(ax)
    for upto in (len(tr.hops) - 1, 0, len(tr.hops) // 2, None):
        frame = _pixels(frames.png(lambda: draw(tr, upto)))
        whole = axes(net, Figure(), trace=tr)
        module.backdrop(net, tr, whole)(tr, upto)
        # Layers laid over each other round a colour by a level at most.
        assert np.abs(frame - _pixels(_savefig(whole.figure))).max() <= 2


def test_what_a_frame_added_goes_with_the_next_frame():
    ax = Figure(figsize=(2, 1)).add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    ax.text(0.5, 0.5, "backdrop")
    frames = Frames(ax)
    frames.png(lambda: ax.plot([0, 1], [0, 1]))
    assert len(ax.lines) == 1
    frames.png(lambda: ax.legend(handles=[], title="two"))
    assert len(ax.lines) == 0 and ax.get_legend() is not None and len(ax.texts) == 1
    frames.png(lambda: None)
    assert ax.get_legend() is None and len(ax.texts) == 1


def test_an_axes_with_axis_lines_is_refused():
    with pytest.raises(ValueError, match="set_axis_off"):
        Frames(Figure().add_subplot())
