"""Why small steps: the exact reverse of one forward step, for data on a line, against its best Gaussian.

DDPM's sampler models each reverse step p(x_s | x_t) (s < t) as a Gaussian (Ho et al. 2020, eq. 1). That is
nearly exact when the step is small, and wrong when it is big (Nakkiran et al. 2024, "Step-by-Step Diffusion: An
Elementary Tutorial", sec. 2; Sohl-Dickstein et al. 2015): the true reverse of a big step can have several
bumps, one for each kind of data it might lead to. This module computes the true reverse conditional in closed
form for 1-D data drawn from a mixture of Gaussians, so the app can draw both and measure the difference.

With ᾱ from the schedule, x_s = √ᾱ_s x_0 + √(1 − ᾱ_s) ε is again a mixture (component k: mean √ᾱ_s μ_k,
variance v_k = ᾱ_s σ_k² + 1 − ᾱ_s), and x_t | x_s ~ N(a x_s, 1 − a²) with a² = ᾱ_t / ᾱ_s (eq. 2 applied t − s
times). Bayes' rule per component gives a mixture posterior: component k has variance P_k = (1/v_k + a²/(1−a²))⁻¹,
mean M_k = P_k (√ᾱ_s μ_k / v_k + a x_t / (1 − a²)) and weight ∝ w_k N(x_t; a √ᾱ_s μ_k, a² v_k + 1 − a²).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class LineMixture:
    """1-D data: weights (K,) summing to 1, means (K,) and standard deviations (K,)."""

    weights: np.ndarray
    means: np.ndarray
    stds: np.ndarray


TWO_KINDS = LineMixture(np.array([0.5, 0.5]), np.array([-1.0, 1.0]), np.array([0.15, 0.15]))
# What the 2-D page's "Why small steps" section shows: a point at X_T at timestep START (0 = the data, as in
# :func:`diffusion_core.forward.process.alpha_bar_with_zero`), one small step back beside a step of the reader's size.
START = 600
X_T = 0.2
SMALL_STEP = 10
STEP_CHOICES = (1, 10, 30, 100, 200, 300, 400, 500, 600)  # the reader's step sizes (600: straight to the data)


def _normal(x: np.ndarray, mean, var) -> np.ndarray:
    return np.exp(-0.5 * (x - mean) ** 2 / var) / np.sqrt(2 * np.pi * var)


@dataclass(frozen=True)
class ReverseStep:
    """The exact p(x_s | x_t) on ``grid`` (G,), the Gaussian with its mean and variance, and the total variation
    distance between them (0: the same; 1: nothing in common)."""

    grid: np.ndarray
    exact: np.ndarray
    gaussian: np.ndarray
    mean: float
    var: float
    total_variation: float

    @property
    def bumps(self) -> int:
        """How many bumps (local maxima above 1% of the highest) the exact density has on the grid."""
        p = self.exact
        inner = (p[1:-1] > p[:-2]) & (p[1:-1] >= p[2:]) & (p[1:-1] > 0.01 * p.max())
        return int(inner.sum())


def reverse_step(data: LineMixture, alpha_bar_t: float, alpha_bar_s: float, x_t: float,
                 grid: np.ndarray | None = None) -> ReverseStep:
    """p(x_s | x_t) in closed form (module docstring) for 1 ≥ ᾱ_s > ᾱ_t > 0, and its moment-matched Gaussian: the
    Gaussian with the same mean and variance, which is the Gaussian closest to it in KL(exact ‖ Gaussian), the
    best a Gaussian reverse step can be (Bao et al. 2022, Analytic-DPM)."""
    if not 0 < alpha_bar_t < alpha_bar_s <= 1:
        raise ValueError(f"need 0 < ᾱ_t < ᾱ_s ≤ 1, got ᾱ_t = {alpha_bar_t}, ᾱ_s = {alpha_bar_s}")
    g = np.linspace(-2.5, 2.5, 1001) if grid is None else np.asarray(grid, dtype=np.float64)
    a2 = alpha_bar_t / alpha_bar_s
    a, lik_var = np.sqrt(a2), 1 - a2
    prior_mean = np.sqrt(alpha_bar_s) * data.means
    prior_var = alpha_bar_s * data.stds**2 + 1 - alpha_bar_s
    post_var = 1 / (1 / prior_var + a2 / lik_var)
    post_mean = post_var * (prior_mean / prior_var + a * x_t / lik_var)
    weights = data.weights * _normal(x_t, a * prior_mean, a2 * prior_var + lik_var)
    weights = weights / weights.sum()
    exact = np.sum(weights[:, None] * _normal(g[None, :], post_mean[:, None], post_var[:, None]), axis=0)
    mean = float(np.sum(weights * post_mean))
    var = float(np.sum(weights * (post_var + post_mean**2)) - mean**2)
    gaussian = _normal(g, mean, var)
    dx = float(g[1] - g[0])
    return ReverseStep(g, exact, gaussian, mean, var, 0.5 * float(np.sum(np.abs(exact - gaussian)) * dx))
