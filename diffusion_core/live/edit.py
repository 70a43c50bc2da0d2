"""The reader's own picture as the start of the walk: SDEdit, and inpainting through it.

**SDEdit** (Meng et al. 2022, "SDEdit: Guided Image Synthesis and Editing with Stochastic Differential Equations",
sec. 3 and Algorithm 1): noise the reader's picture x_0 part of the way into the forward process and let the
model walk back from there. The walk forgets the picture's details (a scribble's wobble, pixel noise) and keeps
its rough layout, landing near the picture but among the images the model knows. One number sets how far back:
the *strength* s in [0, 1].

* t_0 = round(s · T), halves rounded up, in the forward process's convention (:mod:`diffusion_core.forward.process`:
  t = 0 is the picture itself, t = T pure noise). The picture is noised to t_0 in one jump, Ho et al. 2020 eq. 4:
  x_{t_0} = sqrt(ᾱ_{t_0}) x_0 + sqrt(1 - ᾱ_{t_0}) ε, with ᾱ_{t_0} = ``schedule.alpha_bar[t_0 - 1]``. The ε is the
  first draw of the seeded generator: the very noise x_T that plain generation from the same seed starts from.
* The samplers count timesteps from 0: their first step is at t_0 - 1, the 0-based index of that same noise level.
  An edit takes K = ceil(N · t_0 / T) steps for a full run's N, spaced by the sampler's own rule from t_0 - 1 down
  (log-SNR for DPM-Solver++, trailing for DDIM and DDPM; :func:`~diffusion_core.model.samplers.sampler_timesteps`),
  so it costs about s of a full run: K network calls instead of N (10 of 20 at s = 0.5), whatever the spacing.
  Keeping the full run's own timesteps below t_0 instead would cost what its spacing happens to leave there: 8 of
  20 at s = 0.5 with log-SNR spacing (which spends 12 of its 20 steps above t = 500), 10 with trailing spacing.
* **Repeats** R (Meng et al. 2022, Algorithm 1's "total repeats" K; R here, as K counts steps): the whole walk,
  noise to t_0 and back, taken R times, each from the result of the one before, with fresh noise each time. Each
  repeat forgets more of what does not look like the model's images (a bar across a digit) and costs one more
  walk. On 500 held-out digits with pixel noise and a 3 px bar, strength 0.6, class given (DDIM η = 1, 20 steps,
  guidance 5; seeds 0 and 1): 89.6 / 90.2% read as the true digit after one walk, 96.2 / 95.4% after two, 98.0 /
  98.0% after three (``bench/bench_edit.py``). From t_0 = T a walk does not depend on its start: one walk.
* s = 1 (t_0 = T) is plain generation: the start is x_T = ε itself (the samplers take ᾱ_T as 0; it is 2.4e-9 on
  the cosine schedule) and the steps are the full run's, so the result equals plain generation from the same seed
  bit for bit (for the step counts where the samplers' own trailing spacing is right: see :func:`edit_timesteps`).
  s = 0 (t_0 = 0, also any s < 0.5 / T) returns the picture itself: one record of it (t = -1, "no
  noise left") and no network call.

**Inpainting** (:mod:`diffusion_core.live.inpaint`, RePaint): with a mask of known pixels the same walk puts the
known region back at every step and copies it exactly at the end. With a mask and no strength, s = 1: the unknown
part is filled from pure noise. With both, the unknown part starts from the noised picture (a fill that stays close
to what was there).

:func:`edit_steps` is the walk as a generator of :class:`~diffusion_core.model.samplers.SamplerStep`, like the
samplers; :func:`edit_live` runs it for the live page (recorded frame by frame, through the heavy-work queue, as
:func:`~diffusion_core.live.run.sample_live` does) and :func:`edit_images` for a batch (the command
``python -m diffusion_core.edit``).

Pictures are uint8 (H, W) grey or (H, W, 3) colour at the model's size (batches: a leading N), as
:mod:`diffusion_core.images.pixels` lays them out; in the model's range x = pixels / 127.5 - 1, (B, C, H, W) float32.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, replace

import numpy as np
import torch

from diffusion_core.forward.process import q_sample
from diffusion_core.forward.schedules import NoiseSchedule
from diffusion_core.images.pixels import to_images, to_model_range
from diffusion_core.live.gate import HeavyWorkGate, ReaderGate
from diffusion_core.live.generation_settings import GenerationSettings
from diffusion_core.live.inpaint import DEFAULT_RESAMPLE, KnownRegion, resampled_steps
from diffusion_core.live.run import MIN_FRAME_GAP_S, LiveFrame
from diffusion_core.live.trajectory import Trajectory, TrajectoryRecorder
from diffusion_core.model.samplers import SamplerStep, image_shape, initial_noise, run_sampler, sampler_timesteps

DEFAULT_STRENGTH = 0.6  # Meng et al. 2022 found t_0 in [0.3, 0.6] T the useful range for stroke paintings
MAX_COPIES = 8  # fills of one picture drawn together on the live page
MAX_REPEATS = 4  # walks from the picture, each from the last one's result


class EditError(ValueError):
    """A picture, mask or strength that cannot be edited; the message says what is wrong."""


def start_timestep(strength: float, T: int) -> int:
    """t_0 = round(strength · T), halves up: the forward-process timestep the picture is noised to (0..T)."""
    if isinstance(strength, bool) or not isinstance(strength, (int, float)) or not 0.0 <= strength <= 1.0:
        raise EditError(f"strength must be a number from 0 to 1, got {strength!r}")
    return math.floor(strength * T + 0.5)


def edit_timesteps(sampler: str, schedule: NoiseSchedule, num_steps: int, t0: int) -> np.ndarray:
    """The sampler's timesteps for an edit from t_0 (1..T): K = ceil(num_steps · t_0 / T) steps from model timestep
    t_0 - 1, spaced by the sampler's rule; (K,) int64. With t_0 = T, the full run's timesteps."""
    if not 1 <= t0 <= schedule.T:
        raise EditError(f"t0 must lie in 1..{schedule.T}, got {t0}")
    if not 1 <= num_steps <= schedule.T:
        raise EditError(f"number of steps must be between 1 and T={schedule.T}, got {num_steps}")
    k = -(-num_steps * t0 // schedule.T)
    # The first k: trailing spacing (model/samplers.trailing_timesteps, np.arange with a float step) gives one entry
    # too many, a final -1, for some (t_0, k), e.g. DDIM 11 steps at t_0 = 600; as a timestep list that is refused.
    return sampler_timesteps(sampler, schedule, k, start=t0 - 1)[:k]


def passes(t0: int, T: int, repeats: int) -> int:
    """The walks an edit from t_0 takes: ``repeats``, or one from t_0 = T (pure noise forgets the start)."""
    if isinstance(repeats, bool) or not isinstance(repeats, int) or not 1 <= repeats <= MAX_REPEATS:
        raise EditError(f"repeats must be a whole number from 1 to {MAX_REPEATS}, got {repeats!r}")
    return 1 if t0 == T else repeats


def network_calls(sampler: str, schedule: NoiseSchedule, num_steps: int, strength: float, resample: int = 1,
                  repeats: int = 1) -> int:
    """Model evaluations an edit makes (each on the whole batch; guidance doubles the batch, not the count)."""
    t0 = start_timestep(strength, schedule.T)
    if t0 == 0:
        return 0
    k = len(edit_timesteps(sampler, schedule, num_steps, t0))
    return passes(t0, schedule.T, repeats) * (resample * (k - 1) + 1)


def edit_steps(sampler: str, model, schedule: NoiseSchedule, x0: torch.Tensor, labels: torch.Tensor, *,
               strength: float | None, num_steps: int, guidance: float, generator: torch.Generator,
               known: torch.Tensor | None = None, eta: float = 0.0,
               resample: int = DEFAULT_RESAMPLE, repeats: int = 1) -> Iterator[SamplerStep]:
    """The edit of pictures x0 (B, C, H, W) in [-1, 1] with labels (B,) as a walk of SamplerSteps (see the module).

    strength: s in [0, 1], or None for 1 (with a mask: fill from pure noise). known: (B, 1, H, W) bool, True =
    keep the pixel (inpainting), or None. resample: RePaint rounds per step (inpainting only). repeats: walks, each
    from the last one's result (one from t_0 = T); their steps are numbered on, as one walk of R · K steps. All noise
    comes from ``generator``: ε first (the same x_T as plain generation), then the samplers' and the known region's
    draws, then the next walk's ε. Checked at the call (before the first step), like
    :func:`~diffusion_core.model.samplers.run_sampler`.
    """
    t0 = start_timestep(1.0 if strength is None else strength, schedule.T)
    if x0.shape[1:] != image_shape(model) or len(labels) != len(x0):
        raise EditError(f"pictures {tuple(x0.shape)} and labels ({len(labels)}) do not fit a model of shape "
                        f"{image_shape(model)}")
    if resample < 1:
        raise EditError(f"resampling rounds must be at least 1, got {resample}")
    walks = passes(t0, schedule.T, repeats)
    if t0 == 0:
        return iter([SamplerStep(0, 1, -1, x0, x0, x0)])
    ts = edit_timesteps(sampler, schedule, num_steps, t0)
    run_sampler(sampler, model, schedule, labels, num_steps=len(ts), guidance=guidance, generator=generator,
                eta=eta, timesteps=ts)  # checks sampler and eta now; a generator runs nothing until iterated
    return _walks(sampler, model, schedule, x0, labels, t0, ts, guidance, generator, known, eta, resample, walks)


def _walks(sampler, model, schedule, x0, labels, t0, ts, guidance, generator, known, eta, resample, walks):
    region = None if known is None else KnownRegion(x0, known, schedule, generator)
    k, start = len(ts), x0
    for walk in range(walks):
        for step in _walk(sampler, model, schedule, start, labels, t0, ts, guidance, generator, region, eta,
                          resample):
            yield replace(step, index=walk * k + step.index, num_steps=walks * k)
        start = step.x_prev.clamp(-1.0, 1.0)  # the next walk starts from this one's picture


def _walk(sampler, model, schedule, x0, labels, t0, ts, guidance, generator, region, eta, resample):
    eps = initial_noise(tuple(x0.shape), generator)
    x_start = eps if t0 == schedule.T else torch.from_numpy(q_sample(x0.cpu().numpy(), t0, schedule, eps.numpy()))
    if region is not None and resample > 1:
        steps = resampled_steps(sampler, model, schedule, labels, x_start, ts, region, resample,
                                guidance=guidance, generator=generator, eta=eta)
    else:
        steps = run_sampler(sampler, model, schedule, labels, num_steps=len(ts), guidance=guidance,
                            generator=generator, x_T=x_start, eta=eta, timesteps=ts, replace_known=region)
    for step in steps:
        if region is not None and step.index == step.num_steps - 1:
            step = replace(step, x_prev=region.finish(step.x_prev))
        yield step


def pixel_distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """||a - b|| in grey levels (0..255 units) over all values of each image, as the forward page measures x_t
    against x_0: uint8 (N, H, W[, 3]) pairs -> (N,) float64."""
    d = np.asarray(a, np.float64) - np.asarray(b, np.float64)
    return np.sqrt((d * d).reshape(len(d), -1).sum(1))


def keep_known(result: np.ndarray, pictures: np.ndarray, known: np.ndarray | None) -> np.ndarray:
    """uint8 results with every known pixel copied from the pictures (N, H, W[, 3]); known (N, H, W) bool."""
    if known is None:
        return result
    mask = known if result.ndim == 3 else known[..., None]
    return np.where(mask, pictures, result).astype(np.uint8)


def _check_pictures(pictures: np.ndarray, known: np.ndarray | None, shape: tuple[int, int, int]) -> None:
    c, h, w = shape
    want = (h, w) if c == 1 else (h, w, c)
    if not isinstance(pictures, np.ndarray) or pictures.dtype != np.uint8 or pictures.shape[1:] != want:
        got = getattr(pictures, "shape", None)
        raise EditError(f"pictures must be uint8 (N, {', '.join(map(str, want))}) for this model, got "
                        f"{getattr(pictures, 'dtype', type(pictures).__name__)} {got}")
    if known is not None and (not isinstance(known, np.ndarray) or known.dtype != np.bool_
                              or known.shape != pictures.shape[:3]):
        raise EditError(f"mask must be bool (N, {h}, {w}) like the pictures, got "
                        f"{getattr(known, 'dtype', type(known).__name__)} {getattr(known, 'shape', None)}")


def edit_images(model, schedule: NoiseSchedule, pictures: np.ndarray, labels: np.ndarray, *,
                known: np.ndarray | None = None, strength: float | None = DEFAULT_STRENGTH, sampler: str = "dpmpp",
                steps: int = 20, guidance: float = 1.0, seed: int = 0, eta: float = 0.0,
                resample: int = DEFAULT_RESAMPLE, repeats: int = 1, batch_size: int = 100) -> np.ndarray:
    """Edit uint8 pictures (N, H, W[, 3]) with labels (N,) (the model's null class = none) in batches from one
    seeded generator; known (N, H, W) bool or None. Returns uint8 results, same shape, known pixels exact."""
    _check_pictures(pictures, known, image_shape(model))
    generator = torch.Generator().manual_seed(seed)
    out = []
    for a in range(0, len(pictures), batch_size):
        sl = slice(a, a + batch_size)
        mask = None if known is None else torch.from_numpy(known[sl])
        walk = edit_steps(sampler, model, schedule, torch.from_numpy(to_model_range(pictures[sl])),
                          torch.as_tensor(labels[sl], dtype=torch.long), strength=strength, num_steps=steps,
                          guidance=guidance, generator=generator, known=mask, eta=eta, resample=resample,
                          repeats=repeats)
        (last,) = deque(walk, maxlen=1)
        out.append(to_images(last.x_prev.clamp(-1, 1).cpu().numpy()))
    return keep_known(np.concatenate(out), pictures, known)


@dataclass(frozen=True)
class EditSettings:
    """What an edit adds to the denoiser's :class:`~diffusion_core.live.generation_settings.GenerationSettings`
    (model, class, guidance, sampler, steps, eta, seed): how far back into noise, RePaint rounds, how many walks,
    how many fills."""

    strength: float | None = DEFAULT_STRENGTH  # None: 1, fill from pure noise (with a mask)
    resample: int = DEFAULT_RESAMPLE
    repeats: int = 1  # walks, each from the last one's result
    copies: int = 1  # fills drawn together from one seed (different noise each), up to MAX_COPIES


@dataclass(frozen=True)
class EditResult:
    """A finished edit, shaped like :class:`~diffusion_core.live.run.RunResult` for the page and the shared runs.

    picture (H, W[, 3]) uint8 the reader's; known (H, W) bool or None; trajectory the recorded walk from x_{t_0}
    (copies images a frame); result (copies, H, W[, 3]) uint8, known pixels copied from the picture; distance
    (copies,) ||result - picture|| in grey levels; t0 the forward timestep it started from (0..T); calls the
    network evaluations; seconds and first_frame_seconds as for a sampling run.
    """

    settings: GenerationSettings
    edit: EditSettings
    picture: np.ndarray
    known: np.ndarray | None
    trajectory: Trajectory
    result: np.ndarray
    distance: np.ndarray
    t0: int
    calls: int
    seconds: float
    first_frame_seconds: float
    walks: int = 1  # walks taken, each from the last one's result (see passes)

    @property
    def picture_raw(self) -> np.ndarray:
        """The reader's picture in the model's range, flattened channels first, (1, C*H*W) float32: a row like the
        trajectory's ``x_t_raw``, to start the walk plot (PCA) from the picture itself rather than from x_{t_0}."""
        return to_model_range(self.picture[None]).reshape(1, -1)


def edit_live(loaded, picture: np.ndarray, settings: GenerationSettings, edit: EditSettings,
              on_frame: Callable[[LiveFrame], None], known: np.ndarray | None = None,
              gate: HeavyWorkGate | ReaderGate | None = None,
              on_wait: Callable[[int], None] | None = None) -> EditResult:
    """Edit one picture (uint8 (H, W) or (H, W, 3)) with ``loaded.runner`` as ``settings`` and ``edit`` say,
    ``edit.copies`` fills at once, waiting for a slot of ``gate`` if given; frames go to ``on_frame`` at the pace of
    :func:`~diffusion_core.live.run.sample_live`. known: (H, W) bool, True = keep (inpainting), or None."""
    if not 1 <= edit.copies <= MAX_COPIES:
        raise EditError(f"copies must be 1 to {MAX_COPIES}, got {edit.copies}")
    n = edit.copies
    pictures = np.repeat(np.asarray(picture)[None], n, axis=0)
    masks = None if known is None else np.repeat(np.asarray(known)[None], n, axis=0)
    _check_pictures(pictures, masks, image_shape(loaded.runner))
    label = settings.labels(len(loaded.class_names))[0]
    labels = torch.full((n,), label, dtype=torch.long)
    settings = replace(settings, mode="one" if n == 1 else "grid")
    strength = 1.0 if edit.strength is None else edit.strength
    t0 = start_timestep(strength, loaded.schedule.T)
    network = loaded.network_labels(labels, settings.seed)  # a kinds model: each copy a kind of the prompt
    walk = edit_steps(settings.sampler, loaded.runner, loaded.schedule, torch.from_numpy(to_model_range(pictures)),
                      network, strength=strength, num_steps=settings.steps, guidance=settings.guidance,
                      generator=torch.Generator().manual_seed(settings.seed),
                      known=None if masks is None else torch.from_numpy(masks), eta=settings.eta,
                      resample=edit.resample, repeats=edit.repeats)
    calls = network_calls(settings.sampler, loaded.schedule, settings.steps, strength,
                          edit.resample if known is not None else 1, edit.repeats)
    gap = MIN_FRAME_GAP_S[settings.mode]
    recorder = None
    with gate.slot(on_wait=on_wait) if gate is not None else nullcontext():
        start = time.perf_counter()
        first_frame, shown_at = None, -1.0
        for step in walk:
            recorder = recorder or TrajectoryRecorder(step.num_steps, labels.numpy())
            frame = recorder.add(step)
            done, elapsed = step.index + 1, time.perf_counter() - start
            if frame is None or (elapsed - shown_at < gap and 1 < done < step.num_steps):
                continue
            on_frame(LiveFrame(*frame, step.t, done, step.num_steps, elapsed))
            shown_at = time.perf_counter() - start
            first_frame = first_frame or shown_at
        seconds = time.perf_counter() - start
    trajectory = recorder.finish()
    result = keep_known(trajectory.final, pictures, masks)
    return EditResult(settings, edit, np.asarray(picture), known, replace(trajectory, final=result), result,
                      pixel_distance(result, pictures), t0, calls, seconds, first_frame,
                      passes(t0, loaded.schedule.T, edit.repeats) if t0 > 0 else 1)
