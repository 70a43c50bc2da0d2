"""The forward (noising) process of DDPM (Ho et al. 2020) applied to real images.

Two ways to reach the noisy image x_t from a clean image x_0:

* **One jump** (eq. 4):  q(x_t | x_0) = N(sqrt(ᾱ_t) x_0, (1 - ᾱ_t) I), i.e.
  ``x_t = sqrt(ᾱ_t) x_0 + sqrt(1 - ᾱ_t) ε`` with one fixed ε ~ N(0, I).
  Keeping ε fixed while t moves makes a slider continuous: the picture fades smoothly
  into *the same* noise instead of flickering between fresh draws.
* **t small steps** (eq. 2):  q(x_t | x_{t-1}) = N(sqrt(1 - β_t) x_{t-1}, β_t I), applied t times
  with a fresh ε_t at each step. The result has the same *distribution* as the jump, not the same
  pixels: a sum of independent Gaussians is Gaussian, and the noise added at step s is shrunk by every
  later step's sqrt(α_r), so its variance in x_t is β_s ∏_{r>s} α_r; those add up to 1 - ᾱ_t because
  β_s ∏_{r>s} α_r = ∏_{r>s} α_r - ∏_{r>=s} α_r telescopes (the β_s themselves do not: Σβ_s = 10.05
  for the linear schedule at T = 1000).

Conventions: pixels are uint8 0..255, shaped (H, W) for grayscale or (H, W, 3) for RGB; the model
works on x in [-1, 1] (Ho et al. sec. 3.3: x = pixels / 127.5 - 1, :mod:`diffusion_core.images.pixels`),
float32, same shape.
Timesteps run t = 0..T with t = 0 the clean image; the schedule's 0-based arrays hold step t at
index t - 1 (see :mod:`diffusion_core.forward.schedules`, the one source of truth for β and ᾱ).

The jump's ε is :func:`diffusion_core.forward.noise_stream.gaussian` of the seed: a counter-based stream the
reader's browser draws bit for bit the same, so the page's player (which computes x_t in the browser) and the
server's table, charts and links show the same x_t. The single steps' fresh noise is seeded with
:class:`numpy.random.SeedSequence` (spawn key (1, t) for step t), so every stream is reproducible on its own. This
module needs no torch.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from diffusion_core.forward import noise_stream
from diffusion_core.forward.schedules import NoiseSchedule
from diffusion_core.images.pixels import to_pixels


def alpha_bar_with_zero(schedule: NoiseSchedule) -> np.ndarray:
    """ᾱ_t for t = 0..T, shape (T + 1,), float64: ᾱ_0 = 1 (the clean image) then the schedule's ᾱ."""
    return np.concatenate(([1.0], schedule.alpha_bar))


def check_timestep(schedule: NoiseSchedule, t: int, lowest: int = 0) -> int:
    """Return ``t`` as an int if ``lowest <= t <= T``, else raise ValueError saying the valid range."""
    if isinstance(t, bool) or not isinstance(t, (int, np.integer)) or not lowest <= t <= schedule.T:
        raise ValueError(f"timestep must be an integer in [{lowest}, {schedule.T}], got {t!r}")
    return int(t)


def fixed_noise(shape: tuple[int, ...], seed: int) -> np.ndarray:
    """The one ε ~ N(0, I) used by the jump for every t; float32 of ``shape``, reproducible from ``seed``
    (0 ≤ seed < 2³²): :func:`diffusion_core.forward.noise_stream.gaussian`, the same numbers the browser draws."""
    return noise_stream.gaussian(shape, seed)


def step_noise(shape: tuple[int, ...], seed: int, t: int) -> np.ndarray:
    """The fresh ε_t of single step t (1..T); float32 of ``shape``, independent of every other step."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(1, t)))
    return rng.standard_normal(shape, dtype=np.float32)


def q_sample(x0: np.ndarray, t: int, schedule: NoiseSchedule, eps: np.ndarray) -> np.ndarray:
    """Eq. 4, one jump: x_t = sqrt(ᾱ_t) x_0 + sqrt(1 - ᾱ_t) ε.

    x0, eps: float32 arrays of one shape (eps ~ N(0, I)); t in 0..T. Returns float32 x_t, same shape.
    """
    t = check_timestep(schedule, t)
    ab = alpha_bar_with_zero(schedule)[t]
    return np.float32(np.sqrt(ab)) * x0 + np.float32(np.sqrt(1.0 - ab)) * eps


def q_step(x_prev: np.ndarray, t: int, schedule: NoiseSchedule, eps: np.ndarray) -> np.ndarray:
    """Eq. 2, one small step: x_t = sqrt(1 - β_t) x_{t-1} + sqrt(β_t) ε_t, for t in 1..T; float32, same shape."""
    t = check_timestep(schedule, t, lowest=1)
    beta = schedule.betas[t - 1]
    return np.float32(np.sqrt(1.0 - beta)) * x_prev + np.float32(np.sqrt(beta)) * eps


def iterate_steps(x0: np.ndarray, t: int, schedule: NoiseSchedule, seed: int,
                  on_step: Callable[[int], None] | None = None) -> np.ndarray:
    """Reach x_t by applying :func:`q_step` t times from x_0, with fresh seeded noise at each step.

    x0: float32, any shape. Every element gets its own noise at every step, so x_0 repeated N times
    along a new first axis gives N independent chains (how the tests check eq. 4 against eq. 2).
    on_step(s) is called after step s (for a progress bar). Returns float32 x_t, same shape as x0.
    """
    t = check_timestep(schedule, t)
    x = np.asarray(x0, dtype=np.float32)
    for s in range(1, t + 1):
        x = q_step(x, s, schedule, step_noise(x.shape, seed, s))
        if on_step is not None:
            on_step(s)
    return x


def frame(x0: np.ndarray, eps: np.ndarray, t: int, schedule: NoiseSchedule) -> np.ndarray:
    """What the page shows at timestep t: the jump x_t (eq. 4) as uint8 pixels, same shape as x0.

    x0 (float32, from :func:`diffusion_core.images.pixels.to_model_space`) and eps (float32) are combined in float64,
    as the browser's player does (:func:`diffusion_core.forward.noise_stream.forward_pixels`), so the two agree
    pixel for pixel.
    """
    t = check_timestep(schedule, t)
    ab = alpha_bar_with_zero(schedule)[t]
    x_t = np.sqrt(ab) * np.asarray(x0, np.float32).astype(np.float64) + np.sqrt(1.0 - ab) * np.asarray(
        eps, np.float32).astype(np.float64)
    return to_pixels(x_t)


def standardized_noise(x_t: np.ndarray, x0: np.ndarray, t: int, schedule: NoiseSchedule) -> np.ndarray:
    """(x_t - sqrt(ᾱ_t) x_0) / sqrt(1 - ᾱ_t): the noise part of x_t rescaled; ~N(0, 1) if x_t ~ q(x_t|x_0).

    t in 1..T (at t = 0 there is no noise to standardise). float64, same shape as x_t.
    """
    t = check_timestep(schedule, t, lowest=1)
    ab = alpha_bar_with_zero(schedule)[t]
    return (np.asarray(x_t, np.float64) - np.sqrt(ab) * np.asarray(x0, np.float64)) / np.sqrt(1.0 - ab)
