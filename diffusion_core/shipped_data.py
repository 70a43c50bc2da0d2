"""The real images the app ships in ``assets/datasets`` (it never reads the training-data folder).

* ``<model>_test.npz``: 1,000 held-out images (never seen in training), for the "one denoising
  step" demo and the forward-process page.
* ``<model>_train_<k>of<n>.npz``: the whole training set, split in parts under 20 MB, for the
  memorisation check (a sample's nearest training image).
* ``<model>_pca.npz``: a 2-D PCA of the training images (``mean`` (784,), ``components`` (2, 784))
  and a projected cloud (``cloud`` (M, 2), ``cloud_labels`` (M,)) to draw sampling walks over.

Built by ``python -m diffusion_core.shipped_data --model digits --data ../shared/data/mnist10k``.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .data import load_dataset, to_model_range
from .weights import ASSETS

DATASETS = ASSETS / "datasets"
PART_IMAGES = 30_000  # ~13 MB compressed per part
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
    """Held-out real images: (uint8 (1000, 28, 28), labels (1000,))."""
    z = _read(folder / f"{model}_test.npz")
    return z["images"], z["labels"]


def training_images(model: str, folder: Path = DATASETS) -> np.ndarray:
    """All training images of ``model``, uint8 (N, 28, 28), in training order."""
    parts = sorted(folder.glob(f"{model}_train_*of*.npz"))
    if not parts:
        raise ShippedDataError(f"No training images for {model!r} in assets/datasets; restore them from the repository.")
    return np.concatenate([_read(p)["images"] for p in parts])


@dataclass(frozen=True)
class Projection:
    """A 2-D PCA of 28x28 images in model range [-1, 1]: coordinates = (x - mean) @ components.T."""

    mean: np.ndarray  # (784,)
    components: np.ndarray  # (2, 784), orthonormal rows
    cloud: np.ndarray  # (M, 2) projected training images
    cloud_labels: np.ndarray  # (M,)

    def project(self, x: np.ndarray) -> np.ndarray:
        """(N, 1, 28, 28) or (N, 28, 28) float in [-1, 1] -> (N, 2)."""
        flat = np.asarray(x, dtype=np.float64).reshape(len(x), -1)
        return (flat - self.mean) @ self.components.T


def projection(model: str, folder: Path = DATASETS) -> Projection:
    z = _read(folder / f"{model}_pca.npz")
    return Projection(z["mean"], z["components"], z["cloud"], z["cloud_labels"])


def fit_projection(images: np.ndarray, labels: np.ndarray, cloud_size: int = CLOUD_SIZE, seed: int = 0) -> Projection:
    """PCA by SVD of the centred training images (uint8 (N, 28, 28)); keeps 2 components."""
    x = to_model_range(images).reshape(len(images), -1).astype(np.float64)
    mean = x.mean(0)
    _, _, vt = np.linalg.svd(x - mean, full_matrices=False)
    components = vt[:2]
    pick = np.random.default_rng(seed).choice(len(x), min(cloud_size, len(x)), replace=False)
    cloud = (x[pick] - mean) @ components.T
    return Projection(mean, components, cloud.astype(np.float32), labels[pick])


def build(model: str, data: str, folder: Path = DATASETS) -> list[Path]:
    """Write the training-set parts and the PCA file for ``model`` from the data set at ``data``."""
    images, labels = load_dataset(data, "train")
    folder.mkdir(parents=True, exist_ok=True)
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
    return written + [path]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Build the shipped training-set copy and PCA for a model.")
    ap.add_argument("--model", required=True)
    ap.add_argument("--data", required=True)
    args = ap.parse_args(argv)
    for path in build(args.model, args.data):
        print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
