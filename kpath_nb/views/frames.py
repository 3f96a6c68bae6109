"""One picture drawn again and again, quickly: its unchanging part once, the rest each time.

The explorer shows a network with a trace drawn over it up to the hop the slider
is on. Drawing the whole figure for every hop would draw the network again each
time; :class:`Frames` draws it once. The artists an Axes holds when the Frames is
made are its *backdrop*. Each frame removes the artists the previous frame added,
lets the caller add new ones (a trace up to a hop, a title, a legend), and puts
backdrop and new artists together in matplotlib's drawing order: by z-order, then
in the order they were added. A run of backdrop artists with nothing new between
them is rendered once into a layer of pixels, kept and laid over the frame at its
place in that order, so a label the backdrop draws above the trace's arrows stays
above them, and the frame is the picture ``savefig`` would give. Texts drawn again at
the same place (hop numbers, the legend) reuse their glyph images
(:class:`~.glyphs.GlyphCache`), and the PNG compresses only the bands of rows that
changed since an earlier frame (:class:`~.pngbands.BandedPng`).

Examples
--------
>>> import kpath_nb as kp
>>> from matplotlib.figure import Figure
>>> from kpath_nb.views import plot, traceplot
>>> net = kp.load_topology("seed-neighborhoods")
>>> tr = kp.trace(net, "house-14", "house-24")
>>> ax = plot.network_axes(net, Figure(), trace=tr)
>>> draw = traceplot.backdrop(net, tr, ax)
>>> frames = Frames(ax)
>>> third, ninth = frames.png(lambda: draw(tr, 3)), frames.png(lambda: draw(tr, 9))
>>> third.startswith(b"\\x89PNG") and third != ninth
True
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg

from .glyphs import GlyphCache
from .pngbands import BandedPng

__all__ = ["Frames"]


class Frames:
    """Frames of a picture whose backdrop (the artists ``ax`` holds now) does not change.

    Parameters
    ----------
    ax : matplotlib Axes
        With its axis off (``ax.set_axis_off()``), alone on its figure, which is
        drawn with Agg at the figure's dpi.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = Figure(figsize=(2, 1)).add_axes((0, 0, 1, 1))
    >>> ax.set_axis_off()
    >>> _ = ax.text(0.5, 0.5, "the same in every frame", zorder=7)
    >>> frames = Frames(ax)
    >>> frames.png(lambda: ax.plot([0, 1], [0, 1], zorder=5)) != frames.png(lambda: None)
    True
    >>> len(ax.lines)     # the line the first frame added went with it
    0
    """

    def __init__(self, ax: Axes) -> None:
        if ax.axison:
            raise ValueError("Frames draws pictures without axes lines and ticks: call "
                             "ax.set_axis_off() first")
        self.ax = ax
        self.canvas = FigureCanvasAgg(ax.figure)
        ax.apply_aspect()       # what a draw of the figure would do first
        self._fixed = set(ax.get_children())      # never removed: backdrop, titles, ...
        self._rank = {a: i for i, a in enumerate(self._drawing_order()) if a is not ax.title}
        self._added: list[Artist] = []
        self._base: dict[int, np.ndarray] = {}     # by length of the backdrop's leading run
        self._layers: dict[tuple[int, int], tuple[int, int, np.ndarray]] = {}
        self._png = BandedPng()         # bands of rows no frame changed are not compressed again
        self._glyphs = GlyphCache()    # hop numbers, legend, labels: drawn again, not re-rendered

    def png(self, draw: Callable[[], object]) -> bytes:
        """Remove what the previous frame added, call ``draw()`` to add this frame's
        artists to the Axes, and return the figure as PNG."""
        for artist in self._added:
            artist.remove()
        draw()
        self._added = [a for a in self.ax.get_children() if a not in self._fixed]
        self._render()
        return self._png.png(np.asarray(self.canvas.buffer_rgba()))

    def _drawing_order(self) -> list[Artist]:
        """The Axes' artists in the order :meth:`Axes.draw` draws them (axis off)."""
        skip = {self.ax.patch, *self.ax.spines.values(), self.ax.xaxis, self.ax.yaxis}
        return sorted((a for a in self.ax.get_children() if a not in skip),
                      key=attrgetter("zorder"))

    def _render(self) -> None:
        """The frame into the canvas: the backdrop's layers and the new artists, in order."""
        runs: list[tuple[bool, list[Artist]]] = []
        for artist in self._drawing_order():
            fixed = artist in self._rank
            if runs and runs[-1][0] == fixed:
                runs[-1][1].append(artist)
            else:
                runs.append((fixed, [artist]))
        leading = runs.pop(0)[1] if runs and runs[0][0] else []
        # Layers not drawn yet are drawn first: drawing one clears the canvas.
        base = self._base_pixels(leading)
        layers = [self._layer(artists) if fixed else None for fixed, artists in runs]
        renderer = self._renderer()
        np.asarray(renderer.buffer_rgba())[...] = base
        for (fixed, artists), layer in zip(runs, layers):
            if layer is None:
                for artist in artists:
                    artist.draw(renderer)
                continue
            x, y, pixels = layer
            if pixels.size:
                gc = renderer.new_gc()
                renderer.draw_image(gc, x, y, pixels)
                gc.restore()

    def _base_pixels(self, leading: list[Artist]) -> np.ndarray:
        """The figure's background and the backdrop's leading run, drawn once and kept."""
        if len(leading) not in self._base:
            self._draw_only(leading, background=True)
            self._base[len(leading)] = np.array(self.canvas.buffer_rgba())
        return self._base[len(leading)]

    def _layer(self, artists: list[Artist]) -> tuple[int, int, np.ndarray]:
        """A run of backdrop artists drawn once on a transparent figure: the pixels they
        cover, bottom row first, with where their bottom-left corner goes."""
        key = (self._rank[artists[0]], self._rank[artists[-1]])
        if key not in self._layers:
            self._draw_only(artists, background=False)
            rgba = np.asarray(self.canvas.buffer_rgba())
            rows, cols = np.nonzero(rgba[:, :, 3].any(axis=1))[0], np.nonzero(
                rgba[:, :, 3].any(axis=0))[0]
            if rows.size == 0:
                self._layers[key] = (0, 0, rgba[:0, :0].copy())
            else:
                top, bottom, left, right = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
                self._layers[key] = (int(left), int(rgba.shape[0] - bottom),
                                     rgba[top:bottom, left:right][::-1].copy())
        return self._layers[key]

    def _renderer(self) -> RendererAgg:
        renderer = self.canvas.get_renderer()
        self._glyphs.attach(renderer)
        return renderer

    def _draw_only(self, artists: list[Artist], background: bool) -> None:
        """Draw only ``artists`` (and the figure's own background if ``background``) on a
        cleared, transparent canvas."""
        renderer = self._renderer()
        renderer.clear()
        if background:
            self.ax.figure.patch.draw(renderer)
        for artist in artists:
            artist.draw(renderer)
