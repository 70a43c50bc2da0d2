"""Image <-> index: exact round trip, the base-256 reading order, text conversion and parsing of a reader's paste."""

from __future__ import annotations

import decimal
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diffusion_core.space.image_index import (
    MAX_INDEX_CHARS,
    BadIndexError,
    changed_pixels,
    image_to_index,
    index_count,
    index_to_image,
    index_to_text,
    parse_index,
    random_index,
    text_to_index,
)


def decimal_text(value: int) -> str:
    """Oracle for int -> text that does not touch Python's int/str digit limit: stdlib decimal."""
    return str(decimal.Decimal(value))


def images(max_side: int = 12):
    return st.tuples(st.integers(1, max_side), st.integers(1, max_side), st.integers(0, 2**32 - 1)).map(
        lambda t: np.random.default_rng(t[2]).integers(0, 256, size=(t[0], t[1]), dtype=np.uint8))


@settings(max_examples=200, deadline=None)
@given(image=images())
def test_round_trip_is_exact(image):
    h, w = image.shape
    index = image_to_index(image)
    assert 0 <= index < index_count(w, h)
    np.testing.assert_array_equal(index_to_image(index, w, h), image)


@settings(max_examples=100, deadline=None)
@given(image=images())
def test_index_is_the_base_256_number_read_row_by_row(image):
    """Oracle: the sum of p_i * 256**(n-1-i) over pixels in row-major order."""
    flat = [int(v) for v in image.ravel()]
    assert image_to_index(image) == sum(p * 256 ** (len(flat) - 1 - i) for i, p in enumerate(flat))


def test_extremes():
    assert image_to_index(np.zeros((8, 8), np.uint8)) == 0
    assert image_to_index(np.full((8, 8), 255, np.uint8)) == 256**64 - 1
    corner = np.zeros((8, 8), np.uint8)
    corner[0, 0] = 1
    assert image_to_index(corner) == 256**63


@settings(max_examples=100, deadline=None)
@given(image=images())
def test_index_plus_one_changes_only_the_last_pixel_unless_it_carries(image):
    h, w = image.shape
    index = image_to_index(image)
    if index + 1 == index_count(w, h):
        return
    changes = changed_pixels(image, index_to_image(index + 1, w, h))
    if image[-1, -1] < 255:
        assert changes == [(h - 1, w - 1, int(image[-1, -1]), int(image[-1, -1]) + 1)]
    else:
        assert len(changes) >= 2 and changes[-1] == (h - 1, w - 1, 255, 0)


def test_full_size_round_trip_and_text():
    image = np.random.default_rng(0).integers(0, 256, size=(100, 100), dtype=np.uint8)
    index = image_to_index(image)
    text = index_to_text(index)
    assert text == decimal_text(index) and len(text) > 4300  # past Python's default int -> str limit
    assert text_to_index(text) == index
    np.testing.assert_array_equal(index_to_image(parse_index(text, 100, 100), 100, 100), image)


@settings(max_examples=100, deadline=None)
@given(value=st.tuples(st.integers(1, 100_000), st.integers(0, 2**32)).map(
    lambda t: random.Random(t[1]).getrandbits(t[0])))  # integers of up to ~30,000 digits
def test_text_conversions_match_decimal(value):
    text = decimal_text(value)
    assert index_to_text(value) == text
    assert text_to_index(text) == value


def test_parse_index_ignores_separators():
    assert parse_index(" 1,234 567_8\n9 ", 8, 8) == 123456789


@pytest.mark.parametrize(("text", "message"), [
    ("", "empty"), ("   ", "empty"), ("12a3", "“a” is not a digit"), ("-5", "“-” is not a digit"),
    ("1.5", "“.” is not a digit"), ("١٢", "not a digit"), ("9" * 200, "at most 155"),
    (str(256**64), "too large"),
])
def test_parse_index_refuses_with_a_clear_message(text, message):
    with pytest.raises(BadIndexError, match=message):
        parse_index(text, 8, 8)


def test_largest_index_is_accepted_and_leading_zeros_are_fine():
    assert parse_index(str(256**64 - 1), 8, 8) == 256**64 - 1
    assert parse_index("000" + "5", 8, 8) == 5


def test_index_to_image_refuses_out_of_range():
    for bad in (-1, 256**64):
        with pytest.raises(BadIndexError):
            index_to_image(bad, 8, 8)


def test_random_index_is_in_range_and_reproducible():
    values = {random_index(8, 8, seed) for seed in range(50)}
    assert all(0 <= v < 256**64 for v in values) and len(values) == 50
    assert random_index(8, 8, 7) == random_index(8, 8, 7)


def test_leading_zeros_are_stripped_before_converting():
    """A 49,990-zero paste converts as the one digit it is (before: the whole text went through the
    divide-and-conquer conversion, about N^1.5, re-done on every rerun)."""
    assert parse_index("0" * 49_990 + "7", 100, 100) == 7
    assert parse_index("000", 8, 8) == 0


def test_text_past_the_length_cap_is_refused_unread():
    with pytest.raises(BadIndexError, match="longer than 50,000 characters"):
        parse_index("0" * (MAX_INDEX_CHARS + 1), 100, 100)
    with pytest.raises(BadIndexError, match="longer than 50,000 characters"):
        parse_index("x" * 4_000_000, 8, 8)  # refused by its length, before any character is looked at
