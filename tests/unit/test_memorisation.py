"""The memorisation check: a copy is caught, a sample unlike every training image is named, a typical one passes,
each judged against real held-out images of its own class."""

from __future__ import annotations

import numpy as np

from diffusion_core.live.memorisation import check_copies, verdict, yardstick

RNG = np.random.default_rng(0)
TRAIN = RNG.integers(0, 256, (200, 8, 8, 3), dtype=np.uint8)
TRAIN_LABELS = np.arange(200) % 2
NAMES = ("cat", "dog")


def _near(images: np.ndarray, spread: int) -> np.ndarray:
    noise = RNG.integers(-spread, spread + 1, images.shape)
    return np.clip(images.astype(int) + noise, 0, 255).astype(np.uint8)


HELD_OUT = _near(TRAIN[:60], 40)  # new real images: near the training set, not on it
RULER = yardstick(HELD_OUT, TRAIN_LABELS[:60], TRAIN, 2)


def test_an_exact_copy_is_suspicious_and_said_so():
    check = check_copies(TRAIN[5:6], np.array([1]), TRAIN, RULER)
    assert check.distances[0] == 0 and check.indices[0] == 5 and check.suspicious[0] and not check.far[0]
    assert "it may be a near-copy" in verdict(check, RULER, NAMES)[0]


def test_a_sample_unlike_every_training_image_is_named_far():
    flat = np.full((1, 8, 8, 3), 128, np.uint8)  # random pixels sit far from any flat grey image
    check = check_copies(flat, np.array([0]), TRAIN, RULER)
    assert check.far[0] and not check.suspicious[0]
    assert "unlike every training image" in verdict(check, RULER, NAMES)[0]


def test_a_typical_sample_passes_and_a_grid_lists_each_class():
    samples = _near(TRAIN[100:102], 40)
    check = check_copies(samples, np.array([0, 1]), TRAIN, RULER)
    assert not check.suspicious.any() and not check.far.any()
    lines = verdict(check, RULER, NAMES)
    assert lines[0].startswith("Distance to the nearest training image, and (in brackets)")
    assert "cat: **" in lines[0] and "dog: **" in lines[0]
    assert lines[1].startswith("None is closer") and len(lines) == 2
