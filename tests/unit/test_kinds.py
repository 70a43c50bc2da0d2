"""A kinds model's prompts (issue 31): each prompt draws its kinds in the training data's proportions,
reproducibly from the seed; the mapping travels in the weights file and is checked when read."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from diffusion_core.forward.schedules import NoiseSchedule
from diffusion_core.model import emoji_data
from diffusion_core.model.kinds import PromptKinds, kind_metadata, kind_words, read_kinds
from diffusion_core.model.unet import UNet, UNetConfig
from diffusion_core.model.weights import export_weights, load_model

KIND_CLASS = (0, 0, 1, 1, 1)
CLASS_LABELS = np.array([0, 0, 0, 1, 1, 1, 1])
KIND_LABELS = np.array([0, 0, 1, 2, 3, 3, 4])


def test_the_weights_are_the_kinds_shares_of_their_prompt():
    meta = kind_metadata(("a", "b"), KIND_CLASS, CLASS_LABELS, KIND_LABELS)
    np.testing.assert_allclose(meta["kind_weights"], [[2 / 3, 1 / 3, 0, 0, 0], [0, 0, 0.25, 0.5, 0.25]])
    kinds = read_kinds(meta)
    assert kinds.kinds_of(1) == [2, 3, 4]


@given(st.integers(0, 2**31), st.lists(st.sampled_from([0, 1, 9]), min_size=1, max_size=20))
def test_draws_are_a_pure_function_of_prompts_and_seed_and_stay_in_their_prompt(seed, prompts):
    kinds = read_kinds(kind_metadata(("a", "b"), KIND_CLASS, CLASS_LABELS, KIND_LABELS))
    drawn = kinds.draw(np.array(prompts), seed, no_class=9, kind_no_class=5)
    np.testing.assert_array_equal(drawn, kinds.draw(np.array(prompts), seed, no_class=9, kind_no_class=5))
    for p, k in zip(prompts, drawn):
        assert k == 5 if p == 9 else KIND_CLASS[k] == p


def test_draws_follow_the_proportions():
    kinds = read_kinds(kind_metadata(("a", "b"), KIND_CLASS, CLASS_LABELS, KIND_LABELS))
    drawn = kinds.draw(np.ones(20_000, dtype=int), seed=3, no_class=9, kind_no_class=5)
    shares = np.bincount(drawn, minlength=5)[2:] / len(drawn)
    np.testing.assert_allclose(shares, [0.25, 0.5, 0.25], atol=0.015)  # ~4 standard errors


def test_a_mapping_that_draws_a_kind_for_another_prompt_is_refused():
    meta = kind_metadata(("a", "b"), KIND_CLASS, CLASS_LABELS, KIND_LABELS)
    meta["kind_weights"][0] = [0.5, 0.0, 0.5, 0.0, 0.0]
    with pytest.raises(ValueError, match="its own prompt"):
        read_kinds(meta)
    assert read_kinds({"class_names": ["x"]}) is None


def _tiny_kinds_model(folder):
    """An untrained kinds model with the emoji's 25 kinds inside the ten prompts, written to and read from ``folder``."""
    config = UNetConfig(channels=(8, 8, 8), embed_dim=16, groups=4, num_classes=len(emoji_data.KINDS),
                        image_size=32, in_channels=3)
    kind_class = np.asarray(emoji_data.KIND_CLASS)
    kind_labels = np.arange(len(emoji_data.KINDS))
    meta = kind_metadata(emoji_data.CLASS_NAMES, emoji_data.KIND_CLASS, kind_class[kind_labels], kind_labels)
    export_weights("tiny", UNet(config), NoiseSchedule(), "emoji-kinds", emoji_data.KIND_NAMES, 1, folder, meta)
    return load_model("tiny", folder, torch.device("cpu"), use_onnx=False)


def test_the_mapping_travels_in_the_weights_file(tmp_path):
    loaded = _tiny_kinds_model(tmp_path)
    assert isinstance(loaded.kinds, PromptKinds) and loaded.kinds.prompts == emoji_data.CLASS_NAMES
    animal = emoji_data.CLASS_NAMES.index("animal")
    assert loaded.class_names == emoji_data.CLASS_NAMES  # asked by prompt; the kinds' names kept in .kinds
    assert [loaded.kinds.kind_names[k] for k in loaded.kinds.kinds_of(animal)] == [
        "animal: mammal", "animal: bird", "animal: sea creature", "animal: bug", "animal: reptile or amphibian"]


def test_the_judge_asks_a_kinds_model_for_kinds_of_the_asked_prompt(tmp_path, monkeypatch):
    """evaluate.generate takes prompt labels (what the judge scores against) and hands the sampler kinds of those
    prompts, drawn as the app draws them; a plain model gets the prompts unchanged."""
    from diffusion_core.judge import evaluate

    loaded = _tiny_kinds_model(tmp_path)
    asked = []

    def fake_sample(sampler, runner, schedule, y, **kwargs):
        asked.append(y.numpy().copy())
        return torch.zeros(len(y), 3, 32, 32)

    monkeypatch.setattr(evaluate, "sample", fake_sample)
    prompts = np.repeat(np.arange(len(emoji_data.CLASS_NAMES)), 6)
    evaluate.generate(loaded, prompts, 4.0, "dpmpp", 2, seed=3)
    kinds = asked[0]
    assert np.array_equal(np.asarray(emoji_data.KIND_CLASS)[kinds], prompts)
    assert np.array_equal(kinds, loaded.kinds.draw(prompts, 3, no_class=-1, kind_no_class=loaded.model.null_class))
    plain = dataclasses.replace(loaded, kinds=None)
    evaluate.generate(plain, prompts, 4.0, "dpmpp", 2, seed=3)
    assert np.array_equal(asked[1], prompts)


def test_kind_words_name_the_shares_and_the_drawn_kind():
    meta = kind_metadata(("a", "b"), KIND_CLASS, CLASS_LABELS, KIND_LABELS)
    kinds = read_kinds({**meta, "class_names": ["a: x", "a: y", "b: p", "b: q", "b: r"]})
    words = kind_words(kinds, 1, drawn=3)
    assert "as 3 kinds" in words and "p 25%, q 50%, r 25%" in words and "This seed drew “b: q”." in words
    assert "67%" in kind_words(kinds, 0) and "This seed" not in kind_words(kinds, 0)
    one = read_kinds(kind_metadata(("a", "b"), (0, 1), np.array([0, 1]), np.array([0, 1])))
    assert kind_words(one, 0) == ""  # a prompt of one kind: nothing to say
