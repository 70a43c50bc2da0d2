"""Sample sheets from a shipped denoiser, for teachers.

    python -m diffusion_core.sample --model digits --label all --n 100 --out digits.png
    python -m diffusion_core.sample --model fashion --label 7 --n 16 --sampler ddim --steps 50 --out sneakers.npz

``--label`` is a class index, ``all`` (classes 0, 1, 2, ... in turn, balanced) or ``none`` (the
unconditional model). The output is chosen by the file's suffix:
  * ``.npz``: ``images`` uint8, (N, 28, 28) gray (0 = black) or (N, 32, 32, 3) RGB for the emoji model, and
    ``labels`` (N,) int64 (``num_classes`` = none);
  * ``.png``: a grid, one row per class with its name when ``--label all``, else rows of up to 10.
The same arguments and seed give the same images (noise is drawn on the CPU, see samplers).
Bad arguments or missing/corrupt weights print one line and exit with status 2.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np
import torch

from diffusion_core import ASSETS
from diffusion_core.images.pixels import to_images
from diffusion_core.model.samplers import (
    DEFAULT_GUIDANCE,
    DEFAULT_STEPS,
    MODEL_GUIDANCE,
    SAMPLERS,
    default_guidance,
    sample,
    trailing_timesteps,
)
from diffusion_core.model.weights import LoadedModel, WeightsError, load_model, pick_device

MAX_IMAGES = 100_000


class UsageError(Exception):
    """A bad command line; reported in one line with exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse prints usage + message; we want one line
        raise UsageError(message)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = _Parser(prog="python -m diffusion_core.sample", description=__doc__.split("\n\n")[0],
                formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__.split("\n\n", 2)[2])
    p.add_argument("--model", required=True, help="a shipped model: digits or fashion")
    p.add_argument("--label", default="all", help="class index K, 'all' (balanced) or 'none' (default: all)")
    p.add_argument("--n", type=int, default=10, help="number of images (default 10)")
    p.add_argument("--sampler", choices=SAMPLERS, default="dpmpp")
    p.add_argument("--steps", type=int, default=None,
                   help="sampler steps (default: " + ", ".join(f"{k} {v}" for k, v in DEFAULT_STEPS.items()) + ")")
    p.add_argument("--guidance", type=float, default=None,
                   help=f"classifier-free guidance scale, 0 = unconditional (default {DEFAULT_GUIDANCE}; "
                        + ", ".join(f"{m} {g:g}" for m, g in MODEL_GUIDANCE.items()) + ")")
    p.add_argument("--eta", type=float, default=0.0, help="DDIM noise, 0..1 (ddim only; default 0)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--batch-size", type=int, default=100, help="images per network batch (default 100)")
    p.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    p.add_argument("--assets", default=str(ASSETS), help="folder holding manifest.json and <model>.pt")
    p.add_argument("--out", required=True, help="output file, .npz or .png")
    return p.parse_args(argv)


def make_labels(label: str, n: int, num_classes: int) -> np.ndarray:
    """(n,) int64 labels for ``--label``: K, 'all' (0, 1, ..., num_classes-1, 0, ...) or 'none'."""
    if label == "all":
        return np.arange(n, dtype=np.int64) % num_classes
    if label == "none":
        return np.full(n, num_classes, dtype=np.int64)
    try:
        k = int(label)
    except ValueError:
        raise UsageError(f"--label must be a class index, 'all' or 'none', got {label!r}") from None
    if not 0 <= k < num_classes:
        raise UsageError(f"--label {k} is out of range: this model has classes 0..{num_classes - 1}")
    return np.full(n, k, dtype=np.int64)


def generate(loaded: LoadedModel, labels: np.ndarray, *, sampler: str = "dpmpp", steps: int = 20,
             guidance: float = DEFAULT_GUIDANCE, seed: int = 0, eta: float = 0.0,
             batch_size: int = 100) -> np.ndarray:
    """Images uint8 (N, H, W) or (N, H, W, 3) for prompt ``labels`` (N,) (``len(class_names)`` = none), in batches
    from one seeded generator; a kinds model draws each prompt's kind for ``seed`` first."""
    network = loaded.network_labels(labels, seed)
    generator = torch.Generator().manual_seed(seed)
    kwargs = {"num_steps": steps, "guidance": guidance, "generator": generator}
    if sampler == "ddim":
        kwargs["eta"] = eta
    chunks = []
    for start in range(0, len(labels), batch_size):
        y = network[start:start + batch_size]
        x = sample(sampler, loaded.model, loaded.schedule, y, **kwargs)
        chunks.append(to_images(x.cpu().numpy()))
    return np.concatenate(chunks)


def grid_png(images: np.ndarray, labels: np.ndarray, class_names: tuple[str, ...], by_class: bool,
             path: Path, scale: int = 2, pad: int = 2) -> None:
    """Write a grid: with ``by_class`` one row per class present (name on the left), else rows of 10."""
    from PIL import Image, ImageDraw

    if by_class:
        rows = [images[labels == c] for c in np.unique(labels)]
        names = [class_names[c] if c < len(class_names) else "none" for c in np.unique(labels)]
    else:
        rows = [images[i:i + 10] for i in range(0, len(images), 10)]
        names = []
    h, w = images.shape[1:3]
    cell_w, cell_h = w * scale + pad, h * scale + pad
    margin = (max(len(s) for s in names) * 6 + 8) if names else 0
    cols = max(len(r) for r in rows)
    mode = "L" if images.ndim == 3 else "RGB"
    sheet = Image.new(mode, (margin + cols * cell_w + pad, len(rows) * cell_h + pad), 0)
    draw = ImageDraw.Draw(sheet)
    for r, row in enumerate(rows):
        if names:
            draw.text((4, pad + r * cell_h + cell_h // 2 - 6), names[r], fill=255 if mode == "L" else (255, 255, 255))
        for c, img in enumerate(row):
            tile = Image.fromarray(img).resize((w * scale, h * scale), Image.NEAREST)
            sheet.paste(tile, (margin + pad + c * cell_w, pad + r * cell_h))
    sheet.save(path)


def run(args: argparse.Namespace) -> str:
    """Do the work; returns the summary line. Raises UsageError or WeightsError."""
    out = Path(args.out)
    if out.suffix.lower() not in (".npz", ".png"):
        raise UsageError(f"--out must end in .npz or .png, got {out.name!r}")
    if not 1 <= args.n <= MAX_IMAGES:
        raise UsageError(f"--n must be between 1 and {MAX_IMAGES}, got {args.n}")
    if args.batch_size < 1:
        raise UsageError(f"--batch-size must be at least 1, got {args.batch_size}")
    guidance = default_guidance(args.model) if args.guidance is None else args.guidance
    if not math.isfinite(guidance) or guidance < 0:
        raise UsageError(f"--guidance must be a number >= 0, got {guidance}")
    if not 0.0 <= args.eta <= 1.0:
        raise UsageError(f"--eta must lie in [0, 1], got {args.eta}")
    if args.device == "cuda" and not torch.cuda.is_available():
        raise UsageError("--device cuda: no CUDA device here; use --device cpu or auto")
    steps = args.steps if args.steps is not None else DEFAULT_STEPS[args.sampler]
    loaded = load_model(args.model, Path(args.assets), pick_device(args.device))
    try:
        trailing_timesteps(loaded.schedule.T, steps)
    except ValueError as e:
        raise UsageError(f"--steps: {e}") from None
    labels = make_labels(args.label, args.n, len(loaded.class_names))  # prompts; generate maps them
    t0 = time.perf_counter()
    images = generate(loaded, labels, sampler=args.sampler, steps=steps, guidance=guidance,
                      seed=args.seed, eta=args.eta, batch_size=args.batch_size)
    seconds = time.perf_counter() - t0
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".npz":
        np.savez_compressed(out, images=images, labels=labels)
    else:
        grid_png(images, labels, loaded.class_names, args.label == "all", out)
    return (f"wrote {out}: {len(images)} {args.model} images, label {args.label}, {args.sampler} {steps} steps, "
            f"guidance {guidance:g}, seed {args.seed}, {seconds:.1f} s on {loaded.device}")


def main(argv: list[str] | None = None) -> int:
    try:
        args = parse_args(argv)
        print(run(args), file=sys.stderr)
    except (UsageError, WeightsError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0
