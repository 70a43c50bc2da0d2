"""A tiny denoiser for 2-D data: an MLP ε_θ(x_t, t, y), trained live on a mixture in a few seconds.

The network sees the point x_t (2 numbers), a sinusoidal embedding of the timestep t (Vaswani et al. 2017, as in
DDPM's UNet) and, optionally, a class y with one extra learned token for "no class" (the null class of classifier-
free guidance, Ho & Salimans 2022): during training the label is replaced by that token with probability
``p_uncond``, so one network learns both ε(x, t, y) and ε(x, t, ∅). The time and class embeddings are added to
every hidden layer (so every layer knows how noisy its input is).

Training is DDPM's (Ho et al. 2020, Algorithm 1): x_0 from the data, a timestep t, ε ~ N(0, I),
x_t = √ᾱ_t x_0 + σ_t ε (σ_t = √(1−ᾱ_t); the app's one notation, :mod:`diffusion_core.access.notation`), and a
regression. By default the network predicts v = √ᾱ_t ε − σ_t x_0 (Salimans & Ho 2022, who write α_t for √ᾱ_t) and
ε_θ = σ_t x_t + √ᾱ_t v_θ follows: at low noise v ≈ ε, so this is DDPM's ε-loss (eq. 14) there; at high noise
v ≈ −x_0, which keeps x̂_0 = √ᾱ_t x_t − σ_t v_θ well-conditioned. An ε-predictor cannot: at t = T−1 the cosine
schedule has √ᾱ ≈ 5e-5, x̂_0 = (x_t − σ ε_θ)/√ᾱ divides ε's error by it, and the samplers' first step carries that
error ~600-fold into x_t. Measured on the ring of 8 (DDIM, 50 steps,
2,000 samples): ε-prediction put 8% to 17% of the samples in blobs that hold 12.5% each; v-prediction 11-13%.
Adam with a cosine learning-rate decay; the initial weights and every batch are a pure function of (seed, step),
drawn from the training's own ``torch.Generator`` (never torch's global one, which another training in another
thread of the server may be using), so a configuration trains to the same network every time.

Shapes: x (B, 2) float32, t (B,) int64 in [0, T), y (B,) int64 in [0, num_classes] (num_classes = no class).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from diffusion_core.forward.schedules import NoiseSchedule
from diffusion_core.toy2d.datasets import GaussianMixture

WIDTHS = (32, 64, 96, 128, 256)  # the widths a reader may pick
STEP_CHOICES = (250, 500, 1000, 2000, 4000, 8000)  # and the training lengths


@dataclass(frozen=True)
class MLPConfig:
    """How the tiny denoiser is built and trained; the defaults train in under 10 s on 2 shared CPU cores."""

    width: int = 96  # hidden units per layer
    depth: int = 3  # hidden layers
    time_dim: int = 32  # size of the sinusoidal embedding of t
    conditional: bool = True  # learn ε(x, t, y) too, for guidance (with a "no class" token)
    p_uncond: float = 0.5  # how often a label is replaced by the "no class" token in training
    steps: int = 2000  # optimiser steps
    batch: int = 256  # points per step
    lr: float = 5e-3  # Adam's peak learning rate (cosine decay to 1% of it)
    seed: int = 0  # seeds the weights, the batches and the noise
    prediction: str = "v"  # what the network outputs: "eps", or "v" = √ᾱ ε − σ x_0 (Salimans & Ho 2022)
    # t = floor(T u^p) with u uniform: p = 1 is DDPM's uniform t; p = 1.5 spends more of the steps at low noise,
    # where ε* is small and sharp (every t keeps the same minimiser, E[ε | x_t]; only the effort moves). On the
    # ring of 8 it cut the weighted ε error by a third at the same cost.
    t_power: float = 1.5

    def __post_init__(self) -> None:
        if not (8 <= self.width <= 1024 and 1 <= self.depth <= 8 and 100 <= self.steps <= 50_000
                and 16 <= self.batch <= 8192 and 0.0 <= self.p_uncond <= 1.0 and 0.25 <= self.t_power <= 4.0
                and self.prediction in ("eps", "v")):
            raise ValueError(f"unusable MLP configuration: {self}")


@contextmanager
def one_thread() -> Iterator[None]:
    """Run torch on one thread inside the block, then restore the count (torch's setting is per process).

    The matrices here are tiny (256 x 96): a second thread buys nothing, and on a busy 2-core machine its
    barrier waits cost a lot. Measured with another process busy: 3 ms a training step on one thread, 50-190 ms
    on two.
    """
    before = torch.get_num_threads()
    if before != 1:
        torch.set_num_threads(1)
    try:
        yield
    finally:
        if before != 1:
            torch.set_num_threads(before)


def time_embedding(t: torch.Tensor, dim: int, max_period: float = 10_000.0) -> torch.Tensor:
    """Sinusoidal embedding of integer timesteps, (B,) -> (B, dim): [cos(t f_i), sin(t f_i)], f_i log-spaced."""
    half = dim // 2
    freqs = torch.exp(-math.log(max_period) * torch.arange(half, dtype=torch.float32) / half)
    args = t.float()[:, None] * freqs[None]
    return torch.cat([torch.cos(args), torch.sin(args)], dim=1)


class DenoiserMLP(nn.Module):
    """ε_θ(x, t, y): (B, 2), (B,), (B,) -> (B, 2). ``null_class`` (= num_classes) is the "no class" token.

    ``generator`` draws the initial weights (PyTorch's default initialisation, in the same order); without one they
    come from torch's global generator, as any module's do."""

    def __init__(self, config: MLPConfig, num_classes: int, schedule: NoiseSchedule,
                 generator: torch.Generator | None = None) -> None:
        super().__init__()
        self.config, self.num_classes, self.null_class, self.T = config, num_classes, num_classes, schedule.T
        w = config.width
        self.register_buffer("t_features", time_embedding(torch.arange(schedule.T), config.time_dim), persistent=False)
        self.register_buffer("alpha", torch.tensor(schedule.signal, dtype=torch.float32), persistent=False)
        self.register_buffer("sigma", torch.tensor(schedule.noise, dtype=torch.float32), persistent=False)
        self.schedule_alpha_bar = np.asarray(schedule.alpha_bar, dtype=np.float64)  # for ε in float64
        # with a generator, layers are made without drawing from torch's global one (skip_init), then initialised
        def layer(kind, *size):
            return kind(*size) if generator is None else nn.utils.skip_init(kind, *size)
        self.inp = layer(nn.Linear, 2, w)
        self.time = layer(nn.Linear, config.time_dim, w * config.depth)
        self.label = layer(nn.Embedding, num_classes + 1, w * config.depth) if self.knows_classes(config, num_classes) else None
        self.hidden = nn.ModuleList(layer(nn.Linear, w, w) for _ in range(config.depth))
        self.out = layer(nn.Linear, w, 2)
        if generator is not None:
            self._initialise(generator)
        nn.init.zeros_(self.out.weight)
        nn.init.zeros_(self.out.bias)

    @torch.no_grad()
    def _initialise(self, generator: torch.Generator) -> None:
        """PyTorch's default initialisation of every layer (``nn.Linear.reset_parameters``: Kaiming-uniform weights,
        uniform biases; ``nn.Embedding``: standard normal), in construction order, drawn from ``generator``."""
        for layer in (self.inp, self.time, self.label, *self.hidden, self.out):
            if isinstance(layer, nn.Linear):
                nn.init.kaiming_uniform_(layer.weight, a=math.sqrt(5), generator=generator)
                bound = 1 / math.sqrt(layer.in_features)
                nn.init.uniform_(layer.bias, -bound, bound, generator=generator)
            elif isinstance(layer, nn.Embedding):
                nn.init.normal_(layer.weight, generator=generator)

    @property
    def parameter_count(self) -> int:
        """How many numbers the network learns."""
        return sum(p.numel() for p in self.parameters())

    @staticmethod
    def knows_classes(config: MLPConfig, num_classes: int) -> bool:
        """Whether the network takes a class: asked for, and the data have two classes or more."""
        return config.conditional and num_classes > 1

    def eps(self, x: torch.Tensor, t: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """ε_θ(x, t, y), whatever the network outputs: with v-prediction, ε = σ_t x + √ᾱ_t v."""
        out = self(x, t, y)
        if self.config.prediction == "eps":
            return out
        return self.sigma[t, None] * x + self.alpha[t, None] * out

    def forward(self, x: torch.Tensor, t: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """The network's own output: ε, or v = √ᾱ_t ε − σ_t x_0 (config.prediction), (B, 2)."""
        cond = self.time(self.t_features[t])
        if self.label is not None:
            cond = cond + self.label(torch.full_like(t, self.null_class) if y is None else y)
        h = self.inp(x)
        for layer, c in zip(self.hidden, cond.chunk(self.config.depth, dim=1)):
            h = layer(torch.nn.functional.silu(h + c))
        return self.out(torch.nn.functional.silu(h))


@dataclass(frozen=True)
class Trained:
    """A trained denoiser with its record: loss per step (steps,), wall seconds, and what it was trained on."""

    model: DenoiserMLP
    losses: np.ndarray
    seconds: float
    config: MLPConfig
    data_key: str


def train(mix: GaussianMixture, schedule: NoiseSchedule, config: MLPConfig = MLPConfig(),
          on_progress: Callable[[int, int, float], None] | None = None, every: int = 50) -> Trained:
    """Train ε_θ on fresh draws of ``mix`` (DDPM Algorithm 1). Returns the model in eval mode, frozen.

    on_progress(step, steps, recent mean loss) is called every ``every`` steps (for a progress bar).
    """
    with one_thread():
        return _train(mix, schedule, config, on_progress, every)


def _train(mix: GaussianMixture, schedule: NoiseSchedule, config: MLPConfig,
           on_progress: Callable[[int, int, float], None] | None, every: int) -> Trained:
    gen = torch.Generator().manual_seed(config.seed)
    model = DenoiserMLP(config, mix.num_classes, schedule, generator=torch.Generator().manual_seed(config.seed))
    params = [p for p in model.parameters()]
    adam = _Adam(params)
    signal = torch.tensor(schedule.signal, dtype=torch.float32)
    noise_sd = torch.tensor(schedule.noise, dtype=torch.float32)
    means = torch.tensor(mix.means, dtype=torch.float32)
    chol = torch.tensor(np.linalg.cholesky(mix.covs + 1e-12 * np.eye(2)), dtype=torch.float32)
    weights = torch.tensor(mix.weights, dtype=torch.float32)
    comp_labels = torch.tensor(mix.labels)
    losses = np.empty(config.steps, dtype=np.float32)
    began = time.perf_counter()
    model.train()
    for step in range(config.steps):
        comp = torch.multinomial(weights, config.batch, replacement=True, generator=gen)
        x0 = means[comp] + torch.einsum("bij,bj->bi", chol[comp], torch.randn(config.batch, 2, generator=gen))
        t = (schedule.T * torch.rand(config.batch, generator=gen) ** config.t_power).long().clamp_(max=schedule.T - 1)
        e = torch.randn(config.batch, 2, generator=gen)
        xt = signal[t, None] * x0 + noise_sd[t, None] * e
        y = None
        if model.label is not None:
            drop = torch.rand(config.batch, generator=gen) < config.p_uncond
            y = torch.where(drop, torch.full_like(comp, mix.num_classes), comp_labels[comp])
        target = e if config.prediction == "eps" else signal[t, None] * e - noise_sd[t, None] * x0  # v
        loss = torch.mean((model(xt, t, y) - target) ** 2)
        grads = torch.autograd.grad(loss, params)
        adam.step(grads, config.lr * (0.01 + 0.99 * 0.5 * (1 + math.cos(math.pi * step / config.steps))))
        losses[step] = loss.item()
        if on_progress is not None and ((step + 1) % every == 0 or step + 1 == config.steps):
            on_progress(step + 1, config.steps, float(losses[max(0, step + 1 - every): step + 1].mean()))
    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)
    return Trained(model, losses, time.perf_counter() - began, config, mix.key)


class _Adam:
    """Adam (Kingma & Ba 2015, Algorithm 1) in a few lines of public tensor maths.

    Not ``torch.optim.Adam``: its first construction in a process imports torch's compiler stack (``torch._dynamo``),
    measured at 4.0–6.3 s on this project's 2-core machine under load, longer than the whole default training (~3 s).
    """

    def __init__(self, params: list[torch.Tensor], betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8):
        self.params, (self.b1, self.b2), self.eps, self.count = params, betas, eps, 0
        self.m = [torch.zeros_like(p) for p in params]
        self.v = [torch.zeros_like(p) for p in params]

    @torch.no_grad()
    def step(self, grads: tuple[torch.Tensor, ...], lr: float) -> None:
        self.count += 1
        step = lr / (1 - self.b1**self.count)
        root_bias = math.sqrt(1 - self.b2**self.count)
        for p, g, m, v in zip(self.params, grads, self.m, self.v):
            m.lerp_(g, 1 - self.b1)  # m <- b1 m + (1 - b1) g
            v.mul_(self.b2).addcmul_(g, g, value=1 - self.b2)  # v <- b2 v + (1 - b2) g^2
            p.addcdiv_(m, v.sqrt().div_(root_bias).add_(self.eps), value=-step)  # p <- p - lr m^ / (sqrt(v^) + eps)


@torch.no_grad()
def learned_eps(model: DenoiserMLP, x: np.ndarray, t: int | np.ndarray, labels: np.ndarray | None = None,
                guidance: float | np.ndarray = 1.0) -> np.ndarray:
    """ε_θ for points x (N, 2) float64 -> (N, 2) float64, with classifier-free guidance.

    t: one timestep for all points or one per point (N,). labels (N,) int, −1 for no class (or None: all
    unconditional); guidance: one scale s or one per point (N,). A model trained without classes ignores them.
    """
    with one_thread():
        return _learned_eps(model, x, t, labels, guidance)


def _learned_eps(model: DenoiserMLP, x: np.ndarray, t: int | np.ndarray, labels: np.ndarray | None,
                 guidance: float | np.ndarray) -> np.ndarray:
    """The network runs in float32; its output becomes ε in float64 (see :func:`output_to_eps`)."""
    x = np.asarray(x, dtype=np.float64).reshape(-1, 2)
    xt = torch.as_tensor(x.astype(np.float32))
    t_all = np.broadcast_to(np.asarray(t, dtype=np.int64), (len(x),))
    tt = torch.as_tensor(t_all.copy())
    out = model(xt, tt, None).double().numpy()
    scale = np.broadcast_to(np.asarray(guidance, dtype=np.float64), (len(x),))
    if labels is not None and model.label is not None and scale.any():
        y = np.asarray(labels, dtype=np.int64).reshape(-1)
        asked = y >= 0
        if asked.any():
            cond = model(xt, tt, torch.as_tensor(np.where(asked, y, model.null_class))).double().numpy()
            out = np.where(asked[:, None], out + scale[:, None] * (cond - out), out)  # guidance is linear in v too
    return output_to_eps(model, x, t_all, out)


def output_to_eps(model: DenoiserMLP, x: np.ndarray, t: np.ndarray, out: np.ndarray) -> np.ndarray:
    """ε from the network's output (N, 2) at x (N, 2), timesteps t (N,), in float64.

    With v-prediction ε = σ_t x + √ᾱ_t v. At t = T−1 (√ᾱ ≈ 5e-5) a sampler forms x̂_0 = (x − σ ε)/√ᾱ, which
    divides ε's error by √ᾱ: float32 rounding alone (~1e-7) would cost ~2e-3 there. Formed in float64 from v, it
    is x̂_0 = √ᾱ x − σ v to ~1e-12, and v's own error reaches x̂_0 undivided.
    """
    if model.config.prediction == "eps":
        return out
    alpha = np.sqrt(model.schedule_alpha_bar[t])[:, None]
    return np.sqrt(1.0 - alpha**2) * x + alpha * out
