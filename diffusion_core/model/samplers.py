"""Reverse-process samplers, each a generator of every step, with classifier-free guidance.

Three samplers, all in the 0-based discrete-time convention of :mod:`diffusion_core.forward.schedules`:

* ``ddpm``  ancestral sampling, Ho et al. 2020 Algorithm 2 (posterior q(x_{t-1}|x_t, x_0),
            eqs. 6-7, variance beta-tilde), on any subsequence of timesteps (up to T).
* ``ddim``  Song et al. 2021 eq. 12, with eta (0 = deterministic, 1 = DDPM-like noise).
* ``dpmpp`` DPM-Solver++(2M), Lu et al. 2022 Algorithm 2 (multistep, second order, data
            prediction), first order on the first and the last step; the last step lands on
            sigma = 0, i.e. returns the model's clean-image prediction.

Every sampler's first step is t = T-1, where x_T ~ N(0, I) really is pure noise, even for 20 steps.
DDPM and DDIM space their steps evenly in t ("trailing" spacing, Lin et al. 2024). DPM-Solver++ by
default spaces them evenly in log-SNR lambda (Lu et al. 2022, sec. 3.3, recommended there for
low-resolution images). Measured with the judge of :mod:`diffusion_core.judge.evaluate` (1,000 digits,
20 steps, guidance 1.5, same seeds), the Fréchet distance fell from 5.87 (trailing) to 5.52 for the
shipped digits model, and from 7.13 to 5.87 for a checkpoint 2,600 steps before it.
An edit of a reader's picture (SDEdit, :mod:`diffusion_core.live.edit`) starts lower: the spacing functions take a
``start`` timestep, and every sampler takes an explicit ``timesteps`` list and a ``replace_known`` hook (the
known region of an inpainting, put back before each step). Left out, both change nothing: the same calls give the
same bits as before.

Tensors: x_t (B, C, H, W) float32 (the shape the model's config declares, :func:`image_shape`), roughly
N(0, I) at t = T-1 and in [-1, 1] at the end; labels (B,) int64 in [0, num_classes] (num_classes = "no class").

Classifier-free guidance (Ho & Salimans 2022): eps = eps(x, no class) + s * (eps(x, y) - eps(x, no class)).
s = 0 is unconditional, s = 1 plain conditional, s > 1 pushes harder towards the class.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import torch

from diffusion_core.forward.schedules import NoiseSchedule
from diffusion_core.model.unet import UNet

SAMPLERS = ("dpmpp", "ddim", "ddpm")
SAMPLER_NAMES = {"dpmpp": "DPM-Solver++(2M)", "ddim": "DDIM", "ddpm": "DDPM (ancestral)"}
DEFAULT_STEPS = {"dpmpp": 20, "ddim": 50, "ddpm": 1000}
# The default guidance scale of the app, the sampling command and the quality evaluation: chosen by
# measurement on both shipped models (see their model cards' guidance sweeps). Stronger guidance makes
# samples more certainly the asked class but less varied; past ~1.5 the Fréchet distance grows fast.
DEFAULT_GUIDANCE = 1.5
# Models whose own sweep chose another scale: the emoji model (25 kinds inside ten prompts) is named as asked by a
# person at 4 (100% of 80 blind samples), and its judge classifies it as asked above the judge's real-test accuracy
# with few near-copies there (assets/emoji_card.md); its first version chose 4 by the same sweep.
MODEL_GUIDANCE = {"emoji": 4.0}


def default_guidance(model: str) -> float:
    """The guidance scale a shipped model is sampled with unless asked otherwise."""
    return MODEL_GUIDANCE.get(model, DEFAULT_GUIDANCE)


@dataclass(frozen=True)
class SamplerStep:
    """One step of a reverse process.

    index:  0-based step number; num_steps: total steps of this run.
    t:      the timestep the model was evaluated at.
    x_t:    (B, C, H, W) the noisy sample entering the step.
    x0_hat: (B, C, H, W) the model's prediction of the clean image from x_t (clipped to [-1, 1]).
    x_prev: (B, C, H, W) the sample after the step; after the last step, the generated image.

    With a ``replace_known`` hook (inpainting), x_t is the sample after the hook put the known region back: the
    sample the model saw, no longer equal to the previous step's x_prev there.
    """

    index: int
    num_steps: int
    t: int
    x_t: torch.Tensor
    x0_hat: torch.Tensor
    x_prev: torch.Tensor


def trailing_timesteps(T: int, num_steps: int, start: int | None = None) -> np.ndarray:
    """Timesteps from T-1 down towards 0, evenly spaced, shape (num_steps,), int64, strictly decreasing.

    ``start`` (0 <= start <= T-1, default T-1): begin there instead, spacing ``num_steps`` steps evenly over
    start + 1 timesteps exactly as a run of T = start + 1 would (an SDEdit run from a partly noised picture).
    """
    if start is None:
        n = T
    else:
        _check_start(T, start)
        n = start + 1
    if not 1 <= num_steps <= n:
        raise ValueError(f"number of steps must be between 1 and T={T}, got {num_steps}" if start is None else
                         f"number of steps from timestep {start} must be between 1 and {n}, got {num_steps}")
    return (np.round(np.arange(n, 0, -n / num_steps)) - 1).astype(np.int64)


def _check_start(T: int, start: int) -> None:
    if isinstance(start, bool) or not isinstance(start, (int, np.integer)) or not 0 <= start <= T - 1:
        raise ValueError(f"start timestep must be an integer in [0, {T - 1}], got {start!r}")


def check_timesteps(T: int, timesteps) -> np.ndarray:
    """An explicit timestep list for a sampler: non-empty, integers in [0, T-1], strictly decreasing.

    Returns it as int64 (K,); raises ValueError saying what is wrong."""
    ts = np.asarray(timesteps)
    if ts.ndim != 1 or len(ts) == 0 or not np.issubdtype(ts.dtype, np.integer):
        raise ValueError(f"timesteps must be a non-empty 1-D list of integers, got {timesteps!r}")
    if ts.min() < 0 or ts.max() > T - 1 or np.any(np.diff(ts) >= 0):
        raise ValueError(f"timesteps must lie in [0, {T - 1}] and strictly decrease, got {ts.tolist()}")
    return ts.astype(np.int64)


LOGSNR_LAST_T = 10  # where log-SNR spacing ends: sigma ~ 0.02 on the cosine schedule, ~3 of 255 grey levels
# Where it starts, after the first step at T-1: below lambda = -5.1 (sigma/alpha > 165) the image is pure
# noise to every decimal the model can see, and the cosine schedule's last few timesteps span lambda from
# -5 to -10; evenly spaced steps there would be wasted (diffusers' ``lambda_min_clipped``, the value
# DeepFloyd IF uses with the cosine schedule).
LOGSNR_MIN = -5.1


def log_snr(alpha_bar: np.ndarray) -> np.ndarray:
    """lambda_t = log(alpha_t / sigma_t) = 0.5 log(ab_t / (1 - ab_t)) (Lu et al. 2022, sec. 3.1), shape (T,)."""
    ab = np.asarray(alpha_bar, dtype=np.float64)
    return 0.5 * np.log(ab / (1.0 - ab))


def logsnr_timesteps(alpha_bar: np.ndarray, num_steps: int, last_t: int = LOGSNR_LAST_T,
                     lambda_min: float = LOGSNR_MIN, start: int | None = None) -> np.ndarray:
    """Timesteps evenly spaced in log-SNR, shape (num_steps,), int64: the first at T-1 (pure noise), the
    rest from max(lambda(T-1), lambda_min) up to lambda(last_t).

    Each target lambda is rounded to the nearest integer timestep, then nudged so the list is strictly
    decreasing (many steps crowd the low-noise end with many steps, where lambda changes fastest).
    The last step then lands on sigma = 0 (DPM-Solver++'s final x0). With more steps than
    T - last_t the list ends at T - num_steps instead.

    ``start`` (default T-1): the first timestep; the rest are spaced the same way from max(lambda(start),
    lambda_min) (an SDEdit run from a partly noised picture). With start = T-1 it is the list above, bit for bit.
    """
    lam = log_snr(alpha_bar)
    T = len(lam)
    if start is None:
        start = T - 1
        trailing_timesteps(T, num_steps)  # raises ValueError for a bad step count
    else:
        trailing_timesteps(T, num_steps, start)
    last_t = min(last_t, start + 1 - num_steps)
    targets = np.linspace(max(lam[start], lambda_min), lam[last_t], num_steps)
    targets[0] = lam[start]
    # lambda decreases with t: search the increasing reversed array, then pick the nearer neighbour.
    rev = lam[::-1]
    hi = np.clip(np.searchsorted(rev, targets), 1, T - 1)
    nearer = np.where(np.abs(rev[hi] - targets) < np.abs(rev[hi - 1] - targets), hi, hi - 1)
    ts = (T - 1 - nearer).astype(np.int64)
    for i in range(num_steps - 2, -1, -1):  # strictly decreasing from the end ...
        ts[i] = max(ts[i], ts[i + 1] + 1)
    return np.minimum(ts, start - np.arange(num_steps))  # ... and never above start - i from the start


def image_shape(model) -> tuple[int, int, int]:
    """(C, H, W) of the images a denoiser works on, from its config (the UNet and its ONNX twin both carry one)."""
    config = model.config
    return config.in_channels, config.image_size, config.image_size


def model_device(model) -> torch.device:
    """Where a denoiser runs: its ``device`` attribute (the ONNX twin) or its parameters' device."""
    device = getattr(model, "device", None)
    return device if isinstance(device, torch.device) else next(model.parameters()).device


@torch.no_grad()
def guided_eps(model: UNet, x: torch.Tensor, t: int, labels: torch.Tensor, guidance: float) -> torch.Tensor:
    """Classifier-free guided noise prediction, (B, C, H, W) -> (B, C, H, W).

    One network pass when guidance is 0 or 1 or no sample has a class; else one batched pass of 2B.
    """
    null = torch.full_like(labels, model.null_class)
    tt = torch.full((x.shape[0],), t, dtype=torch.long, device=x.device)
    conditional = labels != model.null_class
    if guidance == 1.0 or not bool(conditional.any()):
        return model(x, tt, labels)
    if guidance == 0.0:
        return model(x, tt, null)
    eps = model(torch.cat([x, x]), torch.cat([tt, tt]), torch.cat([labels, null]))
    eps_cond, eps_uncond = eps.chunk(2)
    guided = eps_uncond + guidance * (eps_cond - eps_uncond)
    # Samples with no class have eps_cond == eps_uncond already; keep them exactly unconditional.
    return torch.where(conditional[:, None, None, None], guided, eps_uncond)


def _predict_x0(x: torch.Tensor, eps: torch.Tensor, alpha_bar: float) -> torch.Tensor:
    """Ho et al. 2020 eq. 15 rearranged: x0 = (x_t - sqrt(1 - ab) eps) / sqrt(ab)."""
    return (x - (1.0 - alpha_bar) ** 0.5 * eps) / alpha_bar**0.5


def initial_noise(shape: tuple[int, ...], generator: torch.Generator) -> torch.Tensor:
    """x_T ~ N(0, I), drawn on the CPU so a seed gives the same image on every device."""
    return torch.randn(shape, generator=generator)


# (t, x_t) -> x_t: called before each step's model call with the step's timestep and sample, (B, C, H, W) in and
# out; what it returns is the x_t the step uses (inpainting puts the known region back, RePaint eq. 10).
KnownHook = Callable[[int, torch.Tensor], torch.Tensor]


def _start(model: UNet, labels: torch.Tensor, generator: torch.Generator,
           x_T: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor]:
    """What every sampler begins with: x_T (drawn, or a copy of the one given) and the labels, both on
    the model's device."""
    device = model_device(model)
    x = (initial_noise((len(labels), *image_shape(model)), generator) if x_T is None else x_T.clone()).to(device)
    return x, labels.to(device)


def ddpm(model: UNet, schedule: NoiseSchedule, labels: torch.Tensor, *, num_steps: int = 1000,
         guidance: float = 1.0, generator: torch.Generator, x_T: torch.Tensor | None = None,
         clip_x0: bool = True, timesteps: np.ndarray | None = None,
         replace_known: KnownHook | None = None) -> Iterator[SamplerStep]:
    """Ancestral DDPM (Ho et al. 2020 Alg. 2) over ``num_steps`` trailing timesteps.

    With num_steps < T the step from t to t' uses beta = 1 - ab_t / ab_t' (as in DDIM's respacing).
    ``timesteps`` (K,): walk this strictly decreasing list instead (``num_steps`` is then not used), x_T
    being the sample at its first timestep. ``replace_known``: see :data:`KnownHook`.
    """
    ts = trailing_timesteps(schedule.T, num_steps) if timesteps is None else check_timesteps(schedule.T, timesteps)
    x, labels = _start(model, labels, generator, x_T)
    ab, device = schedule.alpha_bar, x.device
    for i, t in enumerate(ts):
        if replace_known is not None:
            x = replace_known(int(t), x)
        t_prev = int(ts[i + 1]) if i + 1 < len(ts) else -1
        ab_t, ab_prev = float(ab[t]), float(ab[t_prev]) if t_prev >= 0 else 1.0
        beta = 1.0 - ab_t / ab_prev
        eps = guided_eps(model, x, int(t), labels, guidance)
        x0 = _predict_x0(x, eps, ab_t)
        if clip_x0:
            x0 = x0.clamp(-1.0, 1.0)
        # Posterior mean, eq. 7: mu = sqrt(ab_prev) beta / (1 - ab_t) x0 + sqrt(1 - beta)(1 - ab_prev)/(1 - ab_t) x_t
        mean = (ab_prev**0.5 * beta / (1 - ab_t)) * x0 + ((1 - beta) ** 0.5 * (1 - ab_prev) / (1 - ab_t)) * x
        x_prev = mean
        if t_prev >= 0:
            variance = max((1 - ab_prev) / (1 - ab_t) * beta, 1e-20)  # beta-tilde, eq. 7
            x_prev = mean + variance**0.5 * torch.randn(x.shape, generator=generator).to(device)
        yield SamplerStep(i, len(ts), int(t), x, x0.clamp(-1, 1), x_prev)
        x = x_prev


def ddim(model: UNet, schedule: NoiseSchedule, labels: torch.Tensor, *, num_steps: int = 50,
         eta: float = 0.0, guidance: float = 1.0, generator: torch.Generator,
         x_T: torch.Tensor | None = None, clip_x0: bool = True, timesteps: np.ndarray | None = None,
         replace_known: KnownHook | None = None) -> Iterator[SamplerStep]:
    """DDIM (Song et al. 2021 eq. 12); sigma_t = eta sqrt((1-ab_prev)/(1-ab_t)) sqrt(1-ab_t/ab_prev) (eq. 16).

    When x0 is clipped, eps is recomputed from the clipped x0 so the update stays consistent.
    ``timesteps``, ``replace_known``: as for :func:`ddpm`.
    """
    if not 0.0 <= eta <= 1.0:
        raise ValueError(f"eta must lie in [0, 1], got {eta}")
    ts = trailing_timesteps(schedule.T, num_steps) if timesteps is None else check_timesteps(schedule.T, timesteps)
    x, labels = _start(model, labels, generator, x_T)
    ab, device = schedule.alpha_bar, x.device
    for i, t in enumerate(ts):
        if replace_known is not None:
            x = replace_known(int(t), x)
        t_prev = int(ts[i + 1]) if i + 1 < len(ts) else -1
        ab_t, ab_prev = float(ab[t]), float(ab[t_prev]) if t_prev >= 0 else 1.0
        eps = guided_eps(model, x, int(t), labels, guidance)
        x0 = _predict_x0(x, eps, ab_t)
        if clip_x0:
            x0 = x0.clamp(-1.0, 1.0)
            eps = (x - ab_t**0.5 * x0) / (1 - ab_t) ** 0.5
        sigma = eta * ((1 - ab_prev) / (1 - ab_t) * (1 - ab_t / ab_prev)) ** 0.5
        x_prev = ab_prev**0.5 * x0 + max(1 - ab_prev - sigma**2, 0.0) ** 0.5 * eps
        if sigma > 0:
            x_prev = x_prev + sigma * torch.randn(x.shape, generator=generator).to(device)
        yield SamplerStep(i, len(ts), int(t), x, x0.clamp(-1, 1), x_prev)
        x = x_prev


def dpmpp_2m(model: UNet, schedule: NoiseSchedule, labels: torch.Tensor, *, num_steps: int = 20,
             guidance: float = 1.0, generator: torch.Generator, x_T: torch.Tensor | None = None,
             clip_x0: bool = True, spacing: str = "logsnr", timesteps: np.ndarray | None = None,
             replace_known: KnownHook | None = None) -> Iterator[SamplerStep]:
    """DPM-Solver++(2M) (Lu et al. 2022, Alg. 2), with alpha_t = sqrt(ab_t), sigma_t = sqrt(1 - ab_t),
    lambda_t = log(alpha_t / sigma_t), h = lambda_next - lambda_t:

        first order:  x_next = (sigma_next/sigma_t) x_t - alpha_next (e^{-h} - 1) x0_t
        second order: same with x0_t replaced by D = (1 + 1/(2r)) x0_t - 1/(2r) x0_prev, r = h_prev / h.
    The final step goes to sigma = 0 and returns x0 of the last evaluation (first order).
    Timesteps: ``spacing`` "logsnr" (:func:`logsnr_timesteps`, the default) or "trailing", or an explicit
    ``timesteps`` list (then ``num_steps`` and ``spacing`` are not used); ``replace_known``: as for :func:`ddpm`.
    """
    if spacing not in ("logsnr", "trailing"):
        raise ValueError(f"spacing must be 'logsnr' or 'trailing', got {spacing!r}")
    if timesteps is not None:
        ts = check_timesteps(schedule.T, timesteps)
    else:
        ts = (logsnr_timesteps(schedule.alpha_bar, num_steps) if spacing == "logsnr"
              else trailing_timesteps(schedule.T, num_steps))
    x, labels = _start(model, labels, generator, x_T)
    ab = schedule.alpha_bar
    x0_prev, h_prev = None, None
    for i, t in enumerate(ts):
        if replace_known is not None:
            x = replace_known(int(t), x)
        ab_t = float(ab[t])
        eps = guided_eps(model, x, int(t), labels, guidance)
        x0 = _predict_x0(x, eps, ab_t)
        if clip_x0:
            x0 = x0.clamp(-1.0, 1.0)
        if i + 1 == len(ts):
            x_next = x0  # sigma_next = 0: lambda = +inf, e^{-h} = 0
        else:
            ab_n = float(ab[ts[i + 1]])
            alpha_t, sigma_t = ab_t**0.5, (1 - ab_t) ** 0.5
            alpha_n, sigma_n = ab_n**0.5, (1 - ab_n) ** 0.5
            h = float(np.log(alpha_n / sigma_n) - np.log(alpha_t / sigma_t))
            d = x0
            if x0_prev is not None:
                r = h_prev / h
                d = (1 + 1 / (2 * r)) * x0 - (1 / (2 * r)) * x0_prev
            x_next = (sigma_n / sigma_t) * x - alpha_n * float(np.expm1(-h)) * d
            h_prev = h
        yield SamplerStep(i, len(ts), int(t), x, x0.clamp(-1, 1), x_next)
        x0_prev, x = x0, x_next


def sampler_timesteps(name: str, schedule: NoiseSchedule, num_steps: int, start: int | None = None) -> np.ndarray:
    """The timesteps sampler ``name`` walks in a run of ``num_steps`` steps from ``start`` (default T-1): log-SNR
    spacing for "dpmpp", trailing for "ddim" and "ddpm". (K,) int64, strictly decreasing."""
    if name not in SAMPLERS:
        raise ValueError(f"unknown sampler {name!r}; choose one of {SAMPLERS}")
    if name == "dpmpp":
        return logsnr_timesteps(schedule.alpha_bar, num_steps, start=start)
    return trailing_timesteps(schedule.T, num_steps, start)


def run_sampler(name: str, model: UNet, schedule: NoiseSchedule, labels: torch.Tensor, *,
                num_steps: int, guidance: float, generator: torch.Generator,
                x_T: torch.Tensor | None = None, eta: float = 0.0, timesteps: np.ndarray | None = None,
                replace_known: KnownHook | None = None) -> Iterator[SamplerStep]:
    """Dispatch by name ("dpmpp", "ddim", "ddpm"); see each sampler for the arguments.

    Arguments are checked here, at the call: the samplers are generators, which would only raise
    on the first ``next()``. With an explicit ``timesteps`` list, ``num_steps`` must be its length.
    """
    trailing_timesteps(schedule.T, num_steps)  # raises ValueError for a bad step count
    if timesteps is not None and len(check_timesteps(schedule.T, timesteps)) != num_steps:
        raise ValueError(f"num_steps ({num_steps}) must be the length of timesteps ({len(timesteps)})")
    if name == "ddim" and not 0.0 <= eta <= 1.0:
        raise ValueError(f"eta must lie in [0, 1], got {eta}")
    common = dict(num_steps=num_steps, guidance=guidance, generator=generator, x_T=x_T)
    if timesteps is not None or replace_known is not None:
        common.update(timesteps=timesteps, replace_known=replace_known)
    if name == "dpmpp":
        return dpmpp_2m(model, schedule, labels, **common)
    if name == "ddim":
        return ddim(model, schedule, labels, eta=eta, **common)
    if name == "ddpm":
        return ddpm(model, schedule, labels, **common)
    raise ValueError(f"unknown sampler {name!r}; choose one of {SAMPLERS}")


def sample(name: str, model: UNet, schedule: NoiseSchedule, labels: torch.Tensor, **kwargs) -> torch.Tensor:
    """Run a sampler to the end and return the generated images (B, C, H, W) in [-1, 1]."""
    (last,) = deque(run_sampler(name, model, schedule, labels, **kwargs), maxlen=1)
    return last.x_prev.clamp(-1, 1)
