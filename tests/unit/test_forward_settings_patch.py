"""The forward page's shareable URL settings (validated on read) and the patch-of-integers helpers."""

from __future__ import annotations

import re

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from diffusion_core.forward.settings import RESOLUTIONS, ForwardSettings
from diffusion_core.images.pixel_patch import (
    OUTLINE_RGB,
    centred_origin,
    clamp_origin,
    patch,
    with_outline,
)

PHOTOS = ["Astronaut", "Hubble deep field"]
SIZES = {"digits": 1000, "fashion": 1000, "emoji": 348}  # held-out images per data set, as the page reads them


def test_settings_round_trip_through_the_url():
    s = ForwardSettings(source="fashion", index=17, colour="gray", res=64, schedule="linear", T=500, t=499, seed=9)
    back, problems = ForwardSettings.from_query(s.to_query(), PHOTOS, SIZES)
    assert problems == [] and back == s
    photo = ForwardSettings(photo="Hubble deep field")
    assert ForwardSettings.from_query(photo.to_query(), PHOTOS, SIZES) == (photo, [])


def test_tampered_values_fall_back_to_defaults_with_a_message_each():
    query = {"img": "photo:../../etc/passwd", "colour": "cmyk", "res": "100000", "schedule": "quadratic",
             "T": "-5", "t": "1e3", "seed": "abc", "unknown": "x"}
    s, problems = ForwardSettings.from_query(query, PHOTOS, SIZES)
    assert s == ForwardSettings()
    named = [re.match(r"Ignored (\w+)=(.*?) in the link: ", p) for p in problems]
    assert all(named), problems
    assert sorted((m.group(1), m.group(2)) for m in named) == sorted((k, v) for k, v in query.items() if k != "unknown")


def test_t_is_checked_against_the_linked_T():
    s, problems = ForwardSettings.from_query({"T": "100", "t": "150"}, PHOTOS, SIZES)
    assert s.T == 100 and s.t == 100 and len(problems) == 1  # default t clamped, bad t reported
    s, problems = ForwardSettings.from_query({"T": "100"}, PHOTOS, SIZES)
    assert s.t == 100 and problems == []
    s, problems = ForwardSettings.from_query({"img": "digits:999", "res": str(RESOLUTIONS[0])}, PHOTOS, SIZES)
    assert (s.source, s.index, s.res, problems) == ("digits", 999, RESOLUTIONS[0], [])
    assert ForwardSettings.from_query({"img": "digits:1000"}, PHOTOS, SIZES)[1]


@given(st.dictionaries(st.sampled_from(["img", "colour", "res", "schedule", "T", "t", "seed"]), st.text(max_size=30)))
def test_any_query_gives_valid_settings(query):
    s, _ = ForwardSettings.from_query(query, PHOTOS, SIZES)
    assert 0 <= s.t <= s.T and s.res in RESOLUTIONS and s.colour in ("gray", "rgb")
    assert s.source in ("photo", *SIZES) and (s.source != "photo" or s.photo in PHOTOS + ["Astronaut"])


def test_patch_is_the_slice_and_stays_inside():
    img = np.arange(20 * 30 * 3, dtype=np.uint32).reshape(20, 30, 3).astype(np.uint8)
    np.testing.assert_array_equal(patch(img, 5, 7, 8), img[5:13, 7:15])
    assert clamp_origin(img.shape, 100, -4, 8) == (12, 0)
    np.testing.assert_array_equal(patch(img, 100, 100, 8), img[12:20, 22:30])
    assert centred_origin((28, 28), 8) == (10, 10)
    assert patch(np.zeros((5, 6), np.uint8), 0, 0, 8).shape == (5, 6)  # smaller than the patch: all of it


def test_outline_surrounds_the_patch_without_covering_it():
    gray = np.full((10, 12), 7, np.uint8)
    out = with_outline(gray, 2, 3, 4, upscale=3)
    assert out.shape == (30, 36, 3)
    inside = out[2 * 3 : 6 * 3, 3 * 3 : 7 * 3]
    assert np.all(inside == 7)  # every patch pixel still visible
    assert tuple(out[2 * 3 - 1, 3 * 3]) == OUTLINE_RGB and tuple(out[6 * 3, 7 * 3 - 1]) == OUTLINE_RGB
    assert np.all(gray == 7)  # input untouched
