"""Sampling and training speed of the denoiser against the bars in DESIGN.md (2-core CPU).

    python bench/bench_sampling.py [--model digits] [--threads N] [--repeats 5]

Side by side in one run, with the bar beside each figure:
  * one image, 20 DPM-Solver++(2M) steps with guidance (one batched network pass of 2 per step): ≤ 0.2 s
  * a 10-class grid (10 images, one per class), 20 steps with guidance: ≤ 1.2 s
  * DDPM, 1000 steps, one image with guidance: ≤ 8 s
  * training throughput (Trainer.train_step, batch 128, the model's own config): ≥ 100 img/s
Beside each, its peer measured alternately with it (so both see the same load on a shared machine):
the same number of bare guided network evaluations for a sampler, the forward pass alone for
training. Their ratio survives a noisy machine where the absolute figure does not.
Uses assets/<model>.pt when it loads (weights.load_model), else a freshly initialised UNet of the
default config (the speed is the same; it says which). Timings are medians over --repeats runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from diffusion_core.samplers import guided_eps, sample
from diffusion_core.schedules import NoiseSchedule
from diffusion_core.train import TrainConfig, Trainer
from diffusion_core.unet import UNet, UNetConfig, count_parameters
from diffusion_core.weights import WeightsError, load_model

GUIDANCE = 2.0


def timed(fn, repeats: int) -> float:
    """Median wall time of ``fn()`` in seconds, after one warm-up call."""
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def get_model(name: str) -> tuple[UNet, NoiseSchedule, str]:
    try:
        loaded = load_model(name, device=torch.device("cpu"))
        return loaded.model, loaded.schedule, f"assets/{name}.pt ({loaded.train_steps} training steps)"
    except WeightsError as e:
        torch.manual_seed(0)
        model = UNet(UNetConfig()).eval()
        return model, NoiseSchedule("cosine"), f"a freshly initialised UNet, default config ({e})"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", default="digits")
    p.add_argument("--threads", type=int, default=None, help="torch threads (default: as the environment gives)")
    p.add_argument("--repeats", type=int, default=5)
    args = p.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    model, schedule, source = get_model(args.model)
    for param in model.parameters():
        param.requires_grad_(False)
    print(f"model: {source}; {count_parameters(model):,} params, channels {model.config.channels}")
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.2f} at start")

    def run_sampler(name: str, labels: torch.Tensor, steps: int) -> None:
        sample(name, model, schedule, labels, num_steps=steps, guidance=GUIDANCE,
               generator=torch.Generator().manual_seed(0))

    def network_alone(labels: torch.Tensor, evals: int) -> None:
        """The peer: ``evals`` bare guided network evaluations, what any sampler must pay."""
        x = torch.randn(len(labels), 1, 28, 28, generator=torch.Generator().manual_seed(0))
        for t in np.linspace(999, 0, evals).astype(int):
            guided_eps(model, x, int(t), labels, GUIDANCE)

    def pair(fn, peer, repeats: int) -> tuple[float, float]:
        """Median times of fn and its peer, measured alternately so both see the same machine load."""
        fn(), peer()
        a, b = [], []
        for _ in range(repeats):
            for f, out in ((fn, a), (peer, b)):
                t0 = time.perf_counter()
                f()
                out.append(time.perf_counter() - t0)
        return statistics.median(a), statistics.median(b)

    one, grid = torch.tensor([3]), torch.arange(10)
    rows = [
        ("one image, DPM-Solver++ 20 steps, guidance", 0.2,
         *pair(lambda: run_sampler("dpmpp", one, 20), lambda: network_alone(one, 20), args.repeats), 1),
        ("10-class grid, DPM-Solver++ 20 steps, guidance", 1.2,
         *pair(lambda: run_sampler("dpmpp", grid, 20), lambda: network_alone(grid, 20), args.repeats), 1),
        # 1000 steps is the slow one: timed once, its peer is 100 evaluations scaled by 10
        ("one image, DDPM 1000 steps, guidance", 8.0,
         *pair(lambda: run_sampler("ddpm", one, 1000), lambda: network_alone(one, 100), 1), 10),
    ]

    data = np.random.default_rng(0).integers(0, 256, (1024, 28, 28), dtype=np.uint8)
    cfg = TrainConfig(steps=10**6, unet=model.config)
    trainer = Trainer(cfg, data, np.arange(1024) % 10, device=torch.device("cpu"))
    trainer.model.train()
    x, t, y, _ = trainer.batch(0)

    def forward_only() -> None:
        with torch.no_grad():
            trainer.model(x, t, y)

    step_time, forward_time = pair(trainer.train_step, forward_only, args.repeats)
    rate = cfg.batch_size / step_time

    print()
    print(f"{'what':<50} {'measured':>11} {'bar':>12}  {'':4}  peer (same load)")
    for what, bar, value, peer, scale in rows:
        verdict = "ok" if value <= bar else "SLOW"
        print(f"{what:<50} {value:>9.3f} s {'<= ' + format(bar, 'g') + ' s':>12}  {verdict:4}  network alone "
              f"{peer * scale:.3f} s{' (x10)' if scale > 1 else ''}: sampler = {value / (peer * scale):.2f}x network")
    verdict = "ok" if rate >= 100 else "SLOW"
    print(f"{'training throughput, batch ' + str(cfg.batch_size):<50} {rate:>5.0f} img/s {'>= 100 img/s':>12}  "
          f"{verdict:4}  forward pass alone {cfg.batch_size / forward_time:.0f} img/s: "
          f"a train step = {step_time / forward_time:.1f}x a forward pass")
    print(f"\n(guided: each step is one batched network pass of 2 x batch; load average now "
          f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()
