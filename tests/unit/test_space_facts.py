"""Comparisons, the article's claims, pages and the thought experiment, against exact oracles."""

from __future__ import annotations

import decimal
import itertools
from fractions import Fraction

import pytest

from diffusion_core.space.image_space import ImageSpec, digit_count
from diffusion_core.space.space_facts import (
    certified_scientific,
    digit_curve,
    pages_to_write,
    scientific,
    seed_claims,
    stack_height_mm,
    thought_experiment,
    times_reference,
)


def test_every_claim_of_the_article_holds():
    claims = seed_claims()
    assert len(claims) == 6 and all(c.holds for c in claims)
    assert [c.computed for c in claims[:3]] == ["24,083 digits", "72,248 digits", "86,696,639 digits"]


@pytest.mark.parametrize(("base", "exponent", "ref"), [(256, 10_000, 80), (256, 10, 19), (2, 64, 19), (10, 80, 80),
                                                       (10, 79, 80), (7, 500, 19)])
def test_times_reference_is_the_exact_power(base, exponent, ref):
    k = times_reference(digit_count(base, exponent), ref)
    assert (10**ref) ** k <= base**exponent < (10**ref) ** (k + 1)


def test_pages_and_stack():
    assert pages_to_write(24_083) == Fraction(24_083, 2_000)
    assert round(pages_to_write(24_083)) == 12
    assert stack_height_mm(24_083) == Fraction(13, 10)  # 13 sheets of 0.1 mm
    assert stack_height_mm(86_696_639) == Fraction(43_349, 10)  # 4.3 m for a 12 MP photo


@pytest.mark.parametrize(("num", "den", "shift", "expected"), [
    (435_494_880, 1, 98, ("4.35", 106)), (1, 3, 0, ("3.33", -1)), (10, 1, 0, ("1.00", 1)), (999, 1000, 0, ("9.99", -1)),
    (1, 1, -5, ("1.00", -5)), (7, 1, 0, ("7.00", 0)),
])
def test_scientific(num, den, shift, expected):
    assert scientific(num, den, shift) == expected


def test_certified_scientific_keeps_only_agreed_digits():
    assert certified_scientific((1234, 1000, 0), (1235, 1000, 0)) == ("1.23", 0)
    assert certified_scientific((1234, 1000, 0), (1299, 1000, 0)) == ("1.2", 0)
    with pytest.raises(ArithmeticError):  # [1.999, 2.001]: not even the first digit is certain
        certified_scientific((1999, 1000, 0), (2001, 1000, 0))


@pytest.mark.parametrize("spec", [ImageSpec(100, 100, 1), ImageSpec(28, 28, 1), ImageSpec(100, 100, 3)])
def test_thought_experiment_against_decimal(spec):
    """Oracle: images / levels**n computed by decimal (exact power, then 40-digit division)."""
    result = thought_experiment(spec)
    assert result.images == 10**80 * 10**9 * 13_800_000_000 * 31_557_600
    assert result.images_digits == 107
    exact = decimal.Context(prec=decimal.MAX_PREC, Emax=decimal.MAX_EMAX).power(decimal.Decimal(spec.levels),
                                                                                spec.values)
    ratio = decimal.Context(prec=40, Emin=decimal.MIN_EMIN).divide(decimal.Decimal(result.images), exact)
    mantissa, exponent = result.fraction
    assert exponent == ratio.adjusted()
    assert mantissa.replace(".", "") == "".join(map(str, ratio.as_tuple().digits))[:3]


def test_thought_experiment_for_the_12_megapixel_photo():
    """images = 4.3549488e106; the space is 5.6393179891549908711...e86,696,638 (head digits checked against
    decimal at 90 digits in test_image_space), so the fraction is 0.7722...e-86,696,532."""
    ratio = decimal.Context(prec=30).divide(decimal.Decimal("4.3549488"),
                                            decimal.Decimal("5.6393179891549908711844137566582474631984290510765"))
    assert str(ratio).startswith("0.772")
    assert thought_experiment(ImageSpec(4000, 3000, 3)).fraction == ("7.72", 106 - 86_696_638 - 1)


def test_digit_curve_is_increasing_and_exact():
    curve = digit_curve(3, 8)
    assert curve[0] == (1, digit_count(256, 3)) and curve[-1][0] * 3 <= 10**18
    assert all(a[1] <= b[1] for a, b in itertools.pairwise(curve))
    assert (10_000, 72_248) in curve
