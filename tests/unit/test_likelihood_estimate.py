"""The page's stratified, importance-sampled estimate: unbiased for the exact sum over all T, with intervals that
cover it; checked on Gaussian data (exact sum in closed form) and on held-out digits under the shipped model."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from gaussian_oracle import MU, S, closed_form, eps_star

from diffusion_core.forward.schedules import NoiseSchedule
from diffusion_core.likelihood.bound import full_bound, gaussian_nats, model_eps
from diffusion_core.likelihood.estimate import DECODER_SHARE, estimate_bound, plan, proposal
from diffusion_core.model.weights import available_models

SCHEDULE = NoiseSchedule("cosine", 1000)


def test_plan_covers_every_timestep_once_with_two_draws_or_more():
    p = plan(SCHEDULE, evals=192, strata=64)
    starts, stops = zip(*p.strata)
    assert starts[0] == 0 and stops[-1] == SCHEDULE.T and list(starts[1:]) == list(stops[:-1])
    assert min(p.draws) >= 2 and p.evals <= 192
    assert p.strata[0] == (0, 1)  # the decoder is a stratum of its own ...
    assert p.draws[0] == math.floor(DECODER_SHARE * 192)  # ... with its share of the draws
    q = proposal(SCHEDULE)
    assert q.sum() == pytest.approx(1.0) and np.all(q > 0)  # every timestep can be drawn: no bias


def test_estimate_is_unbiased_and_its_intervals_cover_the_exact_sum():
    """200 independent estimates of one Gaussian image (200 copies in one call) against the closed-form E[L]."""
    x0 = MU + S * torch.randn((1, 1, 8, 8), generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    exact_nats, _ = closed_form(x0.numpy(), SCHEDULE, exact_variances=False)
    exact = exact_nats[0] / (64 * math.log(2))
    copies = x0.repeat(200, 1, 1, 1)
    est = estimate_bound(eps_star(SCHEDULE), copies, SCHEDULE, plan(SCHEDULE, evals=96, strata=32), seed=7,
                         clip=False, decoder=gaussian_nats, batch=512)
    values = est.bits_per_dim
    sd = values.std(ddof=1)
    assert abs(values.mean() - exact) < 4 * sd / math.sqrt(len(values))
    coverage = np.mean((est.low <= exact) & (exact <= est.high))
    assert 0.88 <= coverage <= 0.995
    assert np.mean(est.half_width) / 1.96 == pytest.approx(sd, rel=0.25)  # the interval's width is honest
    np.testing.assert_allclose(est.per_timestep().sum(1) + est.prior, values)


def test_estimate_is_reproducible_from_its_seed():
    x0 = torch.zeros((1, 1, 4, 4), dtype=torch.float64)
    p = plan(SCHEDULE, evals=40, strata=8)
    a, b, c = (estimate_bound(eps_star(SCHEDULE), x0, SCHEDULE, p, seed=s, clip=False) for s in (1, 1, 2))
    assert a.bits_per_dim[0] == b.bits_per_dim[0] != c.bits_per_dim[0]


@pytest.mark.skipif("digits" not in available_models(), reason="no weights")
def test_estimate_agrees_with_the_full_sum_on_held_out_digits():
    from diffusion_core.images.pixels import to_model_range
    from diffusion_core.model.shipped_data import held_out
    from diffusion_core.model.weights import load_model

    loaded = load_model("digits")
    x0 = torch.from_numpy(to_model_range(held_out("digits")[0][[7]]))
    eps = model_eps(loaded.runner)
    full = full_bound(eps, x0, loaded.schedule, seed=0, batch=50).bits_per_dim[0]
    for seed in (1, 2):
        est = estimate_bound(eps, x0, loaded.schedule, seed=seed)
        # The full sum has its own noise (one draw per timestep, ~0.03 bits/dim for a digit): a generous margin.
        assert abs(est.bits_per_dim[0] - full) < est.half_width[0] + 0.1
        assert 0.3 < full < 4.0  # a held-out digit: well below the 8 bits/dim of writing every pixel out


def test_any_image_shape_works_colour_included():
    """A colour 32 x 32 network (as the emoji model will be), untrained, on a short schedule: every piece runs."""
    from diffusion_core.likelihood.compress import compress
    from diffusion_core.likelihood.sources import fit_to_shape, pixel_shape
    from diffusion_core.model.unet import UNet, UNetConfig

    net = UNet(UNetConfig(channels=(8, 16, 16), groups=4, image_size=32, in_channels=3)).eval()
    schedule = NoiseSchedule("cosine", 20)
    photo = np.random.default_rng(0).integers(0, 256, (50, 70), dtype=np.uint8)  # a gray picture of another size
    pixels = fit_to_shape(photo, (3, 32, 32))
    assert pixels.shape == pixel_shape((3, 32, 32)) == (32, 32, 3)
    x0 = torch.from_numpy(pixels.transpose(2, 0, 1)[None] / 127.5 - 1)
    full = full_bound(model_eps(net), x0, schedule)
    est = estimate_bound(model_eps(net), x0, schedule, plan(schedule, evals=30, strata=8))
    assert full.dims == 3072 and full.terms.shape == (1, 20)
    assert np.isfinite(full.bits_per_dim[0]) and np.isfinite(est.bits_per_dim[0]) and est.half_width[0] > 0
    assert compress(pixels).bits > 0


def test_the_bound_split_into_the_decoder_and_the_steps():
    """An estimate's own strata give the decoder term (t = 0, a stratum of its own), the T − 1 steps, and the shares
    of the decoder and of the last k steps: checked on made-up strata against sums written out by hand."""
    from diffusion_core.likelihood.estimate import BoundEstimate, TimestepPlan

    q = np.full(10, 0.1)
    own = TimestepPlan(q, ((0, 1), (1, 4), (4, 10)), (2, 2, 2))
    strata = np.array([[0.6, 0.3, 0.6], [0.0, 1.0, 1.0]])
    est = BoundEstimate(strata.sum(1), np.zeros(2), strata, np.zeros(2), own)
    np.testing.assert_allclose(est.decoder(), [0.6, 0.0])
    np.testing.assert_allclose(est.steps(), [0.9, 2.0])
    np.testing.assert_allclose(est.share_of_decoder(), [0.4, 0.0])
    # the last 2 steps: t = 0 whole, and a third of the stratum 1..3 (spread evenly)
    np.testing.assert_allclose(est.share_of_last(2), [(0.6 + 0.1) / 1.5, (1 / 3) / 2.0])
    shared = BoundEstimate(strata.sum(1), np.zeros(2), strata, np.zeros(2), TimestepPlan(q, ((0, 4), (4, 7), (7, 10)),
                                                                                          (2, 2, 2)))
    assert np.isnan(shared.decoder()).all() and np.isnan(shared.steps()).all()


def test_the_interval_is_two_sided_95_percent_so_its_upper_end_is_a_97_5_percent_bound():
    """What the corner page says of its interval: ±Z95 standard errors with Z95 the normal's 97.5% quantile, a
    two-sided 95% interval whose upper end alone is a one-sided 97.5% bound."""
    from statistics import NormalDist

    from diffusion_core.likelihood.estimate import Z95

    assert Z95 == pytest.approx(NormalDist().inv_cdf(0.975), abs=1e-12)
    assert NormalDist().cdf(Z95) - NormalDist().cdf(-Z95) == pytest.approx(0.95, abs=1e-12)
