"""Where noise lives: in high dimension, random points crowd into a thin shell (the typical set).

* **Gaussian noise** ε ~ N(0, I_D): ‖ε‖ follows the chi distribution, mean √2 Γ((D+1)/2) / Γ(D/2) ≈ √(D − ½) and
  standard deviation → 1/√2: for D = 784, ‖ε‖ = 27.99 ± 0.71. Almost every draw lies within a few tenths of a unit
  of the sphere of radius √D, and none near the centre, where the density is highest.
* **Uniformly random images** (every value one of 256 levels, mapped onto [-1, 1]): ‖x‖² is a sum of D
  independent terms, so ‖x‖ ≈ √(D E[x²]) ± √(Var x²) / (2 √(E[x²])): a thin shell too, and its members all look
  alike (static).
* **Along the walk**: x_t = √ᾱ_t x_0 + √(1 − ᾱ_t) ε has E‖x_t‖² = ᾱ_t ‖x_0‖² + (1 − ᾱ_t) D; a real reverse walk
  starts on the noise shell and leaves it as ᾱ_t grows.

Norms are in the model's range (pixels / 127.5 − 1). Needs only numpy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from diffusion_core.images.pixels import to_model_space


@dataclass(frozen=True)
class Shell:
    """A thin spherical shell: radius ``mean`` and thickness ``sd`` (standard deviation of the norm)."""

    mean: float
    sd: float

    def band(self, k: float = 3.0) -> tuple[float, float]:
        """(mean − k·sd, mean + k·sd)."""
        return self.mean - k * self.sd, self.mean + k * self.sd


def gaussian_shell(dims: int) -> Shell:
    """The chi distribution with ``dims`` degrees of freedom: exact mean and standard deviation of ‖ε‖."""
    if dims < 1:
        raise ValueError(f"dims must be >= 1, got {dims}")
    mean = math.sqrt(2.0) * math.exp(math.lgamma((dims + 1) / 2) - math.lgamma(dims / 2))
    return Shell(mean, math.sqrt(max(dims - mean**2, 0.0)))


def uniform_shell(dims: int, levels: int = 256) -> Shell:
    """‖x‖ of a uniformly random image (each of ``dims`` values uniform over the levels, in [-1, 1]), to first
    order (delta method): radius √(D m₂), thickness √(v / (4 m₂)) with m₂ = E[x²], v = Var[x²] of one value."""
    x = to_model_space(np.arange(levels)).astype(np.float64) if levels == 256 else np.linspace(-1, 1, levels)
    m2, v = float(np.mean(x**2)), float(np.var(x**2))
    return Shell(math.sqrt(dims * m2), math.sqrt(v / (4 * m2)))


def norms(x: np.ndarray) -> np.ndarray:
    """Euclidean norm of each item of a batch (N, ...) -> (N,), float64."""
    return np.linalg.norm(np.asarray(x, dtype=np.float64).reshape(len(x), -1), axis=1)


def forward_norm(x0_norm_sq: float | np.ndarray, alpha_bar: np.ndarray, dims: int) -> np.ndarray:
    """√E‖x_t‖² = √(ᾱ_t ‖x_0‖² + (1 − ᾱ_t) D) for each ᾱ_t (shape of ``alpha_bar``)."""
    ab = np.asarray(alpha_bar, dtype=np.float64)
    return np.sqrt(ab * x0_norm_sq + (1.0 - ab) * dims)


def uniform_images(n: int, shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    """``n`` uniformly random 8-bit images of ``shape`` ((H, W) or (H, W, 3)), uint8 (n, *shape)."""
    return np.random.default_rng(seed).integers(0, 256, (n, *shape), dtype=np.uint8)
