"""Independent oracles for the decimal digits of ``base ** exponent``, shared by the unit and AppTest suites.

None of them uses ``diffusion_core``:

* :func:`leading_digits_oracle` / :func:`digit_count_oracle`: stdlib :mod:`decimal`'s correctly rounded
  ``log10`` and ``power``, computed at two precisions that must agree (so the oracle checks itself);
* the last digits: Python's ``pow(base, exponent, 10**k)``;
* :func:`assert_is_power_text`: the whole text, checked digit for digit without converting it to an ``int``
  (quadratic in CPython for millions of digits): its value modulo three large primes must equal
  ``pow(base, exponent, p)``. Any single wrong, missing or extra digit changes every residue.

Import as ``from tests.unit.power_oracles import ...`` (the repository root is on ``sys.path``, tests/conftest.py).
"""

from __future__ import annotations

import decimal

# Mersenne primes: coprime to 10, so a change of d * 10**i (d = 1..9) in the text changes the residue.
CHECK_PRIMES = (2**61 - 1, 2**89 - 1, 2**127 - 1)
_CHUNK = 18  # digits converted at a time (well inside int()'s limit)


def _log10_power(base: int, exponent: int, prec: int) -> decimal.Decimal:
    """``exponent * log10(base)`` in a decimal context of ``prec`` significant digits."""
    ctx = decimal.Context(prec=prec, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN)
    return ctx.multiply(ctx.log10(decimal.Decimal(base)), exponent)


def _precisions(exponent: int, k: int) -> tuple[int, int]:
    """Enough digits for the integer part of n log10 b plus k + 30 after the point, and twice that."""
    first = len(str(exponent)) + k + 30
    return first, 2 * first


def digit_count_oracle(base: int, exponent: int) -> int:
    """``floor(n log10 b) + 1`` from decimal at two precisions that agree."""
    counts = {int(_log10_power(base, exponent, prec)) + 1 for prec in _precisions(exponent, 0)}
    assert len(counts) == 1, f"the decimal oracle disagrees with itself: {counts}"
    return counts.pop()


def leading_digits_oracle(base: int, exponent: int, k: int = 50) -> str:
    """The first ``k`` digits of ``base ** exponent`` (which must have more than ``k`` digits).

    ``floor(10 ** (f + k - 1))`` with ``f`` the fractional part of ``n log10 b``, from decimal at about
    ``len(str(n)) + k + 30`` significant digits and again at twice that; the two heads must agree.
    """
    heads = set()
    for prec in _precisions(exponent, k):
        ctx = decimal.Context(prec=prec, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN)
        x = _log10_power(base, exponent, prec)
        assert int(x) + 1 > k, "the number is too short for this oracle: compare its exact text instead"
        frac = ctx.subtract(x, x.to_integral_value(rounding=decimal.ROUND_FLOOR))
        heads.add(str(int(ctx.power(decimal.Decimal(10), ctx.add(frac, k - 1)))))
    assert len(heads) == 1, f"the decimal oracle disagrees with itself: {heads}"
    head = heads.pop()
    assert len(head) == k
    return head


def trailing_digits_oracle(base: int, exponent: int, k: int = 50) -> str:
    """The last ``k`` digits of ``base ** exponent`` (with leading zeros), from ``pow``."""
    return str(pow(base, exponent, 10**k)).zfill(k)


def digits_mod(text: str, modulus: int) -> int:
    """The value of the decimal ``text`` modulo ``modulus`` (Horner's rule, ``_CHUNK`` digits at a time)."""
    r = 0
    for i in range(0, len(text), _CHUNK):
        chunk = text[i:i + _CHUNK]
        r = (r * 10 ** len(chunk) + int(chunk)) % modulus
    return r


def assert_is_power_text(text: str, base: int, exponent: int) -> None:
    """``text`` is exactly the decimal digits of ``base ** exponent``: form, length, head, tail and checksums."""
    assert text.isascii() and text.isdigit() and text[0] != "0", text[:80]
    assert len(text) == digit_count_oracle(base, exponent)
    assert text[:50] == leading_digits_oracle(base, exponent)
    assert text[-50:] == trailing_digits_oracle(base, exponent)
    for p in CHECK_PRIMES:
        assert digits_mod(text, p) == pow(base, exponent, p), f"the digits are wrong somewhere (mod {p})"
