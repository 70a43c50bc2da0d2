"""The DDPM variational bound of an 8-bit image (Ho et al. 2020, eq. 5), term by term, in nats and bits/dim.

An image of D = C·H·W integers 0..255 is mapped onto x_0 in [-1, 1] (:mod:`diffusion_core.images.pixels`). For
any reverse process p_θ, Jensen's inequality gives -log p_θ(x_0) ≤ L(x_0) with (eq. 5)

    L = L_T  +  Σ_{t=2..T} L_{t-1}  +  L_0
    L_T     = KL( q(x_T | x_0) ‖ N(0, I) )                                  the prior term, closed form
    L_{t-1} = E_q KL( q(x_{t-1} | x_t, x_0) ‖ p_θ(x_{t-1} | x_t) )         two Gaussians (eqs. 6-7)
    L_0     = E_q [ -log p_θ(x_0 | x_1) ]                                   the discretised decoder (sec. 3.3)

Arrays are indexed by the 0-based timestep k of :mod:`diffusion_core.forward.schedules` and of the samplers: the
term of timestep k is the cost of the reverse step the DDPM sampler takes there, ``terms[k] = L_k`` in the paper's
numbering (k ≥ 1 a KL, k = 0 the decoder), so the bound is ``prior + terms.sum()``.

The model's reverse step is the sampler's own (:func:`diffusion_core.model.samplers.ddpm` with all T steps): mean
μ_θ = c_0(k) x̂_0 + c_t(k) x_k with x̂_0 from the predicted noise, clipped to [-1, 1] as the sampler does
(``clip=True``, which can only lower each KL, since the true x_0 lies in [-1, 1]), and variance β̃_k (eq. 7). As
both Gaussians share that variance, L_{k} = c_0(k)² ‖x_0 − x̂_0‖² / (2 β̃_k), which is eq. 12 when unclipped.
β̃ vanishes at k = 0, so the decoder uses β̃_1 there, as Ho et al.'s released code does
("posterior_log_variance_clipped"); its mean c_0(0) x̂_0 = x̂_0. The decoder integrates N(x̂_0, β̃_1) over the
pixel's bin [x − 1/255, x + 1/255], the end bins reaching to ±∞ (sec. 3.3).

Each E_q is taken with one draw of x_k per timestep, as Ho et al. do: :func:`full_bound` sums every timestep
exactly, each with its own noise, so its value is itself an unbiased estimate of L (its noise averages over the
T terms; the intervals of :mod:`diffusion_core.likelihood.evaluate` cover it). Divided by D ln 2, L is in bits
per dimension: 8 for the trivial code that writes every pixel out.

The network runs in float32 (PyTorch or its ONNX twin, :class:`EpsFn`); everything else is float64.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import torch

from diffusion_core.forward.schedules import NoiseSchedule

LEVELS = 256  # 8-bit pixels
BATCH = 32  # (image, timestep) pairs per network call: the fastest batch on 2 cores (bench/bench_likelihood.py)

# eps_fn(x_t (B, C, H, W) float32, t (B,) int64) -> predicted noise (B, C, H, W), any float dtype.
EpsFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def model_eps(model, label: int | None = None) -> EpsFn:
    """The noise prediction of a denoiser (UNet or its ONNX twin) for one label; default its "no class" token,
    so the bound is that of the unconditional model p_θ(x)."""
    label = model.null_class if label is None else int(label)

    @torch.no_grad()
    def eps(x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        return model(x, t, torch.full((len(x),), label, dtype=torch.long))

    return eps


@dataclass(frozen=True, eq=False)
class ReverseSteps:
    """The schedule's per-timestep coefficients of q(x_{k-1} | x_k, x_0) and of the model's step, float64 (T,).

    ``ab`` ᾱ_k; ``ab_prev`` ᾱ_{k-1} (1 at k = 0); ``beta`` 1 − ᾱ_k/ᾱ_{k-1} (as the DDPM sampler computes it);
    ``c0``, ``ct`` the posterior mean's weights of x_0 and x_k (eq. 7); ``tilde`` the posterior variance β̃_k;
    ``var`` the model step's variance.

    By default ``var`` is the sampler's own: β̃_k, and β̃_1 at k = 0 (the decoder). Given ``x0_error`` (T,), the
    mean squared error per value of x̂_0 at each timestep, it is β̃_k + c0(k)² x0_error_k instead (and
    x0_error_0 for the decoder): the variance that makes each step's KL smallest on average (Bao et al. 2022,
    Analytic-DPM). With the exact errors of Gaussian data it makes the reverse steps exact, which is what the
    oracle tests use; any positive variances give a valid bound.
    """

    schedule: NoiseSchedule
    x0_error: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.x0_error is not None:
            err = np.asarray(self.x0_error, dtype=np.float64)
            if err.shape != (self.schedule.T,) or not np.all(err > 0):
                raise ValueError(f"x0_error must hold {self.schedule.T} positive values")

    @cached_property
    def ab(self) -> np.ndarray:
        return np.asarray(self.schedule.alpha_bar, dtype=np.float64)

    @cached_property
    def ab_prev(self) -> np.ndarray:
        return np.concatenate(([1.0], self.ab[:-1]))

    @cached_property
    def beta(self) -> np.ndarray:
        return 1.0 - self.ab / self.ab_prev

    @cached_property
    def c0(self) -> np.ndarray:
        return np.sqrt(self.ab_prev) * self.beta / (1.0 - self.ab)

    @cached_property
    def ct(self) -> np.ndarray:
        return np.sqrt(1.0 - self.beta) * (1.0 - self.ab_prev) / (1.0 - self.ab)

    @cached_property
    def tilde(self) -> np.ndarray:
        return (1.0 - self.ab_prev) / (1.0 - self.ab) * self.beta

    @cached_property
    def var(self) -> np.ndarray:
        if self.x0_error is None:
            return np.concatenate(([self.tilde[1]], self.tilde[1:]))
        err = np.asarray(self.x0_error, dtype=np.float64)
        return np.concatenate(([err[0]], self.tilde[1:] + self.c0[1:] ** 2 * err[1:]))

    @cached_property
    def kl_weight(self) -> np.ndarray:
        """c0² / (2 var): the weight of ‖x_0 − x̂_0‖² in a step's KL."""
        return self.c0**2 / (2.0 * self.var)

    @cached_property
    def kl_offset(self) -> np.ndarray:
        """½ (log(var / β̃) + β̃ / var − 1) per value: the KL's part from unequal variances (0 when var = β̃; 0 at
        k = 0, where the decoder takes over)."""
        ratio = self.tilde[1:] / self.var[1:]
        return np.concatenate(([0.0], 0.5 * (ratio - 1.0 - np.log(ratio))))


def prior_nats(x0: torch.Tensor, schedule: NoiseSchedule) -> torch.Tensor:
    """L_T = KL(N(√ᾱ_T x_0, (1 − ᾱ_T) I) ‖ N(0, I)) in nats, (N, C, H, W) -> (N,), float64.

    Per dimension ½ (ᾱ_T x² + (1 − ᾱ_T) − 1 − log(1 − ᾱ_T)) = ½ (ᾱ_T (x² − 1) − log1p(−ᾱ_T)).
    """
    ab = float(schedule.alpha_bar[-1])
    x = x0.double().flatten(1)
    return 0.5 * (ab * (x**2 - 1.0) - math.log1p(-ab)).sum(1)


def _log_diff_ndtr(lo: torch.Tensor, hi: torch.Tensor) -> torch.Tensor:
    """log(Φ(hi) − Φ(lo)) for lo < hi, accurate in both tails (float64); lo may be −∞ and hi +∞."""
    upper = lo > 0  # both in the upper tail: Φ(hi) − Φ(lo) = Φ(−lo) − Φ(−hi)
    a = torch.where(upper, -hi, lo)
    b = torch.where(upper, -lo, hi)
    log_b, log_a = torch.special.log_ndtr(b), torch.special.log_ndtr(a)
    return log_b + torch.log(-torch.expm1(log_a - log_b))


def discretized_gaussian_nats(x0: torch.Tensor, mean: torch.Tensor, var: float, levels: int = LEVELS) -> torch.Tensor:
    """−log ∫_bin N(u; mean, var) du per image (Ho et al. 2020 sec. 3.3), (N, ...) -> (N,), float64 nats.

    x0 holds bin centres in [-1, 1] (levels evenly spaced); the bin of x is [x − δ, x + δ] with δ = 1/(levels − 1),
    the lowest bin reaching down to −∞ and the highest up to +∞, so the levels' probabilities sum to 1.
    """
    x, m = x0.double(), mean.double()
    half = 1.0 / (levels - 1)
    sd = math.sqrt(var)
    inf = torch.tensor(math.inf, dtype=torch.float64)
    lo = torch.where(x < -1.0 + half, -inf, (x - half - m) / sd)
    hi = torch.where(x > 1.0 - half, inf, (x + half - m) / sd)
    return -_log_diff_ndtr(lo, hi).flatten(1).sum(1)


def gaussian_nats(x0: torch.Tensor, mean: torch.Tensor, var: float) -> torch.Tensor:
    """−log N(x0; mean, var I), a density (for continuous data: the oracle tests), (N, ...) -> (N,) nats."""
    d = (x0.double() - mean.double()).flatten(1)
    return 0.5 * ((d**2).sum(1) / var + d.shape[1] * math.log(2 * math.pi * var))


Decoder = Callable[[torch.Tensor, torch.Tensor, float], torch.Tensor]


def step_nats(eps_fn: EpsFn, x0: torch.Tensor, t: torch.Tensor, noise: torch.Tensor, steps: ReverseSteps,
              clip: bool = True, decoder: Decoder = discretized_gaussian_nats) -> torch.Tensor:
    """The terms L_k of pairs (image, timestep) in one network call, (N, C, H, W), (N,), (N, C, H, W) -> (N,) nats.

    x_k = √ᾱ_k x_0 + √(1 − ᾱ_k) ε with the given ε (``noise``); x̂_0 from the predicted noise (eq. 15, clipped to
    [-1, 1] when ``clip``); k ≥ 1: c0² ‖x_0 − x̂_0‖² / (2 var_k) (+ D · kl_offset_k when var_k ≠ β̃_k); k = 0: the
    decoder's −log p_θ(x_0 | x_1).
    """
    x0 = x0.double()
    k = t.long().numpy()
    ab = torch.from_numpy(steps.ab[k]).view(-1, *[1] * (x0.dim() - 1))
    x_t = ab.sqrt() * x0 + (1.0 - ab).sqrt() * noise.double()
    eps = eps_fn(x_t.float(), t.long()).double()
    x0_hat = (x_t - (1.0 - ab).sqrt() * eps) / ab.sqrt()
    if clip:
        x0_hat = x0_hat.clamp(-1.0, 1.0)
    dims = x0[0].numel()
    out = (torch.from_numpy(steps.kl_weight[k]) * ((x0 - x0_hat) ** 2).flatten(1).sum(1)
           + torch.from_numpy(steps.kl_offset[k]) * dims)
    first = k == 0
    if first.any():
        idx = torch.from_numpy(np.nonzero(first)[0])
        out[idx] = decoder(x0[idx], x0_hat[idx], float(steps.var[0]))
    return out


@dataclass(frozen=True)
class BoundResult:
    """The bound of N images, every term: ``prior`` (N,) and ``terms`` (N, T) in nats, float64; ``dims`` = D.

    ``terms[:, k]`` is L_k of timestep k (0-based; k = 0 the decoder). :attr:`bits_per_dim` is the total.
    """

    prior: np.ndarray
    terms: np.ndarray
    dims: int

    @property
    def nats(self) -> np.ndarray:
        """L(x) of each image in nats, (N,)."""
        return self.prior + self.terms.sum(1)

    @property
    def bits_per_dim(self) -> np.ndarray:
        """L(x) / (D ln 2), (N,): bits per pixel value."""
        return self.nats / (self.dims * math.log(2))

    def terms_bits_per_dim(self) -> np.ndarray:
        """Each timestep's term in bits per dimension, (N, T)."""
        return self.terms / (self.dims * math.log(2))


def full_bound(eps_fn: EpsFn, x0: torch.Tensor, schedule: NoiseSchedule, *, seed: int = 0, clip: bool = True,
               batch: int = BATCH, decoder: Decoder = discretized_gaussian_nats, x0_error: np.ndarray | None = None,
               on_progress: Callable[[int, int], None] | None = None) -> BoundResult:
    """Every one of the T terms of each image (x0: (N, C, H, W) in [-1, 1]), one noise draw per term.

    Pairs (image, timestep) are batched ``batch`` at a time across images and timesteps; the noise of pair
    (n, k) comes from a torch.Generator seeded with ``seed`` in that order, so a seed gives the same result.
    ``on_progress(done, total)`` is called after each batch; ``x0_error`` chooses other variances (:class:`ReverseSteps`).
    """
    steps = ReverseSteps(schedule, x0_error)
    n, T = len(x0), schedule.T
    x0 = x0.double()
    pairs_img = np.repeat(np.arange(n), T)
    pairs_t = np.tile(np.arange(T), n)
    terms = np.empty(n * T, dtype=np.float64)
    gen = torch.Generator().manual_seed(seed)
    for start in range(0, n * T, batch):
        sl = slice(start, min(start + batch, n * T))
        img = torch.from_numpy(pairs_img[sl])
        noise = torch.randn((len(img), *x0.shape[1:]), generator=gen, dtype=torch.float64)
        terms[sl] = step_nats(eps_fn, x0[img], torch.from_numpy(pairs_t[sl]), noise, steps, clip, decoder).numpy()
        if on_progress is not None:
            on_progress(sl.stop, n * T)
    return BoundResult(prior_nats(x0, schedule).numpy(), terms.reshape(n, T), int(np.prod(x0.shape[1:])))


def bits_per_dim(nats: float | np.ndarray, dims: int) -> float | np.ndarray:
    """nats of a whole image -> bits per dimension."""
    return nats / (dims * math.log(2))
