"""A kinds model is asked by prompt everywhere (issue 31): its class names are the ten prompts, and every place a
label reaches the network hands it a kind of the asked prompt (:func:`diffusion_core.model.kinds.network_labels`,
drawn for the run's seed), "no class" the network's own; a plain model gets the prompts unchanged."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from diffusion_core.forward.schedules import NoiseSchedule
from diffusion_core.model import emoji_data
from diffusion_core.model.kinds import kind_metadata, network_labels, read_kinds
from diffusion_core.model.unet import UNet, UNetConfig
from diffusion_core.model.weights import export_weights, load_model

KIND_CLASS = np.asarray(emoji_data.KIND_CLASS)
PROMPTS = len(emoji_data.CLASS_NAMES)
KINDS = len(emoji_data.KINDS)


def _meta() -> dict:
    kind_labels = np.concatenate([np.arange(KINDS), [1, 1, 6, 6, 6, 13]])  # uneven shares inside some prompts
    return kind_metadata(emoji_data.CLASS_NAMES, emoji_data.KIND_CLASS, KIND_CLASS[kind_labels], kind_labels)


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    """(kinds model, plain model): tiny 16 x 16 colour UNets, loaded as the app loads them."""
    folder = tmp_path_factory.mktemp("assets")
    torch.manual_seed(0)
    kinds_net = UNet(UNetConfig(channels=(8, 8, 8), embed_dim=16, groups=4, num_classes=KINDS, image_size=16,
                                in_channels=3))
    plain_net = UNet(UNetConfig(channels=(8, 8, 8), embed_dim=16, groups=4, num_classes=PROMPTS, image_size=16,
                                in_channels=3))
    schedule = NoiseSchedule("cosine", 1000)
    export_weights("kinds", kinds_net, schedule, "emoji-kinds", emoji_data.KIND_NAMES, 1, folder, _meta())
    export_weights("plain", plain_net, schedule, "emoji", emoji_data.CLASS_NAMES, 1, folder)
    return (load_model("kinds", folder, torch.device("cpu"), use_onnx=False),
            load_model("plain", folder, torch.device("cpu"), use_onnx=False))


class Recording:
    """The network, recording every label it is handed."""

    def __init__(self, model) -> None:
        self.model, self.seen = model, []
        self.config, self.null_class = model.config, model.null_class

    def parameters(self):
        return self.model.parameters()

    def __call__(self, x, t, y):
        self.seen.append(np.asarray(y.cpu()).copy())
        return self.model(x, t, y)

    def labels(self) -> set[int]:
        return {int(v) for y in self.seen for v in y}


def _recording(loaded):
    runner = Recording(loaded.model)
    return dataclasses.replace(loaded, runner=runner), runner


def _allowed(loaded, prompt: int) -> set[int]:
    """The network labels a prompt (len(class_names) = no class) may become."""
    null = loaded.model.null_class
    if prompt == len(loaded.class_names):
        return {null}
    if loaded.kinds is None:
        return {prompt}
    return set(loaded.kinds.kinds_of(prompt))


def test_a_kinds_model_is_asked_by_its_ten_prompts(models):
    kinds, plain = models
    assert kinds.class_names == emoji_data.CLASS_NAMES and kinds.kinds.kind_names == emoji_data.KIND_NAMES
    assert plain.class_names == emoji_data.CLASS_NAMES and plain.kinds is None


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**31), prompts=st.lists(st.integers(0, PROMPTS), min_size=1, max_size=30))
def test_network_labels_are_kinds_of_the_asked_prompt_and_a_pure_function_of_the_seed(seed, prompts):
    kinds = read_kinds({**_meta(), "class_names": list(emoji_data.KIND_NAMES)})
    out = network_labels(kinds, np.array(prompts), seed, null_class=KINDS)
    np.testing.assert_array_equal(out, network_labels(kinds, np.array(prompts), seed, null_class=KINDS))
    for p, k in zip(prompts, out):
        assert k == KINDS if p == PROMPTS else KIND_CLASS[k] == p
    plain = network_labels(None, np.array(prompts), seed, null_class=PROMPTS)
    np.testing.assert_array_equal(plain, prompts)  # a plain model: the prompts themselves, none = its null class


def test_a_label_outside_the_prompts_is_refused():
    kinds = read_kinds(_meta())
    with pytest.raises(ValueError, match="prompt labels"):
        network_labels(kinds, np.array([KINDS]), 0, null_class=KINDS)  # the network's null is not a prompt label
    with pytest.raises(ValueError, match="prompt labels"):
        network_labels(None, np.array([-1]), 0, null_class=PROMPTS)


@pytest.mark.parametrize("which", [0, 1], ids=["kinds", "plain"])
@pytest.mark.parametrize("label,mode", [(3, "one"), (-1, "one"), (5, "grid")])
def test_sample_live_hands_the_network_kinds_of_the_prompt(models, which, label, mode):
    from diffusion_core.live.generation_settings import GenerationSettings
    from diffusion_core.live.run import sample_live

    loaded, runner = _recording(models[which])
    s = GenerationSettings(model=loaded.name, label=label, guidance=2.0, steps=5, seed=4, mode=mode)
    first = sample_live(loaded, s, on_frame=lambda frame: None)
    prompts = s.labels(len(loaded.class_names))
    allowed = set().union(*(_allowed(loaded, p) for p in prompts)) | {loaded.model.null_class}  # guidance's ∅
    assert runner.labels() <= allowed and runner.labels() - {loaded.model.null_class} or label == -1
    for y in runner.seen:  # each image keeps its own prompt: the conditional half of each call
        for p, k in zip(prompts, y[:len(prompts)]):
            assert int(k) in _allowed(loaded, p)
    np.testing.assert_array_equal(first.trajectory.labels, prompts)  # the record keeps the prompts
    again = sample_live(loaded, s, on_frame=lambda frame: None)
    np.testing.assert_array_equal(again.trajectory.final, first.trajectory.final)  # a seed: the same pictures


def test_compare_and_sweep_keep_one_kind_per_row(models, monkeypatch):
    from diffusion_core.live import run
    from diffusion_core.live.generation_settings import GenerationSettings

    monkeypatch.setattr(run, "COMPARED", (("ddpm", 10), ("ddim", 5), ("dpmpp", 5)))
    loaded, runner = _recording(models[0])
    animal = emoji_data.CLASS_NAMES.index("animal")
    run.compare_samplers(loaded, GenerationSettings(model="kinds", label=animal, guidance=2.0, seed=9))
    conditional = {int(y[0]) for y in runner.seen}
    assert len(conditional) == 1 and conditional <= _allowed(loaded, animal)  # every sampler: the same kind
    runner.seen.clear()
    run.guidance_sweep(loaded, animal, seed=20, scales=(1.0, 2.0), rows=6)
    expected = [int(loaded.network_labels([animal], 20 + r)[0]) for r in range(6)]
    for y in runner.seen:
        assert [int(v) for v in y[:6]] == expected  # row r: the kind of seed + r, in every column


@pytest.mark.parametrize("which", [0, 1], ids=["kinds", "plain"])
def test_an_edit_hands_the_network_kinds_of_the_prompt(models, which):
    from diffusion_core.live.edit import EditSettings, edit_live
    from diffusion_core.live.generation_settings import GenerationSettings

    loaded, runner = _recording(models[which])
    food = emoji_data.CLASS_NAMES.index("food & drink")
    picture = np.random.default_rng(0).integers(0, 256, (16, 16, 3), dtype=np.uint8)
    s = GenerationSettings(model=loaded.name, label=food, guidance=2.0, steps=5, seed=2)
    edit_live(loaded, picture, s, EditSettings(strength=0.6, copies=3), on_frame=lambda frame: None)
    assert runner.labels() - {loaded.model.null_class} <= _allowed(loaded, food)
    assert runner.labels() - {loaded.model.null_class}


@pytest.mark.parametrize("which", [0, 1], ids=["kinds", "plain"])
def test_the_sample_command_and_the_corner_samples_ask_by_prompt(models, which, monkeypatch):
    from diffusion_core.likelihood import sources
    from diffusion_core.model import sample as sample_module

    loaded = models[which]
    handed = []

    def fake_sample(sampler, runner, schedule, y, **kwargs):
        handed.append(np.asarray(y).copy())
        return torch.zeros(len(y), 3, 16, 16)

    monkeypatch.setattr(sample_module, "sample", fake_sample)
    monkeypatch.setattr(sources, "sample", fake_sample)
    prompts = np.array([0, 3, 3, 5, 6, PROMPTS], dtype=np.int64)
    sample_module.generate(loaded, prompts, steps=5, seed=1)
    sources.model_samples(loaded, 6, seed=1, labels=prompts, steps=5)
    for y in handed:
        assert all(int(k) in _allowed(loaded, int(p)) for p, k in zip(prompts, y))
    np.testing.assert_array_equal(handed[0], handed[1])  # the same seed, the same kinds


@pytest.mark.parametrize("which", [0, 1], ids=["kinds", "plain"])
def test_the_edit_command_hands_the_network_kinds_of_the_prompt(models, which, monkeypatch, tmp_path):
    from diffusion_core.live import edit_command

    loaded = models[which]
    handed = []
    monkeypatch.setattr(edit_command, "load_model", lambda *a, **k: loaded)

    def fake_edit(runner, schedule, images, labels, **kwargs):
        handed.append(np.asarray(labels).copy())
        return images

    monkeypatch.setattr(edit_command, "edit_images", fake_edit)
    pictures = np.random.default_rng(0).integers(0, 256, (4, 16, 16, 3), dtype=np.uint8)
    np.savez(tmp_path / "in.npz", images=pictures, labels=np.array([3, 3, -1, 7]))
    edit_command.run(edit_command.parse_args(["--model", loaded.name, "--input", str(tmp_path / "in.npz"),
                                              "--out", str(tmp_path / "out.npz"), "--label", "keep", "--steps", "5"]))
    assert [int(k) in _allowed(loaded, p) for p, k in zip([3, 3, PROMPTS, 7], handed[0])] == [True] * 4


def test_the_blind_sheet_asks_by_prompt(models, monkeypatch, tmp_path):
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "bench" / "emoji_blind_sheet.py"
    spec = importlib.util.spec_from_file_location("emoji_blind_sheet", path)
    sheet = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sheet)

    handed = []

    def fake_sample(sampler, runner, schedule, y, **kwargs):
        handed.append(np.asarray(y).copy())
        return torch.zeros(len(y), 3, 16, 16)

    monkeypatch.setattr(sheet, "sample", fake_sample)
    monkeypatch.setattr(sheet, "load_model", lambda *a, **k: models[0])
    _, prompts, _ = sheet.samples(None, 2, seed=7, guidance=4.0)
    assert all(int(k) in _allowed(models[0], int(p)) for p, k in zip(prompts, handed[0]))


def test_the_prompts_guess_at_high_t_is_its_kinds_guesses_in_their_shares(models):
    from diffusion_core.live.posterior_mean import guess_at_high_t, mixed_guess_at_high_t

    loaded = models[0]
    picture = np.random.default_rng(1).integers(0, 256, (16, 16, 3), dtype=np.uint8)
    animal = emoji_data.CLASS_NAMES.index("animal")
    own = loaded.kinds.kinds_of(animal)
    weights = [float(loaded.kinds.weights[animal, k]) for k in own]
    mixed = mixed_guess_at_high_t(loaded.model, loaded.schedule, picture, own, weights, seed=0)
    each = [guess_at_high_t(loaded.model, loaded.schedule, picture, k, seed=0) for k in own]
    np.testing.assert_allclose(mixed.x0_hat, sum(w * s.x0_hat for w, s in zip(weights, each)))
    np.testing.assert_array_equal(mixed.x_t, each[0].x_t)  # one x_t for every kind
    one = mixed_guess_at_high_t(loaded.model, loaded.schedule, picture, [own[0]], [1.0], seed=0)
    np.testing.assert_allclose(one.x0_hat, each[0].x0_hat)
    with pytest.raises(ValueError):
        mixed_guess_at_high_t(loaded.model, loaded.schedule, picture, own, [0.5] * len(own), seed=0)
