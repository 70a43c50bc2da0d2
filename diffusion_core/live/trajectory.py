"""Recording a sampling run so it can be scrubbed, projected and exported without recomputing.

A :class:`Trajectory` keeps, for a chosen subset of steps, the noisy sample x_t and the model's
clean-image prediction x0_hat as uint8 images, plus the final images. Frames are capped
(``max_frames``) so a 1000-step DDPM run of a 10-image grid stays a few MB in session state.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from diffusion_core.images.pictures import gif_bytes, pair_image
from diffusion_core.images.pixels import to_images, to_model_range
from diffusion_core.model.samplers import SamplerStep

MAX_FRAMES = 120


@dataclass(frozen=True)
class Trajectory:
    """timesteps (K,) int; x_t, x0_hat (K, B, H, W[, 3]) uint8; final (B, H, W[, 3]) uint8; labels (B,) int.

    Images are laid out as :func:`diffusion_core.images.pixels.to_images` gives them: (H, W) gray, (H, W, 3) colour.
    ``x_t_raw`` (K, B, C*H*W) float32 keeps the unclipped x_t, flattened channels first, for projections (x_T
    is far outside [-1, 1], and clipping would hide how far).
    """

    timesteps: np.ndarray
    x_t: np.ndarray
    x0_hat: np.ndarray
    x_t_raw: np.ndarray
    final: np.ndarray
    labels: np.ndarray
    num_steps: int  # steps of the run; frame k recorded step k * stride (the last frame: the last step)
    stride: int

    @property
    def num_frames(self) -> int:
        return len(self.timesteps)

    def projected(self, projection) -> tuple[np.ndarray, np.ndarray]:
        """The walk on a 2-D projection of image space (anything with ``project``: (N, C*H*W) -> (N, 2), such as
        the training set's PCA, ``diffusion_core.model.shipped_data.Projection``): every recorded x_t, unclipped,
        (K, B, 2), and the final images (B, 2)."""
        k, b, d = self.x_t_raw.shape
        path = projection.project(self.x_t_raw.reshape(k * b, d)).reshape(k, b, 2)
        return path, projection.project(to_model_range(self.final))


def frame_stride(num_steps: int, max_frames: int = MAX_FRAMES) -> int:
    """Record every k-th step so that at most ``max_frames`` frames are kept (the last step always is)."""
    return max(1, -(-num_steps // max_frames))


def should_record(step: SamplerStep, stride: int) -> bool:
    return step.index % stride == 0 or step.index == step.num_steps - 1


class TrajectoryRecorder:
    """Feed it every :class:`SamplerStep` (``add``); ``finish`` returns the :class:`Trajectory`."""

    def __init__(self, num_steps: int, labels: np.ndarray, max_frames: int = MAX_FRAMES) -> None:
        self.num_steps = num_steps
        self.stride = frame_stride(num_steps, max_frames)
        self.labels = np.asarray(labels)
        self._t: list[int] = []
        self._x: list[np.ndarray] = []
        self._x0: list[np.ndarray] = []
        self._raw: list[np.ndarray] = []
        self._final: np.ndarray | None = None

    def add(self, step: SamplerStep) -> tuple[np.ndarray, np.ndarray] | None:
        """Record ``step`` if it is on the stride; returns its (x_t, x0_hat) uint8 (B, H, W[, 3]) frames, or None."""
        if step.index == step.num_steps - 1:
            self._final = to_images(step.x_prev.clamp(-1, 1).cpu().numpy())
        if not should_record(step, self.stride):
            return None
        x = step.x_t.cpu().numpy()
        self._t.append(step.t)
        self._x.append(to_images(x))
        self._x0.append(to_images(step.x0_hat.cpu().numpy()))
        self._raw.append(x.reshape(len(x), -1).astype(np.float32))
        return self._x[-1], self._x0[-1]

    def finish(self) -> Trajectory:
        if self._final is None:
            raise ValueError("the sampler did not reach its last step")
        return Trajectory(np.array(self._t), np.stack(self._x), np.stack(self._x0), np.stack(self._raw),
                          self._final, self.labels, self.num_steps, self.stride)


def record(steps: Iterable[SamplerStep], num_steps: int, labels: np.ndarray,
           max_frames: int = MAX_FRAMES) -> Trajectory:
    """Run a sampler generator to the end and return its trajectory."""
    recorder = TrajectoryRecorder(num_steps, labels, max_frames)
    for step in steps:
        recorder.add(step)
    return recorder.finish()


def frame_image(traj: Trajectory, k: int, columns: int | None = None, scale: int = 4) -> np.ndarray:
    """Frame ``k``: the x_t grid beside the x0_hat grid."""
    return pair_image(traj.x_t[k], traj.x0_hat[k], columns, scale)


def trajectory_gif(traj: Trajectory, columns: int | None = None, scale: int = 4) -> bytes:
    """The whole recorded run as a GIF: x_t | x0_hat per frame, then the final images."""
    frames = [frame_image(traj, k, columns, scale) for k in range(traj.num_frames)]
    return gif_bytes(frames + [pair_image(traj.final, traj.final, columns, scale)])
