"""The forward page's new pictures and sentences (issues 27, 28, 30): the coarse-to-fine chart, the two markers of
when the picture is gone, x₀ with its patch outlined and the filmstrip as SVG (their pixels travel exactly), and the
words beside them, computed from the numbers they describe and never saying "nan" or "inf"."""

from __future__ import annotations

import base64
import io
import math
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from PIL import Image

from diffusion_core.access import alt_text
from diffusion_core.forward import charts
from diffusion_core.forward import spectrum as sp
from diffusion_core.forward.process import alpha_bar_with_zero
from diffusion_core.forward.schedules import NoiseSchedule
from diffusion_core.images.pixel_patch import OUTLINE_RGB

NS = "{http://www.w3.org/2000/svg}"
NUMERIC = ("x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "r", "width", "height", "d", "points")
ANY = st.floats(allow_nan=True, allow_infinity=True, width=64)


def _drawable(svg: str) -> ET.Element:
    """A well-formed SVG whose every coordinate is a finite number; returns its root."""
    root = ET.fromstring(svg)
    for element in root.iter():
        for name in NUMERIC:
            value = element.get(name)
            if value is not None:
                for number in re.findall(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?|nan|inf", value, re.IGNORECASE):
                    assert math.isfinite(float(number)), (element.tag, name, value)
    return root


def _texts(root: ET.Element) -> list[str]:
    return [t.text for t in root.iter(f"{NS}text")]


def _embedded(root: ET.Element) -> list[np.ndarray]:
    """The pixels of every PNG an SVG carries."""
    out = []
    for image in root.iter(f"{NS}image"):
        href = image.get("href")
        assert href.startswith("data:image/png;base64,")
        out.append(np.asarray(Image.open(io.BytesIO(base64.b64decode(href.split(",", 1)[1])))))
    return out


def _words(text: str) -> None:
    assert not re.search(r"\bnan\b|\binf\b", text, re.IGNORECASE), text


# ---------------------------------------------------------------- coarse to fine
def _wave_picture(side: int = 64) -> np.ndarray:
    x = np.arange(side)[None, :] * np.ones((side, 1))
    return sum(np.cos(2 * np.pi * k * x / side) / k for k in (1, 2, 4, 8, 16))


def test_the_spectrum_chart_draws_the_picture_the_noise_and_what_is_buried():
    power = sp.radial_power(_wave_picture())
    ab = 0.5
    buried = power.buried_above(ab)
    assert math.isfinite(buried)
    root = _drawable(charts.spectrum_chart(power, ab, 123, buried, 8, description="words"))
    texts = _texts(root)
    for name in ("buried", "x₀ (t = 0)", "the picture in x_t", "the noise", "16 × 16 thumbnail's finest",
                 "The picture's waves against the noise at t = 123"):
        assert name in texts, name
    assert root.find(f"{NS}title").text == "words"
    # at t = 0 there is no noise to draw, and nothing is buried
    texts0 = _texts(_drawable(charts.spectrum_chart(power, 1.0, 0, power.buried_above(1.0), 8)))
    assert "the noise" not in texts0 and "buried" not in texts0


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.integers(0, 40), elements=ANY), st.floats(0, 1), ANY, st.integers(0, 2000))
def test_the_spectrum_chart_draws_any_spectrum(values, ab, buried, t):
    """Any powers (empty, zero for a one-colour picture, NaN, huge), any ᾱ_t and any buried limit draw."""
    k = np.arange(1, len(values) + 1, dtype=np.float64)
    power = sp.RadialPower(k, np.abs(values), np.ones(len(values), dtype=np.int64))
    _drawable(charts.spectrum_chart(power, ab, t, buried, 8, description="d"))


def test_the_survival_chart_names_both_markers_and_leaves_out_one_that_never_happens():
    corr = np.linspace(1, 0, 1001)
    psnr = np.r_[np.inf, np.linspace(40, 0, 1000)]
    texts = _texts(_drawable(charts.survival_chart(corr, psnr, 10, 352, recognisable=860)))
    assert {"t = 10", charts.CROSSOVER_NAME, charts.RECOGNISABLE_NAME} <= set(texts)
    assert "noise outgrows the picture" not in texts  # issue 27: it says what it measures
    texts = _texts(_drawable(charts.survival_chart(corr, psnr, 10, 1001, recognisable=1001)))
    assert charts.CROSSOVER_NAME not in texts and charts.RECOGNISABLE_NAME not in texts
    for panels, title in (("correlation", "correlation of x_t with x_0"), ("psnr", "PSNR of x_t vs x_0 (dB)")):
        texts = _texts(_drawable(charts.survival_chart(corr, psnr, 10, 352, recognisable=860, panels=panels)))
        assert title in texts and charts.RECOGNISABLE_NAME in texts and len([t for t in texts if "of x_t" in t]) == 1


def test_the_schedule_chart_comes_whole_or_one_panel_at_a_time():
    cosine, linear = NoiseSchedule("cosine", 1000), NoiseSchedule("linear", 1000)
    both = _texts(_drawable(charts.schedule_chart(cosine, 400, linear)))
    weights = _texts(_drawable(charts.schedule_chart(cosine, 400, linear, panels="weights")))
    snr = _texts(_drawable(charts.schedule_chart(cosine, 400, linear, panels="snr")))
    assert "ᾱ_t (linear)" in weights and "log SNR" not in weights
    assert "log SNR (linear)" in snr and "ᾱ_t" not in snr
    assert set(weights) | set(snr) >= {"ᾱ_t, signal and noise weights", "log SNR(t)"} and "t = 400" in both


# ---------------------------------------------------------------- pictures as SVG
@settings(max_examples=30, deadline=None)
@given(st.integers(1, 40), st.integers(1, 40), st.booleans(), st.integers(-5, 60), st.integers(-5, 60),
       st.integers(1, 9), st.integers(0, 2**32 - 1))
def test_x0_with_its_box_carries_the_exact_pixels_and_boxes_the_patch(h, w, colour, top, left, scale, seed):
    pixels = np.random.default_rng(seed).integers(0, 256, (h, w, 3) if colour else (h, w), dtype=np.uint8)
    root = _drawable(charts.picture_with_box(pixels, top, left, 8, scale, "x0"))
    (shown,) = _embedded(root)
    np.testing.assert_array_equal(shown, pixels)
    rect = root.find(f"{NS}rect")
    assert rect.get("stroke") == "#{:02x}{:02x}{:02x}".format(*OUTLINE_RGB)
    x, y = float(rect.get("x")), float(rect.get("y"))
    rw, rh = float(rect.get("width")), float(rect.get("height"))
    t0, l0 = max(0, min(top, h - min(8, h))), max(0, min(left, w - min(8, w)))
    pad = 1 / scale  # the line's inner edge lies on the patch's edge: no pixel of the patch is hidden
    assert x + pad == pytest.approx(l0, abs=1e-6) and y + pad == pytest.approx(t0, abs=1e-6)
    assert rw - 2 * pad == pytest.approx(min(8, w), abs=1e-6) and rh - 2 * pad == pytest.approx(min(8, h), abs=1e-6)
    assert int(root.get("width")) == w * scale + 4


def test_the_filmstrip_keeps_every_frame_exact_with_its_label():
    frames = [(f"t = {t}", np.full((28, 28), t % 256, dtype=np.uint8)) for t in range(0, 1001, 143)]
    root = _drawable(charts.filmstrip(frames, columns=4, cell=140, description="eight"))
    for (_, pixels), shown in zip(frames, _embedded(root)):
        np.testing.assert_array_equal(shown, pixels)
    assert _texts(root) == [label for label, _ in frames]
    assert int(root.get("width")) == 4 * 140 + 3 * 10  # 28 px enlarged 5 times, four to a row
    with pytest.raises(ValueError):
        charts.filmstrip([])


# ---------------------------------------------------------------- the words
def test_when_gone_says_which_marker_is_which():
    text = alt_text.when_gone(352, 860, 1000, True)
    assert "at t = 352 (dashed line)" in text and "on average, more noise than picture" in text
    assert "until t = 859, and from t = 860 (long-dashed line)" in text and "16 × 16 thumbnail" in text
    assert "at every t up to T = 1000" in alt_text.when_gone(352, 1001, 1000, True)
    assert "stays above the noise's, on average, at every t" in alt_text.when_gone(1001, 1001, 1000, True)
    assert "nothing to recognise" in alt_text.when_gone(1, 1, 1000, False)


def test_the_spectrum_words_follow_the_buried_bands():
    power = sp.radial_power(_wave_picture())
    ab = alpha_bar_with_zero(NoiseSchedule("cosine", 1000))
    for t in (0, 100, 500, 900, 1000):
        buried = power.buried_above(float(ab[t]))
        alt, words = alt_text.spectrum_plot(t, float(ab[t]), buried, 32, 64, True)
        _words(alt)
        assert words in alt and f"t = {t}" in words
        if t == 0:
            assert "no noise yet" in words
        elif math.isinf(buried):
            assert "every band still stands above the noise" in words
        elif buried > 1:
            assert f"every band from {buried:g} waves across" in words
            assert f"every {64 / buried:.1f} pixels or less" in words and f"{buried - 1:g} waves across" in words
    assert "no waves at all" in alt_text.spectrum_plot(5, 0.5, 1.0, 32, 64, False)[1]
    assert "down to the coarsest" in alt_text.spectrum_plot(5, 0.01, 1.0, 32, 64, True)[1]


def test_the_squint_and_rarity_words():
    assert "111 times as strong as the noise's there: recognisable" in alt_text.squint_picture(250, 111.3)
    assert "0.99 times the noise's power there: the noise wins" in alt_text.squint_picture(860, 0.988)
    assert "no noise yet" in alt_text.squint_picture(0, math.inf)
    assert "only the noise's shapes" in alt_text.squint_picture(5, math.nan)
    assert alt_text.superscript_power(4230) == "10⁴²³⁰" and alt_text.superscript_power(49152, 256) == "256⁴⁹¹⁵²"
    assert alt_text.noise_ball_words(4230) == "1 in 10⁴²³⁰ (a 1 followed by 4,230 zeros)"
    assert alt_text.noise_ball_words(1) == "1 in 10¹ (a 1 followed by 1 zero)"
    assert alt_text.noise_ball_words(None) == "the bound says nothing"


def test_the_schedule_words_never_round_a_tiny_alpha_bar_to_zero():
    """Issue 28, item 16: numbers as numbers; ᾱ_T of the cosine schedule is 2.4·10⁻⁹, not "0.0000"."""
    end = float(alpha_bar_with_zero(NoiseSchedule("cosine", 1000))[-1])
    text = alt_text.schedule_plot("cosine", 1000, 250, 0.847, end)
    assert "to 2.4 × 10⁻⁹ at t = T" in text and "0.0000" not in text and "e-0" not in text
    assert "to 0.0000 at" not in alt_text.schedule_plot("linear", 1000, 250, 0.5, 4.04e-5)
    assert "to 0.0123 at" in alt_text.schedule_plot("linear", 10, 5, 0.5, 0.0123)


def test_the_schedule_paragraph_gives_each_schedules_own_betas():
    """The forward page's schedule maths: the linear schedule's scaled ends were the cosine schedule's β
    ("here β runs from 4.12842e-05 to 0.999" in the linear sentence, with the cosine schedule chosen); now each
    schedule's numbers come from that schedule, for the page's T, and small numbers are written with powers of ten."""
    from diffusion_core.forward.schedules import MAX_BETA

    def words(T):
        lin, cos = NoiseSchedule("linear", T), NoiseSchedule("cosine", T)
        return alt_text.schedule_betas(T, (lin.betas[0], lin.betas[-1]), int(np.sum(lin.betas >= MAX_BETA)),
                                       cos.betas[0], int(np.sum(cos.betas >= MAX_BETA)), MAX_BETA)

    at_1000 = words(1000)
    assert "for this page's T" not in at_1000 and "e-0" not in at_1000
    assert "the first is 4.13 × 10⁻⁵" in at_1000 and "caps them at 0.999 (only the last step is capped)" in at_1000
    assert "for this page's T = 50: from 0.002 to 0.4)" in words(50)
    at_10 = words(10)
    assert "from 0.01 to 0.999)" in at_10 and "caps β at 0.999 there too (its last 5 steps)" in at_10
    assert alt_text.small_number(4.128e-05) == "4.13 × 10⁻⁵" and alt_text.small_number(0.02) == "0.02"


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 3000), st.integers(0, 3000), st.integers(1, 2000), st.booleans(), ANY, ANY, st.floats(0, 1))
def test_the_new_sentences_never_say_nan_or_inf(crossover, recognisable, T, structured, snr, buried, ab):
    _words(alt_text.when_gone(crossover, recognisable, T, structured))
    _words(alt_text.squint_picture(5, snr))
    for text in alt_text.spectrum_plot(5, ab, buried, 64, 128, structured):
        _words(text)
