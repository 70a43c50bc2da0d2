"""The 2-D data sets, every one of them a labelled Gaussian mixture, so every one has an exact field.

A ring of 8, a grid of 9 and two unequal blobs are mixtures by nature. Two moons, a swiss roll and a smiley are
curves, drawn here as chains of many small Gaussians along the curve (equal weights per unit of length, each
component's spread about the spacing between them, so the chain looks continuous). The reader's own points are a
mixture of deltas (zero covariance): the empirical distribution of a training set, whose exact denoiser is the
"ideal denoiser" that can only ever return training points.

Shapes: means (K, 2), covariances (K, 2, 2) symmetric positive semi-definite, weights (K,) summing to 1, one class
label per component (K,) int in [0, num_classes). All data live well inside the chart's square [-LIMIT, LIMIT]^2,
where the noise at t = T, N(0, I), also lives.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field

import numpy as np

LIMIT = 3.0  # the charts show [-LIMIT, LIMIT]^2; placed points must lie inside it
MIN_POINTS = 2  # fewer placed points than this is no data set
MAX_POINTS = 500  # more placed points are cut to this many (the ideal denoiser costs points x particles)


@dataclass(frozen=True, eq=False)
class GaussianMixture:
    """p(x) = sum_k w_k N(x; m_k, S_k) in 2-D, each component carrying a class label.

    name: key of :data:`DATASETS` (or "points"); title: what the reader sees; class_names: one per class.
    ``key`` identifies the numbers exactly (caches and trained models are keyed by it).
    """

    name: str
    title: str
    means: np.ndarray  # (K, 2) float64
    covs: np.ndarray  # (K, 2, 2) float64, PSD (zero for a delta)
    weights: np.ndarray  # (K,) float64, positive, sums to 1
    labels: np.ndarray  # (K,) int64, the class of each component
    class_names: tuple[str, ...]
    key: str = field(default="", compare=False)
    _classes: dict = field(default_factory=dict, init=False, repr=False, compare=False)  # of_class, made once each

    def __post_init__(self) -> None:
        means = np.asarray(self.means, dtype=np.float64).reshape(-1, 2)
        k = len(means)
        covs = np.asarray(self.covs, dtype=np.float64).reshape(k, 2, 2)
        weights = np.asarray(self.weights, dtype=np.float64).reshape(k)
        labels = np.asarray(self.labels, dtype=np.int64).reshape(k)
        if k == 0:
            raise ValueError("a mixture needs at least one component")
        if not (np.all(np.isfinite(means)) and np.all(np.isfinite(covs)) and np.all(weights > 0)):
            raise ValueError("means and covariances must be finite and weights positive")
        if not np.allclose(covs, covs.transpose(0, 2, 1)) or np.any(np.linalg.eigvalsh(covs) < -1e-12):
            raise ValueError("covariances must be symmetric positive semi-definite")
        if labels.min() < 0 or labels.max() >= len(self.class_names):
            raise ValueError("every label must name one of class_names")
        object.__setattr__(self, "means", means)
        object.__setattr__(self, "covs", covs)
        object.__setattr__(self, "weights", weights / weights.sum())
        object.__setattr__(self, "labels", labels)
        if not self.key:
            digest = hashlib.sha1(b"".join(a.tobytes() for a in (means, covs, weights / weights.sum(), labels)))
            object.__setattr__(self, "key", f"{self.name}:{digest.hexdigest()[:12]}")
        for array in (self.means, self.covs, self.weights, self.labels):
            array.setflags(write=False)  # shared between sessions through the page's caches

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    @property
    def is_empirical(self) -> bool:
        """True for a set of points (every covariance zero): the distribution of a finite training set."""
        return not np.any(self.covs)

    def sample(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """n draws: (points (n, 2) float64, their class labels (n,) int64)."""
        comp = rng.choice(len(self.weights), size=n, p=self.weights)
        z = rng.standard_normal((n, 2))
        chol = _psd_sqrt(self.covs)  # (K, 2, 2): S = L L^T, also for zero or singular S
        x = self.means[comp] + np.einsum("nij,nj->ni", chol[comp], z)
        return x, self.labels[comp]

    def of_class(self, label: int) -> GaussianMixture:
        """p(x | y = label): the components of that class, their weights renormalised (made once per label)."""
        if label not in self._classes:
            keep = self.labels == label
            if not keep.any():
                raise ValueError(f"no component has class {label}")
            self._classes[label] = GaussianMixture(
                self.name, f"{self.title}, class {self.class_names[label]}", self.means[keep], self.covs[keep],
                self.weights[keep], self.labels[keep], self.class_names, key=f"{self.key}|y={label}")
        return self._classes[label]


def _psd_sqrt(covs: np.ndarray) -> np.ndarray:
    """Symmetric square roots of PSD 2x2 matrices, (K, 2, 2) -> (K, 2, 2) (eigen-decomposition, clipped at 0)."""
    vals, vecs = np.linalg.eigh(covs)
    return np.einsum("kij,kj,klj->kil", vecs, np.sqrt(np.clip(vals, 0, None)), vecs)


def _iso(k: int, std: float | np.ndarray) -> np.ndarray:
    std = np.broadcast_to(np.asarray(std, dtype=np.float64), (k,))
    return std[:, None, None] ** 2 * np.eye(2)


def ring(n: int = 8, radius: float = 1.5, std: float = 0.15) -> GaussianMixture:
    """n equal Gaussians evenly round a circle, one class each (the default data set)."""
    angle = 2 * np.pi * np.arange(n) / n
    means = radius * np.stack([np.cos(angle), np.sin(angle)], axis=1)
    return GaussianMixture("ring8", f"A ring of {n}", means, _iso(n, std), np.ones(n), np.arange(n),
                           tuple(f"blob {i + 1}" for i in range(n)))


def grid(side: int = 3, spacing: float = 1.2, std: float = 0.13) -> GaussianMixture:
    """side x side equal Gaussians on a square grid, one class each."""
    c = spacing * (np.arange(side) - (side - 1) / 2)
    means = np.array([(x, y) for y in c[::-1] for x in c])
    k = len(means)
    return GaussianMixture("grid9", f"A grid of {k}", means, _iso(k, std), np.ones(k), np.arange(k),
                           tuple(f"cell {i + 1}" for i in range(k)))


def two_blobs() -> GaussianMixture:
    """A large, tilted blob holding 3/4 of the data and a small round one holding 1/4."""
    tilt = np.pi / 6
    rot = np.array([[np.cos(tilt), -np.sin(tilt)], [np.sin(tilt), np.cos(tilt)]])
    big = rot @ np.diag([0.55**2, 0.25**2]) @ rot.T
    small = 0.18**2 * np.eye(2)
    return GaussianMixture("blobs", "Two unequal blobs", [(-0.8, 0.3), (1.3, -0.7)], np.stack([big, small]),
                           [0.75, 0.25], [0, 1], ("big blob", "small blob"))


def _chain(curves: list[tuple[np.ndarray, int]], spacing: float, std_factor: float = 0.7
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Components evenly spaced along polylines: (means (K, 2), labels (K,), per-component std (K,)).

    curves: (dense polyline (M, 2), class label) pairs; each gets about length / spacing components.
    """
    means, labels = [], []
    for line, label in curves:
        seg = np.linalg.norm(np.diff(line, axis=0), axis=1)
        s = np.concatenate([[0.0], np.cumsum(seg)])
        count = max(2, int(round(s[-1] / spacing)))
        at = np.linspace(0, s[-1], count)
        means.append(np.stack([np.interp(at, s, line[:, 0]), np.interp(at, s, line[:, 1])], axis=1))
        labels.append(np.full(count, label))
    means = np.concatenate(means)
    return means, np.concatenate(labels), np.full(len(means), std_factor * spacing)


def moons(spacing: float = 0.12) -> GaussianMixture:
    """Two interleaved half circles (scikit-learn's make_moons shape), one class each."""
    a = np.linspace(0, np.pi, 200)
    upper = np.stack([np.cos(a), np.sin(a)], axis=1)
    lower = np.stack([1 - np.cos(a), 0.5 - np.sin(a)], axis=1)
    shift, scale = np.array([0.5, 0.25]), 1.35
    means, labels, std = _chain([((upper - shift) * scale, 0), ((lower - shift) * scale, 1)], spacing)
    return GaussianMixture("moons", "Two moons", means, _iso(len(means), std), np.ones(len(means)), labels,
                           ("upper moon", "lower moon"))


def swiss_roll(spacing: float = 0.12) -> GaussianMixture:
    """A 2-D swiss roll: the spiral r ∝ θ for θ from 1.5π to 4.5π, in three classes (inner, middle, outer)."""
    theta = np.linspace(1.5 * np.pi, 4.5 * np.pi, 600)
    line = np.stack([theta * np.cos(theta), theta * np.sin(theta)], axis=1) * (2.1 / (4.5 * np.pi))
    thirds = np.array_split(np.arange(len(line)), 3)
    means, labels, std = _chain([(line[idx[0]: idx[-1] + 2], c) for c, idx in enumerate(thirds)], spacing)
    return GaussianMixture("swiss", "A swiss roll", means, _iso(len(means), std), np.ones(len(means)), labels,
                           ("inner turn", "middle turn", "outer turn"))


def smiley(spacing: float = 0.13) -> GaussianMixture:
    """A smiling face: its outline, two eyes and a mouth (three classes)."""
    a = np.linspace(0, 2 * np.pi, 400)
    face = 1.9 * np.stack([np.cos(a), np.sin(a)], axis=1)
    m = np.linspace(np.pi * 1.2, np.pi * 1.8, 100)
    mouth = np.stack([1.1 * np.cos(m), 1.1 * np.sin(m) + 0.15], axis=1)
    means, labels, std = _chain([(face, 0), (mouth, 2)], spacing)
    eyes = np.array([(-0.65, 0.6), (0.65, 0.6)])
    means = np.concatenate([means, eyes])
    labels = np.concatenate([labels, [1, 1]])
    std = np.concatenate([std, [0.14, 0.14]])
    weights = np.concatenate([np.ones(len(std) - 2), [4.0, 4.0]])  # each eye as heavy as 4 pieces of outline
    return GaussianMixture("smiley", "A smiley", means, _iso(len(means), std), weights, labels,
                           ("face", "eyes", "mouth"))


def heart_points(n: int = 16) -> np.ndarray:
    """The default placed points: n points on a heart, (n, 2), rounded to 2 decimals."""
    a = 2 * np.pi * np.arange(n) / n
    x = 16 * np.sin(a) ** 3
    y = 13 * np.cos(a) - 5 * np.cos(2 * a) - 2 * np.cos(3 * a) - np.cos(4 * a)
    return np.round(np.stack([x, y + 2], axis=1) / 9.0, 2)


def point_set(points: np.ndarray) -> GaussianMixture:
    """The empirical distribution of ``points`` (N, 2): N equal deltas, one class ("placed point").

    Callers validate first (:func:`check_points`).
    """
    points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    n = len(points)
    return GaussianMixture("points", f"Your {n} points", points, np.zeros((n, 2, 2)), np.ones(n),
                           np.zeros(n, dtype=np.int64), ("placed point",))


DATASETS = {"ring8": ring, "grid9": grid, "blobs": two_blobs, "moons": moons, "swiss": swiss_roll,
            "smiley": smiley}
DATASET_TITLES = {"ring8": "A ring of 8 Gaussians", "grid9": "A grid of 9 Gaussians", "blobs": "Two unequal blobs",
                  "moons": "Two moons", "swiss": "A swiss roll", "smiley": "A smiley", "points": "Your own points"}
DEFAULT_DATASET = "ring8"


def dataset(name: str, points: np.ndarray | None = None) -> GaussianMixture:
    """The named data set (a key of :data:`DATASET_TITLES`); "points" needs ``points`` (N, 2), checked already."""
    if name == "points":
        return point_set(heart_points() if points is None else points)
    if name not in DATASETS:
        raise ValueError(f"unknown data set {name!r}; choose one of {', '.join(DATASET_TITLES)}")
    return DATASETS[name]()


@dataclass(frozen=True)
class CheckedPoints:
    """Placed points after validation: the usable ones, and one message per thing that was wrong."""

    points: np.ndarray  # (N, 2) float64, finite, inside the chart, at most MAX_POINTS
    problems: tuple[str, ...]
    usable: bool  # at least MIN_POINTS remain


def check_points(raw) -> CheckedPoints:
    """Validate a reader's table of points (anything array-like of shape (N, 2); cells may be None or text).

    Rows with a missing or non-numeric cell are dropped, as are points outside [-LIMIT, LIMIT]^2 and rows
    beyond MAX_POINTS; each kind of problem gets one message naming how many rows it hit.
    """
    rows = [] if raw is None else list(raw)
    problems, good, bad, outside = [], [], 0, 0
    for row in rows:
        try:
            x, y = (float(v) for v in row)
        except (TypeError, ValueError):
            bad += 1
            continue
        if not (math.isfinite(x) and math.isfinite(y)):
            bad += 1
        elif max(abs(x), abs(y)) > LIMIT:
            outside += 1
        else:
            good.append((x, y))
    if bad:
        problems.append(f"{bad} row{'s' * (bad > 1)} without two numbers (empty, text or NaN) "
                        f"{'were' if bad > 1 else 'was'} left out.")
    if outside:
        problems.append(f"{outside} point{'s' * (outside > 1)} outside the chart (x and y must lie between "
                        f"−{LIMIT:g} and {LIMIT:g}) {'were' if outside > 1 else 'was'} left out.")
    if len(good) > MAX_POINTS:
        problems.append(f"{len(good):,} points are more than this page handles: the first {MAX_POINTS} are used.")
        good = good[:MAX_POINTS]
    points = np.array(good, dtype=np.float64).reshape(-1, 2)
    usable = len(points) >= MIN_POINTS
    if not usable:
        problems.append(f"At least {MIN_POINTS} points are needed to make a data set; "
                        f"{'only one is' if len(points) == 1 else 'none are'} usable.")
    return CheckedPoints(points, tuple(problems), usable)
