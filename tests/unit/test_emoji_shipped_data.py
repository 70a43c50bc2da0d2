"""The emoji copies the app ships are what the shipped kinds model saw (issue 31): the emoji folder's four art styles,
labelled by the ten prompts; every file under 20 MB."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from diffusion_core import ASSETS
from diffusion_core.forward.schedules import NoiseSchedule
from diffusion_core.model import emoji_data, shipped_data
from diffusion_core.model.data import load_dataset
from diffusion_core.model.kinds import kind_metadata
from diffusion_core.model.unet import UNet, UNetConfig
from diffusion_core.model.weights import ASSETS_ENV, export_weights, load_model

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "emoji"
needs_data = pytest.mark.skipif(not (DATA / "emoji.json").is_file(), reason=f"emoji data not at {DATA}")


def test_every_shipped_data_file_is_under_20_mb():
    for path in (ASSETS / "datasets").glob("*.npz"):
        assert path.stat().st_size < 20_000_000, path.name


def test_the_shipped_emoji_are_labelled_by_the_ten_prompts_of_the_shipped_model():
    loaded = load_model("emoji", use_onnx=False)
    for images, labels in (shipped_data.held_out("emoji"), shipped_data.training_set("emoji")):
        assert images.shape[1:] == (32, 32, 3) and len(images) == len(labels)
        assert set(np.unique(labels)) == set(range(len(loaded.class_names)))  # every prompt, nothing else


@needs_data
def test_the_shipped_emoji_are_the_four_styles_the_model_saw():
    """The copies equal the four-style split labelled by prompt, image for image; its labels are the prompts of
    the kinds the model was trained on."""
    for split, (images, labels) in (("test", shipped_data.held_out("emoji")), ("train", shipped_data.training_set("emoji"))):
        want_images, want_labels = load_dataset(DATA, split, "prompts")
        np.testing.assert_array_equal(images, want_images)
        np.testing.assert_array_equal(labels, want_labels)
        _, kinds = load_dataset(DATA, split, "kinds")
        np.testing.assert_array_equal(np.asarray(emoji_data.KIND_CLASS)[kinds], want_labels)
        styles = emoji_data.load_emoji(DATA, split, emoji_data.ALL_STYLES)
        assert len(images) == len(styles.images) > len(emoji_data.load_emoji(DATA, split).images)  # > two styles


def test_the_command_builds_a_kinds_models_copies_from_all_styles_by_prompt(tmp_path, monkeypatch):
    config = UNetConfig(channels=(8, 8, 8), embed_dim=16, groups=4, num_classes=len(emoji_data.KINDS), image_size=32,
                        in_channels=3)
    kind_labels = np.arange(len(emoji_data.KINDS))
    meta = kind_metadata(emoji_data.CLASS_NAMES, emoji_data.KIND_CLASS, np.asarray(emoji_data.KIND_CLASS), kind_labels)
    export_weights("tinykinds", UNet(config), NoiseSchedule(), "emoji-kinds", emoji_data.KIND_NAMES, 1, tmp_path, meta)
    export_weights("tinyplain", UNet(UNetConfig(channels=(8, 8, 8), embed_dim=16, groups=4)), NoiseSchedule(),
                   "digits", tuple(map(str, range(10))), 1, tmp_path)
    monkeypatch.setenv(ASSETS_ENV, str(tmp_path))
    asked = []
    monkeypatch.setattr(shipped_data, "build", lambda model, data, labels_by="classes": asked.append(labels_by) or [])
    shipped_data.main(["--model", "tinykinds", "--data", "x"])
    shipped_data.main(["--model", "tinyplain", "--data", "x"])
    assert asked == ["prompts", "classes"]


def test_the_held_out_emoji_carry_their_own_kinds_and_a_plain_models_none():
    _, labels = shipped_data.held_out("emoji")
    kinds = shipped_data.held_out_kinds("emoji")
    assert kinds is not None and len(kinds) == len(labels)
    np.testing.assert_array_equal(np.asarray(emoji_data.KIND_CLASS)[kinds], labels)  # each kind inside its prompt
    assert shipped_data.held_out_kinds("digits") is None
