"""Exact answers for Gaussian-mixture data at every noise level: p_t, the score, ε* and E[x_0 | x_t].

Noising a mixture keeps it a mixture. With q(x_t | x_0) = N(√ᾱ x_0, (1 − ᾱ) I) (Ho et al. 2020, eq. 4) and
p(x_0) = Σ_k w_k N(m_k, S_k),

    p_t(x) = Σ_k w_k N(x; √ᾱ m_k, C_k),            C_k = ᾱ S_k + (1 − ᾱ) I,

so everything a denoiser could want is closed form. With responsibilities r_k(x) = w_k N_k(x) / p_t(x):

    ∇ log p_t(x)   = −Σ_k r_k C_k⁻¹ (x − √ᾱ m_k)                              (the score)
    E[x_0 | x_t=x] = Σ_k r_k (m_k + √ᾱ S_k C_k⁻¹ (x − √ᾱ m_k))                 (the ideal denoiser)
    ε*(x, t)       = −σ_t ∇ log p_t(x) = (x − √ᾱ E[x_0 | x]) / σ_t,  σ_t = √(1 − ᾱ)   (Tweedie; Song et al. 2021b)

ε* is what a network trained with the DDPM loss (Ho et al. 2020, eq. 14) converges to: the mean of the noise
given x_t. For a point set (S_k = 0) E[x_0 | x_t] is a softmax-weighted average of the training points, and as
ᾱ → 1 it snaps to the nearest one: the denoiser that memorises perfectly.

Every function takes ᾱ in (0, 1) as a float (any noise level, not only the schedule's integer steps) or one per
point (N,), and points x of shape (N, 2) float64; results are float64. Classifier-free guidance with exact parts is
ε_u + s (ε_y − ε_u), with ε_y from p(x_0 | y) (Ho & Salimans 2022).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from diffusion_core.toy2d.datasets import GaussianMixture

LOG_2PI = float(np.log(2 * np.pi))


@dataclass(frozen=True)
class Posterior:
    """What the exact field gives at one noise level ᾱ, for points x (N, 2)."""

    log_p: np.ndarray  # (N,) log p_t(x)
    score: np.ndarray  # (N, 2) ∇ log p_t(x)
    x0_mean: np.ndarray  # (N, 2) E[x_0 | x_t = x]
    eps: np.ndarray  # (N, 2) ε*(x) = −σ ∇ log p_t(x)
    resp: np.ndarray  # (N, K) responsibilities r_k(x)


def _terms(mix: GaussianMixture, x: np.ndarray, a: float | np.ndarray):
    """Per-component pieces, written out for 2x2 matrices (elementwise on (N, K) arrays, no einsum):
    (log w_k N_k(x) (N, K), the two coordinates of C_k⁻¹ (x − √ᾱ m_k), each (N, K)). x (N, 2) float64, a from
    :func:`_noise_level`."""
    s = mix.covs
    c00, c01, c11 = a * s[:, 0, 0] + (1 - a), a * s[:, 0, 1], a * s[:, 1, 1] + (1 - a)  # C_k: (K,) or (N, K)
    det = c00 * c11 - c01 * c01
    root = np.sqrt(a)
    d0 = x[:, :1] - root * mix.means[None, :, 0]  # (N, K)
    d1 = x[:, 1:] - root * mix.means[None, :, 1]
    u0 = (c11 * d0 - c01 * d1) / det  # C⁻¹ d
    u1 = (c00 * d1 - c01 * d0) / det
    log_nk = (np.log(mix.weights) - LOG_2PI - 0.5 * np.log(det)) - 0.5 * (d0 * u0 + d1 * u1)
    return log_nk, u0, u1


def _noise_level(alpha_bar, n: int) -> float | np.ndarray:
    """ᾱ as a float, or as an (n, 1) column when each point has its own (an array of n values)."""
    a = np.asarray(alpha_bar, dtype=np.float64)
    if not (np.all(a > 0.0) and np.all(a < 1.0)):
        raise ValueError(f"alpha_bar must lie strictly between 0 and 1, got {alpha_bar}")
    if a.ndim == 0:
        return float(a)
    if a.shape != (n,):
        raise ValueError(f"one alpha_bar per point: expected shape ({n},), got {a.shape}")
    return a[:, None]


def posterior(mix: GaussianMixture, x: np.ndarray, alpha_bar: float | np.ndarray) -> Posterior:
    """p_t, the score, E[x_0 | x_t] and ε* at noise level ᾱ for points x (N, 2) (see the module's formulas).

    alpha_bar: one noise level for all points, or one per point (N,).
    """
    x = np.asarray(x, dtype=np.float64).reshape(-1, 2)
    a = _noise_level(alpha_bar, len(x))
    log_nk, u0, u1 = _terms(mix, x, a)
    top = log_nk.max(axis=1, keepdims=True)
    w = np.exp(log_nk - top)
    total = w.sum(axis=1, keepdims=True)
    resp = w / total
    log_p = top[:, 0] + np.log(total[:, 0])
    score = -np.stack([(resp * u0).sum(1), (resp * u1).sum(1)], axis=1)
    s, root = mix.covs, np.sqrt(a)
    x0_mean = np.stack([(resp * mix.means[:, 0]).sum(1), (resp * mix.means[:, 1]).sum(1)], axis=1) + root * np.stack(
        [(resp * (s[:, 0, 0] * u0 + s[:, 0, 1] * u1)).sum(1), (resp * (s[:, 1, 0] * u0 + s[:, 1, 1] * u1)).sum(1)],
        axis=1)
    return Posterior(log_p, score, x0_mean, -np.sqrt(1.0 - np.reshape(a, (-1, 1))) * score, resp)


def log_density(mix: GaussianMixture, x: np.ndarray, alpha_bar: float | np.ndarray) -> np.ndarray:
    """log p_t(x), (N, 2) -> (N,)."""
    x = np.asarray(x, dtype=np.float64).reshape(-1, 2)
    log_nk = _terms(mix, x, _noise_level(alpha_bar, len(x)))[0]
    top = log_nk.max(axis=1, keepdims=True)
    return top[:, 0] + np.log(np.exp(log_nk - top).sum(axis=1))


def eps(mix: GaussianMixture, x: np.ndarray, alpha_bar: float | np.ndarray) -> np.ndarray:
    """ε*(x, t) = −σ_t ∇ log p_t(x), (N, 2) -> (N, 2)."""
    return posterior(mix, x, alpha_bar).eps


def class_eps(mix: GaussianMixture, x: np.ndarray, alpha_bar: float | np.ndarray, labels: np.ndarray | None,
              guidance: float | np.ndarray = 1.0) -> np.ndarray:
    """ε* for points that may each ask for a class: labels (N,) int, −1 (or None) for no class.

    With a class y: ε_u + s (ε_y − ε_u), ε_y the exact ε of p(x_0 | y), ε_u that of the whole mixture; the
    scale s is one float or one per point (N,).
    """
    x = np.asarray(x, dtype=np.float64).reshape(-1, 2)
    out = eps(mix, x, alpha_bar)
    scale = np.broadcast_to(np.asarray(guidance, dtype=np.float64), (len(x),))
    if labels is None or not scale.any():
        return out
    labels = np.asarray(labels).reshape(-1)
    a = np.asarray(alpha_bar, dtype=np.float64)
    for y in np.unique(labels[labels >= 0]):
        rows = labels == y
        cond = eps(mix.of_class(int(y)), x[rows], a if a.ndim == 0 else a[rows])
        out[rows] = out[rows] + scale[rows, None] * (cond - out[rows])
    return out


def sample_noisy(mix: GaussianMixture, n: int, alpha_bar: float | np.ndarray, rng: np.random.Generator
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """n draws of (x_t, x_0, ε) with x_t = √ᾱ x_0 + √(1 − ᾱ) ε, x_0 ~ the mixture (eq. 4); each (n, 2).

    alpha_bar: one noise level, or one per draw (n,).
    """
    x0, _ = mix.sample(n, rng)
    noise = rng.standard_normal((n, 2))
    a = np.reshape(np.asarray(alpha_bar, dtype=np.float64), (-1, 1))
    return np.sqrt(a) * x0 + np.sqrt(1 - a) * noise, x0, noise
