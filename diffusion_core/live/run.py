"""Sampling runs for the live page: every step recorded, at most a few frames a second handed to the screen.

:func:`sample_live` runs one :class:`~diffusion_core.live.generation_settings.GenerationSettings` to the end,
recording every step (:mod:`diffusion_core.live.trajectory`) and calling ``on_frame`` with the frames worth
showing. A run is a pure function of (model, settings): the same settings always give the same images.
:func:`compare_samplers` walks back from one starting noise with DDPM, DDIM and DPM-Solver++;
:func:`guidance_sweep` draws the same noises at several guidance scales (Ho & Salimans 2022).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, replace

import numpy as np
import torch

from diffusion_core.live.gate import HeavyWorkGate, ReaderGate
from diffusion_core.live.generation_settings import GenerationSettings
from diffusion_core.live.trajectory import Trajectory, TrajectoryRecorder, record
from diffusion_core.model.samplers import image_shape, initial_noise, run_sampler
from diffusion_core.model.weights import LoadedModel

# The live view shows at most 12.5 frames a second for one image (the pace of the downloadable GIF) and 6 for a
# grid: each frame costs the browser a re-render, and where browser and server share a small machine that slows
# the sampling itself. A 10-class grid samples in 0.76 s alone; in the page it took 1.37-1.65 s at 12.5 frames a
# second and 1.22 s at 6. Every step is still recorded for scrubbing.
MIN_FRAME_GAP_S = {"one": 0.08, "grid": 0.16}
COMPARED = (("ddpm", 1000), ("ddim", 50), ("dpmpp", 20))  # each sampler at its usual number of steps
COMPARED_FRAMES = 20  # frames recorded of each compared run (they play side by side: live.playback)
SWEEP_SCALES = (0.0, 1.0, 2.0, 4.0, 8.0)
SWEEP_ROWS = 4  # seeds s, s + 1, s + 2, s + 3


@dataclass(frozen=True)
class LiveFrame:
    """What the screen shows during a run: x_t and x0_hat (B, H, W[, 3]) uint8 at model timestep t, after ``done``
    of ``total`` steps and ``elapsed`` seconds."""

    x_t: np.ndarray
    x0_hat: np.ndarray
    t: int
    done: int
    total: int
    elapsed: float


@dataclass(frozen=True)
class RunResult:
    """A finished run: its recorded trajectory, its sampling time, and when its first frame was shown."""

    settings: GenerationSettings
    trajectory: Trajectory
    seconds: float
    first_frame_seconds: float


def sample_live(loaded: LoadedModel, settings: GenerationSettings, on_frame: Callable[[LiveFrame], None],
                gate: HeavyWorkGate | ReaderGate | None = None, on_wait: Callable[[int], None] | None = None) -> RunResult:
    """Run ``settings`` with ``loaded`` (waiting for a slot of ``gate``, if given), showing frames as they come.

    ``on_frame`` gets the first and last steps and, in between, at most one frame per MIN_FRAME_GAP_S[mode].
    """
    labels = torch.tensor(settings.labels(len(loaded.class_names)), dtype=torch.long)  # prompts (the recorded ones)
    steps = run_sampler(settings.sampler, loaded.runner, loaded.schedule, loaded.network_labels(labels, settings.seed),
                        num_steps=settings.steps,
                        guidance=settings.guidance, generator=torch.Generator().manual_seed(settings.seed),
                        eta=settings.eta)
    recorder = TrajectoryRecorder(settings.steps, labels.numpy())
    gap = MIN_FRAME_GAP_S[settings.mode]
    with gate.slot(on_wait=on_wait) if gate is not None else nullcontext():
        start = time.perf_counter()
        first_frame, shown_at = None, -1.0
        for step in steps:
            frame = recorder.add(step)
            done, elapsed = step.index + 1, time.perf_counter() - start
            if frame is None or (elapsed - shown_at < gap and 1 < done < step.num_steps):
                continue
            on_frame(LiveFrame(*frame, step.t, done, step.num_steps, elapsed))
            shown_at = time.perf_counter() - start
            first_frame = first_frame or shown_at
        seconds = time.perf_counter() - start
    return RunResult(settings, recorder.finish(), seconds, first_frame)


@dataclass(frozen=True)
class ComparedRun:
    sampler: str
    steps: int
    trajectory: Trajectory  # about COMPARED_FRAMES frames, evenly spaced
    seconds: float


def compare_samplers(loaded: LoadedModel, settings: GenerationSettings,
                     on_start: Callable[[int, str, int], None] = lambda i, name, n: None) -> list[ComparedRun]:
    """The prompt of ``settings`` (one image) sampled by each of COMPARED from the same starting noise x_T."""
    label = torch.tensor(replace(settings, mode="one").labels(len(loaded.class_names)), dtype=torch.long)
    network = loaded.network_labels(label, settings.seed)  # the same kind for every sampler
    x_T = initial_noise((1, *image_shape(loaded.runner)), torch.Generator().manual_seed(settings.seed))
    results = []
    for i, (name, n) in enumerate(COMPARED):
        on_start(i, name, n)
        start = time.perf_counter()
        steps = run_sampler(name, loaded.runner, loaded.schedule, network, num_steps=n, guidance=settings.guidance,
                            generator=torch.Generator().manual_seed(settings.seed), x_T=x_T)
        trajectory = record(steps, n, label.numpy(), max_frames=COMPARED_FRAMES)
        results.append(ComparedRun(name, n, trajectory, time.perf_counter() - start))
    return results


def final_gap(a: np.ndarray, b: np.ndarray) -> float:
    """How far apart two finished pictures are: the root mean square of their difference in grey levels (0 to 255),
    over every pixel value (uint8 pictures of one shape, such as :attr:`Trajectory.final`)."""
    diff = np.asarray(a, np.float64) - np.asarray(b, np.float64)
    return float(np.sqrt(np.mean(diff * diff)))


def guidance_sweep(loaded: LoadedModel, label: int, seed: int, scales: tuple[float, ...] = SWEEP_SCALES,
                   rows: int = SWEEP_ROWS) -> list[np.ndarray]:
    """For each scale, ``rows`` images of class ``label`` (seeds seed .. seed + rows - 1; the same noise, and for a
    kinds model the same kind, in every column), DPM-Solver++ 20 steps: a list of uint8 (rows, H, W[, 3]) batches,
    one per scale."""
    shape = (1, *image_shape(loaded.runner))
    x_T = torch.cat([initial_noise(shape, torch.Generator().manual_seed(seed + r)) for r in range(rows)])
    labels = torch.full((rows,), label, dtype=torch.long)
    # row r is the run of seed + r: its kind drawn for that seed, the same in every column
    network = torch.cat([loaded.network_labels(labels[r:r + 1], seed + r) for r in range(rows)])
    return [record(run_sampler("dpmpp", loaded.runner, loaded.schedule, network, num_steps=20, guidance=g,
                               generator=torch.Generator().manual_seed(seed), x_T=x_T), 20, labels.numpy(),
                   max_frames=1).final for g in scales]
