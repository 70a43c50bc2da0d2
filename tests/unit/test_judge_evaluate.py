"""The evaluation's sampling protocol: the Fréchet distance compares samples in the data's class mix.

A balanced label mix measured against an unbalanced training set scores even perfect samples far from the
floor (the emoji: 486 flags, 44 hearts); these tests pin the label apportioning and show, on synthetic
features, that a perfect sampler scores near the floor in the data's mix and far from it balanced.
"""

from __future__ import annotations

import numpy as np

from diffusion_core.judge.evaluate import balanced_labels, labels_in_proportion, real_image_yardstick, same_size_frechet
from diffusion_core.judge.metrics import frechet_distance

EMOJI_TRAINING_COUNTS = np.array([198, 376, 78, 256, 52, 224, 130, 58, 486, 44])


def test_every_chunk_holds_the_data_mix():
    labels = labels_in_proportion(EMOJI_TRAINING_COUNTS, 1000, 202)
    assert len(labels) == 1000
    share = EMOJI_TRAINING_COUNTS / EMOJI_TRAINING_COUNTS.sum()
    for start in range(0, 1000, 202):
        chunk = labels[start:start + 202]
        counts = np.bincount(chunk, minlength=10)
        assert counts.sum() == len(chunk)
        assert np.all(np.abs(counts - share * len(chunk)) < 1.0)  # largest remainders: within one of the quota
    assert np.bincount(labels_in_proportion(EMOJI_TRAINING_COUNTS, 202, 202), minlength=10)[8] == 52  # 25.6% flags


def test_equal_classes_give_the_balanced_labels():
    labels = labels_in_proportion(np.full(10, 6000), 1000, 200)
    np.testing.assert_array_equal(np.bincount(labels), np.bincount(balanced_labels(1000, 10)))


def _class_features(labels: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Features (N, 8) of well-separated classes: class k around 4 e_k, unit noise."""
    return 4.0 * np.eye(8)[labels] + rng.normal(size=(len(labels), 8))


def test_a_perfect_sampler_scores_near_the_floor_only_in_the_data_mix():
    rng = np.random.default_rng(0)
    counts = np.array([500, 120, 30])
    train_labels = np.repeat(np.arange(3), counts)
    train_feats = _class_features(train_labels, rng)
    floor_size = 130
    test_labels = labels_in_proportion(counts, floor_size, floor_size)  # held-out images come in the data's mix
    floor = np.mean([frechet_distance(_class_features(test_labels, rng), train_feats) for _ in range(8)])

    def perfect_sampler(labels: np.ndarray) -> np.ndarray:
        return _class_features(labels, rng)  # fresh draws from the true class distributions

    in_mix = same_size_frechet(perfect_sampler(labels_in_proportion(counts, 1040, floor_size)), train_feats, floor_size)
    balanced = same_size_frechet(perfect_sampler(balanced_labels(1040, 3)), train_feats, floor_size)
    assert in_mix / floor < 1.6
    assert balanced / floor > 8.0  # the old protocol: a perfect model far above any bar


def test_the_real_image_yardstick_shows_the_cost_of_the_balanced_mix():
    rng = np.random.default_rng(1)
    counts = np.array([500, 120, 30])
    train_labels = np.repeat(np.arange(3), counts)
    yard = real_image_yardstick(_class_features(train_labels, rng), train_labels, 130, seed=0)
    assert yard["in_data_mix"] < 0.5 * yard["balanced"]
    assert yard["balanced"] > 3.0
