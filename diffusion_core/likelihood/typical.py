"""Where noise lives: in high dimension, random points crowd into a thin shell (the typical set).

* **Gaussian noise** ε ~ N(0, I_D): ‖ε‖ follows the chi distribution, mean √2 Γ((D+1)/2) / Γ(D/2) ≈ √(D − ½) and
  standard deviation → 1/√2: for D = 784, ‖ε‖ = 27.99 ± 0.71. Almost every draw lies within a few tenths of a unit
  of the sphere of radius √D, and none near the centre, where the density is highest.
* **Uniformly random images** (every value one of 256 levels, mapped onto [-1, 1]): ‖x‖² is a sum of D
  independent terms, so ‖x‖ ≈ √(D E[x²]) ± √(Var x²) / (2 √(E[x²])): a thin shell too, and its members all look
  alike (static).
* **Along the walk**: x_t = √ᾱ_t x_0 + √(1 − ᾱ_t) ε has E‖x_t‖² = ᾱ_t ‖x_0‖² + (1 − ᾱ_t) D; a real reverse walk
  starts on the noise shell and leaves it as ᾱ_t grows.

Norms are in the model's range (pixels / 127.5 − 1). :func:`walk_norms` runs a shipped model (torch); the rest
needs only numpy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from diffusion_core.images.pixels import to_model_space
from diffusion_core.model.samplers import run_sampler

SAME_SHELL = 0.15  # a length within 15% of a shell's radius is "about as long": the thin shells are a few % wide


@dataclass(frozen=True)
class Shell:
    """A thin spherical shell: radius ``mean`` and thickness ``sd`` (standard deviation of the norm)."""

    mean: float
    sd: float

    def band(self, k: float = 3.0) -> tuple[float, float]:
        """(mean − k·sd, mean + k·sd)."""
        return self.mean - k * self.sd, self.mean + k * self.sd

    def compare(self, length: float, within: float = SAME_SHELL) -> str:
        """How a length compares with the shell's radius: "about" (within a fraction ``within`` of it), "shorter" or
        "longer"."""
        if abs(length - self.mean) < within * self.mean:
            return "about"
        return "shorter" if length < self.mean else "longer"

    def share_within(self, norms: np.ndarray, k: float = 3.0) -> float:
        """The fraction of ``norms`` (N,) inside :meth:`band` ``(k)``."""
        lo, hi = self.band(k)
        values = np.asarray(norms, dtype=np.float64)
        return float(np.mean((values >= lo) & (values <= hi))) if values.size else 0.0


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


@dataclass(frozen=True)
class WalkNorms:
    """‖x_t‖ along real reverse walks: ``timesteps`` (S + 1,) from T − 1 down, then −1 for the final image,
    ``norms`` (S + 1, B), ``to_end`` (S + 1, B) the distance ‖x_t − x_final‖ to where each walk ends, and the
    ``final`` images (B, C, H, W) in [-1, 1]."""

    timesteps: np.ndarray
    norms: np.ndarray
    to_end: np.ndarray
    final: np.ndarray


def walk_norms(model, schedule, labels: list[int], steps: int = 50, seed: int = 0, guidance: float = 1.0) -> WalkNorms:
    """Run ancestral DDPM (Ho et al. Alg. 2) over ``steps`` timesteps for each label and record ‖x_t‖ at each."""
    gen = torch.Generator().manual_seed(seed)
    ts, points, last = [], [], None
    for step in run_sampler("ddpm", model, schedule, torch.tensor(labels, dtype=torch.long), num_steps=steps,
                            guidance=guidance, generator=gen):
        ts.append(step.t)
        points.append(step.x_t.cpu().numpy())
        last = step.x_prev.clamp(-1, 1).cpu().numpy()
    ts.append(-1)
    points.append(last)
    path = np.asarray(points, dtype=np.float64)  # (S + 1, B, C, H, W)
    flat = path.reshape(len(path), len(labels), -1)
    return WalkNorms(np.array(ts), np.linalg.norm(flat, axis=2), np.linalg.norm(flat - flat[-1:], axis=2), last)
