"""Noise schedules: the single source of truth for betas, alpha-bar and SNR.

Both the forward-process page and the samplers read their schedule from here.

Notation (Ho et al. 2020, "DDPM"):
    beta_t        variance added at step t,            t = 1..T   (stored 0-based: index t-1)
    alpha_t       = 1 - beta_t
    alpha_bar_t   = prod_{s<=t} alpha_s                 (eq. 4: q(x_t|x_0) = N(sqrt(ab_t) x_0, (1-ab_t) I))
    SNR(t)        = alpha_bar_t / (1 - alpha_bar_t)     (Kingma et al. 2021)

Arrays are indexed by the 0-based timestep ``t in [0, T)``, the convention of the
`diffusers` library, which our tests use as an oracle: ``alpha_bar[0]`` is the first,
least noisy step and ``alpha_bar[T-1]`` the last, almost pure noise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np

SCHEDULE_KINDS = ("linear", "cosine")
MAX_BETA = 0.999  # cap on beta_t: keeps alpha_t > 0 so ᾱ_t stays positive and strictly decreasing


@dataclass(frozen=True)
class NoiseSchedule:
    """A discrete variance schedule with T steps.

    kind:       "linear" (Ho et al. 2020: beta from 1e-4 to 0.02) or "cosine"
                (Nichol & Dhariwal 2021, eq. 17, with s = 0.008 and beta capped at 0.999).
    T:          number of diffusion steps (1000 in both papers).
    """

    kind: str = "cosine"
    T: int = 1000
    beta_start: float = 1e-4  # linear schedule only
    beta_end: float = 0.02  # linear schedule only

    def __post_init__(self) -> None:
        if self.kind not in SCHEDULE_KINDS:
            raise ValueError(f"unknown schedule {self.kind!r}; choose one of {SCHEDULE_KINDS}")
        if not 2 <= self.T <= 100_000:
            raise ValueError(f"T must be between 2 and 100000, got {self.T}")

    @cached_property
    def betas(self) -> np.ndarray:
        """beta_t, shape (T,), float64, increasing, in (0, 1)."""
        if self.kind == "linear":
            # Ho et al. 2020 sec. 4 use T=1000; scale the endpoints so other T keep the same ᾱ_T.
            # For T <= 20 the scaled end would reach 1 or more (ᾱ hits 0 or turns negative), so betas
            # are capped at MAX_BETA as in the cosine schedule; for T > 20 the cap never binds.
            scale = 1000.0 / self.T
            betas = np.linspace(scale * self.beta_start, scale * self.beta_end, self.T, dtype=np.float64)
            return np.minimum(betas, MAX_BETA)
        return _cosine_betas(self.T)

    @cached_property
    def alphas(self) -> np.ndarray:
        """alpha_t = 1 - beta_t, shape (T,)."""
        return 1.0 - self.betas

    @cached_property
    def alpha_bar(self) -> np.ndarray:
        """alpha_bar_t = prod_{s<=t} alpha_s, shape (T,), decreasing from ~1 to ~0."""
        return np.cumprod(self.alphas)

    @cached_property
    def signal(self) -> np.ndarray:
        """sqrt(alpha_bar_t): the weight of x_0 in x_t, shape (T,)."""
        return np.sqrt(self.alpha_bar)

    @cached_property
    def noise(self) -> np.ndarray:
        """sqrt(1 - alpha_bar_t): the standard deviation of the noise in x_t, shape (T,)."""
        return np.sqrt(1.0 - self.alpha_bar)

    @cached_property
    def log_snr(self) -> np.ndarray:
        """log SNR(t) = log(alpha_bar_t / (1 - alpha_bar_t)), shape (T,), decreasing."""
        return np.log(self.alpha_bar) - np.log1p(-self.alpha_bar)


def _cosine_betas(T: int, s: float = 0.008, max_beta: float = MAX_BETA) -> np.ndarray:
    """Nichol & Dhariwal 2021 eq. 17: ᾱ(t) = f(t)/f(0), f(t) = cos²((t/T + s)/(1 + s) · π/2).

    Betas are 1 - ᾱ(t+1)/ᾱ(t), clipped at ``max_beta`` to avoid a singularity at t = T
    (the same discretisation as diffusers' "squaredcos_cap_v2").
    """

    def f(t: float) -> float:
        return math.cos((t / T + s) / (1 + s) * math.pi / 2) ** 2

    return np.array([min(1 - f(i + 1) / f(i), max_beta) for i in range(T)], dtype=np.float64)
