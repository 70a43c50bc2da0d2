"""The one mapping between 8-bit pixels and the model's range, for gray and colour alike.

Ho et al. 2020 (sec. 3.3) scale pixels 0..255 linearly onto [-1, 1]: x = pixels / 127.5 - 1. Two layouts:

* element-wise, any shape (:func:`to_model_space`, :func:`to_pixels`): what the forward page uses on one picture,
  (H, W) or (H, W, 3);
* batches for the networks, channels first (:func:`to_model_range`, :func:`to_images`): uint8 (N, H, W) or
  (N, H, W, 3) <-> float32 (N, C, H, W).

Going back to pixels clips to 0..255 (x_t and x0_hat leave [-1, 1]) and rounds to the nearest level.
"""

from __future__ import annotations

import numpy as np

PIXEL_HALF_RANGE = 127.5  # x = pixels / 127.5 - 1 maps 0..255 onto [-1, 1]


def to_model_space(pixels: np.ndarray) -> np.ndarray:
    """uint8 pixels (any shape) -> float32 x in [-1, 1], same shape."""
    return np.asarray(pixels, dtype=np.float32) / np.float32(PIXEL_HALF_RANGE) - np.float32(1.0)


def to_pixels(x: np.ndarray) -> np.ndarray:
    """float x (any shape, any range) -> uint8 pixels, clipped to 0..255 for display; same shape."""
    scaled = (np.asarray(x, dtype=np.float32) + np.float32(1.0)) * np.float32(PIXEL_HALF_RANGE)
    return np.clip(np.rint(scaled), 0, 255).astype(np.uint8)


def to_model_range(images: np.ndarray) -> np.ndarray:
    """uint8 (N, H, W) or (N, H, W, C) -> float32 (N, C, H, W) in [-1, 1] (C = 1 for gray)."""
    x = to_model_space(images)
    return np.ascontiguousarray(x[:, None] if x.ndim == 3 else x.transpose(0, 3, 1, 2))


def to_images(x: np.ndarray) -> np.ndarray:
    """The inverse of :func:`to_model_range`: (N, C, H, W) -> uint8 (N, H, W) for C = 1, else (N, H, W, C)."""
    pixels = to_pixels(x)
    return pixels[:, 0] if pixels.shape[1] == 1 else np.ascontiguousarray(pixels.transpose(0, 2, 3, 1))
