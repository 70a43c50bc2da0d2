"""Edit pictures with a shipped denoiser: SDEdit from a strength, inpainting from a mask (issue 29).

    python -m diffusion_core.edit --model digits --input scribbles.npz --out cleaned.npz --strength 0.6 --label keep
    python -m diffusion_core.edit --model digits --input digits.npz --mask top_half.npz --out filled.npz --label 3

Files (NumPy .npz):
  * ``--input``: ``images`` uint8, (N, H, W) grey or (N, H, W, 3) colour at the model's size (28 x 28 grey for
    digits and fashion, 32 x 32 x 3 for emoji), optional ``labels`` (N,) ints (-1 = none) for ``--label keep``;
  * ``--mask``: ``mask`` bool (N, H, W), True where a pixel is known and kept exactly (the rest is filled in);
  * ``--out``: ``images`` in the input's shape and dtype, and ``labels`` (N,) int64, the classes used (-1 = none).

``--strength`` s in [0, 1] sets how far back into noise the walk starts (t0 = round(s T), SDEdit): 0 returns the
input, 1 ignores it (plain generation, or with a mask a fill from pure noise). Without ``--strength``: 0.6, or with a
mask 1 (the masked part filled from pure noise). ``--label`` is a class index K, ``none`` or ``keep`` (the input's
labels). An edit from strength s takes about s of the sampler's ``--steps`` (see diffusion_core.live.edit), times
``--repeats``: the walk taken again from its own result (SDEdit's repeats), which repairs badly damaged pictures.
The same arguments and seed give the same images. The last line printed is one JSON object (``n``, ``seconds``,
``strength``, ``t0``, ``calls``, ...). Bad arguments, bad files or missing weights print one line and exit with status 2.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import torch

from diffusion_core import ASSETS
from diffusion_core.live.edit import (
    DEFAULT_STRENGTH,
    MAX_REPEATS,
    EditError,
    edit_images,
    network_calls,
    passes,
    pixel_distance,
    start_timestep,
)
from diffusion_core.live.inpaint import DEFAULT_RESAMPLE
from diffusion_core.model.samplers import DEFAULT_STEPS, SAMPLERS, default_guidance, image_shape, trailing_timesteps
from diffusion_core.model.weights import WeightsError, load_model, pick_device

NO_LABEL = -1


class UsageError(Exception):
    """A bad command line or input file; reported in one line with exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse prints usage + message; we want one line
        raise UsageError(message)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = _Parser(prog="python -m diffusion_core.edit", description=__doc__.split("\n\n")[0],
                formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__.split("\n\n", 2)[2])
    p.add_argument("--model", required=True, help="a shipped model: digits, fashion or emoji")
    p.add_argument("--input", required=True, help=".npz with images (N, H, W[, 3]) uint8 [and labels (N,)]")
    p.add_argument("--out", required=True, help="output .npz: images (input's shape) and labels")
    p.add_argument("--mask", default=None, help=".npz with mask (N, H, W) bool, True = known pixel (inpainting)")
    p.add_argument("--strength", type=float, default=None,
                   help=f"0..1, how far back into noise (default {DEFAULT_STRENGTH}; with --mask 1, a fill from noise)")
    p.add_argument("--label", default="none", help="class index K, 'none' or 'keep' (the input's labels); default none")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--sampler", choices=SAMPLERS, default="dpmpp")
    p.add_argument("--steps", type=int, default=None,
                   help="steps of a full run (default: " + ", ".join(f"{k} {v}" for k, v in DEFAULT_STEPS.items())
                        + "); an edit from strength s takes about s of them")
    p.add_argument("--guidance", type=float, default=None, help="classifier-free guidance (default: the model's)")
    p.add_argument("--eta", type=float, default=0.0, help="DDIM noise, 0..1 (ddim only; default 0)")
    p.add_argument("--resample", type=int, default=DEFAULT_RESAMPLE,
                   help=f"RePaint rounds per step, with --mask (default {DEFAULT_RESAMPLE})")
    p.add_argument("--repeats", type=int, default=1,
                   help=f"walks from the picture, each from the last one's result (1..{MAX_REPEATS}; default 1)")
    p.add_argument("--batch-size", type=int, default=100, help="images per network batch (default 100)")
    p.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    p.add_argument("--assets", default=str(ASSETS), help="folder holding manifest.json and <model>.pt")
    return p.parse_args(argv)


def read_npz(path: str, key: str, what: str) -> dict[str, np.ndarray]:
    """The arrays of an .npz file (no pickles), which must hold ``key``; UsageError otherwise."""
    try:
        with np.load(path, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as e:
        raise UsageError(f"{what} {path}: not a readable .npz file ({e})") from None
    if key not in arrays:
        raise UsageError(f"{what} {path}: no array named {key!r} (it holds {', '.join(arrays) or 'nothing'})")
    return arrays


def check_images(images: np.ndarray, shape: tuple[int, int, int]) -> None:
    c, h, w = shape
    want = (h, w) if c == 1 else (h, w, c)
    if images.dtype != np.uint8 or images.ndim != 1 + len(want) or images.shape[1:] != want or len(images) == 0:
        raise UsageError(f"--input: images must be uint8 (N, {', '.join(map(str, want))}) for this model, "
                         f"got {images.dtype} {images.shape}")


def check_mask(mask: np.ndarray, images: np.ndarray) -> None:
    if mask.dtype != np.bool_ or mask.shape != images.shape[:3]:
        raise UsageError(f"--mask: mask must be bool {images.shape[:3]} like the images, got {mask.dtype} {mask.shape}")


def make_labels(label: str, given: np.ndarray | None, n: int, num_classes: int) -> np.ndarray:
    """(n,) int64 labels for ``--label`` (K, 'none' or 'keep'), NO_LABEL for none."""
    if label == "none":
        return np.full(n, NO_LABEL, dtype=np.int64)
    if label == "keep":
        if given is None:
            raise UsageError("--label keep: the input file has no 'labels' array")
        if given.shape != (n,) or given.dtype.kind not in "iu":
            raise UsageError(f"--input: labels must be integers of shape ({n},), got {given.dtype} {given.shape}")
        if np.any((given < NO_LABEL) | (given >= num_classes)):
            raise UsageError(f"--input: labels must be classes 0..{num_classes - 1} or -1 (none)")
        return given.astype(np.int64)
    try:
        k = int(label)
    except ValueError:
        raise UsageError(f"--label must be a class index, 'none' or 'keep', got {label!r}") from None
    if not 0 <= k < num_classes:
        raise UsageError(f"--label {k} is out of range: this model has classes 0..{num_classes - 1}")
    return np.full(n, k, dtype=np.int64)


def run(args: argparse.Namespace) -> dict:
    """Do the work; returns the summary (the JSON line). Raises UsageError, WeightsError or OSError."""
    out = Path(args.out)
    if out.suffix.lower() != ".npz":
        raise UsageError(f"--out must end in .npz, got {out.name!r}")
    if args.strength is not None and not (math.isfinite(args.strength) and 0.0 <= args.strength <= 1.0):
        raise UsageError(f"--strength must lie in [0, 1], got {args.strength}")
    if args.batch_size < 1:
        raise UsageError(f"--batch-size must be at least 1, got {args.batch_size}")
    if args.resample < 1:
        raise UsageError(f"--resample must be at least 1, got {args.resample}")
    if not 1 <= args.repeats <= MAX_REPEATS:
        raise UsageError(f"--repeats must lie in 1..{MAX_REPEATS}, got {args.repeats}")
    if not 0.0 <= args.eta <= 1.0:
        raise UsageError(f"--eta must lie in [0, 1], got {args.eta}")
    guidance = default_guidance(args.model) if args.guidance is None else args.guidance
    if not math.isfinite(guidance) or guidance < 0:
        raise UsageError(f"--guidance must be a number >= 0, got {guidance}")
    if args.device == "cuda" and not torch.cuda.is_available():
        raise UsageError("--device cuda: no CUDA device here; use --device cpu or auto")
    given = read_npz(args.input, "images", "--input")
    images = given["images"]
    mask = None if args.mask is None else read_npz(args.mask, "mask", "--mask")["mask"]
    loaded = load_model(args.model, Path(args.assets), pick_device(args.device))
    check_images(images, image_shape(loaded.runner))
    if mask is not None:
        check_mask(mask, images)
    steps = args.steps if args.steps is not None else DEFAULT_STEPS[args.sampler]
    try:
        trailing_timesteps(loaded.schedule.T, steps)
    except ValueError as e:
        raise UsageError(f"--steps: {e}") from None
    strength = args.strength if args.strength is not None else (1.0 if mask is not None else DEFAULT_STRENGTH)
    labels = make_labels(args.label, given.get("labels"), len(images), len(loaded.class_names))
    prompts = np.where(labels == NO_LABEL, len(loaded.class_names), labels)
    model_labels = loaded.network_labels(prompts, args.seed).numpy()  # a kinds model: each prompt's kind
    start = time.perf_counter()
    result = edit_images(loaded.runner, loaded.schedule, images, model_labels, known=mask, strength=strength,
                         sampler=args.sampler, steps=steps, guidance=guidance, seed=args.seed, eta=args.eta,
                         resample=args.resample, repeats=args.repeats, batch_size=args.batch_size)
    seconds = time.perf_counter() - start
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out, images=result, labels=labels)
    resample = args.resample if mask is not None else 1
    return {"model": args.model, "n": len(images), "seconds": round(seconds, 4), "strength": strength,
            "t0": start_timestep(strength, loaded.schedule.T), "sampler": args.sampler, "full_run_steps": steps,
            "calls": network_calls(args.sampler, loaded.schedule, steps, strength, resample, args.repeats),
            "resample": resample, "repeats": passes(start_timestep(strength, loaded.schedule.T), loaded.schedule.T,
                                                    args.repeats),
            "mask": mask is not None, "label": args.label, "guidance": guidance, "seed": args.seed,
            "mean_distance": round(float(pixel_distance(result, images).mean()), 3), "engine": loaded.engine,
            "out": str(out)}


def main(argv: list[str] | None = None) -> int:
    try:
        summary = run(parse_args(argv))
    except (UsageError, WeightsError, EditError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(f"wrote {summary['out']}: {summary['n']} {summary['model']} images edited from strength "
          f"{summary['strength']:g} (t0 = {summary['t0']}), {summary['calls']} network calls, "
          f"{summary['seconds']:.1f} s", file=sys.stderr)
    print(json.dumps(summary))
    return 0
