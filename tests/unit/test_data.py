"""Reading the data sets: IDX files (raw and gzipped) and the npz layout, and refusing bad files clearly."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np
import pytest

from diffusion_core.images.pixels import to_model_range, to_pixels
from diffusion_core.model.data import (
    CLASS_NAMES,
    NPZ_TEST_SIZE,
    DatasetError,
    load_dataset,
    read_idx,
)


def idx_bytes(array: np.ndarray) -> bytes:
    """LeCun's IDX format written independently: 0, 0, type 0x08 (uint8), ndim, big-endian dims, data."""
    return bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape) + array.tobytes()


def write_idx(path: Path, array: np.ndarray, gz: bool) -> Path:
    data = idx_bytes(array)
    if gz:
        path = path.with_name(path.name + ".gz")
        path.write_bytes(gzip.compress(data))
    else:
        path.write_bytes(data)
    return path


def fake_set(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (n, 28, 28), dtype=np.uint8), rng.integers(0, 10, n).astype(np.uint8)


@pytest.mark.parametrize("gz", [True, False])
def test_read_idx_round_trip(tmp_path, gz):
    images, labels = fake_set(5)
    assert np.array_equal(read_idx(write_idx(tmp_path / "imgs", images, gz)), images)
    assert np.array_equal(read_idx(write_idx(tmp_path / "lbls", labels, gz)), labels)


@pytest.mark.parametrize("gz", [True, False])
def test_idx_folder_train_and_test_splits(tmp_path, gz):
    train, test = fake_set(7, 1), fake_set(3, 2)
    for prefix, (images, labels) in (("train", train), ("t10k", test)):
        write_idx(tmp_path / f"{prefix}-images-idx3-ubyte", images, gz)
        write_idx(tmp_path / f"{prefix}-labels-idx1-ubyte", labels, gz)
    for split, (images, labels) in (("train", train), ("test", test)):
        got_images, got_labels = load_dataset(tmp_path, split)
        assert got_images.dtype == got_labels.dtype == np.uint8
        assert np.array_equal(got_images, images) and np.array_equal(got_labels, labels)
    got_images, _ = load_dataset(str(tmp_path))  # str paths work and "train" is the default
    assert np.array_equal(got_images, train[0])


def test_npz_layout_holds_out_a_fixed_test_set(tmp_path):
    n = 3 * NPZ_TEST_SIZE
    images, labels = fake_set(n)
    images[:, 0, 0] = np.arange(n) % 256  # make images identifiable
    images[:, 0, 1] = np.arange(n) // 256
    np.savez(tmp_path / "set.npz", images=images, labels=labels)
    train = load_dataset(tmp_path / "set.npz", "train")
    test = load_dataset(tmp_path, "test")  # a folder holding exactly one npz
    assert train[0].shape == (n - NPZ_TEST_SIZE, 28, 28) and test[0].shape == (NPZ_TEST_SIZE, 28, 28)
    ids = lambda x: x[:, 0, 0].astype(int) + 256 * x[:, 0, 1].astype(int)
    train_ids, test_ids = ids(train[0]), ids(test[0])
    assert set(train_ids).isdisjoint(test_ids) and len(set(train_ids) | set(test_ids)) == n
    assert np.all(np.diff(train_ids) > 0)  # original order kept
    assert np.array_equal(train[1], labels[train_ids]) and np.array_equal(test[1], labels[test_ids])
    assert set(test[1].tolist()) == set(range(10))  # every class held out
    again = load_dataset(tmp_path / "set.npz", "test")  # the split is fixed
    assert np.array_equal(again[0], test[0])


def test_npz_with_other_dtypes_is_converted(tmp_path):
    images, labels = fake_set(2 * NPZ_TEST_SIZE + 10)
    np.savez(tmp_path / "f.npz", images=images.astype(np.float32), labels=labels.astype(np.int64))
    got_images, got_labels = load_dataset(tmp_path / "f.npz")
    assert got_images.dtype == got_labels.dtype == np.uint8
    test_images, test_labels = load_dataset(tmp_path / "f.npz", "test")
    # Together the two splits are exactly the file's (image, label) pairs: the same values, only the dtype changed.
    pairs = lambda imgs, lbls: sorted((img.tobytes(), int(lbl)) for img, lbl in zip(imgs, lbls))
    assert pairs(np.concatenate([got_images, test_images]), np.concatenate([got_labels, test_labels])) == \
        pairs(images, labels)


def _bad(tmp_path: Path, name: str, content) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        np.savez(path, **content)
    return path


@pytest.mark.parametrize("name,content,match", [
    ("a.idx", b"\x01\x02\x08\x01\x00\x00\x00\x01\x05", "bad magic"),
    ("b.idx", b"\x00\x00", "bad magic"),
    ("c.idx", bytes([0, 0, 0x0D, 1]) + struct.pack(">I", 1) + b"\x00" * 4, "unsupported IDX element type 0x0d"),
    ("d.idx", bytes([0, 0, 8, 3, 0, 0]), "truncated IDX header"),
    ("e.idx", bytes([0, 0, 8, 1]) + struct.pack(">I", 10) + b"\x00" * 9, "expected 10 values, found 9"),
    ("f.gz", b"this is not gzip", "cannot be read"),
    ("g.gz", gzip.compress(idx_bytes(np.zeros((4, 28, 28), np.uint8)))[:40], "cannot be read"),
])
def test_bad_idx_files(tmp_path, name, content, match):
    with pytest.raises(DatasetError, match=match):
        read_idx(_bad(tmp_path, name, content))


def test_bad_idx_folders(tmp_path):
    with pytest.raises(DatasetError, match=r"missing train-images-idx3-ubyte\[.gz\]"):
        load_dataset(tmp_path)
    images, labels = fake_set(4)
    write_idx(tmp_path / "train-images-idx3-ubyte", images, gz=True)
    write_idx(tmp_path / "train-labels-idx1-ubyte", labels[:3], gz=False)
    with pytest.raises(DatasetError, match="3 labels for 4 images"):
        load_dataset(tmp_path)
    with pytest.raises(DatasetError, match="missing t10k-images"):
        load_dataset(tmp_path, "test")


many = 2 * NPZ_TEST_SIZE + 1


@pytest.mark.parametrize("content,match", [
    (b"not an npz at all", "not a readable .npz"),
    (b"PK\x03\x04 truncated zip", "not a readable .npz"),
    ({"pictures": np.zeros((many, 28, 28), np.uint8), "labels": np.zeros(many)}, "needs arrays 'images' and 'labels'"),
    ({"images": np.zeros((many, 28, 28, 2), np.uint8), "labels": np.zeros(many)}, r"shape \(N, H, W\) or \(N, H, W, 3\)"),
    ({"images": np.zeros((many, 2, 2), np.uint8), "labels": np.zeros(many)}, r"shape \(N, H, W\) or \(N, H, W, 3\)"),
    ({"images": np.zeros((many, 28, 28), np.uint8), "labels": np.zeros(many - 1)}, "labels for"),
    ({"images": np.zeros((many, 28, 28), np.uint8), "labels": np.full(many, 10)}, "labels must lie in 0..9"),
    ({"images": np.full((many, 28, 28), 300.0), "labels": np.zeros(many)}, "pixel values must lie in 0..255"),
    ({"images": np.zeros((0, 28, 28), np.uint8), "labels": np.zeros(0)}, "holds no images"),
    ({"images": np.zeros((50, 28, 28), np.uint8), "labels": np.zeros(50)}, "too few images"),
    ({"images": np.array([None] * 3, dtype=object), "labels": np.zeros(3)}, "not a readable .npz"),
])
def test_bad_npz_files(tmp_path, content, match):
    with pytest.raises(DatasetError, match=match):
        load_dataset(_bad(tmp_path, "x.npz", content))


def test_bad_paths_and_split(tmp_path):
    with pytest.raises(DatasetError, match="no such file"):
        load_dataset(tmp_path / "nowhere.npz")
    np.save(tmp_path / "plain.npy", np.zeros(3))
    with pytest.raises(DatasetError, match="not an .npz archive"):
        load_dataset(tmp_path / "plain.npy")
    for name in ("a.npz", "b.npz"):
        np.savez(tmp_path / name, images=np.zeros((1, 28, 28), np.uint8), labels=np.zeros(1))
    with pytest.raises(DatasetError, match="several .npz files"):
        load_dataset(tmp_path)
    with pytest.raises(ValueError, match="split must be"):
        load_dataset(tmp_path, "validation")
    assert issubclass(DatasetError, ValueError)


def test_model_range_round_trip():
    images = np.arange(256, dtype=np.uint8).reshape(1, 16, 16)
    x = to_model_range(images)
    assert x.shape == (1, 1, 16, 16) and x.dtype == np.float32
    assert x.min() == -1.0 and x.max() == 1.0
    assert np.array_equal(to_pixels(x)[:, 0], images)
    assert to_pixels(np.array([-3.0, 3.0, 0.0])).tolist() == [0, 255, 128]


def test_class_names():
    assert set(CLASS_NAMES) == {"digits", "fashion", "emoji", "emoji-kinds"}
    assert all(len(names) == 10 for key, names in CLASS_NAMES.items() if key != "emoji-kinds")
    assert len(CLASS_NAMES["emoji-kinds"]) == 25
    assert CLASS_NAMES["fashion"][9] == "Ankle boot"
