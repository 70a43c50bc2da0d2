"""Sample-quality measures: Fréchet distance of feature Gaussians, and exact nearest neighbours.

Used by :mod:`diffusion_core.judge.evaluate` (quality bars) and the live denoiser's memorisation check.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch


def frechet_distance(feats_a: np.ndarray, feats_b: np.ndarray) -> float:
    """||mu_a - mu_b||^2 + tr(S_a + S_b - 2 (S_a^{1/2} S_b S_a^{1/2})^{1/2}) for (N, D) feature arrays."""
    mu_a, mu_b = feats_a.mean(0), feats_b.mean(0)
    cov_a, cov_b = np.cov(feats_a, rowvar=False), np.cov(feats_b, rowvar=False)
    sqrt_a = _psd_sqrt(cov_a)
    cross = _psd_sqrt(sqrt_a @ cov_b @ sqrt_a)
    return float(np.sum((mu_a - mu_b) ** 2) + np.trace(cov_a) + np.trace(cov_b) - 2 * np.trace(cross))


def _psd_sqrt(m: np.ndarray) -> np.ndarray:
    """Square root of a symmetric positive semi-definite matrix via its eigen-decomposition."""
    w, v = np.linalg.eigh((m + m.T) / 2)
    return (v * np.sqrt(np.clip(w, 0, None))) @ v.T


def nearest_neighbour_distances(queries: np.ndarray, reference: np.ndarray,
                                chunk: int = 10_000) -> tuple[np.ndarray, np.ndarray]:
    """Exact nearest neighbours in pixel space.

    queries uint8 (N, ...), reference uint8 (M, ...) of one image shape -> (L2 distances (N,) with pixels scaled
    to [0, 1], indices into reference (N,)). The reference is converted ``chunk`` images at a time.
    The search uses |q|^2 + |r|^2 - 2 q.r in float32, whose cancellation leaves ~0.01 for an exact
    copy; the winner's distance is then recomputed directly in float64, so a copy reads 0.
    """
    q = torch.from_numpy(queries.reshape(len(queries), -1).astype(np.float32) / 255.0)
    q_sq = (q * q).sum(1, keepdim=True)
    best = torch.full((len(q),), float("inf"))
    where = torch.zeros(len(q), dtype=torch.long)
    for start in range(0, len(reference), chunk):
        ref = torch.from_numpy(reference[start:start + chunk].reshape(-1, q.shape[1]).astype(np.float32) / 255.0)
        d2 = q_sq + (ref * ref).sum(1)[None, :] - 2 * q @ ref.T
        d_min, i_min = d2.min(1)
        better = d_min < best
        best = torch.where(better, d_min, best)
        where = torch.where(better, i_min + start, where)
    where = where.numpy()
    diff = queries.reshape(len(queries), -1) / 255.0 - reference[where].reshape(len(queries), -1) / 255.0
    return np.sqrt((diff * diff).sum(1)), where


@dataclass(frozen=True)
class CopyYardstick:
    """How far real images the model never saw lie from their nearest training image, per class.

    ``typical``, ``unusually_close`` and ``unusually_far`` are (C + 1,): the median, the 5th and the 95th
    percentile of held-out nearest-neighbour distances for each class, the last entry over all classes (for
    unconditional samples). A generated image closer than ``unusually_close`` to the training set is nearer than
    95% of new real images of its class would be: worth a look as a possible copy. One farther than
    ``unusually_far`` is unlike any training image, more than new real images are: the model did not draw the
    class the way real images look. Per class, because simple classes sit much closer to their neighbours
    (held-out MNIST 1s: median 2.1; 2s: 5.6).
    """

    typical: np.ndarray
    unusually_close: np.ndarray
    unusually_far: np.ndarray

    @classmethod
    def from_held_out(cls, distances: np.ndarray, labels: np.ndarray, num_classes: int) -> CopyYardstick:
        """From held-out nearest-neighbour distances (N,) and their labels (N,)."""
        groups = [distances[labels == k] for k in range(num_classes)] + [distances]
        return cls(*(np.array([np.percentile(g, q) for g in groups]) for q in (50, 5, 95)))

    def suspicious(self, distances: np.ndarray, labels: np.ndarray) -> np.ndarray:
        """(B,) bool: generated images (distances (B,), labels (B,), num_classes = no class) closer than 95%."""
        return distances < self.unusually_close[np.minimum(labels, len(self.typical) - 1)]

    def far(self, distances: np.ndarray, labels: np.ndarray) -> np.ndarray:
        """(B,) bool: generated images farther from every training image than 95% of new real ones."""
        return distances > self.unusually_far[np.minimum(labels, len(self.typical) - 1)]
