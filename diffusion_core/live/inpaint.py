"""Inpainting: the model fills in the unknown part of a picture and keeps every known pixel (RePaint).

Lugmayr et al. 2022 ("RePaint: Inpainting using Denoising Diffusion Probabilistic Models") condition an
unconditionally trained model on the known pixels with no retraining. At every reverse step, before the model
looks at x_t, the known region is replaced by the reader's picture noised to the same level:

    x_t^known   ~ q(x_t | x_0) = N(sqrt(ᾱ_t) x_0, (1 - ᾱ_t) I)      (RePaint eq. 8 = Ho et al. 2020 eq. 4)
    x_t^unknown   the sampler's own sample (its reverse step from the step before, RePaint eq. 9)
    x_t = m ⊙ x_t^known + (1 - m) ⊙ x_t^unknown                      (RePaint eq. 10, m = 1 where known)

with fresh noise at every step, as RePaint draws it. :class:`KnownRegion` is that replacement, handed to the
samplers as their ``replace_known`` hook (:data:`diffusion_core.model.samplers.KnownHook`), so it works with
DDPM, DDIM and DPM-Solver++ alike. After the last step the known pixels are copied from the picture itself
(:meth:`KnownRegion.finish`): the result keeps them bit for bit, also after conversion back to 8 bits.

Replacement alone can leave a seam: the model's update at one step sees the known region only through a noisy
copy, so the filled part may not match it. RePaint's *resampling* (its sec. 4.2, Algorithm 1 with jump length 1)
goes back and forth: after a step from t to t', noise the sample back to t (:func:`jump_back`, the forward
process over the skipped steps) and take the step again, ``rounds`` times in all, giving the model several looks
at how its fill and the known region fit together. It costs ``rounds`` network calls a step instead of one
(:func:`resampled_steps`), and each step becomes a fresh one-step run, so DPM-Solver++ loses its second-order
history there (its first step is first order: DDIM). Whether it helps is measured in ``bench/bench_edit.py``.

Tensors: x (B, C, H, W) float32, the picture x_0 in [-1, 1]; ``known`` (B, 1, H, W) bool (True = keep), broadcast
over the channels. Timesteps t are the samplers' 0-based model timesteps: t = k is the forward process's step
k + 1 (ᾱ = schedule.alpha_bar[k]); t = -1 is the clean picture.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import torch

from diffusion_core.forward.process import q_sample
from diffusion_core.forward.schedules import NoiseSchedule
from diffusion_core.model.samplers import SamplerStep, run_sampler

# RePaint rounds per step. Measured with bench/bench_edit.py and the same sweep (held-out digits, the bottom half
# filled with no class, judged by the independent classifier), first with DPM-Solver++ 20 steps: 57.2% with 1 round,
# 66.6% with 4 (500 digits; 200: 55.5 / 56.5 / 67.5 / 69% at 1 / 2 / 4 / 8; the top half alone, unfilled: 52%). With
# the draw page's DDIM η = 1, 20 steps (2026-12-07, two draws of 500 digits, seeds 0 / 1): 4 rounds 71.5% (200
# digits), 8 rounds 76.4% / -, 10 rounds 79.4 / 74.0%, 20 rounds 77.2 / 78.4% (50 steps with 10 rounds: 70% on
# 200: more steps do not help, more rounds do). 20 rounds clear the 75% bar on both draws; with the class given
# every setting is above 99%. They cost 20 (K - 1) + 1 network calls instead of K: 381 for 20 steps, about 3 s for
# three fills on two busy cores.
DEFAULT_RESAMPLE = 20


class KnownRegion:
    """The known pixels of a picture, put back at every step (RePaint eqs. 8-10).

    x0: (B, C, H, W) float32 in [-1, 1]; known: (B, 1, H, W) or (B, H, W) bool, True where the pixel is known;
    noise for eq. 8 is drawn from ``generator`` (on the CPU, like every draw of the samplers).
    """

    def __init__(self, x0: torch.Tensor, known: torch.Tensor, schedule: NoiseSchedule,
                 generator: torch.Generator) -> None:
        known = torch.as_tensor(known, dtype=torch.bool)
        if known.ndim == 3:
            known = known[:, None]
        if known.shape != (x0.shape[0], 1, *x0.shape[2:]):
            raise ValueError(f"known mask of shape {tuple(known.shape)} does not fit pictures {tuple(x0.shape)}")
        self.x0 = x0.detach().cpu().float()
        self._x0_np = self.x0.numpy()
        self.known = known.cpu()
        self.schedule = schedule
        self.generator = generator

    def __call__(self, t: int, x: torch.Tensor) -> torch.Tensor:
        """x_t with its known region replaced by the picture noised to timestep t (eqs. 8 and 10); same shape."""
        eps = torch.randn(self.x0.shape, generator=self.generator)
        noised = torch.from_numpy(q_sample(self._x0_np, t + 1, self.schedule, eps.numpy()))
        return torch.where(self.known.to(x.device), noised.to(x.device), x)

    def finish(self, x: torch.Tensor) -> torch.Tensor:
        """The final image with the known pixels copied from the picture, exactly."""
        return torch.where(self.known.to(x.device), self.x0.to(x.device), x)


def jump_back(x: torch.Tensor, t_from: int, t_to: int, schedule: NoiseSchedule,
              generator: torch.Generator) -> torch.Tensor:
    """Noise a sample at timestep ``t_from`` forward to ``t_to`` > t_from (-1 = clean): the forward process over
    the steps between (Ho et al. eq. 2 composed), x_to = sqrt(ᾱ_to / ᾱ_from) x + sqrt(1 - ᾱ_to / ᾱ_from) ε.

    RePaint's "jump back" (Algorithm 1, line 12 with jump length 1). x: (B, C, H, W); returns the same shape."""
    if not -1 <= t_from < t_to <= schedule.T - 1:
        raise ValueError(f"jump back needs -1 <= t_from < t_to <= {schedule.T - 1}, got {t_from} -> {t_to}")
    ab_from = 1.0 if t_from < 0 else float(schedule.alpha_bar[t_from])
    ratio = float(schedule.alpha_bar[t_to]) / ab_from
    eps = torch.randn(x.shape, generator=generator).to(x.device)
    return ratio**0.5 * x + (1.0 - ratio) ** 0.5 * eps


def resampled_steps(name: str, model, schedule: NoiseSchedule, labels: torch.Tensor, x_start: torch.Tensor,
                    timesteps: np.ndarray, known: KnownRegion, rounds: int, *, guidance: float,
                    generator: torch.Generator, eta: float = 0.0) -> Iterator[SamplerStep]:
    """A reverse run along ``timesteps`` (K,) from ``x_start`` with the known region put back at every step and
    each step but the last taken ``rounds`` times (RePaint sec. 4.2): step t -> t', jump back t' -> t, step again.

    Yields one :class:`SamplerStep` per timestep (the last round's), like the samplers; the model is called
    rounds * (K - 1) + 1 times. Every round is a one-step run of sampler ``name`` (DPM-Solver++: first order).
    """
    if rounds < 1:
        raise ValueError(f"resampling rounds must be at least 1, got {rounds}")
    x, k = x_start, len(timesteps)
    for i, t in enumerate(timesteps):
        pair = np.asarray(timesteps[i:i + 2], dtype=np.int64)  # [t, t'] or, at the last step, [t] (to clean)
        for r in range(rounds if len(pair) == 2 else 1):
            step = next(run_sampler(name, model, schedule, labels, num_steps=len(pair), guidance=guidance,
                                    generator=generator, x_T=x, eta=eta, timesteps=pair, replace_known=known))
            if r + 1 < rounds and len(pair) == 2:
                x = jump_back(step.x_prev, int(pair[1]), int(t), schedule, generator)
        yield SamplerStep(i, k, int(t), step.x_t, step.x0_hat, step.x_prev)
        x = step.x_prev
