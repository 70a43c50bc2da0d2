"""The corner page under Streamlit's AppTest, through app.py's navigation: each kind of image, uploads good and bad,
shared and tampered links, a missing summary. (The settings surviving a walk through the other pages: the browser
test, tests/e2e/test_e2e_corner.py.)"""

from __future__ import annotations

import base64
import io
from pathlib import Path

import numpy as np
import pytest
import streamlit as st
from PIL import Image
from streamlit.testing.v1 import AppTest

from diffusion_core.model.weights import available_models

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "pages/corner.py"
pytestmark = pytest.mark.skipif("digits" not in available_models(), reason="no weights")


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def _corner(query: dict[str, str] | None = None) -> AppTest:
    """app.py, then the corner page, with ``query`` as the link's parameters (96 calls unless it says)."""
    at = AppTest.from_file(APP, default_timeout=300)
    for key, value in {"calls": "96", **(query or {})}.items():
        at.query_params[key] = value
    _ok(at.run())
    return _ok(at.switch_page(PAGE).run())


def _bound(at: AppTest) -> tuple[float, float]:
    metric = next(m for m in at.metric if m.label.startswith("The model's bound"))
    value, half = metric.value.split(" ± ")
    return float(value), float(half)


def _text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def _png(width: int, height: int, mode: str = "RGB") -> bytes:
    arr = np.random.default_rng(0).integers(0, 256, (height, width, 3), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(arr).convert(mode).save(buf, format="PNG")
    return buf.getvalue()


def test_held_out_digit_is_measured_and_the_link_says_so():
    at = _corner()
    value, half = _bound(at)
    assert 0.3 < value < 4 and 0 < half < 0.2  # a real digit: a fraction of the 8 bits/dim of the whole space
    assert "What the model proves." in _text(at) and "What the compressor proves, by counting." in _text(at)
    assert at.subheader[0].value == "Held-out real image #0"
    charts = [i.proto.imgs[0].url for i in at.get("image") if i.proto.imgs[0].url.startswith("data:image/svg+xml")]
    shown = " ".join(base64.b64decode(u.split(",", 1)[1]).decode() for u in charts)
    assert len(charts) == 4 and not at.get("plotly_chart")  # the bound's histogram, its profile, the shells, norms
    assert "Bits per dimension, image by image" in shown and "this image" in shown
    assert dict(at.query_params) == {"model": "digits", "img": "held:0", "calls": "96"}


def test_uniform_noise_proves_nothing_and_a_sample_does():
    at = _corner({"img": "noise", "seed": "5"})
    assert _bound(at)[0] > 8 and "The model proves nothing here." in _text(at)
    assert "The compressor proves nothing either" in _text(at)
    at.radio(key="co_src").set_value("generated").run()
    _ok(at)
    at.selectbox(key="co_label").set_value(7).run()
    _ok(at)
    assert at.subheader[0].value.startswith("A fresh sample of class “7")
    assert _bound(at)[0] < 8 and at.query_params["img"] == "generated:7"


def test_bundled_photo_and_good_upload_are_reduced_to_the_models_size():
    at = _corner({"img": "photo:Camera"})
    assert at.subheader[0].value == "Camera, reduced to 28 × 28 grayscale"
    at.radio(key="co_image_source").set_value("Upload your own").run()
    at.file_uploader(key="co_image_upload").upload("mine.png", _png(60, 40, mode="P"), "image/png").run()
    _ok(at)
    assert not at.error and at.subheader[0].value == "Your picture, reduced to 28 × 28 grayscale"


@pytest.mark.parametrize("name, data, expected", [
    ("bad.png", b"this is not an image", "not an image"),
    ("cut.png", _png(50, 50)[:200], "damaged or truncated"),
    ("empty.png", b"", "empty"),
], ids=["not-an-image", "truncated", "empty"])
def test_bad_upload_shows_an_error_and_the_page_keeps_working(name, data, expected):
    at = _corner({"img": "photo:Astronaut"})
    at.radio(key="co_image_source").set_value("Upload your own").run()
    at.file_uploader(key="co_image_upload").upload(name, data, "image/png").run()
    _ok(at)
    assert len(at.error) == 1 and expected in at.error[0].value and "bundled photo" in at.error[0].value
    assert at.subheader[0].value == "Your picture, reduced to 28 × 28 grayscale"  # the fallback, still measured
    assert _bound(at)[0] > 0


def test_shared_link_is_restored():
    at = _corner({"model": "fashion", "img": "held:42", "calls": "192"})
    assert not [w for w in at.warning if "Ignored" in w.value]  # nothing in the link was refused
    # Fashion-MNIST's model scores MNIST digits better than its own images: the page says what that means.
    assert any("no detector of foreign images" in w.value for w in at.warning)
    assert at.selectbox(key="co_model").value == "fashion" and at.number_input(key="co_index").value == 42
    assert at.select_slider(key="co_calls").value == 192 and at.subheader[0].value == "Held-out real image #42"


def test_tampered_link_warns_and_uses_defaults():
    at = _corner({"model": "evil", "img": "held:99999", "seed": "-1", "calls": "7" * 60})
    assert len(at.warning) == 4 and all("Using the default instead" in w.value for w in at.warning)
    assert any("…" in w.value for w in at.warning)  # a long value is quoted cut short
    assert dict(at.query_params) == {"model": "digits", "img": "held:0", "calls": "192"}


def test_a_missing_summary_is_explained_not_a_crash(monkeypatch, tmp_path):
    from diffusion_core.likelihood import summary

    monkeypatch.setattr(summary, "SUMMARY_DIR", tmp_path)
    (tmp_path / "digits.json").write_text("{not json")
    st.cache_resource.clear()
    try:
        at = _corner()
        assert any("unreadable" in i.value and "--export" in i.value for i in at.info)
        assert _bound(at)[0] > 0
    finally:
        st.cache_resource.clear()


@pytest.mark.skipif("emoji" not in available_models(), reason="no emoji weights")
def test_the_colour_model_has_its_histogram_and_says_when_the_compressor_wins():
    """The emoji model's shipped summary draws the histogram; its held-out emoji cost more bits under the model than
    under PNG/LZMA, and the page says so (the digits model beats the compressor: no such note)."""
    emoji = _corner({"model": "emoji"})
    assert "32 × 32 × 3 = 3,072 values" in " ".join(i.proto.imgs[0].caption for i in emoji.get("image"))
    charts = [i.proto.imgs[0].url for i in emoji.get("image") if i.proto.imgs[0].url.startswith("data:image/svg+xml")]
    assert len(charts) == 4  # the histogram and the profile need the shipped summary (without it: 2 charts, a note)
    assert not any("--export" in i.value for i in emoji.info)
    assert any("Here the compressor wins" in i.value for i in emoji.info)
    digits = _corner({"model": "digits"})
    assert not any("Here the compressor wins" in i.value for i in digits.info)
