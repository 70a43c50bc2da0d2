"""Sampling and training speed of the denoiser against the bars in DESIGN.md (2-core CPU).

    python bench/bench_sampling.py [--model digits] [--threads N] [--repeats 5]

Side by side in one run, with the bar beside each figure:
  * one image, 20 DPM-Solver++(2M) steps with guidance (one batched network pass of 2 per step): ≤ 0.2 s
  * a 10-class grid (10 images, one per class), 20 steps with guidance: ≤ 1.2 s
  * DDPM, 1000 steps, one image with guidance: ≤ 8 s
  * training throughput (Trainer.train_step, batch 128, the model's own config): ≥ 100 img/s
The sampler figures are for the network the app samples with (the ONNX Runtime twin on CPU, when
shipped); beside each, its peer measured alternately with it (so both see the same load on a shared
machine): the same run on eager PyTorch, the reference. For training the peer is the forward pass
alone. Ratios survive a noisy machine where absolute figures do not.
Uses assets/<model>.pt when it loads (weights.load_model), else a freshly initialised UNet of the
default config (the speed is the same; it says which). Timings are medians over --repeats runs.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from diffusion_core.forward.schedules import NoiseSchedule
from diffusion_core.model.samplers import image_shape, sample
from diffusion_core.model.train import TrainConfig, Trainer
from diffusion_core.model.unet import UNet, UNetConfig, count_parameters
from diffusion_core.model.weights import WeightsError, load_model

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


def get_model(name: str) -> tuple[UNet, object, str, NoiseSchedule, str]:
    """(PyTorch model, the runner the app samples with, its engine, schedule, where it came from)."""
    try:
        loaded = load_model(name, device=torch.device("cpu"))
        return (loaded.model, loaded.runner, loaded.engine, loaded.schedule,
                f"assets/{name}.pt ({loaded.train_steps} training steps)")
    except WeightsError as e:
        torch.manual_seed(0)
        model = UNet(UNetConfig()).eval()
        return model, model, "PyTorch", NoiseSchedule("cosine"), f"a freshly initialised UNet, default config ({e})"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", default="digits")
    p.add_argument("--threads", type=int, default=None, help="torch threads (default: as the environment gives)")
    p.add_argument("--repeats", type=int, default=5)
    args = p.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    model, runner, engine, schedule, source = get_model(args.model)
    for param in model.parameters():
        param.requires_grad_(False)
    print(f"model: {source}; {count_parameters(model):,} params, channels {model.config.channels}")
    print(f"the app samples with: {engine}; peer: eager PyTorch")
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.2f} at start")

    def run_sampler(net, name: str, labels: torch.Tensor, steps: int) -> None:
        sample(name, net, schedule, labels, num_steps=steps, guidance=GUIDANCE,
               generator=torch.Generator().manual_seed(0))

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
    # the colour model's own bars (issue 15: 32 x 32 x 3 is ~4x the pixels of 28 x 28): 0.25 s and 1.5 s
    one_bar, grid_bar = (0.2, 1.2) if image_shape(model)[0] == 1 else (0.25, 1.5)
    def both(name: str, labels: torch.Tensor, steps: int, repeats: int) -> tuple[float, float]:
        return pair(lambda: run_sampler(runner, name, labels, steps), lambda: run_sampler(model, name, labels, steps),
                    repeats)

    rows = [
        ("one image, DPM-Solver++ 20 steps, guidance", one_bar, *both("dpmpp", one, 20, args.repeats)),
        ("10-class grid, DPM-Solver++ 20 steps, guidance", grid_bar, *both("dpmpp", grid, 20, args.repeats)),
        ("one image, DDPM 1000 steps, guidance", 8.0, *both("ddpm", one, 1000, 1)),  # the slow one: once
    ]

    c, h, w = image_shape(model)
    data = np.random.default_rng(0).integers(0, 256, (1024, h, w) if c == 1 else (1024, h, w, c), dtype=np.uint8)
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
    for what, bar, value, peer in rows:
        verdict = "ok" if value <= bar else "SLOW"
        print(f"{what:<50} {value:>9.3f} s {'<= ' + format(bar, 'g') + ' s':>12}  {verdict:4}  eager PyTorch "
              f"{peer:.3f} s: {peer / value:.2f}x slower than {engine}")
    verdict = "ok" if rate >= 100 else "SLOW"
    print(f"{'training throughput, batch ' + str(cfg.batch_size):<50} {rate:>5.0f} img/s {'>= 100 img/s':>12}  "
          f"{verdict:4}  forward pass alone {cfg.batch_size / forward_time:.0f} img/s: "
          f"a train step = {step_time / forward_time:.1f}x a forward pass")
    print(f"\n(guided: each step is one batched network pass of 2 x batch; load average now "
          f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs)")
    keys = ("one_image_s", "grid_s", "ddpm_1000_s")
    figures = {key: {"measured": round(value, 4), "bar": bar, "eager_pytorch": round(peer, 4)}
               for key, (_, bar, value, peer) in zip(keys, rows)}
    print(json.dumps({"model": args.model, "engine": engine, **figures, "train_img_per_s": round(rate, 1),
                      "train_bar_img_per_s": 100, "load_average": os.getloadavg()[0]}))


if __name__ == "__main__":
    main()
