"""What a number of bits proves about the corner of image space, as exact powers of ten (integers only).

Let an image x of D values with 2^b levels each (b = 8) be given a probability P(x) ≥ 2^−K by a model, K an integer
number of bits. Then, exactly:

* **the images at least as plausible as x number at most 2^K**: each has probability ≥ 2^−K and all
  probabilities sum to at most 1. 2^K has ``digit_count(2, K)`` = N digits, so the count is < 10^N;
* **they are at most a fraction 2^K / 2^(bD) = 2^−(bD − K) of all images**, i.e. one in at least 10^M of them
  with M = ``digit_count(2, bD − K)`` − 1, since 2^(bD − K) has M + 1 digits and so is ≥ 10^M.

The same holds for a compressor's description of k bits, with K = k + 1, since at most 2^(k+1) − 1 < 2^(k+1)
images have one that short (:func:`diffusion_core.likelihood.compress.at_most_described`).

Digit counts come from :func:`diffusion_core.space.image_space.digit_count` (certified, integer arithmetic), never a
float power that could overflow or round the wrong way. A float bound L (in bits) becomes K by rounding *up*
after a margin far above float64's rounding error (:func:`bits_ceiling`), so the integers claim no more than L.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from diffusion_core.space.image_space import digit_count

FLOAT_MARGIN = 1e-9  # relative: float64 sums of a few thousand terms are good to ~1e-13


def bits_ceiling(bits: float) -> int:
    """The least integer K ≥ ``bits`` (plus a relative margin for float rounding); raises on NaN or ∞."""
    if not math.isfinite(bits):
        raise ValueError(f"a bound must be a finite number of bits, got {bits!r}")
    return max(0, math.ceil(bits + abs(bits) * FLOAT_MARGIN))


@dataclass(frozen=True)
class Corner:
    """The exact consequences of P(x) ≥ 2^−bits for an image of ``dims`` values of ``level_bits`` bits.

    ``bits`` K; ``count_digits`` N: at most 2^K < 10^N images are at least as plausible; ``fraction_digits`` M:
    they are at most one in 10^M of all images (None when K ≥ bD: no claim); ``space_digits``: digits of 2^(bD),
    the number of all images.
    """

    bits: int
    dims: int
    level_bits: int
    count_digits: int
    fraction_digits: int | None
    space_digits: int

    @property
    def space_bits(self) -> int:
        """b·D: the bits of the trivial code, which writes every value out (8 bits/dim)."""
        return self.level_bits * self.dims


def corner(bits: int, dims: int, level_bits: int = 8) -> Corner:
    """The exact powers of ten implied by an integer bound of ``bits`` bits (see the module docstring)."""
    if isinstance(bits, bool) or not isinstance(bits, int) or bits < 0:
        raise ValueError(f"bits must be an integer >= 0, got {bits!r}")
    if dims < 1 or level_bits < 1:
        raise ValueError(f"dims and level_bits must be >= 1, got {dims}, {level_bits}")
    total = level_bits * dims
    gap = total - bits
    return Corner(bits, dims, level_bits, digit_count(2, bits), digit_count(2, gap) - 1 if gap > 0 else None,
                  digit_count(2, total))


def corner_of_bound(bits: float, dims: int, level_bits: int = 8) -> Corner:
    """:func:`corner` of a float bound in bits (rounded up by :func:`bits_ceiling`)."""
    return corner(bits_ceiling(bits), dims, level_bits)


def corner_of_description(description_bits: int, dims: int, level_bits: int = 8) -> Corner:
    """:func:`corner` of a compressor's description of k bits: at most 2^(k+1) − 1 < 2^(k+1) images that short."""
    return corner(int(description_bits) + 1, dims, level_bits)
