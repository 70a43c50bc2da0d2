"""The counter-based noise stream: the hash against plain-Python integers, N(0, 1) by statistics over 10^6 draws,
independent neighbours and seeds, reproducible without global state, pinned values, and the frame the browser draws.

The browser's copy (pages/frame_player/noise_stream.js) is compared bit for bit in tests/e2e/test_e2e_frame_player.py.
"""

from __future__ import annotations

import math
import statistics

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diffusion_core.forward import noise_stream as ns
from diffusion_core.forward.process import alpha_bar_with_zero, frame
from diffusion_core.forward.schedules import NoiseSchedule
from diffusion_core.images.pixels import to_model_space, to_pixels

N = 10**6
MASK = 0xFFFFFFFF


# ---------------------------------------------------------------- an independent oracle: Python ints, math's libm
def _triple32(x: int) -> int:
    x ^= x >> 17
    x = (x * 0xED5AD4BB) & MASK
    x ^= x >> 11
    x = (x * 0xAC4C1B51) & MASK
    x ^= x >> 15
    x = (x * 0x31848BAB) & MASK
    return x ^ (x >> 14)


def _lowbias32(x: int) -> int:
    x ^= x >> 16
    x = (x * 0x7FEB352D) & MASK
    x ^= x >> 15
    x = (x * 0x846CA68B) & MASK
    return x ^ (x >> 16)


def _bits(i: int, seed: int) -> int:
    k0 = _triple32((seed + 0x9E3779B9) & MASK)
    k1 = _triple32((seed + 2 * 0x9E3779B9) & MASK)
    return _lowbias32(_triple32((i + k0) & MASK) ^ k1)


def _normal(i: int, seed: int) -> float:
    p = i - i % 2
    u1, u2 = ((_bits(p, seed) + 0.5) / 2**32, (_bits(p + 1, seed) + 0.5) / 2**32)
    r = math.sqrt(-2.0 * math.log(u1))
    return r * (math.cos(2 * math.pi * u2) if i % 2 == 0 else math.sin(2 * math.pi * u2))


@pytest.fixture(scope="module")
def draws() -> np.ndarray:
    return ns.gaussian(N, 20261207).astype(np.float64)


# ---------------------------------------------------------------- the construction
@pytest.mark.parametrize("seed", [0, 1, 2**31 - 1, 2**32 - 1, 123456789])
def test_bits_are_the_documented_hash_of_seed_and_counter(seed):
    counters = [0, 1, 2, 3, 1000, 2**20 + 7, 393_215]
    for i in counters:
        assert int(ns.uniform_bits(1, seed, start=i)[0]) == _bits(i, seed)
    assert ns.uniform_bits(1000, seed).tolist() == [_bits(i, seed) for i in range(1000)]


@pytest.mark.parametrize("seed", [0, 7, 2**32 - 1])
def test_gaussians_are_box_muller_of_the_uniforms(seed):
    want = np.array([_normal(i, seed) for i in range(4001)])
    got = ns.gaussian_float64(4001, seed)
    np.testing.assert_allclose(got, want, rtol=4e-16, atol=4e-16)  # libm's ulps apart at most
    assert (ns.gaussian(4001, seed) == want.astype(np.float32)).all()


def test_pinned_values():
    """A change of constants, order or rounding anywhere shows here (and would desynchronise the browser)."""
    assert ns.keys(0) == (4249023594, 3363761802)
    assert ns.uniform_bits(4, 0).tolist() == [661417133, 2483461900, 2630321128, 4064472968]
    first = ns.gaussian(6, 0)  # -1.70534682, -0.91291916, 0.93452424, -0.32762852, -0.86433625, 0.11560187
    assert first.view(np.uint32).tolist() == [3218753742, 3211375890, 1064254715, 3198664429, 3210560804, 1038925997]


def test_uniforms_lie_strictly_inside_0_1_and_are_exact():
    u = ns.uniforms(N, 5)
    assert u.min() > 0 and u.max() < 1
    assert ((u * 2**32 - 0.5) == ns.uniform_bits(N, 5)).all()
    assert ns.uniforms(1, 0)[0] == (661417133 + 0.5) / 2**32


# ---------------------------------------------------------------- reproducible, no global state
def test_reproducible_and_leaves_numpy_global_state_alone():
    np.random.seed(1)
    before = np.random.get_state()[1].copy()
    a = ns.gaussian((64, 48, 3), 99)
    np.random.standard_normal(10)  # anything between two calls changes nothing
    b = ns.gaussian((64, 48, 3), 99)
    np.random.seed(1)
    assert (a == b).all() and a.dtype == np.float32 and a.shape == (64, 48, 3)
    assert (np.random.get_state()[1] == before).all()
    assert not (ns.gaussian((64, 48, 3), 100) == a).all()


@settings(max_examples=40, deadline=None)
@given(shape=st.lists(st.integers(0, 7), min_size=1, max_size=3), seed=st.integers(0, 2**32 - 1))
def test_an_element_depends_only_on_seed_and_its_flat_index(shape, seed):
    z = ns.gaussian(tuple(shape), seed)
    n = int(np.prod(shape))
    longer = ns.gaussian(n + 3, seed)
    assert z.shape == tuple(shape)
    assert (z.reshape(-1) == longer[:n]).all()


@pytest.mark.parametrize("seed", [-1, 2**32, 1.0, True, "3", None])
def test_bad_seeds_are_refused(seed):
    with pytest.raises(ValueError, match="seed"):
        ns.gaussian(4, seed)


def test_bad_shapes_and_counts_are_refused():
    with pytest.raises(ValueError):
        ns.gaussian((2, -1), 0)
    with pytest.raises(ValueError):
        ns.uniform_bits(5, 0, start=2**32 - 2)
    assert ns.gaussian(0, 0).shape == (0,)


# ---------------------------------------------------------------- N(0, 1), by the numbers
def test_mean_variance_and_tails_over_a_million_draws(draws):
    se = 1 / math.sqrt(N)
    assert abs(draws.mean()) < 5 * se
    assert abs(draws.var() - 1) < 5 * math.sqrt(2 / N)
    assert abs(np.mean(draws**3)) < 5 * math.sqrt(15 / N)  # skewness: E z³ = 0, Var z³ = 15
    assert abs(np.mean(draws**4) - 3) < 5 * math.sqrt(96 / N)  # kurtosis: E z⁴ = 3, Var z⁴ = 96
    p3 = math.erfc(3 / math.sqrt(2))  # P(|z| > 3) = 0.0027
    assert abs(np.mean(np.abs(draws) > 3) - p3) < 5 * math.sqrt(p3 * (1 - p3) / N)


def test_kolmogorov_smirnov_against_the_normal_cdf(draws):
    z = np.sort(draws)
    cdf = 0.5 * np.frompyfunc(math.erfc, 1, 1)(-z / math.sqrt(2)).astype(np.float64)
    k = np.arange(1, N + 1)
    d = max(np.max(k / N - cdf), np.max(cdf - (k - 1) / N))
    assert d * math.sqrt(N) < 1.95  # the 0.1% critical value of the KS statistic


def test_chi_square_over_100_equiprobable_bins(draws):
    edges = [statistics.NormalDist().inv_cdf(q / 100) for q in range(1, 100)]
    counts = np.bincount(np.searchsorted(edges, draws), minlength=100)
    chi2 = float(((counts - N / 100) ** 2 / (N / 100)).sum())
    assert chi2 < 160  # 99 degrees of freedom: P(chi² > 160) ≈ 10⁻⁴


def test_the_uniform_bits_fill_every_byte_evenly():
    bits = ns.uniform_bits(N, 3)
    for shift in (0, 8, 16, 24):
        counts = np.bincount((bits >> np.uint32(shift)) & np.uint32(255), minlength=256)
        chi2 = float(((counts - N / 256) ** 2 / (N / 256)).sum())
        assert chi2 < 345, f"byte at bit {shift}"  # 255 degrees of freedom: P(chi² > 345) ≈ 10⁻⁴


def test_neighbours_pairs_and_seeds_are_uncorrelated(draws):
    limit = 5 / math.sqrt(N / 2)

    def corr(a, b):
        return float(np.corrcoef(a, b)[0, 1])

    assert abs(corr(draws[:-1], draws[1:])) < limit  # lag 1 (a Box–Muller pair's two halves, half the time)
    assert abs(corr(draws[0::2], draws[1::2])) < limit  # a pair's two values
    assert abs(corr(draws[0::2] ** 2, draws[1::2] ** 2)) < limit  # independent, not just uncorrelated: same radius
    assert abs(corr(draws[:-2], draws[2:])) < limit  # next pair
    assert abs(corr(draws[:-640], draws[640:])) < limit  # the pixel below, in a 640-value row
    other = ns.gaussian(N, 20261208).astype(np.float64)  # the next seed
    assert abs(corr(draws, other)) < limit
    bits_a, bits_b = ns.uniform_bits(N, 0), ns.uniform_bits(N, 1)
    assert np.mean(bits_a == bits_b) < 1e-4  # seeds do not share their streams


# ---------------------------------------------------------------- the frame the browser draws
def test_forward_pixels_at_the_ends_and_against_the_float32_page():
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, (40, 30, 3), dtype=np.uint8)
    eps = ns.gaussian(pixels.shape, 11)
    assert (ns.forward_pixels(pixels, eps, 1.0) == pixels).all()  # t = 0: x_0 itself
    assert (ns.forward_pixels(pixels, eps, 0.0) == to_pixels(eps)).all()  # ᾱ = 0: pure noise
    schedule = NoiseSchedule("cosine", 1000)
    ab = alpha_bar_with_zero(schedule)
    for t in (1, 250, 617, 999):
        mine = ns.forward_pixels(pixels, eps, ab[t]).astype(int)
        x = np.sqrt(ab[t]) * to_model_space(pixels).astype(np.float64) + np.sqrt(1 - ab[t]) * eps.astype(np.float64)
        assert (mine == to_pixels(x)).all()
        page = frame(to_model_space(pixels), eps, t, schedule).astype(int)  # today's float32 eq. 4
        assert np.abs(mine - page).max() <= 1 and np.mean(mine != page) < 1e-3


def test_forward_pixels_refuses_a_wrong_shape_or_alpha_bar():
    pixels = np.zeros((4, 4), np.uint8)
    with pytest.raises(ValueError, match="shape"):
        ns.forward_pixels(pixels, ns.gaussian((4, 5), 0), 0.5)
    with pytest.raises(ValueError, match="alpha_bar"):
        ns.forward_pixels(pixels, ns.gaussian((4, 4), 0), 1.5)
