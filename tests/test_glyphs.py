"""GlyphCache: text drawn again from kept glyph images is the text Agg draws."""

from __future__ import annotations

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from kpath_nb.views.glyphs import GlyphCache


def _draw(colour: str, x: float, glyphs: GlyphCache | None, canvas=None) -> np.ndarray:
    figure = Figure(figsize=(3, 1), dpi=100)
    ax = figure.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    ax.set_xlim(0, 1)
    ax.text(x, 0.5, "hop 12 · router-1 → ✓", color=colour, fontsize=11, fontweight="bold",
            bbox=dict(boxstyle="round", facecolor="white", edgecolor=colour))
    # Clipped by the axes: the text runs off the right edge.
    ax.text(0.8, 0.2, "clipped at the edge", color=colour, clip_on=True)
    canvas = canvas or FigureCanvasAgg(figure)
    canvas.figure = figure
    figure.set_canvas(canvas)
    renderer = canvas.get_renderer()
    if glyphs is not None:
        glyphs.attach(renderer)
    figure.draw(renderer)
    return np.array(canvas.buffer_rgba())


def test_a_text_drawn_again_is_what_agg_draws_in_the_new_colour():
    glyphs = GlyphCache()
    canvas = FigureCanvasAgg(Figure(figsize=(3, 1), dpi=100))
    _draw("red", 0.1, glyphs, canvas)
    assert glyphs.hits == 0
    again = _draw("blue", 0.1, glyphs, canvas)
    assert glyphs.hits == 2
    assert (again == _draw("blue", 0.1, None)).all()


def test_a_text_drawn_elsewhere_is_drawn_afresh():
    glyphs = GlyphCache()
    canvas = FigureCanvasAgg(Figure(figsize=(3, 1), dpi=100))
    _draw("red", 0.1, glyphs, canvas)
    moved = _draw("red", 0.1 + 0.3 / 300, glyphs, canvas)    # a third of a pixel
    assert glyphs.hits == 1                                  # only the clipped text
    assert (moved == _draw("red", 0.1 + 0.3 / 300, None)).all()
