"""Fréchet distance against its closed form, and exact nearest neighbours against brute force."""

from __future__ import annotations

import numpy as np

from diffusion_core.judge.metrics import CopyYardstick, frechet_distance, nearest_neighbour_distances


def test_frechet_of_known_gaussians():
    """For N(m1, a^2 I) and N(m2, b^2 I) in D dims: |m1-m2|^2 + D (a - b)^2."""
    rng = np.random.default_rng(0)
    d, n = 4, 200_000
    a = rng.normal(0.0, 1.0, (n, d))
    b = rng.normal(0.5, 2.0, (n, d))
    expected = d * 0.25 + d * (1.0 - 2.0) ** 2
    assert abs(frechet_distance(a, b) - expected) < 0.05 * expected
    assert frechet_distance(a, a) < 1e-8


def test_nearest_neighbours_match_brute_force():
    rng = np.random.default_rng(1)
    reference = rng.integers(0, 256, (257, 28, 28), dtype=np.uint8)
    queries = np.concatenate([reference[[5, 200]], rng.integers(0, 256, (3, 28, 28), dtype=np.uint8)])
    dist, idx = nearest_neighbour_distances(queries, reference, chunk=50)
    q = queries.reshape(len(queries), -1) / 255.0
    r = reference.reshape(len(reference), -1) / 255.0
    brute = np.sqrt(((q[:, None, :] - r[None, :, :]) ** 2).sum(-1))
    np.testing.assert_array_equal(idx, brute.argmin(1))
    np.testing.assert_allclose(dist, brute.min(1), rtol=1e-12)
    assert idx[0] == 5 and idx[1] == 200 and dist[0] == dist[1] == 0.0  # a copy reads exactly 0


def test_copy_yardstick_is_per_class_with_an_all_classes_entry():
    distances = np.concatenate([np.linspace(1.0, 3.0, 101), np.linspace(4.0, 8.0, 101)])
    labels = np.repeat([0, 1], 101)
    yardstick = CopyYardstick.from_held_out(distances, labels, num_classes=2)
    np.testing.assert_allclose(yardstick.typical, [2.0, 6.0, np.median(distances)])
    np.testing.assert_allclose(yardstick.unusually_close, [1.1, 4.2, np.percentile(distances, 5)])
    # 1.5 is ordinary for class 0 but unusually close for class 1; label 2 (no class) uses all classes
    flags = yardstick.suspicious(np.array([1.5, 1.5, 0.0, 3.0]), np.array([0, 1, 0, 2]))
    assert flags.tolist() == [False, True, True, False]
