"""The colour data set: curated classes, the held-out split by emoji, compositing and reduction, and flips in
training only where a mirror keeps the meaning. Synthetic emoji folders only (tests never read ../shared)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from PIL import Image

from diffusion_core.model import emoji_data
from diffusion_core.model.data import DatasetError, load_dataset
from diffusion_core.model.emoji_data import CLASS_NAMES, FLIPPABLE, SUBCATEGORY_CLASS, load_emoji
from diffusion_core.model.train import TrainConfig, Trainer
from diffusion_core.model.unet import UNetConfig

ONE_SUBCATEGORY = {}  # class -> one subcategory of it
for sub, label in SUBCATEGORY_CLASS.items():
    ONE_SUBCATEGORY.setdefault(label, sub)


def _png(path, colour, alpha=255, size=64):
    rgba = np.zeros((size, size, 4), np.uint8)
    rgba[..., :3], rgba[..., 3] = colour, alpha
    rgba[:, : size // 2, 3] = 0  # the left half transparent: composited on white
    Image.fromarray(rgba, "RGBA").save(path)


@pytest.fixture
def folder(tmp_path):
    """20 emoji per class (each in both styles), plus emoji the curation must leave out."""
    records = []
    for label, sub in ONE_SUBCATEGORY.items():
        for i in range(20):
            records.append({"name": f"C{label} E{i}", "image": f"{label}-{i}.png", "subcategory": sub,
                            "has_img_google": True, "has_img_twitter": True})
    records += [{"name": "ROCK", "image": "rock.png", "subcategory": "place-building", "has_img_google": True,
                 "has_img_twitter": True},
                {"name": "A CLOCK", "image": "clock.png", "subcategory": "time", "has_img_google": True,
                 "has_img_twitter": True},
                {"name": "ONE STYLE", "image": "one.png", "subcategory": "heart", "has_img_google": True,
                 "has_img_twitter": False}]
    (tmp_path / "emoji.json").write_text(json.dumps(records))
    for s, style in enumerate(emoji_data.STYLES):
        (tmp_path / f"{style}-64").mkdir()
        for n, r in enumerate(records):  # every picture its own colour
            _png(tmp_path / f"{style}-64" / r["image"], colour=(10 * s, n % 256, 200))
    return tmp_path


def test_curated_classes_leave_out_what_is_not_of_them(folder):
    train, test = load_emoji(folder, "train"), load_emoji(folder, "test")
    names = set(train.names) | set(test.names)
    assert "ROCK" not in names and "A CLOCK" not in names and "ONE STYLE" not in names
    assert len(names) == 20 * len(CLASS_NAMES)
    assert np.bincount(train.labels, minlength=10).tolist() == [36] * 10  # 18 emoji x 2 styles per class
    assert np.bincount(test.labels, minlength=10).tolist() == [4] * 10  # 10% held out: 2 emoji x 2 styles


def test_both_styles_of_an_emoji_fall_on_the_same_side(folder):
    train, test = load_emoji(folder, "train"), load_emoji(folder, "test")
    assert not set(train.names) & set(test.names)
    for split in (train, test):
        for name in set(split.names):
            styles = sorted(split.styles[[n == name for n in split.names]].tolist())
            assert styles == [0, 1]
    assert load_emoji(folder, "test").names == test.names  # the split is a fixed seeded draw


def test_an_emoji_drawn_like_a_training_emoji_is_not_held_out(folder):
    """Two names, one picture (as two flags of the same design): the held-out copy is left out, both styles."""
    test = load_emoji(folder, "test")
    copied, original = test.names[0], load_emoji(folder, "train").names[0]
    records = {r["name"]: r for r in json.loads((folder / "emoji.json").read_text())}
    style = emoji_data.STYLES[0]  # one style drawn alike is enough
    picture = (folder / f"{style}-64" / records[original]["image"]).read_bytes()
    (folder / f"{style}-64" / records[copied]["image"]).write_bytes(picture)
    after = load_emoji(folder, "test")
    assert copied not in after.names and len(after.names) == len(test.names) - 2
    train = {p.tobytes() for p in load_emoji(folder, "train").images}
    assert not any(p.tobytes() in train for p in after.images)


def test_images_are_composited_on_white_and_averaged_down(folder):
    train = load_emoji(folder, "train")
    assert train.images.shape[1:] == (32, 32, 3) and train.images.dtype == np.uint8
    google = train.images[train.styles == 0][0]
    assert (google[:, :16] == 255).all()  # the transparent half is white
    assert (google[:, 16:] == (0, 0, 200)).all()  # the opaque half keeps its colour exactly (the first emoji's)


def test_load_dataset_reads_an_emoji_folder_and_reports_damage(folder):
    images, labels = load_dataset(folder, "train")
    assert images.shape == (360, 32, 32, 3) and labels.max() == 9
    (folder / "google-64" / "0-0.png").write_bytes(b"not a png")
    with pytest.raises(DatasetError, match="not a readable PNG"):
        load_dataset(folder, "train")


def test_flips_only_for_classes_whose_meaning_survives_a_mirror():
    assert FLIPPABLE[CLASS_NAMES.index("flag")] is False and sum(FLIPPABLE) == 9
    images = np.zeros((20, 32, 32, 3), np.uint8)
    images[:, :, :8] = 255  # a bright stripe on the left of every image
    labels = np.repeat(np.arange(10, dtype=np.uint8), 2)
    cfg = TrainConfig(dataset="emoji", batch_size=256, hflip=True, label_dropout=0.0,
                      unet=UNetConfig(channels=(8, 8, 8), image_size=32, in_channels=3))
    x0, _, y, _ = Trainer(cfg, images, labels, torch.device("cpu")).batch(0)
    mirrored = x0[:, 0, :, -1] > 0  # the stripe moved to the right
    flag = CLASS_NAMES.index("flag")
    assert not mirrored[y == flag].any()
    assert 0.3 < mirrored[y != flag].float().mean() < 0.7  # about half of the others


def test_runs_without_flips_draw_exactly_the_batches_they_always_did():
    """--hflip draws its coins after everything else: a digits run (never flipped) keeps its batches."""
    images = np.random.default_rng(0).integers(0, 256, (50, 28, 28), dtype=np.uint8)
    labels = np.arange(50, dtype=np.uint8) % 10
    cfg = TrainConfig(batch_size=16, unet=UNetConfig(channels=(8, 8, 8)))
    x0, t, y, eps = Trainer(cfg, images, labels, torch.device("cpu")).batch(3)
    g = torch.Generator().manual_seed(3)  # the recipe of Trainer.batch before flips existed
    idx = torch.randint(0, 50, (16,), generator=g)
    assert torch.equal(t, torch.randint(0, 1000, (16,), generator=g))
    drop = torch.rand(16, generator=g) < cfg.label_dropout
    assert torch.equal(eps, torch.randn((16, 1, 28, 28), generator=g))
    assert torch.equal(y, torch.where(drop, torch.full((16,), 10), torch.from_numpy(labels.astype(np.int64))[idx]))
    assert torch.allclose(x0[:, 0], torch.from_numpy(images[idx.numpy()].astype(np.float32) / 127.5 - 1))


def _add_fluent_styles(folder, missing: str):
    """Fluent pictures for every emoji but ``missing`` (in both Fluent styles), each its own colour."""
    records = json.loads((folder / "emoji.json").read_text())
    for s, style in enumerate(emoji_data.ALL_STYLES[2:], start=2):
        (folder / f"{style}-64").mkdir()
        for n, r in enumerate(records):
            if r["name"] != missing:
                _png(folder / f"{style}-64" / r["image"], colour=(10 * s, n % 256, 100))


def test_kinds_partition_the_curated_subcategories_inside_their_classes():
    assert sorted(emoji_data.SUBCATEGORY_KIND) == sorted(SUBCATEGORY_CLASS)
    for sub, kind in emoji_data.SUBCATEGORY_KIND.items():
        assert emoji_data.KIND_CLASS[kind] == SUBCATEGORY_CLASS[sub], sub
    assert sorted(set(emoji_data.KIND_CLASS)) == list(range(10))  # every class has a kind
    assert len(set(emoji_data.KIND_NAMES)) == len(emoji_data.KINDS)
    flag_kinds = [k for k, c in enumerate(emoji_data.KIND_CLASS) if c == CLASS_NAMES.index("flag")]
    assert [emoji_data.KIND_FLIPPABLE[k] for k in flag_kinds] == [False] and sum(emoji_data.KIND_FLIPPABLE) == 24


def test_all_four_styles_keep_the_split_and_skip_a_missing_fluent_picture(folder):
    two_train, two_test = load_emoji(folder, "train"), load_emoji(folder, "test")
    missing = two_train.names[0]
    _add_fluent_styles(folder, missing)
    train = load_emoji(folder, "train", emoji_data.ALL_STYLES)
    test = load_emoji(folder, "test", emoji_data.ALL_STYLES)
    assert set(train.names) == set(two_train.names) and set(test.names) == set(two_test.names)  # same split
    assert len(train.images) == 4 * len(set(train.names)) - 2  # the emoji without Fluent pictures has two
    assert sorted(s for s, n in zip(train.styles, train.names) if n == missing) == [0, 1]
    assert np.bincount(train.styles, minlength=4).tolist() == [180, 180, 179, 179]
    for label, kind in zip(train.labels, train.kinds):
        assert emoji_data.KIND_CLASS[kind] == label
    weights = emoji_data.kind_weights(train.labels, train.kinds)
    assert weights.shape == (10, 25) and np.allclose(weights.sum(axis=1), 1)
    images, kinds = load_dataset(folder, "train", labels="kinds")
    assert np.array_equal(images, train.images) and np.array_equal(kinds, train.kinds)
    with pytest.raises(ValueError, match="styles must include"):
        load_emoji(folder, "train", ("fluent-flat",))
