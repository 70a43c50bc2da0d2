"""The home page's moving picture (issue 30): made by the shipped models as they are, small, and readable."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from PIL import Image

from diffusion_core import ASSETS
from diffusion_core.live.home_walk import HOME, random_picture, read_walks, webp_animation
from diffusion_core.model.weights import MANIFEST


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
