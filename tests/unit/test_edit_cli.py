"""The edit command (python -m diffusion_core.edit), on tiny exported models in a temporary assets folder."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from diffusion_core.forward.schedules import NoiseSchedule
from diffusion_core.live import edit_command as cli
from diffusion_core.live.edit import edit_images
from diffusion_core.model.data import CLASS_NAMES
from diffusion_core.model.unet import UNet, UNetConfig
from diffusion_core.model.weights import export_weights, load_model

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def assets(tmp_path_factory):
    """A tiny untrained 'digits' (28 x 28 grey) and 'emoji' (32 x 32 colour) model."""
    folder = tmp_path_factory.mktemp("assets")
    for name, channels, size in (("digits", 1, 28), ("emoji", 3, 32)):
        torch.manual_seed(0)
        model = UNet(UNetConfig(channels=(8, 8, 8), embed_dim=16, groups=4, in_channels=channels, image_size=size))
        with torch.no_grad():
            model.out.weight.normal_(0, 0.5)
        export_weights(name, model, NoiseSchedule("cosine"), name, CLASS_NAMES[name], 1, assets=folder)
    return folder


def _inputs(tmp_path, n=4, colour=False, labels=True, name="in.npz"):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (n, 32, 32, 3) if colour else (n, 28, 28), dtype=np.uint8)
    arrays = {"images": images} | ({"labels": np.array([3, -1, 7, 0][:n])} if labels else {})
    np.savez(tmp_path / name, **arrays)
    return images


def run(assets, tmp_path, *args, model="digits"):
    """main(argv) on a tiny model with 4 steps; returns the exit status."""
    return cli.main(["--model", model, "--assets", str(assets), "--steps", "4", "--input", str(tmp_path / "in.npz"),
                     "--out", str(tmp_path / "out.npz"), *args])


def _summary(capsys) -> dict:
    out = capsys.readouterr().out.strip().splitlines()
    return json.loads(out[-1])


def test_round_trip_sdedit_with_the_inputs_labels(assets, tmp_path, capsys):
    images = _inputs(tmp_path)
    assert run(assets, tmp_path, "--strength", "0.5", "--label", "keep", "--seed", "3") == 0
    summary = _summary(capsys)
    with np.load(tmp_path / "out.npz") as z:
        out, labels = z["images"], z["labels"]
        assert sorted(z.files) == ["images", "labels"]
    assert out.shape == images.shape and out.dtype == np.uint8
    assert labels.tolist() == [3, -1, 7, 0] and labels.dtype == np.int64
    assert summary["n"] == 4 and summary["strength"] == 0.5 and summary["t0"] == 500 and summary["calls"] == 2
    assert summary["seconds"] >= 0 and not summary["mask"]
    loaded = load_model("digits", assets, torch.device("cpu"))
    expected = edit_images(loaded.runner, loaded.schedule, images, np.array([3, 10, 7, 0]), strength=0.5,
                           steps=4, guidance=1.5, seed=3)
    assert np.array_equal(out, expected)


def test_repeats_walk_again_and_say_so(assets, tmp_path, capsys):
    images = _inputs(tmp_path)
    assert run(assets, tmp_path, "--strength", "0.5", "--label", "keep", "--seed", "3", "--repeats", "2") == 0
    summary = _summary(capsys)
    assert summary["repeats"] == 2 and summary["calls"] == 4
    loaded = load_model("digits", assets, torch.device("cpu"))
    with np.load(tmp_path / "out.npz") as z:
        assert np.array_equal(z["images"], edit_images(loaded.runner, loaded.schedule, images, np.array([3, 10, 7, 0]),
                                                       strength=0.5, steps=4, guidance=1.5, seed=3, repeats=2))


def test_strength_zero_returns_the_input_and_the_same_seed_the_same_images(assets, tmp_path, capsys):
    images = _inputs(tmp_path)
    assert run(assets, tmp_path, "--strength", "0") == 0
    assert np.array_equal(np.load(tmp_path / "out.npz")["images"], images)
    assert _summary(capsys)["calls"] == 0
    outs = []
    for seed in ("1", "1", "2"):
        assert run(assets, tmp_path, "--label", "5", "--seed", seed) == 0
        outs.append(np.load(tmp_path / "out.npz")["images"])
        assert np.load(tmp_path / "out.npz")["labels"].tolist() == [5] * 4
    assert np.array_equal(outs[0], outs[1]) and not np.array_equal(outs[0], outs[2])
    assert _summary(capsys)["strength"] == 0.6  # the default without a mask


@pytest.mark.parametrize("colour", [False, True])
def test_mask_keeps_the_known_pixels_and_fills_from_noise(assets, tmp_path, capsys, colour):
    images = _inputs(tmp_path, colour=colour)
    mask = np.zeros(images.shape[:3], bool)
    mask[:, : images.shape[1] // 2] = True
    np.savez(tmp_path / "mask.npz", mask=mask)
    model = "emoji" if colour else "digits"
    assert run(assets, tmp_path, "--mask", str(tmp_path / "mask.npz"), "--resample", "2", model=model) == 0
    summary = _summary(capsys)
    out = np.load(tmp_path / "out.npz")["images"]
    assert out.shape == images.shape and np.array_equal(out[mask], images[mask])
    assert not np.array_equal(out[~mask], images[~mask])
    assert summary["strength"] == 1.0 and summary["t0"] == 1000 and summary["mask"] and summary["calls"] == 2 * 3 + 1


def test_the_entry_prints_json_last(assets, tmp_path):
    _inputs(tmp_path, n=2)
    proc = subprocess.run([sys.executable, "-m", "diffusion_core.edit", "--model", "digits", "--assets", str(assets),
                           "--input", str(tmp_path / "in.npz"), "--out", str(tmp_path / "o.npz"), "--steps", "2",
                           "--strength", "0.3"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    assert summary["n"] == 2 and summary["strength"] == 0.3 and "seconds" in summary


def _write(tmp_path, name, **arrays):
    np.savez(tmp_path / name, **arrays)
    return str(tmp_path / name)


@pytest.mark.parametrize("setup,args,message", [
    (lambda p: _write(p, "in.npz", images=np.zeros((2, 28, 28), np.float32)), [], "images must be uint8 (N, 28, 28)"),
    (lambda p: _write(p, "in.npz", images=np.zeros((2, 32, 32), np.uint8)), [], "got uint8 (2, 32, 32)"),
    (lambda p: _write(p, "in.npz", images=np.zeros((0, 28, 28), np.uint8)), [], "images must be uint8"),
    (lambda p: _write(p, "in.npz", pictures=np.zeros((2, 28, 28), np.uint8)), [], "no array named 'images'"),
    (lambda p: (p / "in.npz").write_bytes(b"not a zip"), [], "not a readable .npz"),
    (lambda p: None, [], "not a readable .npz"),
    (lambda p: _write(p, "m.npz", mask=np.zeros((2, 28, 27), bool)), ["--mask", "{p}/m.npz"], "mask must be bool (2, 28, 28)"),
    (lambda p: _write(p, "m.npz", mask=np.zeros((2, 28, 28), np.uint8)), ["--mask", "{p}/m.npz"], "got uint8"),
    (lambda p: _write(p, "m.npz", known=np.zeros((2, 28, 28), bool)), ["--mask", "{p}/m.npz"], "no array named 'mask'"),
    (lambda p: None, ["--strength", "1.5"], "--strength must lie in [0, 1]"),
    (lambda p: None, ["--strength", "nan"], "--strength must lie in [0, 1]"),
    (lambda p: None, ["--strength", "-0.1"], "--strength must lie in [0, 1]"),
    (lambda p: None, ["--label", "keep"], "--label keep: the input file has no 'labels' array"),
    (lambda p: None, ["--label", "12"], "--label 12 is out of range"),
    (lambda p: None, ["--label", "cats"], "--label must be a class index"),
    (lambda p: _write(p, "in.npz", images=np.zeros((2, 28, 28), np.uint8), labels=np.array([1, 11])), ["--label", "keep"],
     "labels must be classes 0..9 or -1"),
    (lambda p: None, ["--steps", "0"], "--steps: number of steps must be between 1 and T=1000"),
    (lambda p: None, ["--resample", "0"], "--resample must be at least 1"),
    (lambda p: None, ["--repeats", "0"], "--repeats must lie in 1..4"),
    (lambda p: None, ["--repeats", "5"], "--repeats must lie in 1..4"),
    (lambda p: None, ["--sampler", "euler"], "invalid choice: 'euler'"),
    (lambda p: None, ["--guidance", "-1"], "--guidance must be"),
    (lambda p: None, ["--eta", "2"], "--eta must lie in [0, 1]"),
    (lambda p: None, ["--out", "{p}/out.png"], "--out must end in .npz"),
    (lambda p: None, ["--model", "fashion"], "No model named 'fashion'"),
])
def test_bad_input_exits_2_with_one_line(assets, tmp_path, capsys, setup, args, message):
    _inputs(tmp_path, n=2, labels=False)
    if setup(tmp_path) is None and "not a readable" in message:
        (tmp_path / "in.npz").unlink()
    args = [a.replace("{p}", str(tmp_path)) for a in args]
    assert run(assets, tmp_path, *args) == 2
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("error: ") and message in err, err
    assert captured.out == "" and not (tmp_path / "out.npz").exists()
