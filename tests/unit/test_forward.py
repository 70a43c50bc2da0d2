"""The forward process (DDPM eq. 2 and 4) and its statistics, checked against independent oracles:
diffusers' DDPMScheduler, direct numpy computation, the stdlib normal density, brute-force counting."""

from __future__ import annotations

import itertools
import math
from statistics import NormalDist

import numpy as np
import pytest
import torch
from diffusers import DDPMScheduler

from diffusion_core.forward import process as fw
from diffusion_core.forward import stats as fs
from diffusion_core.forward.schedules import NoiseSchedule
from diffusion_core.images.pixels import to_model_space, to_pixels

DIFFUSERS_NAMES = {"linear": "linear", "cosine": "squaredcos_cap_v2"}


def _image(shape=(24, 32, 3), seed=1) -> np.ndarray:
    """A smooth, structured uint8 test image (a gradient plus a disc), not noise."""
    h, w = shape[:2]
    yy, xx = np.mgrid[0:h, 0:w]
    img = 40 + 150 * xx / w + 60 * ((yy - h / 2) ** 2 + (xx - w / 2) ** 2 < (h / 3) ** 2)
    img = np.clip(img, 0, 255).astype(np.uint8)
    return np.stack([img, img[::-1], 255 - img], axis=2) if len(shape) == 3 else img


# ---------------------------------------------------------------- schedules vs diffusers
@pytest.mark.parametrize("kind", ["linear", "cosine"])
def test_alpha_bar_matches_diffusers(kind):
    ours = NoiseSchedule(kind, 1000)
    ref = DDPMScheduler(num_train_timesteps=1000, beta_schedule=DIFFUSERS_NAMES[kind])
    np.testing.assert_allclose(ours.alpha_bar, ref.alphas_cumprod.double().numpy(), rtol=2e-6, atol=1e-9)
    np.testing.assert_allclose(fw.alpha_bar_with_zero(ours)[1:], ours.alpha_bar)
    assert fw.alpha_bar_with_zero(ours)[0] == 1.0


@pytest.mark.parametrize("kind", ["linear", "cosine"])
@pytest.mark.parametrize("T", [10, 100, 1000, 2000])
def test_alpha_bar_strictly_decreasing_in_unit_interval(kind, T):
    ab = fw.alpha_bar_with_zero(NoiseSchedule(kind, T))
    assert ab.shape == (T + 1,)
    assert np.all(np.diff(ab) < 0)
    assert ab[-1] >= 0 and ab[-1] < 0.01  # almost pure noise at t = T
    assert np.all(np.diff(NoiseSchedule(kind, T).log_snr) < 0)


@pytest.mark.parametrize("kind", ["linear", "cosine"])
@pytest.mark.parametrize("t", [1, 10, 500, 999, 1000])
def test_q_sample_matches_diffusers_add_noise(kind, t):
    schedule = NoiseSchedule(kind, 1000)
    x0 = to_model_space(_image())
    eps = fw.fixed_noise(x0.shape, seed=3)
    ref = DDPMScheduler(num_train_timesteps=1000, beta_schedule=DIFFUSERS_NAMES[kind])
    expected = ref.add_noise(torch.from_numpy(x0), torch.from_numpy(eps), torch.tensor([t - 1])).numpy()
    # diffusers forms 1 - ᾱ_t in float32 (relative error ~1e-3 when ᾱ_t ≈ 0.9999); we use float64.
    np.testing.assert_allclose(fw.q_sample(x0, t, schedule, eps), expected, atol=2e-5)


# ---------------------------------------------------------------- the process itself
def test_pixel_scaling_round_trips_every_level():
    levels = np.arange(256, dtype=np.uint8)
    x = to_model_space(levels)
    assert x[0] == -1.0 and x[-1] == 1.0
    np.testing.assert_array_equal(to_pixels(x), levels)
    np.testing.assert_array_equal(to_pixels(np.array([-3.0, 5.0])), [0, 255])  # clipped for display


def test_t_zero_is_the_image_and_the_slider_is_continuous():
    schedule = NoiseSchedule("cosine", 1000)
    pixels = _image()
    x0 = to_model_space(pixels)
    eps = fw.fixed_noise(x0.shape, seed=0)
    np.testing.assert_array_equal(fw.frame(x0, eps, 0, schedule), pixels)
    # Fixed ε: neighbouring timesteps differ by a little, never by a fresh draw of noise.
    steps = [np.abs(fw.q_sample(x0, t + 1, schedule, eps) - fw.q_sample(x0, t, schedule, eps)).max()
             for t in range(0, 1000, 37)]
    assert max(steps) < 0.2
    np.testing.assert_array_equal(fw.fixed_noise(x0.shape, 0), eps)  # reproducible
    assert not np.array_equal(fw.fixed_noise(x0.shape, 1), eps)


def test_the_fixed_noise_is_the_stream_the_browser_draws():
    """The jump's ε is noise_stream.gaussian of the seed (the browser's player draws it bit for bit the same), not a
    numpy generator the browser cannot reproduce."""
    from diffusion_core.forward.noise_stream import gaussian

    for shape, seed in (((4, 5), 0), ((28, 28), 7), ((3, 2, 3), 2**31 - 1)):
        np.testing.assert_array_equal(fw.fixed_noise(shape, seed), gaussian(shape, seed))
        assert fw.fixed_noise(shape, seed).dtype == np.float32


def test_the_frame_is_the_pixels_the_browser_draws():
    """fw.frame (the server's pictures of x_t: the jump beside the steps, the filmstrip, the squint picture's twin) is
    the player's frame, pixel for pixel: x_t in float64 from the float32 x₀ and ε. The float32 jump the page drew
    before differed from the browser in 30 pixels of these 143 frames (the first at t = 21, pixel (196, 70, 0))."""
    from diffusion_core.forward.noise_stream import forward_pixels, gaussian

    schedule = NoiseSchedule("cosine", 1000)
    pixels = np.random.default_rng(0).integers(0, 256, (256, 256, 3), dtype=np.uint8)
    x0, eps = to_model_space(pixels), gaussian(pixels.shape, 0)
    ab = fw.alpha_bar_with_zero(schedule)
    for t in (0, 21, 49, *range(1, 1001, 97), 1000):
        np.testing.assert_array_equal(fw.frame(x0, eps, t, schedule), forward_pixels(pixels, eps, ab[t]), err_msg=str(t))


@pytest.mark.parametrize("kind", ["linear", "cosine"])
def test_iterated_steps_match_the_jump_in_mean_and_variance(kind):
    """N chains of eq. 2 from the same x_0 against eq. 4's N(sqrt(ᾱ_t) x_0, (1 - ᾱ_t) I)."""
    schedule = NoiseSchedule(kind, 1000)
    x0 = np.array([-0.9, -0.2, 0.4, 1.0], dtype=np.float32)
    n = 10_000
    jump_eps = np.random.default_rng(7).standard_normal((n, 4)).astype(np.float32)
    for t in (1, 250, 1000):
        ab = fw.alpha_bar_with_zero(schedule)[t]
        iterated = fw.iterate_steps(np.tile(x0, (n, 1)), t, schedule, seed=11)
        jumped = fw.q_sample(np.tile(x0, (n, 1)), t, schedule, jump_eps)
        mean_tol = 5 * math.sqrt((1 - ab) / n)
        var_tol = 5 * (1 - ab) * math.sqrt(2 / n)
        for xs in (iterated, jumped):
            np.testing.assert_allclose(xs.mean(0), math.sqrt(ab) * x0, atol=mean_tol)
            np.testing.assert_allclose(xs.var(0), np.full(4, 1 - ab), atol=var_tol)
        np.testing.assert_allclose(iterated.mean(0), jumped.mean(0), atol=2 * mean_tol)
        np.testing.assert_allclose(iterated.var(0), jumped.var(0), atol=2 * var_tol)


def test_iterated_steps_are_seeded_and_report_progress():
    schedule = NoiseSchedule("linear", 50)
    x0 = to_model_space(_image((8, 8)))
    seen = []
    a = fw.iterate_steps(x0, 50, schedule, seed=5, on_step=seen.append)
    assert seen == list(range(1, 51))
    np.testing.assert_array_equal(a, fw.iterate_steps(x0, 50, schedule, seed=5))
    np.testing.assert_array_equal(fw.iterate_steps(x0, 0, schedule, seed=5), x0)
    # One step by hand, eq. 2.
    beta = schedule.betas[0]
    expected = np.sqrt(1 - beta) * x0 + np.sqrt(beta) * fw.step_noise(x0.shape, 5, 1)
    np.testing.assert_allclose(fw.iterate_steps(x0, 1, schedule, seed=5), expected, atol=1e-6)


@pytest.mark.parametrize("bad", [-1, 51, 2.5, "3", True, None])
def test_bad_timesteps_are_refused(bad):
    schedule = NoiseSchedule("linear", 50)
    with pytest.raises(ValueError, match=r"\[0, 50\]"):
        fw.q_sample(np.zeros(3, np.float32), bad, schedule, np.zeros(3, np.float32))


def test_standardized_noise_recovers_eps():
    schedule = NoiseSchedule("cosine", 200)
    x0 = to_model_space(_image())
    eps = fw.fixed_noise(x0.shape, 2)
    np.testing.assert_allclose(fw.standardized_noise(fw.q_sample(x0, 60, schedule, eps), x0, 60, schedule),
                               eps, atol=1e-4)
    with pytest.raises(ValueError):
        fw.standardized_noise(x0, x0, 0, schedule)


# ---------------------------------------------------------------- statistics
@pytest.mark.parametrize("shape", [(24, 32), (24, 32, 3)])
def test_curves_equal_direct_computation(shape):
    schedule = NoiseSchedule("linear", 300)
    x0 = to_model_space(_image(shape))
    eps = fw.fixed_noise(x0.shape, 4)
    m = fs.PairMoments.of(x0, eps)
    ab = fw.alpha_bar_with_zero(schedule)
    corr, psnr, dist = fs.correlation_curve(m, ab), fs.psnr_curve(m, ab), fs.distance_curve(m, ab)
    assert corr.shape == psnr.shape == dist.shape == (301,)
    assert corr[0] == pytest.approx(1.0) and psnr[0] == np.inf and dist[0] == pytest.approx(0.0, abs=1e-3)
    for t in (1, 17, 150, 300):
        xt = fw.q_sample(x0, t, schedule, eps).astype(np.float64)
        diff = xt - x0
        assert corr[t] == pytest.approx(np.corrcoef(xt.ravel(), x0.ravel())[0, 1], abs=1e-6)
        assert psnr[t] == pytest.approx(10 * np.log10(4 / np.mean(diff**2)), abs=1e-4)
        assert dist[t] == pytest.approx(127.5 * np.linalg.norm(diff), rel=1e-5)


def test_flat_image_has_undefined_correlation():
    x0 = np.zeros((4, 4), np.float32)
    m = fs.PairMoments.of(x0, fw.fixed_noise(x0.shape, 0))
    assert np.all(np.isnan(fs.correlation_curve(m, np.array([1.0, 0.5]))))


def test_expected_distance_matches_monte_carlo():
    schedule = NoiseSchedule("cosine", 100)
    x0 = to_model_space(_image((6, 5)))
    ab = float(fw.alpha_bar_with_zero(schedule)[40])
    rng = np.random.default_rng(0)
    d2 = [np.sum((127.5 * (fw.q_sample(x0, 40, schedule, rng.standard_normal(x0.shape, np.float32)) - x0)) ** 2)
          for _ in range(4000)]
    assert fs.expected_distance(x0, ab) == pytest.approx(math.sqrt(np.mean(d2)), rel=0.01)


def test_crossover_is_where_noise_first_outgrows_contrast():
    schedule = NoiseSchedule("linear", 1000)
    x0 = to_model_space(_image())
    ab = fw.alpha_bar_with_zero(schedule)
    std = float(np.std(x0.astype(np.float64)))
    expected = next(t for t in range(1, 1001) if math.sqrt(ab[t]) * std <= math.sqrt(1 - ab[t]))
    assert fs.crossover_t(x0, ab) == expected
    assert fs.crossover_t(np.array([-1.0, 1.0]), np.array([1.0, 0.9])) == 2  # never happens: T + 1


def test_histogram_against_normal_density_and_counts():
    z = np.random.default_rng(0).standard_normal(400_000)
    centres, density, outside = fs.histogram(z)
    width = centres[1] - centres[0]
    assert density.sum() * width == pytest.approx(1 - outside)
    assert outside == pytest.approx(np.mean(np.abs(z) > 4))
    np.testing.assert_allclose(fs.normal_pdf(centres), [NormalDist().pdf(c) for c in centres], rtol=1e-12)
    np.testing.assert_allclose(density, fs.normal_pdf(centres), atol=0.01)  # N(0,1) samples look normal
    _, d2, out2 = fs.histogram(np.array([5.0, -0.05, 0.05, 0.05]))
    assert out2 == 0.25 and d2.sum() * width == pytest.approx(0.75)


@pytest.mark.parametrize("levels,n", [(5, 1), (5, 2), (4, 3)])
def test_noise_ball_bound_holds_against_brute_force(levels, n):
    points = np.array(list(itertools.product(range(levels), repeat=n)), dtype=np.float64)
    for radius in (0.0, 0.5, 1.0, 1.5, 2.3, 4.0, 9.0):
        worst = max(np.sum(np.linalg.norm(points - c, axis=1) <= radius) for c in points)
        fraction = worst / levels**n
        bound = fs.noise_ball_log10_bound(n, radius, levels)
        assert bound <= 0.0
        assert math.log10(fraction) <= bound + 1e-12, (radius, fraction, bound)


def test_noise_ball_bound_for_a_real_image_size():
    n = 128 * 128 * 3
    tiny = fs.noise_ball_log10_bound(n, radius=0.0)
    # One image in 256^n: the bound is above -n log10(256) but within a factor 10^(n·0.7).
    assert -n * math.log10(256) <= tiny < -n
    assert fs.noise_ball_log10_bound(n, radius=300.0 * math.sqrt(n)) == 0.0  # uninformative: capped
    with pytest.raises(ValueError):
        fs.noise_ball_log10_bound(0, 1.0)


def _mp_log10_bound(n: int, radius: float, levels: int = 256):
    """Oracle: log10 of the noise-ball bound with mpmath at 60 digits."""
    import mpmath

    with mpmath.workdps(60):
        big_r = mpmath.mpf(radius) + mpmath.sqrt(n) / 2
        return (mpmath.mpf(n) / 2 * mpmath.log(mpmath.pi) + n * mpmath.log(big_r)
                - mpmath.loggamma(mpmath.mpf(n) / 2 + 1) - n * mpmath.log(levels)) / mpmath.log(10)


@pytest.mark.parametrize("n", [1, 2, 3, 784, 785, 3072, 3999, 4001, 4002, 49_152, 294_912, 3 * 1024 * 1024])
def test_noise_ball_rarity_is_the_exact_floor(n):
    """"At most one in 10^N": N is the floor of −log10(bound), as mpmath computes it at 60 digits (both branches of
    ln Γ: exact integers up to n/2 = 2,000, Stirling's series with its remainder above); None where it says nothing."""
    import mpmath

    for radius in (0.0, 1.0, 100.0, 3.3 * math.sqrt(n), 50.0 * math.sqrt(n)):
        exact = _mp_log10_bound(n, radius)
        want = None if exact >= 0 else int(mpmath.floor(-exact))
        assert fs.noise_ball_rarity(n, radius) == want, (n, radius, exact)


def test_noise_ball_rarity_rounds_toward_the_weaker_claim_without_a_fudge():
    """A radius whose bound is 10^-(K + 1e-9): the claim is "one in 10^K", exactly. The float formula needed a
    −1e-6 fudge to be safe and then said one in 10^(K − 1); a bound a hair above 10^-K gives K − 1."""
    import mpmath

    n, K = 784, 1500
    with mpmath.workdps(60):
        rest = _mp_log10_bound(n, 0.0) - n * mpmath.log10(mpmath.sqrt(n) / 2)  # log10 bound = rest + n log10 R
        for gap, want in ((mpmath.mpf("1e-9"), K), (mpmath.mpf("-1e-9"), K - 1)):
            big_r = mpmath.power(10, (-(K + gap) - rest) / n)
            radius = float(big_r - mpmath.sqrt(n) / 2)
            exact = -_mp_log10_bound(n, radius)
            assert abs(exact - (K + gap)) < 1e-12  # the float radius keeps the gap
            assert fs.noise_ball_rarity(n, radius) == want
            assert math.floor(-fs.noise_ball_log10_bound(n, radius) - 1e-6) == K - 1  # the old page's answer


@pytest.mark.parametrize("levels,n", [(5, 1), (5, 2), (4, 3)])
def test_noise_ball_rarity_holds_against_brute_force(levels, n):
    points = np.array(list(itertools.product(range(levels), repeat=n)), dtype=np.float64)
    for radius in (0.0, 0.5, 1.0, 2.3):
        worst = max(np.sum(np.linalg.norm(points - c, axis=1) <= radius) for c in points)
        rarity = fs.noise_ball_rarity(n, radius, levels)
        assert rarity is None or worst / levels**n <= 10.0**-rarity
