"""PNG files of frames that differ in places: only the bands of rows that changed are compressed.

A PNG's pixels are one zlib stream of rows, each row a filter byte and the row's bytes.
:class:`BandedPng` cuts the image into bands of rows and deflates each band on its own
(ending it with a full flush, so a band's compressed bytes depend on that band alone),
then joins them into one stream: any PNG reader reads it as usual. A band met before at
the same place, in any of the frames it has written lately, is not compressed again:
its compressed bytes are kept, found by the band's place and two checksums of its bytes
(CRC-32 and Adler-32: a band mistaken for another would need both to agree). Frames of
the explorer share most of their rows (the network does not change; the trace grows by
an arrow, a number and the title), so a frame costs the compression of the few bands
where something moved.

The pixels are written as 8-bit RGB, without the alpha channel, which must be opaque
(a figure with a face colour is); rows are not filtered, which for line art on a
plain ground compresses about as well as filtering does, for less work.

Examples
--------
>>> import io
>>> import numpy as np
>>> from PIL import Image
>>> rgba = np.full((40, 30, 4), 255, np.uint8)
>>> rgba[5:9, 3:20, :3] = (200, 30, 30)
>>> writer = BandedPng()
>>> png = writer.png(rgba)
>>> back = np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))
>>> bool((back == rgba).all())
True
>>> rgba[30:32, :, :3] = 0                      # one band changes: the others are kept
>>> _ = writer.png(rgba)
>>> writer.compressed, writer.reused
(4, 2)
"""

from __future__ import annotations

import struct
import zlib
from collections import OrderedDict

import numpy as np

__all__ = ["BandedPng"]

_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_ZLIB_HEADER = b"\x78\x01"          # deflate, 32 KB window, fastest compression
_LAST_BLOCK = b"\x03\x00"           # an empty final block (fixed Huffman codes)


def _chunk(kind: bytes, body: bytes) -> bytes:
    return (struct.pack(">I", len(body)) + kind + body
            + struct.pack(">I", zlib.crc32(kind + body)))


class BandedPng:
    """PNG encoder for frames of one picture, keeping the compressed bands it made.

    Parameters
    ----------
    rows : int
        Rows of pixels in a band.
    level : int
        zlib compression level of a band (1, the fastest, suits pictures shown at once).
    kept : int
        Compressed bands kept, the oldest dropped first.

    Attributes
    ----------
    compressed, reused : int
        Bands compressed and bands reused, over all frames written so far.
    """

    def __init__(self, rows: int = 16, level: int = 1, kept: int = 512) -> None:
        self.rows, self.level, self.kept = rows, level, kept
        self._bands: OrderedDict[tuple[int, int, int, int], bytes] = OrderedDict()
        self.compressed = self.reused = 0

    def png(self, rgba: np.ndarray) -> bytes:
        """The PNG file of an opaque ``(height, width, 4)`` uint8 image."""
        if not (rgba[:, :, 3] == 255).all():
            raise ValueError("BandedPng writes opaque pictures: give the figure an opaque "
                             "face colour")
        height, width, _ = rgba.shape
        raw = np.zeros((height, 1 + 3 * width), np.uint8)     # filter byte 0: none
        raw[:, 1:].reshape(height, width, 3)[...] = rgba[:, :, :3]
        parts = [_ZLIB_HEADER]
        for top in range(0, height, self.rows):
            band = raw[top:top + self.rows].tobytes()
            parts.append(self._deflated(top, band))
        parts += [_LAST_BLOCK, struct.pack(">I", zlib.adler32(raw))]
        header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)   # 8-bit RGB
        return b"".join([_SIGNATURE, _chunk(b"IHDR", header), _chunk(b"IDAT", b"".join(parts)),
                         _chunk(b"IEND", b"")])

    def _deflated(self, top: int, band: bytes) -> bytes:
        """The band's raw deflate blocks, ending byte-aligned and not final."""
        key = (top, len(band), zlib.crc32(band), zlib.adler32(band))
        deflated = self._bands.get(key)
        if deflated is not None:
            self._bands.move_to_end(key)
            self.reused += 1
            return deflated
        compressor = zlib.compressobj(self.level, zlib.DEFLATED, -15)
        deflated = compressor.compress(band) + compressor.flush(zlib.Z_FULL_FLUSH)
        self._bands[key] = deflated
        if len(self._bands) > self.kept:
            self._bands.popitem(last=False)
        self.compressed += 1
        return deflated
