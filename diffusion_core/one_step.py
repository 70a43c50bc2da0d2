"""One denoising step on a real image: what the network actually learned.

Noise a held-out image to timestep t with the closed form (Ho et al. 2020 eq. 4)
    x_t = sqrt(ab_t) x_0 + sqrt(1 - ab_t) eps,
ask the network for eps_hat = eps_theta(x_t, t, y), and recover
    x0_hat = (x_t - sqrt(1 - ab_t) eps_hat) / sqrt(ab_t)          (eq. 15 rearranged).
Training minimised ||eps - eps_hat||^2 (eq. 14); a good model gives an x0_hat much closer
to x_0 than x_t is.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from .data import to_model_range
from .samplers import guided_eps, model_device
from .schedules import NoiseSchedule
from .unet import UNet


@dataclass(frozen=True)
class OneStep:
    """All images (28, 28) float64 in model range; errors are root-mean-square in that range."""

    t: int
    x0: np.ndarray
    eps: np.ndarray
    x_t: np.ndarray
    eps_hat: np.ndarray
    x0_hat: np.ndarray

    @property
    def noise_rmse(self) -> float:
        """RMS error of the predicted noise (what training minimises)."""
        return float(np.sqrt(np.mean((self.eps_hat - self.eps) ** 2)))

    @property
    def input_rmse(self) -> float:
        """RMS distance of the noisy input from the clean image."""
        return float(np.sqrt(np.mean((self.x_t - self.x0) ** 2)))

    @property
    def output_rmse(self) -> float:
        """RMS distance of the model's clean-image guess (clipped to [-1, 1]) from the clean image."""
        return float(np.sqrt(np.mean((np.clip(self.x0_hat, -1, 1) - self.x0) ** 2)))


@torch.no_grad()
def denoise_once(model: UNet, schedule: NoiseSchedule, image_u8: np.ndarray, label: int, t: int,
                 seed: int, guidance: float = 1.0) -> OneStep:
    """image_u8 (28, 28) uint8; label in [0, num_classes] (num_classes = none); t in [0, T)."""
    if not 0 <= t < schedule.T:
        raise ValueError(f"t must lie in [0, {schedule.T}), got {t}")
    device = model_device(model)
    x0 = torch.from_numpy(to_model_range(image_u8[None]))
    eps = torch.randn(x0.shape, generator=torch.Generator().manual_seed(seed))
    ab = float(schedule.alpha_bar[t])
    x_t = ab**0.5 * x0 + (1 - ab) ** 0.5 * eps
    eps_hat = guided_eps(model, x_t.to(device), t, torch.tensor([label], device=device), guidance).cpu()
    x0_hat = (x_t - (1 - ab) ** 0.5 * eps_hat) / ab**0.5
    as_np = lambda a: a[0, 0].double().numpy()  # noqa: E731
    return OneStep(t, as_np(x0), as_np(eps), as_np(x_t), as_np(eps_hat), as_np(x0_hat))
