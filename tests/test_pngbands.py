"""BandedPng: PNG files any reader reads, the unchanged bands of rows not compressed again."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from kpath_nb.views.pngbands import BandedPng


def _read(png: bytes) -> np.ndarray:
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.mode == "RGB"
    return np.asarray(image.convert("RGBA"))


def _picture(height: int, width: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    rgba = np.full((height, width, 4), 255, np.uint8)
    for _ in range(20):
        y, x = rng.integers(0, height), rng.integers(0, width)
        rgba[y:y + 7, x:x + 30, :3] = rng.integers(0, 256, 3)
    return rgba


@pytest.mark.parametrize("height, width, rows", [(1, 1, 16), (47, 33, 16), (64, 10, 16),
                                                  (300, 200, 7)])
def test_the_pixels_read_back_exactly(height, width, rows):
    writer = BandedPng(rows=rows)
    for seed in range(3):
        rgba = _picture(height, width, seed)
        assert (_read(writer.png(rgba)) == rgba).all()


def test_only_the_bands_that_changed_are_compressed_again():
    writer = BandedPng(rows=16)
    rgba = _picture(160, 90, 0)
    first = writer.png(rgba)
    assert (writer.compressed, writer.reused) == (10, 0)
    rgba[40:44, 10:20, :3] = (0, 0, 255)            # inside the third band
    changed = writer.png(rgba)
    assert (writer.compressed, writer.reused) == (11, 9)
    assert (_read(changed) == rgba).all()
    rgba[:] = _picture(160, 90, 0)                  # and back: every band met before
    assert writer.png(rgba) == first and writer.compressed == 11


def test_a_band_is_reused_only_at_its_own_place():
    writer = BandedPng(rows=8)
    rgba = np.full((16, 8, 4), 255, np.uint8)
    rgba[:8, :, :3] = 0
    writer.png(rgba)
    rgba[:] = 255
    rgba[8:, :, :3] = 0                               # the same band, lower down
    assert (_read(writer.png(rgba)) == rgba).all()


def test_a_see_through_picture_is_refused():
    rgba = np.zeros((4, 4, 4), np.uint8)
    with pytest.raises(ValueError, match="opaque"):
        BandedPng().png(rgba)
