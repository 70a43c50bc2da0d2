"""Gaussian data x_0 ~ N(μ, s²) per value and its exact noise predictor ε*: closed forms for the bound's oracles.

x_t = a x_0 + b ε (a = √ᾱ_t, b = √(1 − ᾱ_t)) is Gaussian, so the ideal noise predictor is linear,
ε*(x_t) = (b / v)(x_t − a μ) with v = a² s² + b², and x_0 − x̂_0 = (b²/v)(x_0 − μ) − (a b s²/v) ε. Every term of the
bound then has a short closed form given x_0 (the expectation over ε of a quadratic), and so does the exact
negative log-likelihood. Written out from the paper's equations, independently of diffusion_core.likelihood.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from diffusion_core.forward.schedules import NoiseSchedule

MU, S = 0.1, 0.5


def paper_coefficients(schedule: NoiseSchedule) -> dict[str, np.ndarray]:
    """Ho et al. 2020 eqs. 6-7 written out again, independently of ReverseSteps (0-based timesteps)."""
    ab = schedule.alpha_bar.astype(np.float64)
    ab_prev = np.concatenate(([1.0], ab[:-1]))
    beta = 1 - ab / ab_prev
    return {"ab": ab, "c0": np.sqrt(ab_prev) * beta / (1 - ab), "tilde": (1 - ab_prev) / (1 - ab) * beta}


def eps_star(schedule: NoiseSchedule, mu: float = MU, s: float = S):
    ab = schedule.alpha_bar.astype(np.float64)
    a, b = np.sqrt(ab), np.sqrt(1 - ab)
    v = a**2 * s**2 + b**2

    def eps(x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        k = t.numpy()
        shape = (-1,) + (1,) * (x.dim() - 1)
        return torch.from_numpy(b[k] / v[k]).view(shape) * (x.double() - torch.from_numpy(a[k] * mu).view(shape))

    return eps


def closed_form(x0: np.ndarray, schedule: NoiseSchedule, exact_variances: bool) -> tuple[np.ndarray, np.ndarray]:
    """E_ε[L | x_0] per image in nats and the standard deviation of the one-draw-per-timestep sum, (N,), (N,)."""
    p = paper_coefficients(schedule)
    ab = p["ab"]
    a, b = np.sqrt(ab), np.sqrt(1 - ab)
    v = a**2 * S**2 + b**2
    alpha, gamma = b**2 / v, a * b * S**2 / v  # x0 - x0_hat = alpha (x0 - mu) - gamma eps
    posterior = b**2 * S**2 / v  # Var(x_0 | x_t): the exact reverse step adds c0² times it to β̃
    if exact_variances:
        var = np.concatenate(([posterior[0]], p["tilde"][1:] + p["c0"][1:] ** 2 * posterior[1:]))
    else:
        var = np.concatenate(([p["tilde"][1]], p["tilde"][1:]))
    weight = np.concatenate(([1 / (2 * var[0])], p["c0"][1:] ** 2 / (2 * var[1:])))
    ratio = p["tilde"][1:] / var[1:]
    offset = np.concatenate(([0.5 * math.log(2 * math.pi * var[0])], 0.5 * (ratio - 1 - np.log(ratio))))
    d = (x0 - MU).reshape(len(x0), -1)
    dims = d.shape[1]
    mean_sq = alpha[None, :, None] ** 2 * d[:, None, :] ** 2 + gamma[None, :, None] ** 2  # (N, T, D)
    var_sq = 4 * alpha[None, :, None] ** 2 * d[:, None, :] ** 2 * gamma[None, :, None] ** 2 + 2 * gamma[None, :, None] ** 4
    terms = offset * dims + (weight[None, :, None] * mean_sq).sum(2)
    prior = 0.5 * (ab[-1] * ((x0.reshape(len(x0), -1)) ** 2 - 1) - math.log1p(-ab[-1])).sum(1)
    sd = np.sqrt((weight[None, :, None] ** 2 * var_sq).sum((1, 2)))
    return prior + terms.sum(1), sd


def gaussian_nll(x0: np.ndarray) -> np.ndarray:
    d = (x0 - MU).reshape(len(x0), -1)
    return 0.5 * (d**2 / S**2).sum(1) + 0.5 * d.shape[1] * math.log(2 * math.pi * S**2)
