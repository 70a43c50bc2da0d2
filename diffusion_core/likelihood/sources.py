"""The images whose corner is measured, all as 8-bit pixels of the model's own shape.

Held-out real images come from the caller (the page's cached loader, the command's entry); this module makes the
others: the model's own samples (the app's default sampler), uniformly random images, and any picture (a bundled
photo, an upload, another data set's images) reduced to the model's (C, H, W): centre-cropped square, resized
(Lanczos), and made gray or colour to match. Images are uint8 (N, H, W) gray or (N, H, W, 3) colour, as
:mod:`diffusion_core.images.pixels` expects.
"""

from __future__ import annotations

import numpy as np
import torch

from diffusion_core.images.image_io import fit_square, to_grayscale
from diffusion_core.images.pixels import to_images
from diffusion_core.model.samplers import DEFAULT_STEPS, default_guidance, image_shape, sample

SAMPLER = "dpmpp"  # the app's default sampler, steps and guidance: the samples a reader sees on the denoiser page


def pixel_shape(shape: tuple[int, int, int]) -> tuple[int, ...]:
    """(C, H, W) -> the pixel array's shape: (H, W) for gray, (H, W, 3) for colour."""
    c, h, w = shape
    return (h, w) if c == 1 else (h, w, c)


def fit_to_shape(pixels: np.ndarray, shape: tuple[int, int, int]) -> np.ndarray:
    """One picture (uint8 (H, W) or (H, W, 3)) as an image of the model's ``shape`` (C, H, W), uint8."""
    c, h, w = shape
    if h != w:
        raise ValueError(f"the models work on square images, got {shape}")
    pixels = np.asarray(pixels, dtype=np.uint8)
    if pixels.ndim == 2 and c == 3:
        pixels = np.repeat(pixels[:, :, None], 3, axis=2)
    if pixels.shape[:2] != (h, w):
        pixels = fit_square(pixels, h)
    if pixels.ndim == 3 and c == 1:
        pixels = to_grayscale(pixels)
    return np.ascontiguousarray(pixels)


def fit_batch(images: np.ndarray, shape: tuple[int, int, int]) -> np.ndarray:
    """:func:`fit_to_shape` for each of a batch (N, H, W[, 3]) -> (N, *pixel_shape(shape))."""
    if len(images) == 0:
        return np.zeros((0, *pixel_shape(shape)), dtype=np.uint8)
    return np.stack([fit_to_shape(im, shape) for im in images])


def model_samples(loaded, n: int, seed: int = 0, *, labels: np.ndarray | None = None, steps: int | None = None,
                  guidance: float | None = None, batch_size: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """``n`` samples of the shipped model with the app's default sampler, of the given ``labels`` (default classes
    0, 1, … in turn) and guidance (default: the model's own): (uint8 images (n, H, W[, 3]), labels (n,))."""
    steps = steps or DEFAULT_STEPS[SAMPLER]
    guidance = default_guidance(loaded.name) if guidance is None else guidance
    labels = np.arange(n) % len(loaded.class_names) if labels is None else np.asarray(labels, dtype=np.int64)
    network = loaded.network_labels(labels, seed)  # a kinds model: each prompt's kind, drawn for this seed
    gen = torch.Generator().manual_seed(seed)
    out = [np.zeros((0, *pixel_shape(image_shape(loaded.runner))), dtype=np.uint8)]
    for i in range(0, n, batch_size):
        y = network[i:i + batch_size]
        x = sample(SAMPLER, loaded.runner, loaded.schedule, y, num_steps=steps, guidance=guidance, generator=gen)
        out.append(to_images(x.cpu().numpy()))
    return np.concatenate(out), labels
