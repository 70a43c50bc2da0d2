"""From this app to Stable Diffusion (diffusion_core.live.latent_space): every size is exact, checked against the
plain length of the whole number where it can be written out, and the words carry those numbers."""

from __future__ import annotations

import sys

from diffusion_core.live.latent_space import sizes, words


def digits(n: int) -> int:
    """The plain length of n written out (the oracle: Python's own conversion, its 4,300-digit guard lifted)."""
    limit = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)
    try:
        return len(str(n))
    finally:
        sys.set_int_max_str_digits(limit)


def test_the_sizes_are_exact():
    s = sizes((1, 28, 28))
    assert (s.picture_values, s.latent_values, s.ratio) == (786_432, 16_384, 48.0)
    assert s.app_values == 784 and s.app_digits == digits(256**784) == 1889
    assert s.picture_digits == 1_893_917  # floor(786,432 · log10 256) + 1, certified by the image-space arithmetic
    assert s.latent_bits == 524_288 and s.picture_bits == 6_291_456
    assert s.latent_bit_patterns_digits == digits(2**524_288)
    assert sizes((3, 32, 32)).app_digits == digits(256**3072) == 7399


def test_the_words_say_the_numbers_and_no_count_of_latents():
    said = " ".join(words(sizes((3, 32, 32))))
    for number in ("3,072", "7,399", "786,432", "1,893,917", "16,384", "48 times fewer", "524,288", "157,827",
                   "6,291,456"):
        assert number in said, number
    assert "real numbers" in said and "text encoder" in said
