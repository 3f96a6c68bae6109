"""Text drawn again from the glyph images drawn the first time, for pictures drawn many times.

The explorer draws the same hop numbers, legend and labels at the same places frame
after frame. Agg draws a text by laying it out with FreeType and rendering each glyph
into a small grey image, which it lays onto the canvas in the text's colour; the
rendering is most of the time a frame takes. :class:`GlyphCache` keeps, for each text
drawn (its string, font, size, angle and exact position), the grey images and where
they went, and lays the same images at the same places when that text is drawn again,
in the colour and clipping of the new drawing: the pixels are those Agg would draw.

Examples
--------
>>> from matplotlib.figure import Figure
>>> from matplotlib.backends.backend_agg import FigureCanvasAgg
>>> figure = Figure(figsize=(2, 1))
>>> _ = figure.text(0.1, 0.5, "hop 8")
>>> canvas = FigureCanvasAgg(figure)
>>> glyphs = GlyphCache()
>>> glyphs.attach(canvas.get_renderer())
>>> figure.draw(canvas.get_renderer())
>>> first = bytes(canvas.buffer_rgba())
>>> figure.draw(canvas.get_renderer())
>>> bytes(canvas.buffer_rgba()) == first, glyphs.hits
(True, 1)
"""

from __future__ import annotations

from collections import OrderedDict

import matplotlib as mpl
import numpy as np
from matplotlib.backends.backend_agg import RendererAgg

__all__ = ["GlyphCache"]

_KEPT = 2000      # texts kept; the oldest goes first


class _Recorder:
    """Stands in for the Agg renderer's drawing core while one text is drawn: draws the
    glyph images it is given and keeps copies of them; notes any other use of the core,
    after which the text is not kept."""

    def __init__(self, core: object) -> None:
        self.core = core
        self.images: list[tuple[np.ndarray, float, float, float]] = []
        self.other = False

    def draw_text_image(self, image: object, x: float, y: float, angle: float,
                        gc: object) -> None:
        image = np.array(image, dtype=np.uint8)      # a copy: a font's bitmap is reused
        self.images.append((image, x, y, angle))
        self.core.draw_text_image(image, x, y, angle, gc)

    def __getattr__(self, name: str) -> object:
        self.other = True
        return getattr(self.core, name)


class GlyphCache:
    """The glyph images of the texts an Agg renderer drew, to draw them again.

    Attributes
    ----------
    hits : int
        Texts drawn from kept images so far.
    """

    def __init__(self) -> None:
        self._texts: OrderedDict[tuple, list] = OrderedDict()
        self.hits = 0

    def attach(self, renderer: RendererAgg) -> None:
        """Make ``renderer`` draw its texts through this cache (once per renderer)."""
        if getattr(renderer, "_kpath_glyphs", None) is self:
            return
        renderer._kpath_glyphs = self
        draw_text = type(renderer).draw_text

        def cached(gc, x, y, s, prop, angle, ismath=False, mtext=None):
            key = None if ismath else self._key(renderer, gc, x, y, s, prop, angle, mtext)
            images = self._texts.get(key) if key is not None else None
            if images is not None:
                self._texts.move_to_end(key)
                self.hits += 1
                for image, gx, gy, gangle in images:
                    renderer._renderer.draw_text_image(image, gx, gy, gangle, gc)
                return
            core = renderer._renderer
            recorder = renderer._renderer = _Recorder(core)
            try:
                draw_text(renderer, gc, x, y, s, prop, angle, ismath, mtext)
            finally:
                renderer._renderer = core
            if key is not None and not recorder.other:
                self._texts[key] = recorder.images
                if len(self._texts) > _KEPT:
                    self._texts.popitem(last=False)

        renderer.draw_text = cached

    @staticmethod
    def _key(renderer: RendererAgg, gc: object, x: float, y: float, s: str, prop: object,
             angle: float, mtext: object) -> tuple:
        """Everything that decides a text's glyph images and where they go (its colour
        and clipping come from ``gc`` when it is drawn)."""
        features = (getattr(mtext, "get_fontfeatures", lambda: None)(),
                    getattr(mtext, "get_language", lambda: None)())
        rc = mpl.rcParams
        return (s, float(x), float(y), float(angle), bool(gc.get_antialiased()),
                type(prop), tuple(vars(prop).items()), features, renderer.dpi,
                renderer.height, rc["text.hinting"], rc["text.hinting_factor"],
                rc["text.kerning_factor"])
