"""Pictures the pages show: batches tiled into grids, crisp enlargements, lossless PNG and animated GIF.

Images are uint8, (h, w) grayscale or (h, w, 3) RGB; a batch is (B, h, w) or (B, h, w, 3). Every function keeps
the colour layout it is given, so the same code shows digits and emoji.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

import numpy as np
from PIL import Image


def tile(images: np.ndarray, columns: int | None = None, pad: int = 2, pad_value: int = 40) -> np.ndarray:
    """(B, h, w[, 3]) uint8 -> one (rows*(h+pad)-pad, cols*(w+pad)-pad[, 3]) uint8 grid, row-major."""
    b, h, w = images.shape[:3]
    cols = columns or b
    rows = -(-b // cols)
    grid = np.full((rows * (h + pad) - pad, cols * (w + pad) - pad, *images.shape[3:]), pad_value, dtype=np.uint8)
    for i, img in enumerate(images):
        r, c = divmod(i, cols)
        grid[r * (h + pad):r * (h + pad) + h, c * (w + pad):c * (w + pad) + w] = img
    return grid


def upscale(image: np.ndarray, factor: int) -> np.ndarray:
    """Nearest-neighbour enlargement by a whole ``factor`` (crisp square pixels), (h, w[, 3]) uint8."""
    if factor <= 1:
        return image
    return np.repeat(np.repeat(image, factor, axis=0), factor, axis=1)


def enlarge(image: np.ndarray, target: int = 280) -> np.ndarray:
    """:func:`upscale` by the largest whole factor that keeps the longer side within ``target`` pixels (at least 1)."""
    return upscale(image, max(1, target // max(image.shape[:2])))


def side_by_side(a: np.ndarray, b: np.ndarray, gap: int = 4, gap_value: int = 0) -> np.ndarray:
    """Two uint8 images of equal height (and colour layout), joined left-to-right with a gap."""
    return np.hstack([a, np.full((a.shape[0], gap, *a.shape[2:]), gap_value, dtype=np.uint8), b])


def pair_image(left: np.ndarray, right: np.ndarray, columns: int | None = None, scale: int = 4) -> np.ndarray:
    """Two batches (B, h, w[, 3]) as one image: left grid | right grid, enlarged ``scale`` times."""
    return upscale(side_by_side(tile(left, columns), tile(right, columns), gap=6), scale)


def png_bytes(image: np.ndarray, compress_level: int = 6) -> bytes:
    """Lossless PNG of a uint8 image; ``compress_level`` 1 encodes ~2x faster for ~10% more bytes."""
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG", compress_level=compress_level)
    return buffer.getvalue()


def gif_bytes(frames: Iterable[np.ndarray], frame_ms: int = 80, hold_last_ms: int = 1500) -> bytes:
    """An animated, looping GIF of uint8 frames; the last frame is held ``hold_last_ms``.

    Pillow stores identical consecutive frames once, with their durations added; colour frames are reduced to
    GIF's 256-colour palette.
    """
    images = [Image.fromarray(f) for f in frames]
    if not images:
        raise ValueError("no frames to animate")
    durations = [frame_ms] * (len(images) - 1) + [hold_last_ms]
    buffer = io.BytesIO()
    images[0].save(buffer, format="GIF", save_all=True, append_images=images[1:], duration=durations, loop=0)
    return buffer.getvalue()
