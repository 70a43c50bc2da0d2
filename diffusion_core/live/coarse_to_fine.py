"""Coarse to fine on the live denoiser: at which step of a run each size of structure in the model's guess settles.

Write the guess x̂₀ as a sum of waves (:mod:`diffusion_core.forward.spectrum`): band k holds the waves of k cycles
across the picture, 1 the coarsest (the layout), 14 (digits, 28 px) or 16 (emoji, 32 px) the finest (edges,
texture). A band has *settled* at a step once the guess's difference from the finished picture in that band stays
below a tenth of the finished picture's own power there (:func:`~diffusion_core.forward.spectrum.settled_steps`,
:func:`~diffusion_core.forward.spectrum.first_settled`). Noise is white and pictures put most of their power in the
coarse waves, so the forward process buries the fine bands first; run backwards, generation fixes the coarse bands
first and the fine ones last. This module measures whether a given run did, and says so in words computed from the
numbers; it never assumes it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from diffusion_core.access.palette import ACCENT
from diffusion_core.forward.spectrum import first_settled, settled_steps
from diffusion_core.images.pixels import to_model_range
from diffusion_core.live.playback import PlayedFrame, all_frames
from diffusion_core.live.trajectory import Trajectory
from diffusion_core.svg_chart import Axis, Chart, Panel, nice_ticks

TOLERANCE = 0.1  # a band has settled once its difference from the end stays below 10% of the end's power there


@dataclass(frozen=True)
class Settling:
    """When each frequency band of a run's guess settled: ``frequency`` (K,) cycles across the picture, ``frame``
    (K,) the played frame (:func:`~diffusion_core.live.playback.all_frames`) from which it stays settled, its
    ``steps`` done and timestep ``t`` (as the app writes it), of ``total`` steps; for a grid, the median over its
    images (rounded down to a frame)."""

    frequency: np.ndarray
    steps: np.ndarray
    t: np.ndarray
    total: int

    @property
    def thirds(self) -> tuple[slice, slice]:
        """The coarsest and the finest third of the bands."""
        k = max(1, len(self.frequency) // 3)
        return slice(0, k), slice(len(self.frequency) - k, len(self.frequency))

    def coarse_first(self) -> bool | None:
        """True when the coarsest third of the bands settled (on average) before the finest third, False when
        after, None when at the same step."""
        coarse, fine = (float(np.mean(self.steps[s])) for s in self.thirds)
        return None if coarse == fine else coarse < fine


def _guesses(trajectory: Trajectory, image: int) -> np.ndarray:
    """x̂₀ of image ``image`` at every played frame (the finished picture last), (F, H, W[, C]) in model range."""
    stack = np.concatenate([trajectory.x0_hat[:, image], trajectory.final[image][None]])
    x = to_model_range(stack).astype(np.float64).transpose(0, 2, 3, 1)
    return x[..., 0] if x.shape[-1] == 1 else x


def settling(trajectory: Trajectory) -> Settling:
    """When each band of the guess settled in ``trajectory`` (every image of a grid; the median frame per band)."""
    frames: list[PlayedFrame] = all_frames(trajectory)
    per_image = []
    for image in range(trajectory.final.shape[0]):
        power, relative = settled_steps(_guesses(trajectory, image))
        per_image.append(first_settled(relative, TOLERANCE))
    index = np.floor(np.median(np.stack(per_image), axis=0)).astype(int)
    return Settling(power.frequency, np.array([frames[i].done for i in index]), np.array([frames[i].t for i in index]),
                    trajectory.num_steps)


def _span(settle: Settling, part: slice) -> str:
    f = settle.frequency[part]
    return f"{f[0]:g}" if len(f) == 1 else f"{f[0]:g} to {f[-1]:g}"


def words(settle: Settling) -> str:
    """What the run shows, from its numbers: when the coarsest and the finest third of the bands settled."""
    coarse, fine = settle.thirds
    c_step, f_step = int(np.max(settle.steps[coarse])), int(np.max(settle.steps[fine]))
    c_t, f_t = int(settle.t[coarse][np.argmax(settle.steps[coarse])]), int(settle.t[fine][np.argmax(settle.steps[fine])])
    said = (f"The coarsest waves ({_span(settle, coarse)} cycles across the picture: its layout) had all settled by "
            f"step {c_step} of {settle.total} (t = {c_t}); the finest ({_span(settle, fine)} cycles: edges and texture) "
            f"only by step {f_step} (t = {f_t})")
    order = settle.coarse_first()
    if order is True:
        return said + ": layout first, detail last."
    if order is False:
        return said + ": in this run the detail settled before the layout, on average."
    return said + ": in this run the coarse and fine waves settled at the same steps, on average."


def chart(settle: Settling, description: str, width: int = 440, height: int = 240) -> str:
    """An SVG chart: the step at which each band settled against its frequency (cycles across the picture)."""
    k = settle.frequency
    ticks = sorted({float(k[0]), float(k[-1]), *(float(v) for v in nice_ticks(float(k[0]), float(k[-1])))})
    x = Axis(float(k[0]) - 0.5, float(k[-1]) + 0.5, ticks=[v for v in ticks if k[0] <= v <= k[-1]],
             title="cycles across the picture (1: layout, high: detail)")
    y = Axis(0.0, float(settle.total), ticks=[float(v) for v in nice_ticks(0.0, float(settle.total), 4)
                                             if 0 <= v <= settle.total],
             title="settled by step", grid=True)
    panel = Panel(x, y)
    panel.bars(k, settle.steps, ACCENT, width=0.7)
    return Chart(width, height, [panel], description=description).svg()
