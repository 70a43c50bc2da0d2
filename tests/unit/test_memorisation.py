"""The memorisation check: a copy is caught, a sample unlike every training image is named, a typical one passes,
each judged against real held-out images of its own class; the verdict comes first in one plain sentence, then
its numbers; where the walks ended is the class of each sample's nearest training image."""

from __future__ import annotations

import numpy as np
import pytest

from diffusion_core.live.memorisation import check_copies, landing, training_labels, verdict, yardstick
from diffusion_core.model.shipped_data import ShippedDataError

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
    said, numbers = verdict(check, RULER, NAMES)
    assert said.startswith("**Possibly a near-copy:**") and "“dog”" in said
    assert "0.00" in numbers and f"{RULER.unusually_close[1]:.2f}" in numbers


def test_a_sample_unlike_every_training_image_is_named_far():
    flat = np.full((1, 8, 8, 3), 128, np.uint8)  # random pixels sit far from any flat grey image
    check = check_copies(flat, np.array([0]), TRAIN, RULER)
    assert check.far[0] and not check.suspicious[0]
    assert verdict(check, RULER, NAMES)[0].startswith("**Not a copy, but unusual:**")


def test_a_typical_sample_passes_and_a_grid_lists_each_class():
    samples = _near(TRAIN[100:102], 40)
    check = check_copies(samples, np.array([0, 1]), TRAIN, RULER)
    assert not check.suspicious.any() and not check.far.any()
    lines = verdict(check, RULER, NAMES)
    assert lines[0].startswith("**No sign of copying:** none of the 2") and len(lines) == 2
    assert lines[1].startswith("Distance to the nearest training image") and "cat " in lines[1] and "dog " in lines[1]
    one = check_copies(samples[:1], np.array([0]), TRAIN, RULER)
    assert verdict(one, RULER, NAMES)[0].startswith("**No sign of copying:**")


def test_landing_names_the_class_of_the_nearest_training_image():
    exact = check_copies(TRAIN[4:6], np.array([0, 0]), TRAIN, RULER)  # training images 4 (cat) and 5 (dog)
    assert landing(exact, TRAIN_LABELS, NAMES) == ("1 of the 2 walks asked for a class end nearest a training image "
                                                   "of that class; the others, asked → nearest: “cat” → “dog”.")
    one = check_copies(TRAIN[5:6], np.array([0]), TRAIN, RULER)
    assert landing(one, TRAIN_LABELS, NAMES) == "It was asked for “cat” but ends nearest a training image of class “dog”."
    own = check_copies(TRAIN[5:6], np.array([1]), TRAIN, RULER)
    assert landing(own, TRAIN_LABELS, NAMES) == "It ends nearest a training image of its own class, “dog”."
    free = check_copies(TRAIN[4:6], np.array([2, 1]), TRAIN, RULER)
    assert landing(free, TRAIN_LABELS, NAMES).endswith("; 1 asked for no class.")


def test_the_training_labels_are_read_alone_in_the_training_sets_order(tmp_path):
    parts = [(TRAIN[:120], TRAIN_LABELS[:120]), (TRAIN[120:], TRAIN_LABELS[120:])]
    for k, (images, labels) in enumerate(parts, 1):
        np.savez(tmp_path / f"toy_train_{k}of2.npz", images=images, labels=labels)
    from diffusion_core.model.shipped_data import training_set

    assert np.array_equal(training_labels("toy", tmp_path), training_set("toy", tmp_path)[1])
    with pytest.raises(ShippedDataError):
        training_labels("missing", tmp_path)
