"""Judging a shipped denoiser against its quality bars with an independent classifier.

    python -m diffusion_core.evaluate --model digits --data ../shared/data/mnist10k
    python -m diffusion_core.evaluate --model fashion --data ../shared/data/fashion-mnist --guidance 1 2 3
    python -m diffusion_core.evaluate --model emoji      # no --data: the copies the app ships in assets/datasets
    python -m diffusion_core.evaluate --model emoji-kinds --assets runs/emoji-kinds-assets --data ../shared/data/emoji

A kinds model (trained on finer labels inside the ten prompts, :mod:`diffusion_core.model.kinds`) is judged on its
ten prompts, as a reader asks for them: each asked prompt becomes a kind drawn in the training data's proportions
(``PromptKinds.draw``, as the app does), and the real images are the emoji folder's split in all four art styles,
labelled by prompt.

For each guidance scale it generates two sets of ``n`` samples (default sampler: DPM-Solver++(2M), 20 steps):
one balanced over the classes (every prompt alike) and one with the classes in the training set's proportions,
and reports
  * accuracy (balanced set): the share the classifier (:mod:`diffusion_core.judge.classifier`) assigns to the
    asked class, overall and per class, next to the classifier's own accuracy on the real test set;
  * Fréchet distance (Heusel et al. 2017, eq. for FID) between Gaussian fits of classifier features of the
    samples *in the training set's class mix* and of real training images, next to the floor: the same distance
    for as many real *test* images (which hold the classes in the same mix). A balanced mix would be measured
    against a different distribution: where classes are unequal (emoji: 486 flags, 44 hearts) real training
    images themselves, drawn balanced, sit several times the floor away. The report holds that yardstick,
    ``fd_real_training_images``: what a perfect copier of the training set scores in either mix;
  * memorisation (balanced set): each sample's L2 distance (pixels in [0, 1]) to its nearest training image,
    compared with the same for real test images (a copy of a training image would sit near 0), and the share of
    samples closer than 95% of real test images of their class (the app's yardstick: 5% for real images).
When the floor has fewer real images than ``n`` (202 held-out emoji), the samples' distance used for the bar is
the mean over chunks of as many samples (the Fréchet distance grows as samples shrink), each chunk in the
training set's class mix.
Results are printed as JSON and written to ``--out`` for the model card.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

from diffusion_core import ASSETS
from diffusion_core.images.pixels import to_images
from diffusion_core.judge.classifier import load_or_train, predict
from diffusion_core.judge.metrics import CopyYardstick, frechet_distance, nearest_neighbour_distances
from diffusion_core.model.data import load_dataset
from diffusion_core.model.emoji_data import ALL_STYLES, load_emoji
from diffusion_core.model.samplers import default_guidance, sample
from diffusion_core.model.shipped_data import held_out, training_set
from diffusion_core.model.weights import load_model


def balanced_labels(n: int, num_classes: int) -> np.ndarray:
    """(n,) labels 0, 1, ..., num_classes - 1 in turn: every prompt alike."""
    return np.arange(n) % num_classes


def labels_in_proportion(class_counts: np.ndarray, n: int, chunk: int) -> np.ndarray:
    """(n,) labels holding the classes in the proportions of ``class_counts`` (K,), chunk by chunk: every run of
    ``chunk`` consecutive labels (and the shorter last one) is apportioned by largest remainders, so each chunk
    that :func:`same_size_frechet` scores has the mix of the data set it is compared with."""
    share = np.asarray(class_counts, dtype=np.float64) / np.sum(class_counts)
    out = []
    for size in [chunk] * (n // chunk) + ([n % chunk] if n % chunk else []):
        quota = share * size
        counts = np.floor(quota).astype(np.int64)
        counts[np.argsort(counts - quota, kind="stable")[:size - counts.sum()]] += 1
        out.append(np.repeat(np.arange(len(share)), counts))
    return np.concatenate(out)


def generate(loaded, labels: np.ndarray, guidance: float, sampler: str, steps: int, seed: int,
             batch_size: int = 200) -> np.ndarray:
    """One sample per prompt label (n,): uint8 images (n, H, W[, 3]), drawn with what the app samples with
    (``loaded.runner``: the ONNX twin on the CPU, else PyTorch); a kinds model draws each prompt's kind first."""
    gen = torch.Generator().manual_seed(seed)
    network = loaded.network_labels(labels, seed)  # a kinds model: each prompt's kind (the app's own mapping)
    out = []
    for i in range(0, len(labels), batch_size):
        y = network[i:i + batch_size]
        x = sample(sampler, loaded.runner, loaded.schedule, y, num_steps=steps, guidance=guidance, generator=gen)
        out.append(to_images(x.cpu().numpy()))
    return np.concatenate(out)


def same_size_frechet(feats: np.ndarray, reference: np.ndarray, size: int) -> float:
    """The Fréchet distance of ``feats`` to ``reference`` estimated from samples of ``size``: the mean over the
    disjoint chunks of that size (the distance is biased upwards for small samples, so a floor measured on fewer
    real images is only compared with samples of as many)."""
    chunks = max(1, len(feats) // size)
    return float(np.mean([frechet_distance(feats[i * size:(i + 1) * size], reference) for i in range(chunks)]))


def real_image_yardstick(train_feats: np.ndarray, train_labels: np.ndarray, size: int, seed: int) -> dict:
    """The Fréchet distance to ``train_feats`` (N, D) of ``size`` real training images themselves, drawn without
    replacement balanced over the classes and in the data's class mix (labels (N,)): what a perfect copier of the
    training set would score in each mix (mean over 4 draws)."""
    rng = np.random.default_rng(seed)
    counts = np.bincount(train_labels)
    mixes = {"balanced": balanced_labels(size, len(counts)), "in_data_mix": labels_in_proportion(counts, size, size)}
    out = {}
    for name, labels in mixes.items():
        wanted = np.bincount(labels, minlength=len(counts))
        draws = []
        for _ in range(4):
            idx = np.concatenate([rng.choice(np.flatnonzero(train_labels == k), m, replace=m > counts[k])
                                  for k, m in enumerate(wanted)])
            draws.append(frechet_distance(train_feats[idx], train_feats))
        out[name] = float(np.mean(draws))
    return out


def _summary(d: np.ndarray) -> dict:
    return {"min": float(d.min()), "p1": float(np.percentile(d, 1)), "median": float(np.median(d))}


def real_images(model_name: str, data: str | None, all_styles: bool = False
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(train images, labels, test images, labels): from the data set at ``data``, or without it from the copies
    the app ships (its training set and held-out images, :mod:`diffusion_core.model.shipped_data`).
    ``all_styles``: an emoji folder's four art styles, labelled by prompt (what a kinds model was trained on)."""
    if data is not None and all_styles:
        train, test = (load_emoji(data, split, ALL_STYLES) for split in ("train", "test"))
        return train.images, train.labels, test.images, test.labels
    if data is not None:
        return (*load_dataset(data, "train"), *load_dataset(data, "test"))
    return (*training_set(model_name), *held_out(model_name))


def evaluate(model_name: str, data: str | None, guidances: list[float], n: int, sampler: str, steps: int,
             seed: int, classifier_path: Path, assets: Path = ASSETS, classifier_epochs: int = 4) -> dict:
    """The quality report of ``model_name`` (see the module docstring); ``data`` None: the shipped copies."""
    loaded = load_model(model_name, assets, device=torch.device("cpu"))
    train_x, train_y, test_x, test_y = real_images(model_name, data, all_styles=loaded.kinds is not None)
    classifier = load_or_train(classifier_path, train_x, train_y, classifier_epochs)
    test_pred, test_feats = predict(classifier, test_x)
    rng = np.random.default_rng(seed)
    reference = rng.choice(len(train_x), min(len(train_x), 10_000), replace=False)
    train_feats = predict(classifier, train_x[reference])[1]
    floor_idx = rng.choice(len(test_x), min(n, len(test_x)), replace=False)
    test_nn, _ = nearest_neighbour_distances(test_x[floor_idx], train_x)
    num_classes = int(train_y.max()) + 1
    ruler = CopyYardstick.from_held_out(test_nn, test_y[floor_idx], num_classes)
    floor = frechet_distance(test_feats[floor_idx], train_feats)
    report = {
        "classifier_epochs": classifier_epochs,
        "model": model_name, "data": data or "assets/datasets (the shipped copies)", "n": n, "sampler": sampler,
        "steps": steps, "seed": seed,
        "classifier_test_accuracy": float((test_pred == test_y).mean()),
        "fd_floor_test_vs_train": floor,
        "fd_floor_images": len(floor_idx),
        "fd_real_training_images": real_image_yardstick(train_feats, train_y[reference], len(floor_idx), seed),
        "nn_distance_real_test": _summary(test_nn),
        "by_guidance": {},
    }
    report["engine"] = loaded.engine
    balanced = balanced_labels(n, num_classes)
    in_mix = labels_in_proportion(np.bincount(train_y, minlength=num_classes), n, len(floor_idx))
    for g in guidances:
        start = time.perf_counter()
        images = generate(loaded, balanced, g, sampler, steps, seed)
        seconds = time.perf_counter() - start
        pred, _ = predict(classifier, images)
        sample_nn, _ = nearest_neighbour_distances(images, train_x)
        mix_pred, mix_feats = predict(classifier, generate(loaded, in_mix, g, sampler, steps, seed + 1))
        fd_same = same_size_frechet(mix_feats, train_feats, len(floor_idx))
        report["by_guidance"][str(g)] = {
            "accuracy": float((pred == balanced).mean()),
            "per_class_accuracy": [float((pred[balanced == c] == c).mean()) for c in range(num_classes)],
            "accuracy_in_data_mix": float((mix_pred == in_mix).mean()),
            "fd": frechet_distance(mix_feats, train_feats),
            "fd_same_size_as_floor": fd_same,
            "fd_ratio_to_floor": fd_same / floor,
            "nn_distance_samples": _summary(sample_nn),
            "near_copy_fraction": float(ruler.suspicious(sample_nn, balanced).mean()),
            "sampling_seconds": seconds,
        }
        print(json.dumps({"guidance": g, **report["by_guidance"][str(g)]}), file=sys.stderr, flush=True)
    return report


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description="Evaluate a shipped denoiser against its quality bars.")
    p.add_argument("--model", required=True, help="name in assets/manifest.json (digits, fashion)")
    p.add_argument("--data", default=None, help="the data set the model was trained on (IDX folder, npz or emoji "
                   "folder; default: the copies shipped in assets/datasets)")
    p.add_argument("--guidance", type=float, nargs="+", default=None,
                   help="scales to measure (default: the model's own)")
    p.add_argument("--n", type=int, default=1000)
    p.add_argument("--sampler", default="dpmpp")
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--classifier-epochs", type=int, default=4, help="epochs of the judge, when it is trained")
    p.add_argument("--classifier", default=None, help="cache of the judge (default runs/<model>/classifier.pt)")
    p.add_argument("--out", default=None, help="JSON report (default runs/<model>/eval.json)")
    p.add_argument("--assets", default=None, help="folder of the weights and their manifest.json (default: the "
                   "app's assets/; a candidate's, e.g. runs/emoji-kinds-assets)")
    args = p.parse_args(argv)
    guidances = args.guidance or [default_guidance(args.model)]
    report = evaluate(args.model, args.data, guidances, args.n, args.sampler, args.steps, args.seed,
                      Path(args.classifier or f"runs/{args.model}/classifier.pt"),
                      assets=Path(args.assets) if args.assets else ASSETS, classifier_epochs=args.classifier_epochs)
    out = Path(args.out or f"runs/{args.model}/eval.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
