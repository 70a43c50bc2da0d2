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
    assert "What the model proves, with 95% confidence." in _text(at) and "What the compressor proves, by counting." in _text(at)
    assert at.header[0].value == "Held-out real image #0"
    charts = [i.proto.imgs[0].url for i in at.get("image") if i.proto.imgs[0].url.startswith("data:image/svg+xml")]
    shown = " ".join(base64.b64decode(u.split(",", 1)[1]).decode() for u in charts)
    # the bound's histogram, its profile, the shells and the norms, each drawn wide and narrow (for a phone)
    assert len(charts) == 8 and not at.get("plotly_chart")
    assert sum('width="480"' in base64.b64decode(u.split(",", 1)[1]).decode()[:300] for u in charts) == 4
    assert "Bits per dimension, image by image" in shown and "this image" in shown
    assert dict(at.query_params) == {"model": "digits", "img": "held:0", "calls": "96"}


def test_uniform_noise_proves_nothing_and_a_sample_does():
    at = _corner({"img": "noise", "seed": "5"})
    assert _bound(at)[0] > 8 and "The bound proves nothing here." in _text(at)
    assert "The compressor proves nothing either" in _text(at)
    at.radio(key="co_src").set_value("generated").run()
    _ok(at)
    at.selectbox(key="co_label").set_value(7).run()
    _ok(at)
    assert at.header[0].value.startswith("A fresh sample of class “7")
    assert _bound(at)[0] < 8 and at.query_params["img"] == "generated:7"


def test_bundled_photo_and_good_upload_are_reduced_to_the_models_size():
    at = _corner({"img": "photo:Camera"})
    assert at.header[0].value == "Camera, reduced to 28 × 28 grayscale"
    at.radio(key="co_image_source").set_value("Upload your own").run()
    at.file_uploader(key="co_image_upload").upload("mine.png", _png(60, 40, mode="P"), "image/png").run()
    _ok(at)
    assert not at.error and at.header[0].value == "Your picture, reduced to 28 × 28 grayscale"


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
    assert at.header[0].value == "Your picture, reduced to 28 × 28 grayscale"  # the fallback, still measured
    assert _bound(at)[0] > 0


def test_shared_link_is_restored():
    at = _corner({"model": "fashion", "img": "held:42", "calls": "192"})
    assert not [w for w in at.warning if "Ignored" in w.value]  # nothing in the link was refused
    # Fashion-MNIST's model scores MNIST digits better than its own images: the page says what that means.
    assert any("no detector of foreign images" in w.value for w in at.warning)
    assert at.selectbox(key="co_model").value == "fashion" and at.number_input(key="co_index").value == 42
    assert at.select_slider(key="co_calls").value == 192 and at.header[0].value == "Held-out real image #42"


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
    assert len(charts) == 8  # the histogram and the profile need the shipped summary (without it: 4 charts, a note)
    assert not any("--export" in i.value for i in emoji.info)
    assert any("Here the compressor wins" in i.value for i in emoji.info)
    digits = _corner({"model": "digits"})
    assert not any("Here the compressor wins" in i.value for i in digits.info)


# ---------------------------------------------------------------- issue 28: what the page says is true
def _all_text(at: AppTest) -> str:
    kinds = ("markdown", "caption", "latex", "info", "warning", "header")
    return "\n".join(str(e.value) for kind in kinds for e in getattr(at, kind))


def test_a_bound_above_8_bits_proves_nothing_and_says_why():
    """Item 3: L(x) bounds −log₂ P(x) from above, so a large bound cannot show that the model finds noise less
    likely than a uniform pick; the page said it did ("less plausible", "the model is sure it is not a picture")."""
    at = _corner({"img": "noise", "seed": "5"})
    text = _all_text(at)
    assert "An upper bound can show that an image is likely, never that it is unlikely" in text
    for wrong in ("less plausible", "is sure it is not", "less* plausible"):
        assert wrong not in text
    assert "where the bound proves nothing about it" in text  # the histogram's caption about noise


def test_the_bound_is_typeset_with_its_expectation_and_its_confidence_is_named():
    """Items 4 and 10: eq. 5 with its average over q(x_{1:T} | x_0); "proves" with its 95% confidence, and the
    upper end of the two-sided 95% interval (±1.96 standard errors, estimate.Z95) named as a 97.5% one-sided bound."""
    at = _corner()
    text = _all_text(at)
    assert r"\mathbb E_{q(x_{1:T}\mid x_0)}" in text
    assert "What the model proves, with 95% confidence." in text and "97.5% confidence" in text
    assert "±1.96 standard errors" in text


def test_the_page_says_which_models_probability_it_measures():
    """Item 11: the unconditional 1,000-step DDPM with β̃ and the decoder, not the guided 20-step sampler that made
    the fresh sample beside it."""
    at = _corner({"img": "generated:3", "seed": "1"})
    text = _all_text(at)
    assert "as a DDPM of all 1,000 steps" in text and "without a class (no prompt, no guidance)" in text
    sampler = next(c.value for c in at.caption if c.value.startswith("Made by the app's default sampler"))
    assert "20 steps of DPM-Solver++" in sampler and "not by the 1,000-step DDPM" in sampler


def test_the_terms_are_described_as_the_code_computes_them():
    """Item 15: no "Exact:" before the prior (it is small, not zero); the decoder's variance is β̃₂, not "the
    sampler's own"; the proposal follows the drops of log(1 + SNR), with the decoder's fixed share; the new line
    "the training loss is the bound" with the SNR weight (tests/unit/test_likelihood_bound.py holds it)."""
    at = _corner()
    text = _all_text(at)
    assert "Exact:" not in text and "computed in closed form" in text
    assert "of variance β̃<sub>2</sub>, the variance of the sampler's last noisy step" in text
    assert "in proportion to how much log(1 + SNR) drops at each step" in text and "35% of the draws" in text
    assert "The training loss is the bound, reweighted." in text
    assert r"\tfrac12\big(\mathrm{SNR}(t-1) - \mathrm{SNR}(t)\big)\,\|x_0-\hat x_0\|^2" in text
    assert "the forward process buries the finest detail first" in text  # coarse to fine, tied to the bits


def test_commands_are_under_reproduce_this_and_not_in_captions():
    """Item 16: a developer command printed in a caption moves under "Reproduce this" (as plain preformatted
    text, not st.code, which would cost the page a 600 KiB highlighter)."""
    at = _corner()
    assert not any("python -m" in c.value for c in at.caption)
    box = next(e for e in at.expander if e.label == "Reproduce this")
    assert "python -m diffusion_core.likelihood" in " ".join(str(h.proto) for h in box.get("html"))
    assert not at.get("code") and not at.dataframe
    assert any(e.label == "Words on this page" for e in at.expander)


@pytest.mark.skipif("emoji" not in available_models(), reason="no emoji weights")
def test_the_colour_models_random_images_are_described_in_colour():
    """Issue 30: the colour model's random images are colour static, not "grey static"."""
    at = _corner({"model": "emoji"})
    alt = next(i.proto.imgs[0].alt for i in at.get("image") if i.proto.imgs[0].caption == "Eight uniformly random images")
    assert "colour static" in alt and "grey" not in alt


def test_every_symbol_of_the_estimate_is_said_in_words():
    """Issue 28 item 14: μ̃_t, n_h, t_j, ε_j and m_h appear in the formulas; each is now said in words (n_h, ε_j and
    μ̃_t were not). The bound that proves nothing says less than counting (it said every image gets one in 256^D by
    counting, which no model promises), and the compressor, not the bound, proves the smaller corner when it wins."""
    at = _corner()
    text = _all_text(at)
    assert "μ̃<sub>t</sub>, the mean of that true step (Ho et al. 2020, eq. 7)" in text
    assert "stratum h gets n_h of them, each at a timestep t_j drawn from q within the stratum and with its own noise ε_j" in text
    noise = _all_text(_corner({"img": "noise", "seed": "5"}))
    assert "says less than counting alone: there are only 256<sup>D</sup> images in all" in noise
    assert "what every image gets by counting alone" not in noise
    emoji = "\n".join(i.value for i in _corner({"model": "emoji"}).info)
    assert "the compressor proves a smaller corner than the model's bound does" in emoji
