"""The real images the app ships in ``assets/datasets`` (it never reads the training-data folder).

* ``<model>_test.npz``: held-out images (never seen in training; a kinds model's with ``kinds`` (N,) too, each
  image's own kind), for the "one denoising step" demo,
  the forward-process page and the memorisation yardstick: the whole test split when it has at most
  ``HELD_OUT_MAX`` images (digits: 1,000; emoji: 348, its four art styles), else the first ``HELD_OUT_MAX / classes`` of each
  class (Fashion-MNIST: the first 100 of each class of its 10,000).
* ``<model>_train_<k>of<n>.npz``: the whole training set, split in parts under 20 MB, for the
  memorisation check (a sample's nearest training image).
* ``<model>_pca.npz``: a 2-D PCA of the training images in model range, flattened channels first
  (``mean`` (D,), ``components`` (2, D), D = C*H*W) and a projected cloud (``cloud`` (M, 2), ``cloud_labels``
  (M,)) to draw sampling walks over.

Images are uint8 (N, H, W) gray or (N, H, W, 3) colour, as the data readers give them. A kinds model
(:mod:`diffusion_core.model.kinds`, the emoji model) gets the images it was trained on, the emoji folder's four
art styles, labelled by prompt (the ten classes a reader asks for), not by kind.

Built by ``python -m diffusion_core.shipped_data --model digits --data ../shared/data/mnist10k``.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from diffusion_core import ASSETS
from diffusion_core.images.pixels import to_model_range
from diffusion_core.model.data import load_dataset

DATASETS = ASSETS / "datasets"
PART_IMAGES = 30_000  # ~13 MB compressed per part
HELD_OUT_MAX = 1_000
CLOUD_SIZE = 3_000


class ShippedDataError(RuntimeError):
    """A shipped data file is missing or unreadable; the message says what to do."""


def _read(path: Path) -> dict[str, np.ndarray]:
    try:
        with np.load(path) as z:
            return {k: z[k] for k in z.files}
    except FileNotFoundError:
        raise ShippedDataError(f"{path.name} is missing from assets/datasets; restore it from the repository.") from None
    except (OSError, ValueError) as e:
        raise ShippedDataError(f"{path.name} in assets/datasets is unreadable ({e}).") from None


def held_out(model: str, folder: Path = DATASETS) -> tuple[np.ndarray, np.ndarray]:
    """Held-out real images and their labels: (uint8 (N, H, W[, 3]), (N,))."""
    z = _read(folder / f"{model}_test.npz")
    return z["images"], z["labels"]


def held_out_kinds(model: str, folder: Path = DATASETS) -> np.ndarray | None:
    """The kind of each held-out image (N,) for a kinds model's copies (the network's own labels), else None."""
    return _read(folder / f"{model}_test.npz").get("kinds")


def training_set(model: str, folder: Path = DATASETS) -> tuple[np.ndarray, np.ndarray]:
    """All training images of ``model`` and their labels: (uint8 (N, H, W[, 3]), (N,)), in training order."""
    parts = [_read(p) for p in sorted(folder.glob(f"{model}_train_*of*.npz"))]
    if not parts:
        raise ShippedDataError(f"No training images for {model!r} in assets/datasets; restore them from the repository.")
    return np.concatenate([p["images"] for p in parts]), np.concatenate([p["labels"] for p in parts])


def training_images(model: str, folder: Path = DATASETS) -> np.ndarray:
    """All training images of ``model``, uint8 (N, H, W[, 3]), in training order."""
    return training_set(model, folder)[0]


@dataclass(frozen=True)
class Projection:
    """A 2-D PCA of images in model range [-1, 1], flattened channels first: coordinates = (x - mean) @ components.T."""

    mean: np.ndarray  # (D,), D = C*H*W
    components: np.ndarray  # (2, D), orthonormal rows
    cloud: np.ndarray  # (M, 2) projected training images
    cloud_labels: np.ndarray  # (M,)

    def project(self, x: np.ndarray) -> np.ndarray:
        """(N, C, H, W) float in [-1, 1], or anything that flattens to (N, D) in that order -> (N, 2)."""
        flat = np.asarray(x, dtype=np.float64).reshape(len(x), -1)
        return (flat - self.mean) @ self.components.T


def projection(model: str, folder: Path = DATASETS) -> Projection:
    z = _read(folder / f"{model}_pca.npz")
    return Projection(z["mean"], z["components"], z["cloud"], z["cloud_labels"])


def fit_projection(images: np.ndarray, labels: np.ndarray, cloud_size: int = CLOUD_SIZE, seed: int = 0) -> Projection:
    """PCA by SVD of the centred training images (uint8 (N, H, W[, 3])); keeps 2 components."""
    x = to_model_range(images).reshape(len(images), -1).astype(np.float64)
    mean = x.mean(0)
    _, _, vt = np.linalg.svd(x - mean, full_matrices=False)
    components = vt[:2]
    pick = np.random.default_rng(seed).choice(len(x), min(cloud_size, len(x)), replace=False)
    cloud = (x[pick] - mean) @ components.T
    return Projection(mean, components, cloud.astype(np.float32), labels[pick])


def held_out_selection(labels: np.ndarray, most: int = HELD_OUT_MAX) -> np.ndarray:
    """Indices of the test images to ship: all of them if there are at most ``most``, else the first
    ``most / classes`` of each class, class by class."""
    if len(labels) <= most:
        return np.arange(len(labels))
    classes = np.unique(labels)
    return np.concatenate([np.nonzero(labels == c)[0][:most // len(classes)] for c in classes])


def build(model: str, data: str, folder: Path = DATASETS, labels_by: str = "classes") -> list[Path]:
    """Write the held-out file, the training-set parts and the PCA file for ``model`` from the data set at ``data``.
    ``labels_by="prompts"``: an emoji folder's four art styles labelled by prompt, what a kinds model saw
    (:func:`diffusion_core.model.data.load_dataset`)."""
    images, labels = load_dataset(data, "train", labels_by)
    folder.mkdir(parents=True, exist_ok=True)
    test_images, test_labels = load_dataset(data, "test", labels_by)
    keep = held_out_selection(test_labels)
    test_path = folder / f"{model}_test.npz"
    # a kinds model's held-out images also carry their kinds (the one-step demo tells the network an image's own kind)
    kinds = {"kinds": load_dataset(data, "test", "kinds")[1][keep]} if labels_by == "prompts" else {}
    np.savez_compressed(test_path, images=test_images[keep], labels=test_labels[keep], **kinds)
    for old in folder.glob(f"{model}_train_*of*.npz"):
        old.unlink()
    n_parts = -(-len(images) // PART_IMAGES)
    written = []
    for k in range(n_parts):
        path = folder / f"{model}_train_{k + 1}of{n_parts}.npz"
        sl = slice(k * PART_IMAGES, (k + 1) * PART_IMAGES)
        np.savez_compressed(path, images=images[sl], labels=labels[sl])
        written.append(path)
    p = fit_projection(images, labels)
    path = folder / f"{model}_pca.npz"
    np.savez_compressed(path, mean=p.mean, components=p.components, cloud=p.cloud, cloud_labels=p.cloud_labels)
    return [test_path, *written, path]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Build the shipped held-out images, training-set copy and PCA for a model.")
    ap.add_argument("--model", required=True)
    ap.add_argument("--data", required=True)
    args = ap.parse_args(argv)
    from diffusion_core.model.weights import load_model  # the model says what it saw: a kinds model, four styles

    kinds = load_model(args.model, use_onnx=False).kinds is not None
    for path in build(args.model, args.data, labels_by="prompts" if kinds else "classes"):
        print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")
