"""The numbers behind the 2-D page's sentences (issue 28): how many dimensions the pictures have, the data's own
share inside a class's 95% ellipses, the film's timesteps, the bumps of a reverse step, and the error chart that
leaves its labels room (issue 30)."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diffusion_core.access import alt_text
from diffusion_core.forward.process import alpha_bar_with_zero
from diffusion_core.forward.schedules import NoiseSchedule
from diffusion_core.model.samplers import image_shape
from diffusion_core.model.weights import available_models, load_model
from diffusion_core.toy2d import frames
from diffusion_core.toy2d.charts import error_t_chart
from diffusion_core.toy2d.datasets import dataset
from diffusion_core.toy2d.dimensions import dimension_phrase, dimensions
from diffusion_core.toy2d.metrics import EpsError
from diffusion_core.toy2d.reverse_step import START, STEP_CHOICES, TWO_KINDS, X_T, reverse_step

AB = alpha_bar_with_zero(NoiseSchedule("cosine", 1000))


# ---------------------------------------------------------------- dimensions
def test_the_pictures_dimensions_in_words():
    shapes = {"digits": (1, 28, 28), "fashion": (1, 28, 28), "emoji": (3, 32, 32)}
    assert dimension_phrase(shapes) == "784 for a 28 × 28 grey digit or garment, 3,072 for a 32 × 32 colour emoji"
    assert dimensions((3, 32, 32)) == 3072 and dimension_phrase({}) == ""
    with pytest.raises(ValueError):
        dimensions((0, 28, 28))


@pytest.mark.parametrize("name", available_models())
def test_the_shipped_summaries_have_the_models_own_shape(name):
    """The page reads each model's picture shape from its shipped likelihood summary: it is the model's own."""
    from diffusion_core.likelihood.summary import read_summary

    assert read_summary(name).shape == image_shape(load_model(name, use_onnx=False).model)


# ---------------------------------------------------------------- guidance: the data's own share
@pytest.mark.parametrize("name", ["blobs", "ring8", "grid9"])
def test_the_datas_share_in_a_class_is_about_095_of_its_weight(name):
    """Well-separated Gaussian blobs: each one's 95% ellipse holds 95% of its own draws and almost none of the
    others', so the class scores 0.95 of its weight (within the estimate's two standard errors)."""
    mix = dataset(name)
    for label in range(mix.num_classes):
        weight = float(mix.weights[mix.labels == label].sum())
        share = frames.data_share_in_class(mix, label)
        se = np.sqrt(0.95 * weight * (1 - 0.95 * weight) / frames.DATA_SHARE_DRAWS)
        assert abs(share - 0.95 * weight) < 3 * se + 0.002, (label, share, weight)


def test_the_datas_share_counts_the_draws_inside_the_ellipses():
    mix = dataset("moons")
    x, _ = mix.sample(frames.DATA_SHARE_DRAWS, np.random.default_rng(0))
    assert frames.data_share_in_class(mix, 1) == pytest.approx(frames.in_class_blob(mix, x, 1).mean())


# ---------------------------------------------------------------- the film of the field
@given(st.integers(2, 5000), st.integers(2, 60))
@settings(max_examples=60, deadline=None)
def test_the_film_walks_t_down_from_the_last_step_to_the_first(T, count):
    ts = frames.film_timesteps(T, count)
    assert ts[0] == T - 1 and ts[-1] == 0 and np.all(np.diff(ts) < 0) and len(ts) <= count
    with pytest.raises(ValueError):
        frames.film_timesteps(T, 1)


def test_the_film_alt_text_names_its_panels_and_the_error_map_has_no_arrows():
    titles = ("learned direction −ε̂ over p_t", "exact direction −ε* over p_t", "where it is wrong: p_t ‖ε̂ − ε*‖²")
    alt = alt_text.field_film(473, 0.49, titles, 0.0123)
    assert alt.startswith("The field at t = 473, 3 panels: learned direction")
    assert "where it is wrong: p_t ‖ε̂ − ε*‖² (no arrows)" in alt and "70% of their signal" in alt and "1.23%" in alt
    assert "weighted error" not in alt_text.field_film(0, 1.0, titles[1:2])


# ---------------------------------------------------------------- why small steps: the words from the numbers
def test_the_reverse_steps_the_page_shows_small_one_bump_big_two():
    small = reverse_step(TWO_KINDS, AB[START], AB[START - 10], X_T)
    big = reverse_step(TWO_KINDS, AB[START], AB[0], X_T)
    assert small.bumps == 1 and small.total_variation < 0.001
    assert big.bumps == 2 and big.total_variation > 0.5
    assert alt_text.distance_words(small.total_variation) == "below 0.001"
    assert alt_text.distance_words(big.total_variation) == f"{big.total_variation:.3f}"
    tvs = [reverse_step(TWO_KINDS, AB[START], AB[START - jump], X_T).total_variation for jump in STEP_CHOICES]
    assert tvs == sorted(tvs)  # the slider's steps, from small to big, are less and less Gaussian


def test_bump_words_and_the_chart_description():
    assert [alt_text.bump_words(n) for n in (1, 2, 12)] == ["one bump", "two bumps", "12 bumps"]
    alt = alt_text.reverse_steps(0.2, 600, [(10, 0.0001, 1), (600, 0.662, 2)])
    assert "a step of 10 (t = 600 to 590): the exact density has one bump, total variation distance below 0.001" in alt
    assert "a step of 600 (t = 600 to 0): the exact density has two bumps, total variation distance 0.662" in alt


# ---------------------------------------------------------------- the error chart's labels fit (issue 30: "6.7%")
@given(st.lists(st.floats(1e-7, 0.99), min_size=10, max_size=10))
@settings(max_examples=60, deadline=None)
def test_every_bar_label_of_the_error_chart_sits_inside_the_plot(relative):
    rel = np.array(relative)
    err = EpsError(float(rel.mean()), np.linspace(0, 1000, 11).astype(int), rel, rel, rel)
    svg = error_t_chart(err)
    top = float(re.search(r'<clipPath id="p0"><rect x="[\d.]+" y="([\d.]+)"', svg).group(1))
    labels = [float(y) for y, size in re.findall(r'<text x="[\d.]+" y="([\d.]+)" text-anchor="middle" '
                                                   r'fill="[^"]+" font-size="(\d+)">[^<]*%</text>', svg)]
    assert len(labels) == 10
    assert min(labels) - 10 >= top, (min(labels), top)  # a 10 px label's top stays below the plot's top edge
