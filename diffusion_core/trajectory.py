"""Recording a sampling run so it can be scrubbed, projected and exported without recomputing.

A :class:`Trajectory` keeps, for a chosen subset of steps, the noisy sample x_t and the model's
clean-image prediction x0_hat as uint8 images, plus the final images. Frames are capped
(``max_frames``) so a 1000-step DDPM run of a 10-image grid stays a few MB in session state.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
from PIL import Image

from .data import to_uint8
from .samplers import SamplerStep

MAX_FRAMES = 120


@dataclass(frozen=True)
class Trajectory:
    """timesteps (K,) int; x_t, x0_hat (K, B, 28, 28) uint8; final (B, 28, 28) uint8; labels (B,) int.

    ``x_t_raw`` (K, B, 784) float32 keeps the unclipped x_t for projections (x_T is far outside
    [-1, 1], and clipping would hide how far).
    """

    timesteps: np.ndarray
    x_t: np.ndarray
    x0_hat: np.ndarray
    x_t_raw: np.ndarray
    final: np.ndarray
    labels: np.ndarray

    @property
    def num_frames(self) -> int:
        return len(self.timesteps)


def frame_stride(num_steps: int, max_frames: int = MAX_FRAMES) -> int:
    """Record every k-th step so that at most ``max_frames`` frames are kept (the last step always is)."""
    return max(1, -(-num_steps // max_frames))


def should_record(step: SamplerStep, stride: int) -> bool:
    return step.index % stride == 0 or step.index == step.num_steps - 1


class TrajectoryRecorder:
    """Feed it every :class:`SamplerStep` (``add``); ``finish`` returns the :class:`Trajectory`."""

    def __init__(self, num_steps: int, labels: np.ndarray, max_frames: int = MAX_FRAMES) -> None:
        self.stride = frame_stride(num_steps, max_frames)
        self.labels = np.asarray(labels)
        self._t: list[int] = []
        self._x: list[np.ndarray] = []
        self._x0: list[np.ndarray] = []
        self._raw: list[np.ndarray] = []
        self._final: np.ndarray | None = None

    def add(self, step: SamplerStep) -> tuple[np.ndarray, np.ndarray] | None:
        """Record ``step`` if it is on the stride; returns its (x_t, x0_hat) uint8 (B, 28, 28) frames, or None."""
        if step.index == step.num_steps - 1:
            self._final = to_uint8(step.x_prev.clamp(-1, 1).cpu().numpy())[:, 0]
        if not should_record(step, self.stride):
            return None
        x = step.x_t.cpu().numpy()
        self._t.append(step.t)
        self._x.append(to_uint8(x)[:, 0])
        self._x0.append(to_uint8(step.x0_hat.cpu().numpy())[:, 0])
        self._raw.append(x.reshape(len(x), -1).astype(np.float32))
        return self._x[-1], self._x0[-1]

    def finish(self) -> Trajectory:
        if self._final is None:
            raise ValueError("the sampler did not reach its last step")
        return Trajectory(np.array(self._t), np.stack(self._x), np.stack(self._x0), np.stack(self._raw),
                          self._final, self.labels)


def record(steps: Iterable[SamplerStep], num_steps: int, labels: np.ndarray,
           max_frames: int = MAX_FRAMES) -> Trajectory:
    """Run a sampler generator to the end and return its trajectory."""
    recorder = TrajectoryRecorder(num_steps, labels, max_frames)
    for step in steps:
        recorder.add(step)
    return recorder.finish()


def tile(images: np.ndarray, columns: int | None = None, pad: int = 2, pad_value: int = 40) -> np.ndarray:
    """(B, h, w) uint8 -> one (rows*(h+pad)-pad, cols*(w+pad)-pad) uint8 grid, row-major."""
    b, h, w = images.shape
    cols = columns or b
    rows = -(-b // cols)
    grid = np.full((rows * (h + pad) - pad, cols * (w + pad) - pad), pad_value, dtype=np.uint8)
    for i, img in enumerate(images):
        r, c = divmod(i, cols)
        grid[r * (h + pad):r * (h + pad) + h, c * (w + pad):c * (w + pad) + w] = img
    return grid


def upscale(image: np.ndarray, factor: int) -> np.ndarray:
    """Nearest-neighbour enlargement (crisp pixels) of a 2-D uint8 image."""
    return np.kron(image, np.ones((factor, factor), dtype=np.uint8)) if factor > 1 else image


def side_by_side(a: np.ndarray, b: np.ndarray, gap: int = 4, gap_value: int = 0) -> np.ndarray:
    """Two 2-D uint8 images of equal height, joined left-to-right with a gap."""
    return np.hstack([a, np.full((a.shape[0], gap), gap_value, dtype=np.uint8), b])


def pair_image(left: np.ndarray, right: np.ndarray, columns: int | None = None, scale: int = 4) -> np.ndarray:
    """Two (B, 28, 28) uint8 batches as one image: left grid | right grid, enlarged ``scale`` times."""
    return upscale(side_by_side(tile(left, columns), tile(right, columns), gap=6), scale)


def frame_image(traj: Trajectory, k: int, columns: int | None = None, scale: int = 4) -> np.ndarray:
    """Frame ``k``: the x_t grid beside the x0_hat grid."""
    return pair_image(traj.x_t[k], traj.x0_hat[k], columns, scale)


def png_bytes(image: np.ndarray, compress_level: int = 6) -> bytes:
    """Lossless PNG of a uint8 image; ``compress_level`` 1 encodes ~2x faster for ~10% more bytes."""
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG", compress_level=compress_level)
    return buffer.getvalue()


def gif_bytes(frames: Iterator[np.ndarray] | list[np.ndarray], frame_ms: int = 80, hold_last_ms: int = 1500) -> bytes:
    """An animated, looping GIF of 2-D uint8 frames; the last frame is held ``hold_last_ms``.

    Pillow stores identical consecutive frames once, with their durations added.
    """
    images = [Image.fromarray(f) for f in frames]
    if not images:
        raise ValueError("no frames to animate")
    durations = [frame_ms] * (len(images) - 1) + [hold_last_ms]
    buffer = io.BytesIO()
    images[0].save(buffer, format="GIF", save_all=True, append_images=images[1:], duration=durations, loop=0)
    return buffer.getvalue()


def trajectory_gif(traj: Trajectory, columns: int | None = None, scale: int = 4) -> bytes:
    """The whole recorded run as a GIF: x_t | x0_hat per frame, then the final images."""
    frames = [frame_image(traj, k, columns, scale) for k in range(traj.num_frames)]
    return gif_bytes(frames + [pair_image(traj.final, traj.final, columns, scale)])
