"""Certified bounds on logarithms and powers of ten, with integer arithmetic only.

Every function here returns an *interval*: a pair of integers ``(lo, hi)`` with
``lo <= true_value * scale <= hi``, where ``scale`` is a positive integer fixed by the caller
(usually ``10**p``). Each bound is built from floor (for ``lo``) or ceiling (for ``hi``)
integer divisions of positive quantities plus a proven bound on the dropped tail of a series,
so the inequality holds by construction; nothing depends on how a float or a library rounds.
The intervals are a few hundred units wide, so callers use a few guard digits in ``scale``.

The series used:

* ``ln(m) = 2 atanh((m - 1) / (m + 1))`` with ``atanh(x) = x + x^3/3 + x^5/5 + ...``; for
  ``m`` in ``[1, 2)`` the argument is below 1/3, so each term shrinks ninefold.
* ``ln(N) = k ln 2 + ln(N / 2^k)`` with ``k = N.bit_length() - 1`` and ``ln 2 = 2 atanh(1/3)``.
* ``log10(N) = ln(N) / ln(10)``.
* ``exp(y) = 1 + y + y^2/2! + ...`` for ``0 <= y < 3``, used for ``10^f = exp(f ln 10)``.
"""

from __future__ import annotations

from functools import lru_cache


def _ceil_div(a: int, b: int) -> int:
    """Ceiling of a / b for integers with b > 0."""
    return -(-a // b)


def atanh_bounds(p: int, q: int, scale: int) -> tuple[int, int]:
    """Bounds on ``atanh(p / q) * scale`` for ``0 <= p / q <= 1/3`` (so ``x^2 <= 1/9``).

    Lower bound: a sum of floored terms (all positive, later ones dropped). Upper bound: ceiled
    terms until the current power ``x^(2j+1) * scale`` is at most 1, plus the tail
    ``sum_{i>=j} x^(2i+1)/(2i+1) * scale <= x^(2j+1) * scale / (1 - x^2) <= 9/8 < 2``.
    """
    if not (0 <= 3 * p <= q and q > 0):
        raise ValueError(f"atanh_bounds needs 0 <= p/q <= 1/3, got {p}/{q}")
    if p == 0:
        return 0, 0
    x_lo, x_hi = p * scale // q, _ceil_div(p * scale, q)
    x2_lo, x2_hi = x_lo * x_lo // scale, _ceil_div(x_hi * x_hi, scale)
    pow_lo, pow_hi = x_lo, x_hi  # bounds on x^(2j+1) * scale
    lo = hi = 0
    odd = 1  # 2j + 1
    while pow_hi > 1:
        lo += pow_lo // odd
        hi += _ceil_div(pow_hi, odd)
        pow_lo = pow_lo * x2_lo // scale
        pow_hi = _ceil_div(pow_hi * x2_hi, scale)
        odd += 2
    return lo, hi + 2


@lru_cache(maxsize=256)
def ln_bounds(value: int, scale: int) -> tuple[int, int]:
    """Bounds on ``ln(value) * scale`` for an integer ``value >= 1``."""
    if value < 1:
        raise ValueError(f"ln_bounds needs an integer >= 1, got {value}")
    k = value.bit_length() - 1
    power = 1 << k  # value / power is in [1, 2)
    rest_lo, rest_hi = atanh_bounds(value - power, value + power, scale)
    if k == 0:
        return 2 * rest_lo, 2 * rest_hi
    ln2_lo, ln2_hi = atanh_bounds(1, 3, scale)
    return 2 * (k * ln2_lo + rest_lo), 2 * (k * ln2_hi + rest_hi)


@lru_cache(maxsize=256)
def log10_bounds(value: int, scale: int) -> tuple[int, int]:
    """Bounds on ``log10(value) * scale`` for an integer ``value >= 1``."""
    num_lo, num_hi = ln_bounds(value, scale)
    ten_lo, ten_hi = ln_bounds(10, scale)
    return num_lo * scale // ten_hi, _ceil_div(num_hi * scale, ten_lo)


def exp_bounds(y_lo: int, y_hi: int, scale: int) -> tuple[int, int]:
    """Bounds on ``exp(y) * scale`` for every ``y`` with ``y_lo <= y * scale <= y_hi``, ``0 <= y < 3``.

    exp is increasing, so the lower bound comes from ``y_lo`` (floored terms, tail dropped) and the
    upper from ``y_hi`` (ceiled terms; once ``j > 2y`` each term is at most half the previous one,
    so the tail after a term ``t`` is at most ``t``).
    """
    if not (0 <= y_lo <= y_hi < 3 * scale):
        raise ValueError("exp_bounds needs 0 <= y_lo <= y_hi < 3 * scale")
    lo = term = scale
    j = 1
    while term:
        term = term * y_lo // (j * scale)
        lo += term
        j += 1
    hi = term = scale
    j = 1
    while True:
        term = _ceil_div(term * y_hi, j * scale)
        hi += term
        if j * scale >= 2 * y_hi and term <= 1:
            return lo, hi + term
        j += 1


def pow10_frac_bounds(f_lo: int, f_hi: int, scale: int) -> tuple[int, int]:
    """Bounds on ``10^f * scale`` for every ``f`` with ``f_lo <= f * scale <= f_hi``, ``0 <= f < 1``."""
    ten_lo, ten_hi = ln_bounds(10, scale)
    return exp_bounds(f_lo * ten_lo // scale, _ceil_div(f_hi * ten_hi, scale), scale)
