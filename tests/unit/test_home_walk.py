"""The home page's moving picture (issue 30): made by the shipped models as they are, small, and readable."""

from __future__ import annotations

import io
import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from diffusion_core import ASSETS
from diffusion_core.access.alt_text import home_random, home_walk, main_colour
from diffusion_core.live.home_walk import (
    HOLD_MS,
    HOME,
    ICON,
    denoiser_query,
    random_picture,
    read_frames,
    read_walks,
    still_png,
    webp_animation,
)
from diffusion_core.model.weights import MANIFEST
from diffusion_core.space.image_space import digit_count


def test_every_walk_was_made_by_the_shipped_weights():
    """Retraining a model without rerunning `python -m diffusion_core.home_picture` fails here."""
    walks = read_walks()
    manifest = json.loads((ASSETS / MANIFEST).read_text())
    assert walks, "assets/home/walks.json is missing: run python -m diffusion_core.home_picture"
    for walk in walks:
        assert walk.weights_sha256 == manifest[walk.model]["sha256"], f"rerun the home picture for {walk.model}"


def test_the_files_are_small_animations_of_the_right_size():
    total = 0
    for walk in read_walks():
        with Image.open(HOME / walk.walk_file) as im:
            assert im.is_animated and im.n_frames == walk.frames and im.size == (walk.width, walk.height)
        with Image.open(HOME / walk.random_file) as im:
            assert im.size == (walk.width, walk.height)
        total += (HOME / walk.walk_file).stat().st_size + (HOME / walk.random_file).stat().st_size
    assert total < 200_000  # issue 30: a few hundred kB at most


@pytest.mark.parametrize("shape", [(28, 28), (32, 32, 3)])
def test_frames_survive_the_animation_exactly(shape):
    frames = [random_picture(shape, seed) for seed in range(4)]
    with Image.open(io.BytesIO(webp_animation(frames))) as im:
        for k, frame in enumerate(frames):
            im.seek(k)
            decoded = np.asarray(im.convert("L" if len(shape) == 2 else "RGB"))
            np.testing.assert_array_equal(decoded, frame)  # lossless


def test_frames_and_still_are_the_walk_itself():
    for walk in read_walks():
        frames = read_frames(walk)
        assert len(frames) == walk.frames
        assert frames[0].shape == ((walk.height, walk.width, 3) if walk.colour else (walk.height, walk.width))
        with Image.open(io.BytesIO(still_png(walk))) as im:
            np.testing.assert_array_equal(np.asarray(im), frames[-1])
        assert walk.values == walk.height * walk.width * walk.channels


def test_the_app_icon_is_the_digit_walks_last_frame():
    digits = next(w for w in read_walks() if w.model == "digits")
    with Image.open(HOME / ICON) as im:
        np.testing.assert_array_equal(np.asarray(im), read_frames(digits)[-1])


def test_the_denoiser_link_runs_the_same_walk():
    """The home page's link opens the live denoiser with exactly the settings that made the walk (the denoiser's own
    link, written by its settings class)."""
    from diffusion_core.live.generation_settings import GenerationSettings

    for walk in read_walks():
        settings = GenerationSettings(model=walk.model, label=walk.label, guidance=walk.guidance,
                                      sampler=walk.sampler, steps=walk.steps, seed=walk.seed)
        assert denoiser_query(walk) == settings.to_query()
        read, problems = GenerationSettings.from_query(denoiser_query(walk), [walk.model])
        assert read == settings and problems == []


def test_the_heart_is_named_red_from_its_pixels():
    heart = next(w for w in read_walks() if w.model == "emoji")
    assert main_colour(read_frames(heart)[-1]) == "red"
    digit = next(w for w in read_walks() if w.model == "digits")
    assert main_colour(read_frames(digit)[-1]) is None  # grey


@pytest.mark.parametrize("rgb,name", [((220, 20, 40), "red"), ((250, 140, 20), "orange"), ((240, 220, 30), "yellow"),
                                      ((30, 180, 60), "green"), ((30, 200, 220), "cyan"), ((40, 80, 230), "blue"),
                                      ((140, 40, 200), "purple"), ((240, 80, 190), "pink")])
def test_main_colour_names_a_coloured_shape_on_white(rgb, name):
    picture = np.full((32, 32, 3), 255, np.uint8)
    picture[8:24, 8:24] = rgb
    assert main_colour(picture) == name


@settings(max_examples=100, deadline=None)
@given(grey=st.integers(0, 255), noise=st.integers(0, 3), seed=st.integers(0, 2**16))
def test_main_colour_of_a_grey_picture_is_none(grey, noise, seed):
    """Grey, even with a little uneven grain between the channels, has no main colour."""
    rng = np.random.default_rng(seed)
    picture = np.clip(grey + rng.integers(-noise, noise + 1, (16, 16, 3)), 0, 255).astype(np.uint8)
    assert main_colour(picture) is None


def test_the_descriptions_say_what_walks_json_and_the_counts_say():
    for walk in read_walks():
        text = home_walk(walk.model, walk.prompt, walk.steps, walk.sampler, walk.guidance, walk.seed, walk.frames,
                         walk.height, walk.width, walk.colour, HOLD_MS / 1000)
        assert f"Animation of {walk.frames} frames" in text and f"in {walk.steps} steps" in text
        assert f"seed {walk.seed}" in text and f"a {walk.prompt};" in text
        digits = digit_count(256, walk.values)
        random = home_random(walk.height, walk.width, walk.colour, walk.values, digits)
        assert f"256 to the power {walk.values:,}" in random
        assert f"{math.floor(walk.values * math.log10(256)) + 1:,} digits" in random
    assert "DPM-Solver++" in home_walk("digits", "3", 20, "dpmpp", 1.5, 11, 21, 28, 28, False, 2.5)
