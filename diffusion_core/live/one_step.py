"""One denoising step on a real image: what the network actually learned.

Noise a held-out image to timestep t with the closed form (Ho et al. 2020 eq. 4, the forward page's own
:func:`diffusion_core.forward.process.q_sample`)
    x_t = sqrt(ab_t) x_0 + sqrt(1 - ab_t) eps,
ask the network for eps_hat = eps_theta(x_t, t, y), and recover
    x0_hat = (x_t - sqrt(1 - ab_t) eps_hat) / sqrt(ab_t)          (eq. 15 rearranged).
Training minimised ||eps - eps_hat||^2 (eq. 14); a good model gives an x0_hat much closer
to x_0 than x_t is.

Timesteps here are the model's, 0-based (t in [0, T), as the samplers use them); the forward page counts
steps from 1 (its t = 0 is the clean image), so model timestep t is forward step t + 1, and the captions of
:meth:`OneStep.panels` write it that way (the app's notation).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from diffusion_core.forward.process import q_sample
from diffusion_core.forward.schedules import NoiseSchedule
from diffusion_core.images.pixels import to_model_range, to_pixels
from diffusion_core.model.samplers import guided_eps, model_device
from diffusion_core.model.unet import UNet

NOISE_SHOWN_SIGMAS = 3.0  # noise images show -3 sigma .. +3 sigma as black .. white


@dataclass(frozen=True)
class OneStep:
    """All images (H, W) gray or (H, W, 3) colour, float64 in model range; errors are root-mean-square in that range."""

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

    def panels(self) -> list[tuple[np.ndarray, str]]:
        """The step as five uint8 pictures with captions: x_0, eps, x_t, eps_hat, x0_hat (noise at ±3 sigma); x_t's
        caption gives t as the app writes it (the model's t + 1)."""
        noise = lambda e: to_pixels(e / NOISE_SHOWN_SIGMAS)  # noqa: E731
        return [(to_pixels(self.x0), "clean x₀"), (noise(self.eps), "true noise ε"),
                (to_pixels(self.x_t), f"noisy x_t (t = {self.t + 1})"), (noise(self.eps_hat), "predicted noise ε̂"),
                (to_pixels(self.x0_hat), "the model's x̂₀")]


@torch.no_grad()
def denoise_once(model: UNet, schedule: NoiseSchedule, image_u8: np.ndarray, label: int, t: int,
                 seed: int, guidance: float = 1.0) -> OneStep:
    """image_u8 (H, W) or (H, W, 3) uint8; label in [0, num_classes] (num_classes = none); t in [0, T)."""
    if not 0 <= t < schedule.T:
        raise ValueError(f"t must lie in [0, {schedule.T}), got {t}")
    device = model_device(model)
    x0 = to_model_range(image_u8[None])
    eps = torch.randn(x0.shape, generator=torch.Generator().manual_seed(seed)).numpy()
    x_t = q_sample(x0, t + 1, schedule, eps)  # model timestep t is forward step t + 1
    eps_hat = guided_eps(model, torch.from_numpy(x_t).to(device), t, torch.tensor([label], device=device),
                         guidance).cpu().numpy()
    ab = float(schedule.alpha_bar[t])
    x0_hat = (x_t - (1 - ab) ** 0.5 * eps_hat) / ab**0.5
    return OneStep(t, *(_one_image(a) for a in (x0, eps, x_t, eps_hat, x0_hat)))


def _one_image(batch: np.ndarray) -> np.ndarray:
    """The first image of a (1, C, H, W) batch as float64 (H, W) for C = 1, else (H, W, C)."""
    image = np.asarray(batch[0], np.float64).transpose(1, 2, 0)
    return image[:, :, 0] if image.shape[2] == 1 else image
