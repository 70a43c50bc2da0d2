"""Numbers read from a shared link: plain ASCII decimals in range, and None for everything a stranger might type."""

from __future__ import annotations

import pytest

from diffusion_core.access.link_values import whole_in


@pytest.mark.parametrize(("text", "value"), [("0", 0), ("7", 7), ("0042", 42), ("999", 999)])
def test_plain_decimals_in_range_are_read(text, value):
    assert whole_in(text, 0, 999) == value


@pytest.mark.parametrize("text", ["", "-3", "+3", " 3", "3 ", "1_000", "1e3", "3.0", "١٢", "٣", "1000", "9" * 13,
                                  "nan", "0x10"])
def test_anything_else_is_none(text):
    assert whole_in(text, 0, 999) is None


def test_a_non_string_is_none():
    assert whole_in(["3"], 0, 9) is None  # a repeated query parameter arrives as a list in some readers
