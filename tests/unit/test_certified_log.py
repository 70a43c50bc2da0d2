"""The integer interval bounds must contain the true values; oracle: stdlib decimal (ln, log10, exp are
correctly rounded there), at far higher precision than the bounds."""

from __future__ import annotations

import decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diffusion_core.space.certified_log import (
    atanh_bounds,
    exp_bounds,
    ln_bounds,
    log10_bounds,
    pow10_frac_bounds,
)

SCALE = 10**40
CTX = decimal.Context(prec=80)


def inside(lo: int, hi: int, value: decimal.Decimal, width: int = 10**4) -> bool:
    """lo <= value * SCALE <= hi (the oracle keeps ~40 digits below the unit), and the interval is narrow."""
    scaled = CTX.multiply(value, SCALE)
    return lo <= scaled <= hi and hi - lo <= width


@settings(max_examples=200, deadline=None)
@given(value=st.integers(1, 10**120))
def test_ln_and_log10_bounds(value):
    assert inside(*ln_bounds(value, SCALE), CTX.ln(decimal.Decimal(value)), width=10**5)
    assert inside(*log10_bounds(value, SCALE), CTX.log10(decimal.Decimal(value)), width=10**5)


@settings(max_examples=200, deadline=None)
@given(p=st.integers(0, 10**6), q=st.integers(1, 10**6))
def test_atanh_bounds(p, q):
    if 3 * p > q:
        p = q // 3
    x = CTX.divide(decimal.Decimal(p), decimal.Decimal(q))
    atanh = CTX.multiply(decimal.Decimal("0.5"), CTX.ln(CTX.divide(CTX.add(1, x), CTX.subtract(1, x))))
    assert inside(*atanh_bounds(p, q, SCALE), atanh)


@settings(max_examples=200, deadline=None)
@given(y=st.integers(0, 3 * SCALE - 1), width=st.integers(0, 1000))
def test_exp_bounds_cover_the_whole_input_interval(y, width):
    y_hi = min(y + width, 3 * SCALE - 1)
    lo, hi = exp_bounds(y, y_hi, SCALE)
    low_value = CTX.exp(CTX.divide(decimal.Decimal(y), SCALE))
    high_value = CTX.exp(CTX.divide(decimal.Decimal(y_hi), SCALE))
    assert lo <= CTX.multiply(low_value, SCALE) and CTX.multiply(high_value, SCALE) <= hi
    assert hi - lo <= CTX.multiply(CTX.subtract(high_value, low_value), SCALE) + 10**4  # only the input's width, plus rounding


@settings(max_examples=100, deadline=None)
@given(f=st.integers(0, SCALE - 1))
def test_pow10_frac_bounds(f):
    lo, hi = pow10_frac_bounds(f, f, SCALE)
    assert inside(lo, hi, CTX.power(decimal.Decimal(10), CTX.divide(decimal.Decimal(f), SCALE)), width=10**5)


def test_known_constants():
    lo, hi = ln_bounds(2, SCALE)
    assert str(lo)[:35] == str(hi)[:35] == "69314718055994530941723212145817656"[:35]
    assert log10_bounds(1, SCALE) == (0, 0)


@pytest.mark.parametrize("bad", [(2, 3), (-1, 3), (1, 0)])
def test_atanh_bounds_refuses_arguments_outside_its_range(bad):
    with pytest.raises(ValueError):
        atanh_bounds(*bad, SCALE)
