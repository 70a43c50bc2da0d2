"""The rigorous counts: the compressor's descriptions against brute force on tiny images, the exact powers of ten
against Python's integers, and where noise lives against sampling."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from diffusion_core.likelihood.compress import at_most_described, compress, decode, png_file
from diffusion_core.likelihood.corner import bits_ceiling, corner, corner_of_bound, corner_of_description
from diffusion_core.likelihood.typical import gaussian_shell, norms, uniform_images, uniform_shell


def _tiny_images() -> list[np.ndarray]:
    """All 16 images of 2 x 2 pixels with 2 levels (black and white)."""
    return [np.array(bits, dtype=np.uint8).reshape(2, 2) * 255 for bits in itertools.product((0, 1), repeat=4)]


def test_every_tiny_image_comes_back_from_its_description():
    for image in _tiny_images():
        c = compress(image)
        np.testing.assert_array_equal(decode(c.method, c.payload, image.shape), image)
        assert c.bits == 1 + 8 * len(c.payload)


def test_compressor_count_against_brute_force_on_tiny_images():
    images = _tiny_images()
    descriptions = [compress(im) for im in images]
    strings = {(c.method, c.payload) for c in descriptions}
    assert len(strings) == len(images)  # distinct images, distinct descriptions
    for k in range(max(c.bits for c in descriptions) + 1):
        short = sum(c.bits <= k for c in descriptions)
        assert short <= at_most_described(k)
    for k in range(12):  # the count itself: every bit string of length 0..k
        assert at_most_described(k) == sum(1 for n in range(k + 1) for _ in itertools.product("01", repeat=n))


@pytest.mark.parametrize("shape", [(28, 28), (32, 32, 3), (5, 3)])
def test_real_sized_images_round_trip_and_beat_their_files(shape):
    image = np.random.default_rng(0).integers(0, 4, shape, dtype=np.uint8) * 60
    c = compress(image)
    np.testing.assert_array_equal(decode(c.method, c.payload, shape), image)
    assert c.bits < min(c.file_bits.values())  # the headers a known shape makes redundant are not charged
    assert c.file_bits["PNG"] == 8 * len(png_file(image))


def test_compress_refuses_what_is_not_8_bit_pixels():
    with pytest.raises(ValueError, match="uint8"):
        compress(np.zeros((4, 4), dtype=np.float32))
    with pytest.raises(ValueError):
        at_most_described(-1)


@given(st.integers(0, 3000), st.integers(1, 400), st.sampled_from([1, 2, 8]))
def test_corner_powers_of_ten_against_python_integers(bits, dims, level_bits):
    c = corner(bits, dims, level_bits)
    assert 2**bits < 10**c.count_digits  # at most 2^K images ... fewer than 10^N
    assert c.space_digits == len(str(2 ** (level_bits * dims)))
    if bits < level_bits * dims:
        ratio = 2 ** (level_bits * dims - bits)  # all images / those at least as plausible
        assert 10**c.fraction_digits <= ratio < 10 ** (c.fraction_digits + 1)  # one in 10^M, M the largest
    else:
        assert c.fraction_digits is None


def test_corner_of_the_tiny_space_by_brute_force():
    """2 x 2 images, 2 levels: 16 images in all. A description of k bits leaves at most 2^(k+1) - 1."""
    c = corner_of_description(2, dims=4, level_bits=1)  # 2^3 = 8 images at most: one in 2 of the 16
    assert (c.bits, c.count_digits, c.fraction_digits, c.space_digits) == (3, 1, 0, 2)
    assert corner_of_bound(3.0000000001, dims=4, level_bits=1).bits == 4  # a float bound rounds up
    assert bits_ceiling(783.5) == 784
    assert bits_ceiling(784.0) == 785  # a float that reads 784 may be the rounding of a little more
    with pytest.raises(ValueError):
        bits_ceiling(float("nan"))


def test_gaussian_noise_lives_in_a_thin_shell():
    shell = gaussian_shell(784)
    assert shell.mean == pytest.approx(math.sqrt(783.5), abs=1e-3) and shell.sd == pytest.approx(1 / math.sqrt(2), rel=1e-2)
    sample = norms(np.random.default_rng(0).standard_normal((4000, 784)))
    assert sample.mean() == pytest.approx(shell.mean, abs=0.05) and sample.std() == pytest.approx(shell.sd, rel=0.05)
    assert gaussian_shell(1).mean == pytest.approx(math.sqrt(2 / math.pi))  # the half-normal's mean, exact


def test_uniform_images_live_in_a_thin_shell_too():
    shell = uniform_shell(784)
    from diffusion_core.images.pixels import to_model_space

    sample = norms(to_model_space(uniform_images(4000, (28, 28), seed=1)))
    assert sample.mean() == pytest.approx(shell.mean, rel=2e-3) and sample.std() == pytest.approx(shell.sd, rel=0.1)
    assert shell.sd < 0.03 * shell.mean


def test_a_length_is_about_as_long_as_a_shell_within_fifteen_percent():
    shell = gaussian_shell(784)  # radius ≈ 27.99
    assert shell.compare(shell.mean) == "about" and shell.compare(shell.mean * 1.14) == "about"
    assert shell.compare(shell.mean * 0.84) == "shorter" and shell.compare(shell.mean * 1.16) == "longer"
    assert shell.compare(shell.mean * 1.16, within=0.2) == "about"


def test_the_wide_corner_charts_have_a_narrow_version_for_phones():
    """The corner page draws its three wide charts again at NARROW units for a phone (at 1,000 units a 390 px phone
    shrank their text to 5 px): the same marks and legend, taller for the wrapped legend, a title that fits."""
    import re

    from diffusion_core.likelihood.charts import NARROW, WIDTH, histogram_chart, profile_chart

    rng = np.random.default_rng(0)
    sets = {"real": ("held-out real images", rng.uniform(1, 2, 50)), "noise": ("uniform noise", rng.uniform(20, 30, 50))}
    wide, narrow = (histogram_chart(sets, (1.5, 1.4, 1.6), 1.8, description="d", width=w) for w in (WIDTH, NARROW))
    assert f'width="{WIDTH}"' in wide and f'width="{NARROW}"' in narrow
    height = [int(re.search(r'height="(\d+)"', svg).group(1)) for svg in (wide, narrow)]
    assert height[1] > height[0]
    assert wide.count("<rect") == narrow.count("<rect") and "held-out real images (50)" in narrow
    curves = {"this image": (rng.uniform(0, 1, 1000), "#ff0000", "solid")}
    title = re.findall(r">([^<]*L\(x\)[^<]*)</text>", profile_chart(curves, width=NARROW))
    assert title == ["Share of L(x) in the walk&#x27;s last t steps"]  # the wide title ran past 480 units
