"""The exact quantities of diffusion on 2-D Gaussian mixtures, each against an independent oracle.

* the score ∇ log p_t: torch autograd of a separately written log-density (torch.distributions), and central
  finite differences of our own log p_t;
* E[x_0 | x_t]: Monte Carlo, weighting draws of x_0 by the Gaussian kernel q(x_t | x_0) (uses only the sampler);
* ε* = E[ε | x_t]: its residual E‖ε − ε*‖² equals E‖ε‖² − E‖ε*‖² (the conditional mean's defining property);
* the data sets themselves: weights, labels, covariances, validation of a reader's points.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from diffusion_core.toy2d import exact
from diffusion_core.toy2d.datasets import (
    DATASET_TITLES,
    LIMIT,
    MAX_POINTS,
    GaussianMixture,
    check_points,
    dataset,
    heart_points,
    point_set,
)

NAMES = [name for name in DATASET_TITLES if name != "points"]


def _torch_log_p(mix: GaussianMixture, x: torch.Tensor, a: float) -> torch.Tensor:
    """log p_t(x) with torch.distributions: sum_k w_k N(x; √a m_k, a S_k + (1 − a) I)."""
    means = torch.tensor(mix.means) * a**0.5
    covs = torch.tensor(mix.covs) * a + (1 - a) * torch.eye(2, dtype=torch.float64)
    comps = torch.distributions.MultivariateNormal(means, covariance_matrix=covs)
    return torch.logsumexp(comps.log_prob(x[:, None, :]) + torch.log(torch.tensor(mix.weights)), dim=1)


@pytest.mark.parametrize("name", NAMES + ["points"])
@pytest.mark.parametrize("a", [0.999, 0.7, 0.2, 0.01])
def test_score_and_density_match_autograd_of_an_independent_density(name, a):
    mix = dataset(name)
    x = np.random.default_rng(1).uniform(-2.5, 2.5, (64, 2))
    xt = torch.tensor(x, requires_grad=True)
    log_p = _torch_log_p(mix, xt, a)
    (grad,) = torch.autograd.grad(log_p.sum(), xt)
    post = exact.posterior(mix, x, a)
    np.testing.assert_allclose(post.log_p, log_p.detach().numpy(), rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(post.score, grad.numpy(), rtol=1e-7, atol=1e-7 * np.abs(grad.numpy()).max())
    np.testing.assert_allclose(post.eps, -np.sqrt(1 - a) * grad.numpy(), rtol=1e-7, atol=1e-7)


@pytest.mark.parametrize("name", ["blobs", "moons", "smiley"])
def test_score_matches_finite_differences_of_log_p(name):
    mix, a, h = dataset(name), 0.5, 1e-5
    x = np.random.default_rng(2).uniform(-2, 2, (20, 2))
    fd = np.stack([(exact.log_density(mix, x + d, a) - exact.log_density(mix, x - d, a)) / (2 * h)
                   for d in (np.array([h, 0.0]), np.array([0.0, h]))], axis=1)
    np.testing.assert_allclose(exact.posterior(mix, x, a).score, fd, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name, a", [("blobs", 0.6), ("ring8", 0.3), ("moons", 0.8)])
def test_denoiser_matches_monte_carlo(name, a):
    """E[x_0 | x_t = x] = ∫ x_0 q(x | x_0) p(x_0) dx_0 / p_t(x), estimated from 400,000 draws of x_0."""
    mix = dataset(name)
    rng = np.random.default_rng(3)
    x0, _ = mix.sample(400_000, rng)
    x = exact.sample_noisy(mix, 6, a, rng)[0]
    d2 = ((x[:, None, :] - np.sqrt(a) * x0[None]) ** 2).sum(-1)
    w = np.exp(-(d2 - d2.min(axis=1, keepdims=True)) / (2 * (1 - a)))
    w /= w.sum(axis=1, keepdims=True)
    mc = w @ x0
    ess = 1.0 / (w**2).sum(axis=1)  # effective sample size behind each estimate
    spread = np.sqrt(np.einsum("nm,nmi->ni", w, (x0[None] - mc[:, None]) ** 2))
    tolerance = 5 * spread / np.sqrt(ess[:, None]) + 1e-3
    assert np.all(np.abs(exact.posterior(mix, x, a).x0_mean - mc) <= tolerance)


@pytest.mark.parametrize("name", ["ring8", "smiley"])
def test_eps_star_is_the_conditional_mean_of_the_noise(name):
    mix, rng = dataset(name), np.random.default_rng(4)
    for a in (0.95, 0.5, 0.05):
        xt, _, noise = exact.sample_noisy(mix, 200_000, a, rng)
        e = exact.eps(mix, xt, a)
        residual = ((noise - e) ** 2).sum(1).mean()
        assert residual == pytest.approx((noise**2).sum(1).mean() - (e**2).sum(1).mean(), abs=0.02)
        # and any other direction does worse: shrink or rotate it a little
        assert residual < ((noise - 0.9 * e) ** 2).sum(1).mean()


def test_per_point_noise_levels_agree_with_one_level_at_a_time():
    mix = dataset("grid9")
    x = np.random.default_rng(5).uniform(-2, 2, (30, 2))
    levels = np.linspace(0.01, 0.99, 30)
    together = exact.eps(mix, x, levels)
    one_by_one = np.stack([exact.eps(mix, x[i: i + 1], levels[i])[0] for i in range(30)])
    np.testing.assert_allclose(together, one_by_one, rtol=1e-12, atol=1e-12)
    with pytest.raises(ValueError):
        exact.eps(mix, x, 1.0)
    with pytest.raises(ValueError):
        exact.eps(mix, x, levels[:5])


def test_ideal_denoiser_snaps_to_the_nearest_training_point_at_low_noise():
    points = heart_points()
    mix = point_set(points)
    x = points + np.random.default_rng(6).normal(0, 0.02, points.shape)
    np.testing.assert_allclose(exact.posterior(mix, x, 1 - 1e-5).x0_mean, points, atol=1e-9)


def test_guided_eps_interpolates_and_extrapolates_between_unconditional_and_class():
    mix = dataset("ring8")
    x = np.random.default_rng(7).uniform(-2, 2, (10, 2))
    labels = np.full(10, 3)
    uncond, cond = exact.eps(mix, x, 0.4), exact.eps(mix.of_class(3), x, 0.4)
    np.testing.assert_allclose(exact.class_eps(mix, x, 0.4, labels, 0.0), uncond)
    np.testing.assert_allclose(exact.class_eps(mix, x, 0.4, labels, 1.0), cond)
    np.testing.assert_allclose(exact.class_eps(mix, x, 0.4, labels, 3.0), uncond + 3 * (cond - uncond))
    mixed = exact.class_eps(mix, x, 0.4, np.where(np.arange(10) < 5, 3, -1), np.linspace(0, 4, 10))
    np.testing.assert_allclose(mixed[5:], uncond[5:])  # -1: no class, whatever the scale
    np.testing.assert_allclose(mixed[:5], (uncond + np.linspace(0, 4, 10)[:, None] * (cond - uncond))[:5])


@pytest.mark.parametrize("name", NAMES)
def test_data_sets_are_valid_labelled_mixtures_inside_the_chart(name):
    mix = dataset(name)
    assert mix.weights.sum() == pytest.approx(1.0)
    assert set(np.unique(mix.labels)) == set(range(mix.num_classes))
    x, y = mix.sample(5000, np.random.default_rng(8))
    assert np.abs(x).max() < LIMIT and set(np.unique(y)) <= set(range(mix.num_classes))
    assert not mix.means.flags.writeable  # shared by sessions through the caches
    for label in range(mix.num_classes):
        assert mix.of_class(label).weights.sum() == pytest.approx(1.0)
        assert mix.of_class(label) is mix.of_class(label)  # made once
    assert dataset(name).key == mix.key  # the same numbers, the same key (caches and models are keyed by it)


def test_two_blobs_have_their_weights():
    mix = dataset("blobs")
    _, y = mix.sample(40_000, np.random.default_rng(9))
    assert (y == 0).mean() == pytest.approx(0.75, abs=0.01)


def test_a_mixture_refuses_bad_numbers():
    with pytest.raises(ValueError):
        GaussianMixture("x", "x", [(0, 0)], [[[1, 2], [0, 1]]], [1], [0], ("a",))  # not symmetric
    with pytest.raises(ValueError):
        GaussianMixture("x", "x", [(0, np.nan)], np.zeros((1, 2, 2)), [1], [0], ("a",))
    with pytest.raises(ValueError):
        GaussianMixture("x", "x", [(0, 0)], np.zeros((1, 2, 2)), [1], [1], ("a",))  # label without a name
    with pytest.raises(ValueError):
        dataset("nonsense")


def test_check_points_keeps_good_rows_and_names_every_problem():
    rows = [(0.5, 0.5), (None, 1.0), ("abc", 2), (float("nan"), 0), (9.0, 0.0), (1.0, -1.0), (1, 2, 3)]
    checked = check_points(rows)
    np.testing.assert_array_equal(checked.points, [(0.5, 0.5), (1.0, -1.0)])
    assert checked.usable
    assert any("4 rows without two numbers" in p for p in checked.problems)
    assert any("1 point outside the chart" in p for p in checked.problems)


def test_check_points_cuts_thousands_and_refuses_fewer_than_two():
    many = check_points(np.random.default_rng(10).uniform(-2, 2, (5000, 2)))
    assert len(many.points) == MAX_POINTS and many.usable
    assert any("5,000 points" in p for p in many.problems)
    one = check_points([(0.0, 0.0), (float("nan"), 1)])
    assert not one.usable and any("only one is" in p for p in one.problems)
    assert not check_points([]).usable and not check_points(None).usable
