"""How tiny is the corner? The likelihood bars of issue 14, measured (2-core CPU).

    python bench/bench_likelihood.py [--models digits fashion] [--images 5] [--full-images 4]

Side by side in one run, each figure beside its bar and its peer:
  * quality (from the shipped summaries, exact sums over all T timesteps, ``python -m diffusion_core.likelihood
    --export``): held-out real images' mean bits/dim strictly below the compressor's on the same images, below
    uniform noise and below the other data set under the same model;
  * one image on the page (``estimate_image``, the page's default number of calls): 95% interval ≤ ±0.05 bits/dim
    in ≤ 1.0 s, for held-out images of each model (and, for the record, noise); peer: the same estimate on eager
    PyTorch, measured alternately with it;
  * the exact full-T evaluation: network calls per second over ``--full-images`` images, extrapolated to 1,000
    images (bar ≤ 10 minutes); peer: eager PyTorch on the same pairs, and the bound both give with the same noise
    (how exact the ONNX twin is for the bound); the network's floating-point work per call, so the figure can be
    read against what two cores can do at all.
Ends with one JSON line. Figures depend on the machine's load: the load average is printed beside them.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from diffusion_core.images.pixels import to_model_range
from diffusion_core.likelihood.bound import full_bound, model_eps
from diffusion_core.likelihood.estimate import EVALS, estimate_image
from diffusion_core.likelihood.settings import CALLS
from diffusion_core.likelihood.summary import SummaryError, read_summary
from diffusion_core.likelihood.typical import uniform_images
from diffusion_core.model.samplers import image_shape
from diffusion_core.model.shipped_data import held_out
from diffusion_core.model.weights import load_model

PAGE_SECONDS, PAGE_HALF_WIDTH, FULL_MINUTES = 1.0, 0.05, 10.0


def flops_per_call(model, shape) -> int:
    """Multiply-adds x 2 of the convolutions and linear layers for one image (hooks on a real forward pass)."""
    total = 0

    def hook(module, inputs, output):
        nonlocal total
        if isinstance(module, torch.nn.Conv2d):
            k = module.kernel_size[0] * module.kernel_size[1] * module.in_channels // module.groups
            total += 2 * output.numel() * k
        elif isinstance(module, torch.nn.Linear):
            total += 2 * output.numel() * module.in_features

    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear))]
    with torch.no_grad():
        model(torch.zeros(1, *shape), torch.zeros(1, dtype=torch.long), torch.zeros(1, dtype=torch.long))
    for h in handles:
        h.remove()
    return total


class _Eager:
    """The PyTorch reference with the runner's interface (the peer)."""

    def __init__(self, loaded):
        self.model, self.null_class, self.config = loaded.model, loaded.model.null_class, loaded.model.config

    def __call__(self, x, t, y):
        return self.model(x, t, y)


def quality(name: str) -> dict:
    try:
        s = read_summary(name)
    except SummaryError as e:
        print(f"  {name}: {e}")
        return {}
    real = s.sets["real"]
    mean, hw = real.mean_ci()
    comp = float(np.mean(real.compressor_bits)) / s.dims
    out = {"real": mean, "real_ci95": hw, "compressor": comp, "n": len(real.bpd)}
    print(f"  {name}: held-out real {mean:.3f} ± {hw:.3f} bits/dim (n = {len(real.bpd)}, exact sums over "
          f"{s.T} timesteps; {s.run.get('command', '')})")
    rows = [("the compressor on the same images", comp)]
    for key, label in (("noise", "uniform noise"), ("ood", "the other data set"), ("samples", "the model's samples")):
        if key in s.sets:
            m, h = s.sets[key].mean_ci()
            out[key] = m
            rows.append((f"{label} ({s.sets[key].title}, n = {len(s.sets[key].bpd)})", m))
    for label, value in rows:
        below = mean < value
        verdict = "ok" if below or label.startswith("the model's samples") else "MISSED"
        note = "" if not label.startswith("the model's samples") else " (for the record, no bar)"
        print(f"    real {mean:7.3f} {'<' if below else '>='} {value:7.3f}  {label}  {verdict}{note}")
    share = float(np.mean(real.bpd < real.compressor_bits / s.dims))
    print(f"    image by image: the model's bound is below the compressor's for {share:.1%} of the held-out images")
    out["below_compressor_share"] = share
    out["bar_ok"] = all(mean < out[k] for k in ("compressor", "noise", "ood") if k in out)
    return out


def page_speed(loaded, images: np.ndarray, label: str, repeats: int, calls: int = EVALS) -> dict:
    """The page's estimate for each image: seconds (ONNX, and eager PyTorch alternately) and half-widths."""
    eager = _Eager(loaded)
    fast, slow, widths, values = [], [], [], []
    estimate_image(loaded, images[0], calls)  # warm-up
    for image in images:
        for r in range(repeats):
            t0 = time.perf_counter()
            e = estimate_image(loaded, image, calls, seed=r)
            fast.append(time.perf_counter() - t0)
            widths.append(float(e.half_width[0]))
            values.append(float(e.bits_per_dim[0]))
            if r == 0:
                t0 = time.perf_counter()
                estimate_image(SimpleNamespace(runner=eager, schedule=loaded.schedule), image, calls, seed=r)
                slow.append(time.perf_counter() - t0)
    med_s, med_w, max_w = statistics.median(fast), statistics.median(widths), max(widths)
    ok = med_s <= PAGE_SECONDS and max_w <= PAGE_HALF_WIDTH
    label = f"{label}, {e.plan.evals} calls"
    print(f"  {label:<44} {med_s:6.2f} s (max {max(fast):.2f})  ±{med_w:.3f} (max ±{max_w:.3f}) bits/dim  "
          f"{'ok' if ok else 'MISSED'}   eager PyTorch {statistics.median(slow):.2f} s "
          f"({statistics.median(slow) / med_s:.1f}x)   mean estimate {np.mean(values):.3f}")
    return {"seconds": med_s, "seconds_max": max(fast), "half_width": med_w, "half_width_max": max_w, "ok": ok}


def full_speed(loaded, images: np.ndarray) -> dict:
    x0 = torch.from_numpy(to_model_range(images))
    t0 = time.perf_counter()
    onnx = full_bound(model_eps(loaded.runner), x0, loaded.schedule, seed=0)
    onnx_s = time.perf_counter() - t0
    calls = len(images) * loaded.schedule.T
    t0 = time.perf_counter()
    torch_result = full_bound(model_eps(_Eager(loaded)), x0[:1], loaded.schedule, seed=0)
    torch_s = time.perf_counter() - t0
    diff = abs(float(torch_result.bits_per_dim[0] - onnx.bits_per_dim[0]))
    rate = calls / onnx_s
    minutes = 1000 * loaded.schedule.T / rate / 60
    return {"calls_per_second": rate, "torch_calls_per_second": loaded.schedule.T / torch_s,
            "minutes_for_1000": minutes, "onnx_vs_torch_bpd": diff, "ok": minutes <= FULL_MINUTES}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--models", nargs="+", default=["digits", "fashion"])
    p.add_argument("--images", type=int, default=5, help="held-out images timed on the page, per model")
    p.add_argument("--repeats", type=int, default=2, help="estimates per image (different seeds)")
    p.add_argument("--full-images", type=int, default=4, help="images of the timed full-T evaluation, per model")
    args = p.parse_args()
    report: dict = {"threads": torch.get_num_threads(), "cpus": os.cpu_count()}
    print(f"bench_likelihood: {os.cpu_count()} CPUs, torch {torch.get_num_threads()} threads, "
          f"load average {os.getloadavg()[0]:.2f} at the start\n")

    print("Quality: held-out real images below the compressor, noise and the other data set (exact, shipped)")
    for name in args.models:
        report[f"{name}_quality"] = quality(name)

    print(f"\nOne image on the page: the default {EVALS} calls and the fewest offered ({min(CALLS)}); bar ≤ "
          f"{PAGE_SECONDS} s and ≤ ±{PAGE_HALF_WIDTH} bits/dim (95%)")
    rng = np.random.default_rng(0)
    for name in args.models:
        loaded = load_model(name)
        images = held_out(name)[0]
        pick = images[rng.choice(len(images), args.images, replace=False)]
        for calls in (EVALS, min(CALLS)):
            key = f"{name}_page" + ("" if calls == EVALS else f"_{calls}")
            report[key] = page_speed(loaded, pick, f"{name}: {args.images} held-out images", args.repeats, calls)
        shape = pick.shape[1:]
        report[f"{name}_page_noise"] = page_speed(loaded, uniform_images(2, shape, seed=3), f"{name}: uniform noise", 1)

    print(f"\nThe exact full-T evaluation: bar ≤ {FULL_MINUTES:g} minutes for 1,000 images")
    for name in args.models:
        loaded = load_model(name)
        images = held_out(name)[0][:args.full_images]
        f = full_speed(loaded, images)
        flops = flops_per_call(loaded.model, image_shape(loaded.runner))
        needed = 1000 * loaded.schedule.T / (FULL_MINUTES * 60)
        f.update(flops_per_call=flops, gflops_achieved=f["calls_per_second"] * flops / 1e9,
                 gflops_needed=needed * flops / 1e9)
        report[f"{name}_full"] = f
        ratio = f["calls_per_second"] / f["torch_calls_per_second"]
        print(f"  {name}: {f['calls_per_second']:.0f} calls/s (ONNX Runtime, batch 32) -> 1,000 images x "
              f"{loaded.schedule.T} timesteps in {f['minutes_for_1000']:.0f} min  {'ok' if f['ok'] else 'MISSED'}   "
              f"eager PyTorch {f['torch_calls_per_second']:.0f} calls/s ({ratio:.1f}x slower); same noise, "
              f"|ONNX − PyTorch| = {f['onnx_vs_torch_bpd']:.1e} bits/dim")
        print(f"    {flops / 1e6:.0f} MFLOP per call: {f['gflops_achieved']:.0f} GFLOP/s achieved; the bar needs "
              f"{needed:.0f} calls/s = {f['gflops_needed']:.0f} GFLOP/s sustained on the network alone")
    report["load_average_end"] = round(os.getloadavg()[0], 2)
    print(f"\n(load average {report['load_average_end']:.2f} at the end, on {os.cpu_count()} CPUs)")
    print(json.dumps(report, default=float))


if __name__ == "__main__":
    main()
