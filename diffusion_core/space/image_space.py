"""How large is image space? Exact arithmetic on ``levels ** (width * height * channels)``.

An image of ``W x H`` pixels with ``C`` channels of ``B`` bits is a list of ``n = W*H*C`` integers,
each one of ``levels = 2**B`` values, so there are ``levels ** n`` such images. For a 12 MP colour
photo ``n = 36,000,000`` and the count has 86,696,639 decimal digits: far too many to compute
with by brute force on every slider move, so this module works from certified logarithms
(:mod:`diffusion_core.space.certified_log`) and modular arithmetic:

* :func:`digit_count` -- ``floor(n log10 base) + 1``, with integer bounds on ``log10 base``
  refined until the floor is proven (< 1 ms for any ``n <= 10**18``).
* :func:`leading_digits` / :func:`trailing_digits` -- the first / last ``k`` digits, exact.
* :func:`power_text` -- the whole number as text (stdlib :mod:`decimal`, exact context), with a
  progress callback; refused above :data:`MAX_TEXT_DIGITS` digits.
* :class:`ImageSpec` -- validated image settings; :func:`parse_count` for text from a reader.

Run ``python -m diffusion_core.image_space W H [--channels C] [--bits B]`` for a JSON summary.
"""

from __future__ import annotations

import argparse
import decimal
import json
import math
from collections.abc import Callable
from dataclasses import dataclass

from diffusion_core.space.certified_log import log10_bounds, pow10_frac_bounds

MAX_VALUES = 10**18  # largest W*H*C accepted
MAX_BITS = 64  # bits per channel accepted (the page offers 1, 2, 4, 8, 16)
MAX_TEXT_DIGITS = 100_000_000  # largest number written out as text (86,696,639 for 12 MP colour)
EXACT_BELOW_DIGITS = 4_000  # numbers this short get their head digits from the exact text
EDGE_DIGITS = 50  # how many leading / trailing digits the summaries show
GUARD_DIGITS = 12  # extra digits of precision beyond what the bounds need
MAX_PRECISION_DIGITS = 5_000  # refinement ceiling; reaching it would mean a bug, not a hard input

ProgressCallback = Callable[[float, str], None]


class ImageSpaceError(ValueError):
    """Settings or arguments that make no sense; ``str(err)`` is a message fit for a reader."""


class TooManyDigitsError(ImageSpaceError):
    """The number is too long to write out as text."""


def _check_power_args(base: int, exponent: int) -> None:
    if isinstance(base, bool) or not isinstance(base, int) or base < 1:
        raise ImageSpaceError(f"base must be an integer >= 1, got {base!r}")
    if isinstance(exponent, bool) or not isinstance(exponent, int) or exponent < 0:
        raise ImageSpaceError(f"exponent must be an integer >= 0, got {exponent!r}")


def _split_tens(base: int) -> tuple[int, int]:
    """``base = core * 10**zeros`` with ``core`` not divisible by 10 (so ``core**n`` never is either)."""
    zeros = 0
    while base % 10 == 0:
        base //= 10
        zeros += 1
    return base, zeros


def _scale_for(exponent: int, extra_digits: int) -> int:
    return 10 ** (len(str(exponent)) + extra_digits + GUARD_DIGITS)


def _log10_power_bounds(core: int, exponent: int, scale: int) -> tuple[int, int]:
    """Bounds on ``exponent * log10(core) * scale``."""
    lo, hi = log10_bounds(core, scale)
    return exponent * lo, exponent * hi


@dataclass(frozen=True)
class DigitCertificate:
    """A proof of ``floor(exponent * log10(core))``: ``lo <= exponent * log10(core) * scale <= hi`` and
    ``lo // scale == hi // scale`` (``base = core * 10**zeros``, the zeros just add ``zeros * exponent``)."""

    core: int
    zeros: int
    exponent: int
    lo: int
    hi: int
    scale: int

    @property
    def digits(self) -> int:
        return self.lo // self.scale + 1 + self.zeros * self.exponent

    def bounds_text(self, places: int = 12) -> tuple[str, str]:
        """The two bounds as decimals truncated to ``places`` places (the lower one rounded down, upper up)."""
        unit = self.scale // 10**places if self.scale >= 10**places else 1
        lo, hi = self.lo // unit, -(-self.hi // unit)
        shown = len(str(self.scale // unit)) - 1
        if shown == 0:
            return f"{lo:,}", f"{hi:,}"
        return tuple(f"{v // 10**shown:,}.{str(v % 10**shown).zfill(shown)}" for v in (lo, hi))


def certify_digit_count(base: int, exponent: int) -> DigitCertificate:
    """Bounds on ``exponent * log10(base)`` tight enough to prove its floor (see :func:`digit_count`)."""
    _check_power_args(base, exponent)
    core, zeros = _split_tens(base)
    if core == 1 or exponent == 0:
        return DigitCertificate(core, zeros, exponent, 0, 0, 1)
    extra = 0
    while True:
        scale = _scale_for(exponent, extra)
        lo, hi = _log10_power_bounds(core, exponent, scale)
        if lo // scale == hi // scale:
            return DigitCertificate(core, zeros, exponent, lo, hi, scale)
        extra = 2 * extra + 8
        if extra > MAX_PRECISION_DIGITS:
            raise ArithmeticError(f"could not certify the digit count of {base}**{exponent}")


def digit_count(base: int, exponent: int) -> int:
    """The number of decimal digits of ``base ** exponent``, exact and certified.

    ``base**n`` has ``floor(n log10 base) + 1`` digits. With ``lo <= n log10(base) * scale <= hi``
    proven by :func:`~diffusion_core.space.certified_log.log10_bounds`, equal floors of ``lo/scale`` and
    ``hi/scale`` prove the answer; otherwise the precision is raised. Factors of 10 in ``base``
    are split off first, so the loop only ever meets a non-integer ``n log10(core)``, which the
    bounds separate from every integer at some finite precision.
    """
    return certify_digit_count(base, exponent).digits


def first_exponent_reaching(base: int, digits: int, step: int = 1) -> int:
    """The smallest whole k >= 1 with digit_count(base, k * step) >= ``digits`` (exact: the count only grows with
    the exponent). With step = values per pixel, the fewest pixels whose image count has that many digits."""
    if digits < 1 or step < 1:
        raise ValueError(f"need digits >= 1 and step >= 1, got {digits}, {step}")
    hi = 1
    while digit_count(base, hi * step) < digits:
        hi *= 2
    lo = hi // 2 + 1 if hi > 1 else 1
    while lo < hi:
        mid = (lo + hi) // 2
        lo, hi = (mid + 1, hi) if digit_count(base, mid * step) < digits else (lo, mid)
    return lo


def trailing_digits(base: int, exponent: int, k: int = EDGE_DIGITS) -> str:
    """The last ``k`` digits of ``base ** exponent`` (all of them if it is shorter), via ``pow(b, n, 10**k)``."""
    _check_power_args(base, exponent)
    width = min(k, digit_count(base, exponent))
    return str(pow(base, exponent, 10**width)).zfill(width)


def leading_digits(base: int, exponent: int, k: int = EDGE_DIGITS) -> str:
    """The first ``k`` digits of ``base ** exponent`` (all of them if it is shorter), exact.

    Short numbers are written out. Otherwise, with ``f`` the fractional part of
    ``n log10(core)`` (certified bounds, as in :func:`digit_count`), the head is
    ``floor(10**(f + k - 1))``; bounds on ``10**f`` that give the same floor prove it.
    ``core**n`` is not divisible by 10, so that quantity is never an integer and refinement ends.
    """
    _check_power_args(base, exponent)
    core, _ = _split_tens(base)
    core_digits = digit_count(core, exponent)
    if core_digits <= max(k, EXACT_BELOW_DIGITS):
        return power_text(core, exponent)[:k].ljust(min(k, digit_count(base, exponent)), "0")
    extra = k
    while True:
        scale = _scale_for(exponent, extra)
        lo, hi = _log10_power_bounds(core, exponent, scale)
        whole = (core_digits - 1) * scale
        ten_f_lo, ten_f_hi = pow10_frac_bounds(max(lo - whole, 0), hi - whole, scale)
        head_lo = ten_f_lo * 10 ** (k - 1) // scale
        head_hi = ten_f_hi * 10 ** (k - 1) // scale
        if head_lo == head_hi:
            return str(head_lo)
        extra = 2 * extra + 8
        if extra > MAX_PRECISION_DIGITS:
            raise ArithmeticError(f"could not certify the leading digits of {base}**{exponent}")


def _exact_context(digits: int) -> decimal.Context:
    """A decimal context that holds ``digits`` digits and raises rather than rounds."""
    return decimal.Context(prec=digits + 2, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN,
                           traps=[decimal.Inexact, decimal.Rounded, decimal.Overflow])


def _squaring_costs(digits: int, steps: int) -> list[float]:
    """Relative cost of each squaring: step ``i`` yields about ``digits / 2**(steps-1-i)`` digits, cost ~ m log m."""
    sizes = [max(1, digits >> (steps - 1 - i)) for i in range(steps)]
    return [m * math.log2(m + 1) for m in sizes]


def power_text(base: int, exponent: int, on_progress: ProgressCallback | None = None,
               max_digits: int = MAX_TEXT_DIGITS) -> str:
    """``base ** exponent`` written out in decimal, computed exactly.

    Uses :mod:`decimal` (base 10**19 limbs, fast number-theoretic-transform multiplication, so the
    final text costs nothing to produce) in an exact context, by left-to-right binary
    exponentiation so ``on_progress(fraction, message)`` can report after each squaring; the
    fraction is weighted by the size of each step, so the last squaring is about half the work.
    Raises :class:`TooManyDigitsError` above ``max_digits`` digits.
    """
    digits = digit_count(base, exponent)
    if digits > max_digits:
        raise TooManyDigitsError(
            f"{base}^{exponent:,} has {digits:,} digits; writing out more than {max_digits:,} digits "
            f"(about {max_digits // 10**6} MB of text) is refused to keep the app responsive.")
    ctx = _exact_context(digits)
    bits = bin(exponent)[2:] if exponent else ""
    weights = _squaring_costs(digits, len(bits))
    total, done = sum(weights) or 1.0, 0.0
    base_dec, result = decimal.Decimal(base), decimal.Decimal(1)
    for i, bit in enumerate(bits):
        result = ctx.multiply(result, result)
        if bit == "1":
            result = ctx.multiply(result, base_dec)
        done += weights[i]
        if on_progress is not None:
            on_progress(done / total * 0.97, f"{i + 1} of {len(bits)} squarings done")
    text = str(result)
    if on_progress is not None:
        on_progress(1.0, "done")
    return text


def group_digits(text: str, group: int = 10, per_line: int = 50) -> str:
    """Digits in groups of ``group`` separated by spaces, ``per_line`` digits a line, for reading by eye."""
    lines = [text[i:i + per_line] for i in range(0, len(text), per_line)]
    return "\n".join(" ".join(line[j:j + group] for j in range(0, len(line), group)) for line in lines)


def parse_count(text: str, what: str, maximum: int = MAX_VALUES) -> int:
    """A positive whole number typed by a reader ("1920", "1,920", "1 920" and "1_920" all work)."""
    cleaned = str(text).strip().replace(",", "").replace("_", "").replace(" ", "")
    if not cleaned:
        raise ImageSpaceError(f"{what} is empty: type a whole number such as 100.")
    if not cleaned.isascii() or not cleaned.lstrip("+-").isdigit():
        shown = cleaned if len(cleaned) <= 30 else cleaned[:30] + "…"
        raise ImageSpaceError(f"{what} must be a whole number such as 100; “{shown}” is not one.")
    significant = cleaned.lstrip("+-").lstrip("0")
    if len(significant) > 30:  # far past any maximum: say so without converting a huge number
        raise ImageSpaceError(f"{what} must be at most {maximum:,}; got a number with {len(significant):,} digits.")
    value = int(cleaned)
    if value <= 0:
        raise ImageSpaceError(f"{what} must be at least 1; got {value:,}.")
    if value > maximum:
        raise ImageSpaceError(f"{what} must be at most {maximum:,}; got {value:,}.")
    return value


@dataclass(frozen=True)
class ImageSpec:
    """An image format: ``width x height`` pixels, ``channels`` values per pixel of ``bits`` bits each.

    Validated on creation: positive integers, ``bits <= 64``, ``width*height*channels <= 10**18``.
    """

    width: int
    height: int
    channels: int = 1
    bits: int = 8

    def __post_init__(self) -> None:
        for name in ("width", "height", "channels", "bits"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ImageSpaceError(f"{name} must be a whole number, got {value!r}.")
            if value < 1:
                raise ImageSpaceError(f"{name} must be at least 1, got {value:,}.")
        if self.bits > MAX_BITS:
            raise ImageSpaceError(f"bits per channel must be at most {MAX_BITS}, got {self.bits:,}.")
        if self.values > MAX_VALUES:
            raise ImageSpaceError(
                f"{self.width:,} x {self.height:,} x {self.channels} = {self.values:,} values is more than "
                f"10^18; that is beyond any image (a gigapixel panorama in colour is about 3 x 10^9).")

    @property
    def pixels(self) -> int:
        return self.width * self.height

    @property
    def values(self) -> int:
        """``n = W * H * C``: how many integers describe one image (the exponent)."""
        return self.width * self.height * self.channels

    @property
    def levels(self) -> int:
        """``2**bits``: how many values each of them can take (the base)."""
        return 2**self.bits

    def digits(self) -> int:
        """Decimal digits of the number of distinct images, ``levels ** values``."""
        return digit_count(self.levels, self.values)

    def summary(self) -> dict:
        """The JSON-ready facts the calculator command prints."""
        return {"width": self.width, "height": self.height, "channels": self.channels, "bits": self.bits,
                "levels": self.levels, "exponent": self.values, "formula": f"{self.levels}^{self.values}",
                "digits": self.digits(), "leading": leading_digits(self.levels, self.values),
                "trailing": trailing_digits(self.levels, self.values)}


COLOUR_MODELS = {"Grayscale": 1, "RGB": 3, "RGBA": 4}


def colour_model(channels: int) -> str:
    """The name of the colour model with ``channels`` values per pixel (a key of COLOUR_MODELS). Raises KeyError."""
    for name, count in COLOUR_MODELS.items():
        if count == channels:
            return name
    raise KeyError(f"no colour model has {channels} channels")

BIT_DEPTHS = (1, 2, 4, 8, 16)
PRESETS = {
    "100 x 100 grayscale (the article's example)": ImageSpec(100, 100, 1),
    "100 x 100 RGB": ImageSpec(100, 100, 3),
    "28 x 28 MNIST digit": ImageSpec(28, 28, 1),
    "1080p frame (1920 x 1080 RGB)": ImageSpec(1920, 1080, 3),
    "4K frame (3840 x 2160 RGB)": ImageSpec(3840, 2160, 3),
    "12 MP photo (4000 x 3000 RGB)": ImageSpec(4000, 3000, 3),
    "Gigapixel panorama (40000 x 25000 RGB)": ImageSpec(40_000, 25_000, 3),
}


class _OneLineParser(argparse.ArgumentParser):
    """argparse, but a bad argument is reported on one line (exit code 2, as argparse does)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message}\n")


def main(argv: list[str] | None = None) -> int:
    """The calculator command; prints one JSON object (see :meth:`ImageSpec.summary`)."""
    parser = _OneLineParser(prog="python -m diffusion_core.image_space",
                            description="Exact size of the space of W x H images.")
    parser.add_argument("width", help="width in pixels")
    parser.add_argument("height", help="height in pixels")
    parser.add_argument("--channels", default="1", help="values per pixel: 1 gray, 3 RGB, 4 RGBA (default 1)")
    parser.add_argument("--bits", default="8", help="bits per value, 1..64 (default 8)")
    args = parser.parse_args(argv)
    try:
        spec = ImageSpec(parse_count(args.width, "width"), parse_count(args.height, "height"),
                         parse_count(args.channels, "--channels"), parse_count(args.bits, "--bits", MAX_BITS))
    except ImageSpaceError as e:
        parser.error(str(e))
    print(json.dumps(spec.summary()))
    return 0
