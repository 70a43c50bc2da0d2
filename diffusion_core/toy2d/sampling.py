"""Walking back from noise in 2-D: DDPM, DDIM and DPM-Solver++(2M) for any field, and the exact ODE's answer.

The update rules are those of :mod:`diffusion_core.model.samplers` (the image pages' samplers, same 0-based
timesteps from :mod:`diffusion_core.forward.schedules`, same spacings ``trailing_timesteps`` and
``logsnr_timesteps``), written for points (N, 2) in float64 numpy and without clipping x̂_0: the image
samplers clip it to the pixel range [-1, 1], while 2-D data have no such range, and guidance must be free to
push samples out of their class (a clip would hold them in). The learned field needs no clip either: it
predicts v, so its x̂_0 is well-conditioned even at t = T−1 (see :mod:`diffusion_core.toy2d.mlp`).

A *field* is any ``eps(x, t)``: (N, 2), int -> (N, 2); :func:`exact_field` and :func:`learned_field` make one
from a mixture or a trained MLP, with classifier-free guidance ε_u + s (ε_y − ε_u) (Ho & Salimans 2022) when labels are given.

* DDPM: ancestral sampling (Ho et al. 2020, Algorithm 2, posterior eq. 6-7) on a trailing subsequence.
* DDIM with η = 0 (Song et al. 2021, eq. 12): a first-order solver of the probability-flow ODE.
* DPM-Solver++(2M) (Lu et al. 2022, Algorithm 2): second order, multistep, data prediction.
* :func:`reference_ode`: the probability-flow ODE (Song et al. 2021b, eq. 13) written in the log-SNR
  λ = log(α/σ), where it reads dx/dλ = σ² x − σ ε(x, λ) (α² = sigmoid(2λ), σ² = sigmoid(−2λ)), solved with
  classical Runge-Kutta in many small steps of λ for a field known at *every* noise level (the exact one), then
  x̂_0 at the end. What a sampler with n steps should converge to as n grows.

Every sampler starts at t = T−1 from the x_T given (N(0, I) draws) and ends at σ = 0, and returns a
:class:`Path` of every state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from diffusion_core.forward.schedules import NoiseSchedule
from diffusion_core.model.samplers import logsnr_timesteps, trailing_timesteps
from diffusion_core.toy2d import exact
from diffusion_core.toy2d.datasets import GaussianMixture
from diffusion_core.toy2d.mlp import DenoiserMLP, learned_eps

Field = Callable[[np.ndarray, int], np.ndarray]  # eps(x (N, 2), t) -> (N, 2)
SAMPLERS_2D = ("ddpm", "ddim", "dpmpp")
SAMPLER_TITLES = {"ddpm": "DDPM (stochastic)", "ddim": "DDIM (deterministic)", "dpmpp": "DPM-Solver++(2M)"}
REFERENCE_LAMBDA_END = 12.0  # where the reference ODE stops before its final x̂_0: σ = e^-12 ≈ 6e-6


@dataclass(frozen=True)
class Path:
    """Every state of a run: states (S + 1, N, 2) from x_T to the sample, timesteps (S,) evaluated."""

    states: np.ndarray
    timesteps: np.ndarray

    @property
    def final(self) -> np.ndarray:
        return self.states[-1]


def exact_field(mix: GaussianMixture, schedule: NoiseSchedule, labels: np.ndarray | None = None,
                guidance: float | np.ndarray = 1.0) -> Field:
    """ε*(x, t) of ``mix`` (guided towards ``labels`` (N,), −1 = no class, when given; one scale or one each)."""
    ab = schedule.alpha_bar

    def field(x: np.ndarray, t: int) -> np.ndarray:
        return exact.class_eps(mix, x, float(ab[t]), labels, guidance)

    return field


def learned_field(model: DenoiserMLP, labels: np.ndarray | None = None, guidance: float | np.ndarray = 1.0) -> Field:
    """ε_θ(x, t) of a trained MLP (guided towards ``labels`` (N,), −1 = no class, when given; one scale or one each)."""

    def field(x: np.ndarray, t: int) -> np.ndarray:
        return learned_eps(model, x, t, labels, guidance)

    return field


def _x0(x: np.ndarray, eps: np.ndarray, ab: float) -> np.ndarray:
    """Ho et al. 2020 eq. 15 rearranged: x̂_0 = (x_t − √(1−ᾱ) ε) / √ᾱ."""
    return (x - np.sqrt(1.0 - ab) * eps) / np.sqrt(ab)



def ddpm(field: Field, schedule: NoiseSchedule, x_T: np.ndarray, num_steps: int,
         rng: np.random.Generator) -> Path:
    """Ancestral DDPM over ``num_steps`` trailing timesteps (β = 1 − ᾱ_t/ᾱ_t' between kept steps)."""
    ts = trailing_timesteps(schedule.T, num_steps)
    ab = schedule.alpha_bar
    states = [np.asarray(x_T, dtype=np.float64)]
    x = states[0]
    for i, t in enumerate(ts):
        t_prev = int(ts[i + 1]) if i + 1 < len(ts) else -1
        ab_t, ab_prev = float(ab[t]), (float(ab[t_prev]) if t_prev >= 0 else 1.0)
        beta = 1.0 - ab_t / ab_prev
        x0 = _x0(x, field(x, int(t)), ab_t)
        # posterior mean, eq. 7
        x = (np.sqrt(ab_prev) * beta / (1 - ab_t)) * x0 + (np.sqrt(1 - beta) * (1 - ab_prev) / (1 - ab_t)) * x
        if t_prev >= 0:
            x = x + np.sqrt((1 - ab_prev) / (1 - ab_t) * beta) * rng.standard_normal(x.shape)  # β-tilde, eq. 7
        states.append(x)
    return Path(np.stack(states), ts)


def ddim(field: Field, schedule: NoiseSchedule, x_T: np.ndarray, num_steps: int) -> Path:
    """Deterministic DDIM (η = 0, Song et al. 2021 eq. 12): x' = √ᾱ' x̂_0 + √(1−ᾱ') ε."""
    ts = trailing_timesteps(schedule.T, num_steps)
    ab = schedule.alpha_bar
    states = [np.asarray(x_T, dtype=np.float64)]
    x = states[0]
    for i, t in enumerate(ts):
        ab_t = float(ab[t])
        ab_prev = float(ab[ts[i + 1]]) if i + 1 < len(ts) else 1.0
        e = field(x, int(t))
        x = np.sqrt(ab_prev) * _x0(x, e, ab_t) + np.sqrt(1 - ab_prev) * e
        states.append(x)
    return Path(np.stack(states), ts)


def dpmpp_2m(field: Field, schedule: NoiseSchedule, x_T: np.ndarray, num_steps: int,
             spacing: str = "logsnr") -> Path:
    """DPM-Solver++(2M) (Lu et al. 2022, Alg. 2); first order on the first step and on the last, to σ = 0.

    spacing "logsnr" (the image pages' default: ends at t = 10, then x̂_0) or "trailing" (ends near t = 0).
    """
    if spacing not in ("logsnr", "trailing"):
        raise ValueError(f"spacing must be 'logsnr' or 'trailing', got {spacing!r}")
    ts = (logsnr_timesteps(schedule.alpha_bar, num_steps) if spacing == "logsnr"
          else trailing_timesteps(schedule.T, num_steps))
    ab = schedule.alpha_bar
    states = [np.asarray(x_T, dtype=np.float64)]
    x, x0_prev, h_prev = states[0], None, None
    for i, t in enumerate(ts):
        ab_t = float(ab[t])
        x0 = _x0(x, field(x, int(t)), ab_t)
        if i + 1 == len(ts):
            x = x0  # σ_next = 0
        else:
            ab_n = float(ab[ts[i + 1]])
            h = 0.5 * (np.log(ab_n / (1 - ab_n)) - np.log(ab_t / (1 - ab_t)))  # λ_next − λ_t
            d = x0 if x0_prev is None else (1 + 1 / (2 * h_prev / h)) * x0 - (1 / (2 * h_prev / h)) * x0_prev
            x = np.sqrt((1 - ab_n) / (1 - ab_t)) * x - np.sqrt(ab_n) * np.expm1(-h) * d
            h_prev = h
        x0_prev = x0
        states.append(x)
    return Path(np.stack(states), ts)


def run(name: str, field: Field, schedule: NoiseSchedule, x_T: np.ndarray, num_steps: int,
        rng: np.random.Generator | None = None) -> Path:
    """Dispatch by name ("ddpm" needs ``rng``; "dpmpp" uses log-SNR spacing)."""
    if name == "ddpm":
        if rng is None:
            raise ValueError("DDPM draws fresh noise at every step: pass rng")
        return ddpm(field, schedule, x_T, num_steps, rng)
    if name == "ddim":
        return ddim(field, schedule, x_T, num_steps)
    if name == "dpmpp":
        return dpmpp_2m(field, schedule, x_T, num_steps)
    raise ValueError(f"unknown sampler {name!r}; choose one of {SAMPLERS_2D}")


def reference_ode(mix: GaussianMixture, schedule: NoiseSchedule, x_T: np.ndarray, *,
                  labels: np.ndarray | None = None, guidance: float = 1.0, steps: int = 2000,
                  lambda_end: float = REFERENCE_LAMBDA_END) -> np.ndarray:
    """The exact probability-flow ODE's end point for each x_T (N, 2), from t = T−1 to σ = 0, (N, 2).

    Classical RK4 in λ with ``steps`` equal steps from λ(T−1) to ``lambda_end``, then x̂_0 (the remaining
    σ ≈ 6e-6 of noise). The field is the exact ε* at every intermediate noise level, not only at integer t.
    """
    ab_T = float(schedule.alpha_bar[-1])
    lam0 = 0.5 * np.log(ab_T / (1 - ab_T))

    def eps_at(x: np.ndarray, lam: float) -> np.ndarray:
        return exact.class_eps(mix, x, _sigmoid(2 * lam), labels, guidance)

    def velocity(x: np.ndarray, lam: float) -> np.ndarray:
        var = _sigmoid(-2 * lam)  # σ²
        return var * x - np.sqrt(var) * eps_at(x, lam)

    x = np.asarray(x_T, dtype=np.float64).copy()
    h = (lambda_end - lam0) / steps
    for i in range(steps):
        lam = lam0 + i * h
        k1 = velocity(x, lam)
        k2 = velocity(x + 0.5 * h * k1, lam + 0.5 * h)
        k3 = velocity(x + 0.5 * h * k2, lam + 0.5 * h)
        k4 = velocity(x + h * k3, lam + h)
        x = x + (h / 6) * (k1 + 2 * k2 + 2 * k3 + k4)
    a = _sigmoid(2 * lambda_end)
    return _x0(x, eps_at(x, lambda_end), a)


def _sigmoid(z: float) -> float:
    return float(1.0 / (1.0 + np.exp(-z)))


def initial_noise(n: int, seed: int) -> np.ndarray:
    """x_T ~ N(0, I), (n, 2) float64, a pure function of ``seed`` (numpy's SeedSequence)."""
    return np.random.default_rng(np.random.SeedSequence(seed)).standard_normal((n, 2))
