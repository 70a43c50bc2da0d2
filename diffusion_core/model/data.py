"""Reading the training sets (standard IDX, the npz layout, the emoji folder) and the pixel <-> model mapping.

Every loader returns ``(images, labels)``: images uint8, (N, H, W) grayscale with 0 = black background or
(N, H, W, 3) RGB, and labels (N,) uint8 class indices.

Layouts accepted by :func:`load_dataset`:
  * a folder with ``train-images-idx3-ubyte[.gz]`` / ``train-labels-idx1-ubyte[.gz]`` and
    ``t10k-*`` files (Fashion-MNIST, MNIST; ``split`` picks train or test);
  * an ``.npz`` file, or a folder holding exactly one, with arrays ``images`` and ``labels``.
    An npz has no official split (and may be sorted by class), so a fixed seeded permutation
    holds out ``NPZ_TEST_SIZE`` images, from every class, as "test";
  * the emoji folder (``emoji.json``, ``google-64/``, ``twitter-64/``): 32x32 RGB, see
    :mod:`diffusion_core.model.emoji_data` for its classes and split.

The networks see these images through :mod:`diffusion_core.images.pixels` (channels first, in [-1, 1]).
"""

from __future__ import annotations

import gzip
import struct
import zipfile
from pathlib import Path

import numpy as np

from diffusion_core.model import emoji_data

CLASS_NAMES = {
    "digits": tuple(str(d) for d in range(10)),
    "fashion": ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"),
    "emoji": emoji_data.CLASS_NAMES,
    "emoji-kinds": emoji_data.KIND_NAMES,  # the emoji in all four art styles, labelled by kind (25 labels)
}
DATASET_TITLES = {"digits": "Handwritten digits (MNIST)", "fashion": "Clothes (Fashion-MNIST)",
                  "emoji": "Emoji (colour, 32 × 32)", "emoji-kinds": "Emoji (colour, 32 × 32, by kind)"}
NPZ_TEST_SIZE = 1000
NPZ_SPLIT_SEED = 20260101
_IDX_DTYPES = {0x08: np.uint8}


class DatasetError(ValueError):
    """A data directory or file that does not hold a readable data set."""


def read_idx(path: Path) -> np.ndarray:
    """Parse one IDX file (LeCun's MNIST format), gzip-compressed or raw, into a numpy array."""
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:
            data = f.read()
    except (OSError, EOFError) as e:  # gzip.BadGzipFile is an OSError; a truncated .gz raises EOFError
        raise DatasetError(f"{path}: cannot be read ({e})") from None
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        raise DatasetError(f"{path}: not an IDX file (bad magic number)")
    dtype_code, ndim = data[2], data[3]
    if dtype_code not in _IDX_DTYPES:
        raise DatasetError(f"{path}: unsupported IDX element type 0x{dtype_code:02x}")
    if len(data) < 4 + 4 * ndim:
        raise DatasetError(f"{path}: truncated IDX header")
    dims = struct.unpack(f">{ndim}I", data[4 : 4 + 4 * ndim])
    body = np.frombuffer(data, dtype=_IDX_DTYPES[dtype_code], offset=4 + 4 * ndim)
    if body.size != int(np.prod(dims)):
        raise DatasetError(f"{path}: expected {int(np.prod(dims))} values, found {body.size}")
    return body.reshape(dims)


def _find(folder: Path, stem: str) -> Path:
    for name in (stem + ".gz", stem):
        if (folder / name).exists():
            return folder / name
    raise DatasetError(f"{folder}: missing {stem}[.gz]")


def load_dataset(path: str | Path, split: str = "train", labels: str = "classes") -> tuple[np.ndarray, np.ndarray]:
    """Load ``split`` ("train" or "test") from an IDX folder or an npz file/folder.

    From the emoji folder, ``labels="kinds"`` gives all four art styles labelled by kind (the
    ``emoji-kinds`` training set), ``labels="prompts"`` the same images labelled by class (the ten prompts a
    kinds model is asked by); the default gives the two styles labelled by class.
    """
    if labels not in ("classes", "kinds", "prompts"):
        raise ValueError(f"labels must be 'classes', 'kinds' or 'prompts', got {labels!r}")
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    path = Path(path)
    if path.is_dir() and emoji_data.is_emoji_folder(path):
        kinds = labels == "kinds"
        styles = emoji_data.STYLES if labels == "classes" else emoji_data.ALL_STYLES
        try:
            emoji = emoji_data.load_emoji(path, split, styles)
        except emoji_data.EmojiDataError as e:
            raise DatasetError(str(e)) from None
        return emoji.images, emoji.kinds if kinds else emoji.labels
    if path.is_dir():
        npz_files = sorted(path.glob("*.npz"))
        if not npz_files:
            prefix = "train" if split == "train" else "t10k"
            images = read_idx(_find(path, f"{prefix}-images-idx3-ubyte"))
            labels = read_idx(_find(path, f"{prefix}-labels-idx1-ubyte"))
            return _checked(images, labels, path)
        if len(npz_files) > 1:
            raise DatasetError(f"{path}: several .npz files; name one of them")
        path = npz_files[0]
    if not path.exists():
        raise DatasetError(f"{path}: no such file or folder")
    try:
        z = np.load(path)
        if not isinstance(z, np.lib.npyio.NpzFile):  # a plain .npy array
            raise DatasetError(f"{path}: not an .npz archive")
        with z:
            if "images" not in z or "labels" not in z:
                raise DatasetError(f"{path}: an npz data set needs arrays 'images' and 'labels'")
            images, labels = z["images"], z["labels"]
    except DatasetError:
        raise
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as e:  # not a zip/npy, pickled objects, truncated
        raise DatasetError(f"{path}: not a readable .npz archive ({e})") from None
    images, labels = _checked(images, labels, path)
    if len(images) <= 2 * NPZ_TEST_SIZE:
        raise DatasetError(f"{path}: too few images ({len(images)}) to hold out {NPZ_TEST_SIZE} for testing")
    order = np.random.default_rng(NPZ_SPLIT_SEED).permutation(len(images))
    keep = order[NPZ_TEST_SIZE:] if split == "train" else order[:NPZ_TEST_SIZE]
    return images[np.sort(keep)], labels[np.sort(keep)]


def _checked(images: np.ndarray, labels: np.ndarray, where: Path) -> tuple[np.ndarray, np.ndarray]:
    if not (images.ndim == 3 or (images.ndim == 4 and images.shape[3] == 3)) or min(images.shape[1:3]) < 4:
        raise DatasetError(f"{where}: images must have shape (N, H, W) or (N, H, W, 3), got {images.shape}")
    if labels.shape != (images.shape[0],):
        raise DatasetError(f"{where}: {len(labels)} labels for {len(images)} images")
    if len(images) == 0:
        raise DatasetError(f"{where}: holds no images")
    if images.dtype != np.uint8:
        if images.min() < 0 or images.max() > 255:
            raise DatasetError(f"{where}: pixel values must lie in 0..255")
        images = images.astype(np.uint8)
    if labels.min() < 0 or labels.max() > 9:
        raise DatasetError(f"{where}: labels must lie in 0..9")
    return np.ascontiguousarray(images), labels.astype(np.uint8)
