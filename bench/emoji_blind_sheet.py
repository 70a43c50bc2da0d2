"""Can a person name the colour model's pictures? A blind sheet of samples mixed with real emoji, and its scoring.

Issue 31's bar is a person's judgement, not a classifier's: shown the model's samples (its default guidance, every
prompt alike) mixed blind with real held-out emoji, a rater names each tile as one of the ten kinds and says
whether it is *clearly* that kind. Samples must be named as asked ≥ 90% of the time, every prompt ≥ 75%, and
≥ 60% "clearly".

    python bench/emoji_blind_sheet.py make --out test-artifacts/blind --key runs/blind/key.json [--weights F]
    # rate test-artifacts/blind/sheet.png: write ratings.csv with the header  tile,kind,clearly
    #   tile = the number under the picture, kind = one of the ten kinds (its name or 0-9), clearly = yes/no
    python bench/emoji_blind_sheet.py score --key runs/blind/key.json --ratings ratings.csv

The key (which tile is a sample of which prompt, which is real) is written to a separate folder from the sheet, so
a rater who opens the sheet's folder does not see it. ``--weights`` samples a candidate weights file instead of the
shipped model (a kinds model's prompt picks its kinds in the training data's proportions). The last line of
``score`` is one JSON object.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from diffusion_core.images.pixels import to_images  # noqa: E402
from diffusion_core.model.emoji_data import ALL_STYLES, CLASS_NAMES, load_emoji  # noqa: E402
from diffusion_core.model.samplers import default_guidance, sample  # noqa: E402
from diffusion_core.model.shipped_data import held_out  # noqa: E402
from diffusion_core.model.weights import load_model  # noqa: E402

TILE, LABEL = 112, 18  # tile size on the sheet (a 32 x 32 picture enlarged 3.5x) and the number's row
BARS = {"named_as_asked": 0.90, "every_prompt": 0.75, "clearly": 0.60}


def samples(weights: Path | None, per_prompt: int, seed: int, guidance: float) -> tuple[np.ndarray, np.ndarray, str]:
    """per_prompt samples of each of the ten prompts at ``guidance``: images (N, 32, 32, 3), prompts (N,)."""
    torch.set_num_threads(1)
    loaded = load_model(weights.stem, weights.parent) if weights else load_model("emoji")
    prompts = np.repeat(np.arange(len(CLASS_NAMES)), per_prompt)
    labels = loaded.network_labels(prompts, seed)  # a kinds model: each prompt's kind, as the app draws it
    x = sample("dpmpp", loaded.runner, loaded.schedule, labels, num_steps=20,
               guidance=guidance, generator=torch.Generator().manual_seed(seed))
    return to_images(x), prompts, f"{loaded.name} ({loaded.train_steps} steps, guidance {guidance:g})"


def real(per_class: int, seed: int, data: str) -> tuple[np.ndarray, np.ndarray]:
    """per_class held-out real emoji of each class, never trained on: from the data folder's test split in all four
    art styles when ``data`` is given (the shipped held-out set has too few of some classes), else the shipped set."""
    if data:
        test = load_emoji(data, "test", ALL_STYLES)
        images, labels = test.images, test.labels
    else:
        images, labels = held_out("emoji")
    rng = np.random.default_rng(seed)
    picks = [rng.choice(np.flatnonzero(labels == c), per_class, replace=False) for c in range(len(CLASS_NAMES))]
    index = np.concatenate(picks)
    return images[index], labels[index]


def sheet(images: np.ndarray, columns: int = 16) -> Image.Image:
    """The tiles in a grid, each with its number (1-based) under it, on white."""
    rows = -(-len(images) // columns)
    canvas = Image.new("RGB", (columns * TILE, rows * (TILE + LABEL)), "white")
    draw = ImageDraw.Draw(canvas)
    font = ImageFont.load_default(size=14)
    for i, img in enumerate(images):
        x, y = (i % columns) * TILE, (i // columns) * (TILE + LABEL)
        canvas.paste(Image.fromarray(img).resize((TILE - 8, TILE - 8), Image.Resampling.NEAREST), (x + 4, y + 4))
        draw.text((x + TILE // 2, y + TILE + 1), str(i + 1), fill="black", font=font, anchor="mt")
    return canvas


def make(args: argparse.Namespace) -> None:
    fake, prompts, model = samples(Path(args.weights) if args.weights else None, args.per_prompt, args.seed,
                                   args.guidance)
    true, classes = real(args.per_prompt, args.seed, args.data)
    images = np.concatenate([fake, true])
    order = np.random.default_rng(args.seed + 1).permutation(len(images))
    out, key = Path(args.out), Path(args.key)
    if out.resolve() == key.resolve().parent:
        raise SystemExit("keep the key apart from the sheet: give --key a path outside --out")
    out.mkdir(parents=True, exist_ok=True)
    key.parent.mkdir(parents=True, exist_ok=True)
    sheet(images[order]).save(out / "sheet.png")
    source = ["sample"] * len(fake) + ["real"] * len(true)
    kinds = np.concatenate([prompts, classes])
    key.write_text(json.dumps({"model": model, "seed": args.seed, "tiles": [
        {"tile": i + 1, "source": source[j], "kind": CLASS_NAMES[int(kinds[j])]} for i, j in enumerate(order)]},
        indent=1))
    print(json.dumps({"sheet": str(out / "sheet.png"), "tiles": len(images), "model": model}))


def _kind(text: str) -> str:
    text = text.strip()
    if text.isdigit() and int(text) < len(CLASS_NAMES):
        return CLASS_NAMES[int(text)]
    if text not in CLASS_NAMES:
        raise SystemExit(f"unknown kind {text!r}: use one of {', '.join(CLASS_NAMES)} (or 0-9)")
    return text


def score(args: argparse.Namespace) -> None:
    key = {t["tile"]: t for t in json.loads(Path(args.key).read_text())["tiles"]}
    with open(args.ratings, newline="") as f:
        ratings = {int(r["tile"]): (_kind(r["kind"]), r["clearly"].strip().lower() in ("yes", "y", "1"))
                   for r in csv.DictReader(f)}
    missing = sorted(set(key) - set(ratings))
    if missing:
        raise SystemExit(f"tiles without a rating: {missing}")
    report = {}
    for source in ("sample", "real"):
        tiles = [t for t in key.values() if t["source"] == source]
        named = [ratings[t["tile"]][0] == t["kind"] for t in tiles]
        clearly = [ratings[t["tile"]][1] and ratings[t["tile"]][0] == t["kind"] for t in tiles]
        per_kind = {k: float(np.mean([n for n, t in zip(named, tiles) if t["kind"] == k])) for k in CLASS_NAMES}
        report[source] = {"named_as_asked": float(np.mean(named)), "clearly": float(np.mean(clearly)),
                          "per_kind": per_kind}
        print(f"{source:>6}: named as asked {np.mean(named):.0%}, clearly {np.mean(clearly):.0%}; per kind: "
              + ", ".join(f"{k} {v:.0%}" for k, v in per_kind.items()))
    s = report["sample"]
    checks = {"named_as_asked": s["named_as_asked"] >= BARS["named_as_asked"],
              "every_prompt": min(s["per_kind"].values()) >= BARS["every_prompt"],
              "clearly": s["clearly"] >= BARS["clearly"]}
    print("bars (samples): " + ", ".join(f"{k} ≥ {BARS[k]:.0%}: {'met' if v else 'NOT met'}" for k, v in checks.items()))
    print(json.dumps({**report, "bars_met": checks}))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    m = sub.add_parser("make", help="write the blind sheet and, apart, its key")
    m.add_argument("--out", default="test-artifacts/blind")
    m.add_argument("--key", default="runs/blind/key.json")
    m.add_argument("--weights", default="", help="a candidate weights file (its folder needs a manifest.json)")
    m.add_argument("--per-prompt", type=int, default=8)
    m.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "emoji"),
                   help="emoji folder for the real tiles ('' for the shipped held-out set)")
    m.add_argument("--guidance", type=float, default=default_guidance("emoji"), help="default: the app's for emoji")
    m.add_argument("--seed", type=int, default=0)
    s = sub.add_parser("score", help="score a rater's ratings.csv against the key")
    s.add_argument("--key", default="runs/blind/key.json")
    s.add_argument("--ratings", required=True)
    args = parser.parse_args(argv)
    make(args) if args.command == "make" else score(args)


if __name__ == "__main__":
    main()
