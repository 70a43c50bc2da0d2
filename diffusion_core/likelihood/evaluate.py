"""``python -m diffusion_core.likelihood --model digits|fashion [--n 1000]``: how tiny the corner is, measured.

For a shipped model it computes, in one run, the bound of every image over all T timesteps (one noise draw per
term, :func:`diffusion_core.likelihood.bound.full_bound`) for four sets of images:

* ``real``: held-out real images of the model's data set (never seen in training);
* ``samples``: the model's own samples (the app's default sampler, guidance and steps; classes in turn);
* ``noise``: uniformly random images of the same shape;
* ``ood``: another shipped data set's held-out images, reduced to the model's shape (out of distribution);

and, for the same images, the shortest description by PNG or LZMA (:mod:`diffusion_core.likelihood.compress`).
It prints each set's mean bits/dim with its 95% interval (over the images; it covers the noise of the draws too),
the compressor's bits/dim, and the exact "one in 10^M" consequences for a typical image (the upper end of the
interval of the mean), then, as its last line, one JSON object (``real_bpd``, ``samples_bpd``, ``noise_bpd``,
``ood_bpd``, ``compressor_bpd``, their intervals, ``seconds`` …). ``--export`` writes the shipped summary the page
reads (:mod:`diffusion_core.likelihood.summary`).

The network runs as ``LoadedModel.runner``: the ONNX twin on the CPU (the same network to float32 rounding, ~2×
faster; the bound is then exactly the bound of the twin, and differs from PyTorch's with the same noise by ~1e-7
bits/dim, see bench/bench_likelihood.py), batched across images and timesteps.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from collections.abc import Callable

import numpy as np
import torch

from diffusion_core.images.pixels import to_model_range
from diffusion_core.likelihood.bound import BATCH, full_bound, model_eps
from diffusion_core.likelihood.compress import compressed_bits
from diffusion_core.likelihood.corner import corner_of_bound, corner_of_description
from diffusion_core.likelihood.sources import fit_batch, model_samples, pixel_shape
from diffusion_core.likelihood.summary import SetResult, Summary, card_section, write_card_section, write_summary
from diffusion_core.likelihood.typical import uniform_images
from diffusion_core.model.samplers import image_shape
from diffusion_core.model.shipped_data import held_out as shipped_held_out
from diffusion_core.model.weights import WeightsError, available_models, load_model

HeldOut = Callable[[str], tuple[np.ndarray, np.ndarray]]  # model name -> (uint8 images, labels)


def measure_set(loaded, title: str, images: np.ndarray, seed: int, batch: int = BATCH,
                progress: Callable[[int, int], None] | None = None) -> SetResult:
    """Every image's full bound (bits/dim) and compressor length (bits), and the set's mean profile."""
    x0 = torch.from_numpy(to_model_range(images))
    result = full_bound(model_eps(loaded.runner), x0, loaded.schedule, seed=seed, batch=batch, on_progress=progress)
    return SetResult(title, result.bits_per_dim, compressed_bits(images), result.terms_bits_per_dim().mean(0))


def other_data_set(model: str, held_out: HeldOut, names: list[str]) -> str | None:
    """The first other shipped model whose held-out images can be read (the out-of-distribution set)."""
    for name in names:
        if name == model:
            continue
        try:
            held_out(name)
        except Exception:  # noqa: BLE001 - a set that cannot be read is simply not offered
            continue
        return name
    return None


def typical_corner(s: SetResult, dims: int):
    """The corner of a typical image of the set: from the upper end of the 95% interval of its mean bound (None
    with a single image, which has no interval)."""
    mean, hw = s.mean_ci()
    return corner_of_bound((mean + hw) * dims, dims) if math.isfinite(hw) else None


def _line(name: str, s: SetResult, dims: int) -> str:
    mean, hw = s.mean_ci()
    comp = float(np.mean(s.compressor_bits)) / dims
    model_corner = typical_corner(s, dims)
    comp_corner = corner_of_description(int(np.ceil(np.mean(s.compressor_bits))), dims)

    def one_in(c) -> str:
        if c is None or c.fraction_digits is None:
            return "no claim"
        return f"one in 10^{c.fraction_digits:,}"

    return (f"{name:<8} {s.title:<44} n={len(s.bpd):<5} {mean:7.3f} ± {hw:5.3f} bits/dim   compressor "
            f"{comp:6.3f}   {one_in(model_corner)} (model) / {one_in(comp_corner)} (compressor)")


def run(model: str, held_out: HeldOut, n: int = 1000, n_other: int | None = None, ood: str | None = None,
        seed: int = 0, batch: int = BATCH, log=sys.stderr) -> tuple[Summary, dict]:
    """Measure the four sets; returns the summary (for ``--export``) and the report (the JSON line)."""
    began = time.perf_counter()
    loaded = load_model(model)
    shape = image_shape(loaded.runner)
    dims = int(np.prod(shape))
    n_other = n if n_other is None else n_other
    rng = np.random.default_rng(seed)
    real_all = held_out(model)[0]
    real = real_all[np.sort(rng.permutation(len(real_all))[:n])]
    ood = ood or other_data_set(model, held_out, available_models())
    sets: dict[str, tuple[str, np.ndarray]] = {"real": (f"held-out real images ({model})", real)}
    if n_other > 0:
        samples, _ = model_samples(loaded, n_other, seed)
        sets["samples"] = ("the model's own samples", samples)
        sets["noise"] = ("uniformly random images", uniform_images(n_other, pixel_shape(shape), seed))
        if ood is not None:
            other = held_out(ood)[0]
            pick = np.sort(rng.permutation(len(other))[:n_other])
            sets["ood"] = (f"{ood} held-out images (out of distribution)", fit_batch(other[pick], shape))
    total = sum(len(images) for _, images in sets.values()) * loaded.schedule.T
    done_before, results = 0, {}
    print(f"{model}: {dims:,} values of 8 bits ({shape[0]} x {shape[1]} x {shape[2]}), T = {loaded.schedule.T}, "
          f"{total:,} network calls on {loaded.runs_on}", file=log, flush=True)
    for name, (title, images) in sets.items():
        step = max(1, len(images) * loaded.schedule.T // 10)

        def progress(done: int, all_: int, name=name, base=done_before, step=step) -> None:
            if done % step < batch or done == all_:
                elapsed = time.perf_counter() - began
                print(f"  {name}: {done:,}/{all_:,} calls, {elapsed:.0f} s, {(base + done) / elapsed:.0f} calls/s",
                      file=log, flush=True)

        results[name] = measure_set(loaded, title, images, seed, batch, progress)
        done_before += len(images) * loaded.schedule.T
    seconds = time.perf_counter() - began
    calls_per_s = total / seconds
    run_info = {"n": n, "n_other": n_other, "seed": seed, "timesteps": "all", "engine": loaded.engine, "calls": total,
                "date": time.strftime("%Y-%m-%d", time.gmtime()),
                "threads": torch.get_num_threads(), "seconds": round(seconds, 1),
                "calls_per_second": round(calls_per_s, 1),
                "load_average": [round(v, 2) for v in os.getloadavg()] if hasattr(os, "getloadavg") else None,
                "command": f"python -m diffusion_core.likelihood --model {model} --n {n} --n-other {n_other}"
                           f" --seed {seed}" + (f" --ood {ood}" if ood else "")}
    summary = Summary(model, tuple(int(v) for v in shape), loaded.schedule.T, results, run_info)
    report: dict = {"model": model, "dims": dims, "T": loaded.schedule.T, "ood_name": ood}
    for name, s in results.items():
        mean, hw = s.mean_ci()
        report[f"{name}_bpd"], report[f"{name}_ci95"] = round(mean, 4), round(hw, 4)
        report[f"{name}_compressor_bpd"] = round(float(np.mean(s.compressor_bits)) / dims, 4)
        report[f"{name}_n"] = len(s.bpd)
        c = typical_corner(s, dims)
        report[f"{name}_ci95"] = round(hw, 4) if math.isfinite(hw) else None
        report[f"{name}_one_in_10_to"] = c.fraction_digits if c else None
        report[f"{name}_at_most_10_to"] = c.count_digits if c else None
    for name in ("samples_bpd", "noise_bpd", "ood_bpd"):
        report.setdefault(name, None)
    real = results["real"]
    report["compressor_bpd"] = report["real_compressor_bpd"]
    report["compressor_one_in_10_to"] = corner_of_description(int(np.ceil(np.mean(real.compressor_bits))),
                                                              dims).fraction_digits
    report["real_below_compressor_fraction"] = round(float(np.mean(real.bpd < real.compressor_bits / dims)), 4)
    report.update({k: run_info[k] for k in ("seconds", "calls_per_second", "engine", "threads", "load_average")})
    report["calls"] = total
    return summary, report


def print_report(summary: Summary, report: dict, out=sys.stdout) -> None:
    dims = summary.dims
    print(f"How tiny is the corner? The {summary.model} model's bound (Ho et al. 2020 eq. 5, all {summary.T} "
          f"timesteps), {dims:,} values: the whole space is 8 bits/dim, 256^{dims:,} images "
          f"({corner_of_bound(0, dims).space_digits:,} digits).", file=out)
    for name, s in summary.sets.items():
        print(_line(name, s, dims), file=out)
    c = typical_corner(summary.sets["real"], dims)
    print(f"A typical held-out image: at most 2^{c.bits:,} < 10^{c.count_digits:,} images are at least as plausible "
          f"to the model, one in 10^{c.fraction_digits:,} of all {dims:,}-value images (from the upper end of the "
          "interval; each image's own bound gives its own figure).", file=out)
    print(f"{report['calls']:,} network calls in {report['seconds']:.0f} s ({report['calls_per_second']:.0f}/s, "
          f"{report['engine']}, {report['threads']} threads, load average {report['load_average']}).", file=out)
    print(json.dumps(report), file=out, flush=True)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:
        self.exit(2, f"error: {message}\n")


def main(argv: list[str] | None = None, held_out: HeldOut = shipped_held_out) -> int:
    """The command; ``held_out`` reads a model's held-out images (default: the copies the app ships)."""
    p = _Parser(prog="python -m diffusion_core.likelihood",
                description="How tiny is the corner? The DDPM bound in bits/dim of held-out images, the model's "
                            "samples, uniform noise and another data set, beside a generic compressor.")
    p.add_argument("--model", required=True, help="a shipped model (digits, fashion)")
    p.add_argument("--n", type=int, default=1000, help="held-out real images (default 1000)")
    p.add_argument("--n-other", type=int, default=None,
                   help="images of each other set: samples, noise, out of distribution (default: --n)")
    p.add_argument("--ood", default=None, help="the out-of-distribution data set (default: another shipped one)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--batch", type=int, default=BATCH, help=f"pairs (image, timestep) per network call ({BATCH})")
    p.add_argument("--export", action="store_true", help="write assets/likelihood/<model>.json for the page")
    args = p.parse_args(argv)
    if args.n < 2 or (args.n_other is not None and args.n_other < 0) or args.batch < 1:
        p.error("--n must be at least 2, --n-other at least 0 and --batch at least 1")
    try:
        summary, report = run(args.model, held_out, args.n, args.n_other, args.ood, args.seed, args.batch)
    except WeightsError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print_report(summary, report)
    if args.export:
        print(f"wrote {write_summary(summary)}", file=sys.stderr)
        card = write_card_section(args.model, card_section(summary))
        if card is not None:
            print(f"wrote the likelihood section of {card}", file=sys.stderr)
    return 0
