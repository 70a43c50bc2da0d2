"""The drawing pad's value (diffusion_core.images.pad_value): it round-trips, and anything malformed is refused."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from diffusion_core.images.pad_value import (
    MAX_SIDE,
    DrawPadValue,
    PadValueError,
    blank,
    content_digest,
    decode,
    encode,
)

sides = st.integers(1, MAX_SIDE)


@st.composite
def values(draw):
    h, w = draw(sides), draw(sides)
    shape = (h, w, 3) if draw(st.booleans()) else (h, w)
    image = draw(hnp.arrays(np.uint8, shape))
    fill = draw(hnp.arrays(np.bool_, (h, w)))
    token = draw(st.text(max_size=80))
    return DrawPadValue(image, fill, token)


@given(values())
def test_round_trip_through_json(value):
    obj = json.loads(json.dumps(encode(value)))  # what travels to the browser and back
    back = decode(obj)
    assert back.same_content(value) and back.token == value.token
    assert back.image.dtype == np.uint8 and back.fill.dtype == np.bool_ and back.image.shape == value.image.shape
    assert np.array_equal(back.known, ~value.fill)


@given(values())
def test_the_bytes_are_numpys_row_major_bytes(value):
    obj = encode(value)
    assert base64.b64decode(obj["pixels"]) == value.image.tobytes()
    assert obj["shape"] == list(value.image.shape)
    if value.fill.any():
        assert base64.b64decode(obj["fill"]) == value.fill.astype(np.uint8).tobytes()
    else:
        assert obj["fill"] is None


def test_what_the_browser_sends_decodes():
    """The pad's own encoding (JavaScript: btoa over a Uint8Array), for a 2 x 3 grey picture with one mark."""
    obj = {"shape": [2, 3], "pixels": "AAH/gAcI", "fill": "AAAAAQAA", "token": "pad-x-1"}
    value = decode(obj)
    assert value.image.tolist() == [[0, 1, 255], [128, 7, 8]]
    assert value.fill.tolist() == [[False, False, False], [True, False, False]]
    assert value.known.sum() == 5 and not value.colour


def test_blank_pads():
    grey, colour = blank(28, False), blank(32, True)
    assert grey.image.shape == (28, 28) and not grey.image.any() and not grey.fill.any()
    assert colour.image.shape == (32, 32, 3) and (colour.image == 255).all() and colour.colour


def test_content_digest_names_content():
    a = np.zeros((4, 4), np.uint8)
    b = a.copy()
    b[1, 2] = 1
    fill = np.zeros((4, 4), bool)
    assert content_digest(a) == content_digest(a.copy()) != content_digest(b)
    assert content_digest(a) != content_digest(a.reshape(2, 8))
    assert content_digest(a, fill) != content_digest(a, ~fill)


def _good() -> dict:
    return {"shape": [2, 2], "pixels": base64.b64encode(bytes([1, 2, 3, 4])).decode(), "fill": None, "token": "t"}


@pytest.mark.parametrize("change,message", [
    (lambda o: "not a dict", "JSON object"),
    (lambda o: {k: v for k, v in o.items() if k != "pixels"}, "needs pixels"),
    (lambda o: o | {"shape": [2]}, "shape"),
    (lambda o: o | {"shape": [2, 2, 4]}, "shape"),
    (lambda o: o | {"shape": [0, 2]}, "shape"),
    (lambda o: o | {"shape": [MAX_SIDE + 1, 2]}, "shape"),
    (lambda o: o | {"shape": [2.0, 2]}, "shape"),
    (lambda o: o | {"shape": [True, 2]}, "shape"),
    (lambda o: o | {"shape": "2x2"}, "shape"),
    (lambda o: o | {"pixels": "AQID"}, "holds 3 bytes; its shape needs 4"),
    (lambda o: o | {"pixels": "AQIDBA=!"}, "not valid base64"),
    (lambda o: o | {"pixels": "AQ ID BA=="}, "not valid base64"),
    (lambda o: o | {"pixels": 5}, "base64 string"),
    (lambda o: o | {"pixels": "AQIDBé=="}, "not valid base64"),
    (lambda o: o | {"fill": base64.b64encode(bytes([0, 1, 2, 0])).decode()}, "0 or 1"),
    (lambda o: o | {"fill": base64.b64encode(bytes([0, 1])).decode()}, "fill holds 2 bytes"),
    (lambda o: o | {"token": 7}, "token"),
    (lambda o: o | {"token": "x" * 81}, "token"),
])
def test_malformed_values_are_refused(change, message):
    with pytest.raises(PadValueError, match=message):
        decode(change(_good()))


@pytest.mark.parametrize("image,fill,message", [
    (np.zeros((4, 4), np.float32), np.zeros((4, 4), bool), "uint8"),
    (np.zeros((4, 4, 4), np.uint8), np.zeros((4, 4), bool), r"\(H, W\) or \(H, W, 3\)"),
    (np.zeros((4, 4), np.uint8), np.zeros((4, 3), bool), "fill must be bool"),
    (np.zeros((4, 4), np.uint8), np.zeros((4, 4), np.uint8), "fill must be bool"),
])
def test_values_are_checked_when_made(image, fill, message):
    with pytest.raises(PadValueError, match=message):
        DrawPadValue(image, fill)
