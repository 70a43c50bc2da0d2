"""An image is a grid of integers: cut out a small patch of it, and mark where the patch is.

Pixels are uint8, shaped (H, W) for grayscale or (H, W, 3) for RGB. Positions are (row, column)
of the patch's top-left pixel, 0-based, clamped so the patch always lies inside the image.
"""

from __future__ import annotations

import numpy as np

OUTLINE_RGB = (255, 64, 64)


def clamp_origin(shape: tuple[int, ...], top: int, left: int, size: int) -> tuple[int, int]:
    """Move (top, left) the least so a size x size patch fits in an image of ``shape`` (H, W[, 3])."""
    h, w = shape[:2]
    return max(0, min(int(top), h - min(size, h))), max(0, min(int(left), w - min(size, w)))


def centred_origin(shape: tuple[int, ...], size: int) -> tuple[int, int]:
    """(top, left) of the size x size patch at the centre of an image of ``shape``."""
    h, w = shape[:2]
    return clamp_origin(shape, (h - size) // 2, (w - size) // 2, size)


def patch(pixels: np.ndarray, top: int, left: int, size: int) -> np.ndarray:
    """The size x size patch at (top, left) (clamped inside): (min(size, H), min(size, W)[, 3]), same dtype."""
    top, left = clamp_origin(pixels.shape, top, left, size)
    return pixels[top : top + size, left : left + size].copy()


def with_outline(pixels: np.ndarray, top: int, left: int, size: int, upscale: int = 1) -> np.ndarray:
    """An RGB copy of the image enlarged ``upscale`` times (nearest), with a 1-pixel box around the patch.

    The box is drawn in the enlarged image just outside the patch, so no patch pixel is hidden.
    Returns (H·upscale, W·upscale, 3) uint8.
    """
    rgb = pixels if pixels.ndim == 3 else np.repeat(pixels[:, :, None], 3, axis=2)
    big = np.repeat(np.repeat(rgb, upscale, axis=0), upscale, axis=1)
    top, left = clamp_origin(pixels.shape, top, left, size)
    sh, sw = min(size, pixels.shape[0]), min(size, pixels.shape[1])
    h, w = big.shape[:2]
    r0, r1 = max(top * upscale - 1, 0), min((top + sh) * upscale, h - 1)
    c0, c1 = max(left * upscale - 1, 0), min((left + sw) * upscale, w - 1)
    big[[r0, r1], c0 : c1 + 1] = OUTLINE_RGB
    big[r0 : r1 + 1, [c0, c1]] = OUTLINE_RGB
    return big
