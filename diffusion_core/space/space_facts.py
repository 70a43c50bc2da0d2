"""Putting the size of image space in perspective, exactly: comparisons, the article's claims, pages of
paper, and the "every atom a supercomputer" thought experiment.

Everything is computed from exact integers and fractions (digit counts from
:func:`diffusion_core.space.image_space.digit_count`, head digits from
:func:`~diffusion_core.space.image_space.leading_digits`); where a result is shown rounded, the rounding is
of a proven interval, and the digits shown are the ones both ends of that interval agree on.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from diffusion_core.space.image_space import (
    EDGE_DIGITS,
    ImageSpec,
    digit_count,
    leading_digits,
)

SAND_EXPONENT = 19  # grains of sand on Earth: about 10^19
ATOMS_EXPONENT = 80  # atoms in the observable universe: about 10^80
DIGITS_PER_PAGE = 2_000  # assumption: 40 lines of 50 digits on one side of an A4 sheet
SHEET_MM = Fraction(1, 10)  # assumption: 80 g/m^2 office paper is about 0.1 mm thick
IMAGES_PER_SECOND = 10**9  # per supercomputer, in the thought experiment
UNIVERSE_AGE_YEARS = 13_800_000_000
SECONDS_PER_YEAR = 31_557_600  # a Julian year, 365.25 days


def times_reference(digits: int, reference_exponent: int) -> int:
    """The largest ``k`` with ``(10**e)**k <= X`` for a number ``X`` with ``digits`` digits.

    ``X`` has ``d`` digits exactly when ``10**(d-1) <= X < 10**d``, so ``10**(e*k) <= X`` iff
    ``e*k <= d - 1``, and then also ``X < (10**e)**(k+1)``: the answer is ``(d - 1) // e``.
    """
    return (digits - 1) // reference_exponent


def pages_to_write(digits: int, digits_per_page: int = DIGITS_PER_PAGE) -> Fraction:
    """Pages needed to write ``digits`` digits by hand, exactly (a fraction of a page allowed)."""
    return Fraction(digits, digits_per_page)


def stack_height_mm(digits: int, digits_per_page: int = DIGITS_PER_PAGE, sheet_mm: Fraction = SHEET_MM) -> Fraction:
    """Height of the pile of sheets (one side written, last sheet counted whole), in millimetres."""
    sheets = -(-digits // digits_per_page)
    return sheets * sheet_mm


def scientific(num: int, den: int, shift: int = 0, significant: int = 3) -> tuple[str, int]:
    """``num / den * 10**shift`` (positive) as ``(mantissa, exponent)``, mantissa truncated, e.g. ``("4.35", 106)``."""
    exponent = len(str(num)) - len(str(den))
    if num * 10 ** max(0, -exponent) < den * 10 ** max(0, exponent):
        exponent -= 1
    digits_power = significant - 1 - exponent
    head = num * 10 ** max(0, digits_power) // (den * 10 ** max(0, -digits_power))
    text = str(head)
    mantissa = text[0] + ("." + text[1:] if len(text) > 1 else "")
    return mantissa, exponent + shift


def certified_scientific(lo: tuple[int, int, int], hi: tuple[int, int, int], significant: int = 3) -> tuple[str, int]:
    """Scientific form of a number known to lie in ``[lo, hi]`` (each ``(num, den, shift)``): the most
    significant digits, up to ``significant``, on which both ends agree."""
    for sig in range(significant, 0, -1):
        if scientific(*lo, significant=sig) == scientific(*hi, significant=sig):
            return scientific(*lo, significant=sig)
    raise ArithmeticError("the interval is too wide to show even one certain digit")


def power_head_bounds(base: int, exponent: int) -> tuple[int, int, int]:
    """``(head, head_plus_one, shift)`` with ``head * 10**shift <= base**exponent < (head+1) * 10**shift``."""
    digits = digit_count(base, exponent)
    head = int(leading_digits(base, exponent, EDGE_DIGITS))
    shift = max(0, digits - EDGE_DIGITS)
    return head, head + (1 if shift else 0), shift


@dataclass(frozen=True)
class ThoughtExperiment:
    """Every atom a supercomputer making ``10**9`` images a second since the Big Bang, against one image space.

    ``images`` is exact; ``fraction`` is ``images / space`` as a certified ``(mantissa, exponent)``;
    ``space_digits`` is the digit count of the space.
    """

    images: int
    images_digits: int
    fraction: tuple[str, int]
    space_digits: int


def thought_experiment(spec: ImageSpec) -> ThoughtExperiment:
    """How much of ``spec``'s image space the universe could have enumerated, exactly."""
    images = 10**ATOMS_EXPONENT * IMAGES_PER_SECOND * UNIVERSE_AGE_YEARS * SECONDS_PER_YEAR
    head, head_hi, shift = power_head_bounds(spec.levels, spec.values)
    # space in [head, head_hi] * 10**shift, so images / space in [images / head_hi, images / head] * 10**-shift
    fraction = certified_scientific((images, head_hi, -shift), (images, head, -shift))
    return ThoughtExperiment(images, len(str(images)), fraction, spec.digits())


@dataclass(frozen=True)
class ClaimCheck:
    """One row of the article's table: what it says, what we compute, and whether they agree."""

    subject: str
    claim: str
    computed: str
    holds: bool


def seed_claims() -> list[ClaimCheck]:
    """The article's numbers, recomputed; each verdict is an exact comparison."""
    gray, rgb = ImageSpec(100, 100, 1).digits(), ImageSpec(100, 100, 3).digits()
    photo = ImageSpec(4000, 3000, 3).digits()
    sand, atoms = digit_count(10, SAND_EXPONENT), digit_count(10, ATOMS_EXPONENT)
    pages = pages_to_write(gray)
    return [
        ClaimCheck("100 × 100 grayscale images, 256^10,000", "24,083 digits", f"{gray:,} digits", gray == 24_083),
        ClaimCheck("100 × 100 RGB images, 256^30,000", "72,000+ digits", f"{rgb:,} digits", rgb >= 72_000),
        ClaimCheck("12 MP colour photos, 256^36,000,000", "86 million+ digits", f"{photo:,} digits", photo >= 86_000_000),
        ClaimCheck("Grains of sand on Earth, ~10^19", "20 digits", f"{sand} digits", sand == 20),
        ClaimCheck("Atoms in the observable universe, ~10^80", "81 digits", f"{atoms} digits", atoms == 81),
        ClaimCheck(f"Pages to write out 24,083 digits ({DIGITS_PER_PAGE:,} digits a page)", "about 12 pages",
               f"{float(pages):.2f} pages", round(pages) == 12),
    ]


def preset_pixel_counts() -> list[int]:
    """Pixel counts 1, 2, 5, 10, 20, 50, ... up to 10^18 (exact integers for a log-scale chart)."""
    return [m * 10**k for k in range(19) for m in (1, 2, 5) if m * 10**k <= 10**18]


def digit_curve(channels: int, bits: int) -> list[tuple[int, int]]:
    """``(pixels, digits of (2**bits)**(pixels*channels))`` for the pixel counts of :func:`preset_pixel_counts`."""
    return [(p, digit_count(2**bits, p * channels)) for p in preset_pixel_counts() if p * channels <= 10**18]
