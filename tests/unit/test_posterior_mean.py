"""x̂₀ as an average (diffusion_core.live.posterior_mean): the class's average and the distances are what they say,
the high t is where ᾱ is about 0.006, and the words follow the numbers. On the shipped digits model, the model's guess
at that t is closer to its class's average than to any one training image (the page's claim, checked)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from diffusion_core.forward.schedules import NoiseSchedule
from diffusion_core.live.posterior_mean import (
    AverageGuess,
    class_mean,
    compare,
    guess_at_high_t,
    high_t,
    in_model_range,
    rms,
    words,
)
from diffusion_core.model.weights import available_models

IMAGES = arrays(np.uint8, st.tuples(st.integers(1, 12), st.just(4), st.just(5)))


@given(IMAGES, st.data())
def test_the_class_mean_is_the_plain_average_in_model_range(images, data):
    labels = np.array(data.draw(st.lists(st.integers(0, 2), min_size=len(images), max_size=len(images))))
    label = int(labels[0])
    mean, count = class_mean(images, labels, label)
    members = images[labels == label].astype(np.float64) / 127.5 - 1
    assert count == len(members)
    np.testing.assert_allclose(mean, members.mean(axis=0), atol=1e-6)
    everything, n = class_mean(images, labels, 99)  # a label no image has: all of them
    assert n == len(images)
    np.testing.assert_allclose(everything, images.astype(np.float64).mean(axis=0) / 127.5 - 1, atol=1e-6)


def test_colour_pictures_keep_their_channels_last():
    images = np.zeros((2, 3, 4, 3), np.uint8)
    images[1, ..., 0] = 255
    assert in_model_range(images).shape == (2, 3, 4, 3)
    mean, _ = class_mean(images, np.array([0, 0]), 0)
    np.testing.assert_allclose(mean[..., 0], 0.0) and np.testing.assert_allclose(mean[..., 1], -1.0)


def test_compare_finds_the_nearest_and_measures_by_rms():
    images = np.stack([np.full((2, 2), v, np.uint8) for v in (0, 255, 128, 10)])
    labels = np.array([0, 0, 1, 0])
    guess = np.full((2, 2), -0.9)
    result = compare(guess, images, labels, 0)
    assert result.count == 3 and result.nearest == 3  # the darkest of class 0 but one: 10 -> -0.92
    assert result.to_nearest == pytest.approx(abs(-0.9 - (10 / 127.5 - 1)))
    assert result.to_mean == pytest.approx(rms(guess, np.full((2, 2), np.mean([0, 255, 10]) / 127.5 - 1)))
    assert result.typical == pytest.approx(np.median([abs(-0.9 - (v / 127.5 - 1)) for v in (0, 255, 10)]))


def test_high_t_is_where_alpha_bar_is_about_six_thousandths():
    schedule = NoiseSchedule("cosine", 1000)
    t = high_t(schedule)
    assert t == 949 and abs(np.log(schedule.alpha_bar[t] / 0.006)) < 0.05


def test_the_words_follow_the_numbers():
    blur = np.zeros((2, 2))
    near = AverageGuess(blur, blur, 960, 0.19, 0.31, 4, 0.46)
    far = AverageGuess(blur, blur, 6000, 0.37, 0.33, 4, 0.53)
    assert words(near, "7", 950).startswith("At t = 950 the model's guess is 0.19 from the average of the 960 "
                                            "training images of “7”")
    assert words(near, "7", 950).endswith("it is an average of many pictures, not a copy of any one of them.")
    assert "already closer to one training image than to the average" in words(far, "T-shirt/top", 950)
    assert "all 6,000 training images" in words(far, None, 950)


@pytest.mark.skipif("digits" not in available_models(), reason="digits weights not shipped")
@pytest.mark.parametrize("label", [7, 3])
def test_on_the_shipped_digits_the_guess_at_high_t_is_an_average(label):
    from diffusion_core.live.memorisation import training_labels
    from diffusion_core.model.shipped_data import held_out, training_images
    from diffusion_core.model.weights import load_model

    loaded = load_model("digits")
    images, labels = held_out("digits")
    step = guess_at_high_t(loaded.runner, loaded.schedule, images[np.nonzero(labels == label)[0][0]], label, 0)
    assert step.t == 949
    result = compare(np.clip(step.x0_hat, -1, 1), training_images("digits"), training_labels("digits"), label)
    assert result.closer_to_the_average and result.to_mean < 0.8 * result.to_nearest
