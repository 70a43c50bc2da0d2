"""Exact digit counts, head and tail digits, the whole number, validation and the calculator command.

Oracles: stdlib ``decimal`` computing ``base**n`` exactly (a context with enough precision and
``Inexact`` trapped), Python's own ``int`` -> ``str``, the article's published values, and for exponents too
large to write out, decimal's ``log10`` and ``power`` at two agreeing precisions (tests/unit/power_oracles.py).
"""

from __future__ import annotations

import decimal
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diffusion_core.space import image_space
from diffusion_core.space.image_space import (
    BIT_DEPTHS,
    MAX_BITS,
    MAX_VALUES,
    ImageSpaceError,
    ImageSpec,
    TooManyDigitsError,
    certify_digit_count,
    digit_count,
    group_digits,
    leading_digits,
    main,
    parse_count,
    power_text,
    trailing_digits,
)
from tests.unit.power_oracles import leading_digits_oracle, trailing_digits_oracle

ROOT = Path(__file__).resolve().parents[2]


def exact_power_text(base: int, exponent: int) -> str:
    """Oracle: base**exponent in a decimal context that can hold it, with rounding trapped."""
    ctx = decimal.Context(prec=decimal.MAX_PREC, Emax=decimal.MAX_EMAX, traps=[decimal.Inexact, decimal.Rounded])
    return str(ctx.power(decimal.Decimal(base), exponent))


@pytest.fixture
def unlimited_int_str():
    """Let int <-> str handle any length for the oracle, restoring Python's limit afterwards."""
    old = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)
    yield
    sys.set_int_max_str_digits(old)


@pytest.mark.parametrize(("spec", "digits"), [
    (ImageSpec(100, 100, 1), 24_083),  # the article: "24,083 digits"
    (ImageSpec(100, 100, 3), 72_248),  # "72,000+"
    (ImageSpec(4000, 3000, 3), 86_696_639),  # "86 million+"
])
def test_the_articles_values(spec, digits):
    assert spec.digits() == digits


def test_sand_and_atoms():
    assert digit_count(10, 19) == 20 and digit_count(10, 80) == 81


@pytest.mark.parametrize("base", [2, 3, 7, 10, 16, 30, 255, 256, 1000, 65536, 2**64])
@pytest.mark.parametrize("exponent", [0, 1, 2, 9, 10, 99, 100, 1234, 10_000, 30_000])
def test_digit_count_matches_exact_power(base, exponent):
    assert digit_count(base, exponent) == len(exact_power_text(base, exponent))


@settings(max_examples=300, deadline=None)
@given(base=st.integers(1, 10**6), exponent=st.integers(0, 3000))
def test_digit_count_property(base, exponent):
    assert digit_count(base, exponent) == len(exact_power_text(base, exponent))


@settings(max_examples=300, deadline=None)
@given(bits=st.integers(1, 64), exponent=st.integers(1, 10**18))
def test_certificate_is_a_proof_and_agrees_with_decimal_log10(bits, exponent):
    """lo <= n log10 L * scale <= hi with equal floors; decimal's log10 (correctly rounded, 80 digits) lies inside."""
    proof = certify_digit_count(2**bits, exponent)
    assert proof.lo <= proof.hi and proof.lo // proof.scale == proof.hi // proof.scale
    ctx = decimal.Context(prec=80)
    value = ctx.multiply(ctx.log10(decimal.Decimal(2**bits)), exponent)
    margin = decimal.Decimal(10) ** (value.adjusted() - 75)
    assert decimal.Decimal(proof.lo) / proof.scale <= value + margin
    assert value - margin <= decimal.Decimal(proof.hi) / proof.scale
    assert proof.digits == int(value) + 1


@pytest.mark.parametrize(("base", "exponent"), [(256, 2_000), (3, 10_000), (65536, 1_000), (255, 1_700), (30, 4_000)])
def test_leading_and_trailing_digits_on_the_certified_path(base, exponent):
    text = exact_power_text(base, exponent)
    assert len(text) > image_space.EXACT_BELOW_DIGITS  # exercises the log path, not the exact shortcut
    assert leading_digits(base, exponent) == text[:50]
    assert trailing_digits(base, exponent) == text[-50:]


@pytest.fixture(scope="module")
def monkeypatch_module():
    """Turn off the short-number shortcut so every head comes from certified logarithms."""
    mp = pytest.MonkeyPatch()
    mp.setattr(image_space, "EXACT_BELOW_DIGITS", 0)
    yield
    mp.undo()


@settings(max_examples=150, deadline=None)
@given(base=st.integers(2, 10**4), exponent=st.integers(0, 1500), k=st.integers(1, 60))
def test_leading_digits_property_forcing_the_log_path(monkeypatch_module, base, exponent, k):
    text = exact_power_text(base, exponent)
    assert leading_digits(base, exponent, k) == text[:k]
    assert trailing_digits(base, exponent, k) == text[-k:]


def test_leading_digits_of_a_12_megapixel_photo():
    """Oracle: decimal's power at 90 significant digits (far more than the 50 compared)."""
    approx = decimal.Context(prec=90, Emax=decimal.MAX_EMAX).power(decimal.Decimal(256), 36_000_000)
    assert leading_digits(256, 36_000_000) == "".join(map(str, approx.as_tuple().digits))[:50]
    assert trailing_digits(256, 36_000_000) == str(pow(256, 36_000_000, 10**50)).zfill(50)


def test_huge_exponents_are_fast_to_certify():
    """n = 10**18 values of 16 bits: digits = floor(n * 16 log10 2) + 1, checked against decimal at 100 digits."""
    n = 10**18
    ctx = decimal.Context(prec=100)
    expected = int(ctx.multiply(ctx.log10(decimal.Decimal(65536)), n)) + 1
    assert digit_count(65536, n) == expected


@pytest.mark.parametrize("bits", BIT_DEPTHS)
@pytest.mark.parametrize("n", [MAX_VALUES, MAX_VALUES - 1, 3 * 10**17 + 7])
def test_head_and_tail_digits_at_the_largest_exponents(bits, n):
    """The 50 digits the page shows at n up to 10**18 are exactly those of (2**bits)**n.

    Head: decimal's log10 and power at ~100 and ~200 significant digits, which must agree (the fractional
    part of n log10 L needs the ~19 digits of its integer part plus the 50 shown, and a margin). Tail: pow().
    """
    assert leading_digits(2**bits, n) == leading_digits_oracle(2**bits, n)
    assert trailing_digits(2**bits, n) == trailing_digits_oracle(2**bits, n)


def test_head_digits_of_the_largest_image_are_known_values():
    """Pinned values (computed with the decimal oracle), so an oracle and the code cannot drift together."""
    assert leading_digits(65536, 10**18) == "26291920813369891037194657551395754976146976071891"
    assert leading_digits(256, 10**18) == "51275648034295862068318079569959570621853789656730"


@settings(max_examples=200, deadline=None)
@given(bits=st.integers(1, MAX_BITS), exponent=st.integers(10**3, MAX_VALUES), k=st.sampled_from([1, 17, 50]))
def test_leading_digits_property_at_huge_exponents(bits, exponent, k):
    """Any exponent up to 10**18, where writing the number out is impossible: head against the decimal oracle."""
    assert leading_digits(2**bits, exponent, k) == leading_digits_oracle(2**bits, exponent, k)
    assert trailing_digits(2**bits, exponent, k) == trailing_digits_oracle(2**bits, exponent, k)


def test_power_text_matches_python_int(unlimited_int_str):
    for base, exponent in [(256, 10_000), (256, 30_000), (10, 7), (7, 0), (12345, 777)]:
        assert power_text(base, exponent) == str(base**exponent)


def test_power_text_reports_progress_and_refuses_huge_numbers():
    seen = []
    power_text(256, 12_345, on_progress=lambda done, step: seen.append(done))
    assert seen == sorted(seen) and seen[-1] == 1.0 and all(0 <= f <= 1 for f in seen)
    with pytest.raises(TooManyDigitsError, match="100,000,000"):
        power_text(256, 10**9)
    with pytest.raises(TooManyDigitsError):
        power_text(256, 100, max_digits=10)


def test_power_arguments_are_checked():
    for base, exponent in [(0, 5), (-2, 3), (2, -1), (2.0, 3), (True, 3), (2, 1.5)]:
        with pytest.raises(ImageSpaceError):
            digit_count(base, exponent)


@pytest.mark.parametrize(("text", "value"), [("100", 100), (" 1,920 ", 1920), ("1_000", 1000), ("1 080", 1080),
                                             ("+7", 7)])
def test_parse_count_accepts_whole_numbers(text, value):
    assert parse_count(text, "Width") == value


@pytest.mark.parametrize(("text", "message"), [
    ("", "empty"), ("0", "at least 1"), ("-5", "at least 1"), ("1.5", "whole number"), ("abc", "whole number"),
    ("1e3", "whole number"), ("٣", "whole number"), ("9" * 40, "at most"), ("1" + "0" * 100, "a number with 101 digits"),
    ("10000000000000000000", "at most"),
    ("0" * 5000 + "7x", "whole number"),
])
def test_parse_count_refuses_with_a_clear_message(text, message):
    with pytest.raises(ImageSpaceError, match=message):
        parse_count(text, "Width")


@pytest.mark.parametrize("kwargs", [
    {"width": 0, "height": 10}, {"width": -1, "height": 10}, {"width": 1.5, "height": 10},
    {"width": "100", "height": 10}, {"width": True, "height": 10}, {"width": 10, "height": 10, "bits": 65},
    {"width": 10, "height": 10, "channels": 0}, {"width": 10**9, "height": 10**9, "channels": 2},
])
def test_image_spec_validation(kwargs):
    with pytest.raises(ImageSpaceError):
        ImageSpec(**kwargs)


def test_image_spec_limits_are_inclusive():
    spec = ImageSpec(10**9, 10**9, 1, 16)
    assert spec.values == 10**18 and spec.levels == 65536 and spec.digits() > 4 * 10**18


def test_bounds_text_brackets_the_value():
    lo, hi = certify_digit_count(256, 10_000).bounds_text(12)
    assert lo.startswith("24,082.399653118") and hi.startswith("24,082.399653118") and lo < hi


def test_group_digits():
    assert group_digits("123456789012", 5, 10) == "12345 67890\n12"
    assert group_digits("1" * 120).splitlines()[0] == " ".join(["1" * 10] * 5)


def test_main_prints_json(capsys, unlimited_int_str):
    """The summary's digits are those of 256**10000 written out by Python itself."""
    assert main(["100", "100"]) == 0
    out = json.loads(capsys.readouterr().out)
    exact = str(256**10_000)
    assert out["digits"] == 24_083 == len(exact)
    assert out["leading"] == exact[:50] and out["trailing"] == exact[-50:]
    assert out["formula"] == "256^10000" and (out["levels"], out["exponent"]) == (256, 10_000)


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "diffusion_core.image_space", *args], check=False, cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_cli_12_megapixel_photo():
    result = run_cli("4000", "3000", "--channels", "3")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["digits"] == 86_696_639
    assert out["trailing"] == trailing_digits_oracle(256, 36_000_000)
    assert out["leading"] == leading_digits_oracle(256, 36_000_000)


@pytest.mark.parametrize("args", [["0", "10"], ["abc", "10"], ["10"], ["10", "1.5"],
                                  ["1000000000000", "1000000000000"], ["10", "10", "--bits", "0"],
                                  ["10", "10", "--channels", "x"], ["10", "10", "--bogus"]])
def test_cli_bad_arguments_give_one_line_and_exit_code_2(args):
    result = run_cli(*args)
    assert result.returncode == 2
    assert result.stdout == "" and len(result.stderr.strip().splitlines()) == 1 and "error" in result.stderr


@settings(max_examples=200, deadline=None)
@given(st.integers(2, 2**16), st.integers(1, 400), st.integers(1, 4))
def test_first_exponent_reaching_is_the_first(base, digits, step):
    """Issue 28: the image-space chart's description says where a format reaches the sand and atoms lines."""
    from diffusion_core.space.image_space import first_exponent_reaching

    k = first_exponent_reaching(base, digits, step)
    assert digit_count(base, k * step) >= digits
    assert k == 1 or digit_count(base, (k - 1) * step) < digits
