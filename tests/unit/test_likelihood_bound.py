"""The variational bound against closed forms (Gaussian data with its exact ε*, see gaussian_oracle.py) and the
discretised decoder against the Gaussian's CDF and direct integration, at high precision (mpmath).

The code under test draws one ε per timestep; the oracle knows that draw's exact standard deviation too, so it
holds the code to the closed form within a few of them.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
import torch
from gaussian_oracle import MU, S, closed_form, eps_star, gaussian_nll, paper_coefficients

from diffusion_core.forward.schedules import NoiseSchedule
from diffusion_core.likelihood.bound import (
    LEVELS,
    ReverseSteps,
    discretized_gaussian_nats,
    full_bound,
    gaussian_nats,
    prior_nats,
)

SCHEDULE = NoiseSchedule("cosine", 1000)


@pytest.fixture(scope="module")
def gaussian_images() -> torch.Tensor:
    return MU + S * torch.randn((6, 1, 16, 16), generator=torch.Generator().manual_seed(1), dtype=torch.float64)


@pytest.mark.parametrize("exact_variances", [False, True], ids=["sampler-variances", "exact-reverse-variances"])
def test_bound_of_gaussian_data_is_its_closed_form_and_above_the_exact_nll(gaussian_images, exact_variances):
    x0 = gaussian_images
    dims = x0[0].numel()
    p = paper_coefficients(SCHEDULE)
    ab = p["ab"]
    x0_error = (1 - ab) * S**2 / (ab * S**2 + 1 - ab) if exact_variances else None
    result = full_bound(eps_star(SCHEDULE), x0, SCHEDULE, clip=False, decoder=gaussian_nats, x0_error=x0_error)
    expected, sd = closed_form(x0.numpy(), SCHEDULE, exact_variances)
    nll = gaussian_nll(x0.numpy())

    assert np.all(np.abs(result.nats - expected) < 5 * sd)  # the code computes the closed form, up to its noise
    assert np.all(expected >= nll)  # the ELBO: E_ε L(x_0) ≥ −log p(x_0), for every image
    gap = (expected - nll) / dims  # nats per value
    if exact_variances:
        assert np.all(gap < 2e-3)  # with the exact reverse steps the bound is tight at T = 1000
    else:
        # The sampler's β̃ is smaller than the exact reverse variance at the first steps: a fixed, known looseness.
        assert np.all((0.4 < gap) & (gap < 0.7))
        assert np.all(result.nats > nll)


def test_bound_of_discretised_gaussian_data_is_above_its_exact_nll(gaussian_images):
    """8-bit data, the app's exact configuration (discretised decoder, clipped x̂_0, the sampler's variances)."""
    x0 = torch.round((gaussian_images.clamp(-1, 1) + 1) * 127.5) / 127.5 - 1
    result = full_bound(eps_star(SCHEDULE), x0, SCHEDULE)
    nll = []
    for image in x0.numpy():
        total = mpmath.mpf(0)
        for x in image.ravel():
            lo = -mpmath.inf if x < -1 + 1 / 255 else mpmath.mpf(float(x)) - mpmath.mpf(1) / 255
            hi = mpmath.inf if x > 1 - 1 / 255 else mpmath.mpf(float(x)) + mpmath.mpf(1) / 255
            total -= mpmath.log(mpmath.ncdf(hi, MU, S) - mpmath.ncdf(lo, MU, S))
        nll.append(float(total))
    assert np.all(result.nats > np.array(nll))


def test_prior_term_is_the_kl_to_the_standard_normal():
    x0 = torch.tensor([[[[0.3, -0.7]]]], dtype=torch.float64)
    ab = float(SCHEDULE.alpha_bar[-1])
    m, var = math.sqrt(ab) * x0.numpy().ravel(), 1 - ab
    kl = sum(0.5 * (var + mi**2 - 1 - math.log(var)) for mi in m)
    assert prior_nats(x0, SCHEDULE).item() == pytest.approx(kl, rel=1e-9, abs=1e-15)


def _bin(x: float) -> tuple:
    half = mpmath.mpf(1) / (LEVELS - 1)
    lo = -mpmath.inf if x < -1 + 1 / 255 else mpmath.mpf(x) - half
    hi = mpmath.inf if x > 1 - 1 / 255 else mpmath.mpf(x) + half
    return lo, hi


def _cdf_nats(x: float, mean: float, sd: float) -> float:
    """−log(Φ(hi) − Φ(lo)) of x's bin at 60 digits; a bin above the mean is reflected to the lower tail, where
    the CDF has all its digits even e^−4000 from the mean."""
    with mpmath.workdps(60):
        lo, hi = _bin(x)
        if lo > mean:
            lo, hi = 2 * mpmath.mpf(mean) - hi, 2 * mpmath.mpf(mean) - lo
        return float(-mpmath.log(mpmath.ncdf(hi, mean, sd) - mpmath.ncdf(lo, mean, sd)))


def _quadrature_nats(x: float, mean: float, sd: float) -> float:
    """−log of the Gaussian density integrated numerically over x's bin (for bins not far in a tail)."""
    with mpmath.workdps(30):
        lo, hi = _bin(x)
        points = [lo, mean, hi] if lo < mean < hi else [lo, hi]
        return float(-mpmath.log(mpmath.quad(lambda u: mpmath.npdf(u, mean, sd), points)))


@pytest.mark.parametrize("level, mean, sd", [
    (0, -1.0, 0.005), (255, 1.0, 0.005), (128, 0.0039, 0.004), (37, -0.7, 0.01), (200, 0.5681, 0.0005),
    (0, -0.99, 0.3), (255, -1.0, 0.05), (10, 0.9, 0.02), (128, 0.0, 2.0), (254, 0.999, 0.003), (0, 1.0, 0.01),
])
def test_discretised_decoder_matches_the_gaussian_cdf_and_direct_integration(level, mean, sd):
    x = level / 127.5 - 1
    got = discretized_gaussian_nats(torch.tensor([[x]], dtype=torch.float64),
                                    torch.tensor([[mean]], dtype=torch.float64), sd**2).item()
    assert got == pytest.approx(_cdf_nats(x, mean, sd), rel=1e-10, abs=1e-12)
    if got < 30:  # quadrature of a density e^-30 below its peak loses digits; the CDF above covers the far tails
        assert got == pytest.approx(_quadrature_nats(x, mean, sd), rel=1e-8, abs=1e-10)


@pytest.mark.parametrize("mean, sd", [(-1.0, 0.004), (0.3, 0.02), (0.999, 0.5), (-0.2, 1e-4)])
def test_decoder_probabilities_of_the_256_levels_sum_to_one(mean, sd):
    levels = torch.arange(LEVELS, dtype=torch.float64)[:, None] / 127.5 - 1
    nats = discretized_gaussian_nats(levels, torch.full_like(levels, mean), sd**2)
    assert torch.exp(-nats).sum().item() == pytest.approx(1.0, abs=1e-12)


def test_reverse_steps_default_to_the_samplers_variances():
    steps = ReverseSteps(SCHEDULE)
    p = paper_coefficients(SCHEDULE)
    np.testing.assert_allclose(steps.var[1:], p["tilde"][1:], rtol=1e-12)
    assert steps.var[0] == steps.var[1]  # the decoder: β̃ vanishes at the first step, Ho et al.'s code uses β̃_1
    assert np.all(steps.kl_offset == 0)
    with pytest.raises(ValueError, match="positive"):
        ReverseSteps(SCHEDULE, np.zeros(SCHEDULE.T))


@pytest.mark.parametrize("kind", ["linear", "cosine"])
def test_each_kl_term_is_the_x0_error_weighted_by_the_snr_drop(kind):
    """The corner page's line "the training loss is the bound": with the sampler's variance β̃, the weight of
    ‖x_0 − x̂_0‖² in L_{t-1} is c_0² / (2 β̃) = ½ (SNR(t−1) − SNR(t)) (Kingma et al. 2021, eq. 13 in discrete
    time), i.e. ½ (SNR(t−1)/SNR(t) − 1) on ‖ε − ε̂‖², the weight Ho et al.'s L_simple drops."""
    steps = ReverseSteps(NoiseSchedule(kind, 1000))
    k = np.arange(1, 1000)
    snr, snr_prev = steps.ab[k] / (1 - steps.ab[k]), steps.ab_prev[k] / (1 - steps.ab_prev[k])
    np.testing.assert_allclose(steps.c0[k] ** 2 / (2 * steps.tilde[k]), 0.5 * (snr_prev - snr), rtol=1e-9)
