"""The sampling command, on a tiny exported model in a temporary assets folder."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from diffusion_core.forward.schedules import NoiseSchedule
from diffusion_core.images.pixels import to_pixels
from diffusion_core.model import sample as cli
from diffusion_core.model.data import CLASS_NAMES
from diffusion_core.model.samplers import DEFAULT_GUIDANCE, sample
from diffusion_core.model.unet import UNet, UNetConfig
from diffusion_core.model.weights import export_weights, load_model

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def assets(tmp_path_factory):
    folder = tmp_path_factory.mktemp("assets")
    torch.manual_seed(0)
    model = UNet(UNetConfig(channels=(8, 8, 8), embed_dim=16, groups=4))
    with torch.no_grad():
        model.out.weight.normal_(0, 0.5)  # untrained but class-dependent
    export_weights("fashion", model, NoiseSchedule("cosine"), "fashion", CLASS_NAMES["fashion"], 1, assets=folder)
    return folder


def run(assets, tmp_path, *args, out="s.npz"):
    """main(argv) on the tiny model with 3 steps; returns the exit status."""
    return cli.main(["--model", "fashion", "--assets", str(assets), "--steps", "3", "--out", str(tmp_path / out),
                     *args])


def test_npz_all_labels_balanced(assets, tmp_path, capsys):
    assert run(assets, tmp_path, "--label", "all", "--n", "23") == 0
    assert "wrote" in capsys.readouterr().err
    with np.load(tmp_path / "s.npz") as z:
        images, labels = z["images"], z["labels"]
        assert sorted(z.files) == ["images", "labels"]
    assert images.shape == (23, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (23,) and labels.dtype.kind == "i"
    assert labels.tolist() == [i % 10 for i in range(23)]
    counts = np.bincount(labels, minlength=10)
    assert counts.max() - counts.min() <= 1


@pytest.mark.parametrize("label,expected", [("4", 4), ("none", 10)])
def test_npz_single_label(assets, tmp_path, label, expected):
    assert run(assets, tmp_path, "--label", label, "--n", "3") == 0
    with np.load(tmp_path / "s.npz") as z:
        assert z["labels"].tolist() == [expected] * 3


def test_same_seed_same_sheet_and_equal_to_the_core_sampler(assets, tmp_path):
    args = ("--label", "2", "--n", "3", "--seed", "5", "--guidance", "3")
    assert run(assets, tmp_path, *args, out="a.npz") == 0
    assert run(assets, tmp_path, *args, out="b.npz") == 0
    assert run(assets, tmp_path, *args[:-3], "6", *args[-2:], out="c.npz") == 0  # seed 6
    a, b, c = (np.load(tmp_path / f"{k}.npz")["images"] for k in "abc")
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    loaded = load_model("fashion", assets, torch.device("cpu"))
    x = sample("dpmpp", loaded.model, loaded.schedule, torch.tensor([2, 2, 2]), num_steps=3, guidance=3.0,
               generator=torch.Generator().manual_seed(5))
    assert np.array_equal(a, to_pixels(x[:, 0].numpy()))


@pytest.mark.parametrize("sampler", ["ddim", "ddpm"])
def test_other_samplers(assets, tmp_path, sampler):
    """The CLI's images are the core sampler's for the same arguments (labels 0, 1; seed 0; eta for DDIM only)."""
    assert run(assets, tmp_path, "--sampler", sampler, "--n", "2", "--eta", "0.5") == 0
    images = np.load(tmp_path / "s.npz")["images"]
    loaded = load_model("fashion", assets, torch.device("cpu"))
    x = sample(sampler, loaded.model, loaded.schedule, torch.tensor([0, 1]), num_steps=3, guidance=DEFAULT_GUIDANCE,
               generator=torch.Generator().manual_seed(0), **({"eta": 0.5} if sampler == "ddim" else {}))
    assert images.shape == (2, 28, 28) and np.array_equal(images, to_pixels(x[:, 0].numpy()))


def test_png_grid_rows_are_classes(assets, tmp_path):
    assert run(assets, tmp_path, "--label", "all", "--n", "20", out="grid.png") == 0
    all_grid = Image.open(tmp_path / "grid.png")
    assert run(assets, tmp_path, "--label", "1", "--n", "20", out="one.png") == 0
    one = Image.open(tmp_path / "one.png")
    assert all_grid.mode == one.mode == "L"
    cell = 28 * 2 + 2
    assert all_grid.height == 10 * cell + 2  # ten classes, two images each, one row per class
    assert one.size == (10 * cell + 2, 2 * cell + 2)  # no class names: rows of ten


@pytest.mark.parametrize("args,message", [
    (["--sampler", "euler"], "invalid choice: 'euler'"),
    (["--steps", "0"], "--steps: number of steps must be between 1 and T=1000"),
    (["--steps", "1001"], "--steps"),
    (["--label", "10"], "--label 10 is out of range: this model has classes 0..9"),
    (["--label", "cats"], "--label must be a class index"),
    (["--n", "0"], "--n must be between"),
    (["--n", "many"], "argument --n: invalid int value"),
    (["--guidance", "-1"], "--guidance must be"),
    (["--eta", "2"], "--eta must lie in [0, 1]"),
    (["--batch-size", "0"], "--batch-size"),
    (["--model", "digits"], "No model named 'digits'; shipped models: fashion"),
])
def test_bad_arguments_exit_2_with_one_line(assets, tmp_path, capsys, args, message):
    assert run(assets, tmp_path, *args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and message in err, err
    assert not (tmp_path / "s.npz").exists()


def test_bad_output_suffix(assets, tmp_path, capsys):
    assert run(assets, tmp_path, out="s.jpg") == 2
    assert "--out must end in .npz or .png" in capsys.readouterr().err


def test_missing_and_corrupt_weights(assets, tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert cli.main(["--model", "fashion", "--assets", str(empty), "--out", str(tmp_path / "x.npz")]) == 2
    assert "No model manifest" in capsys.readouterr().err
    broken = tmp_path / "broken"
    broken.mkdir()
    for f in assets.iterdir():
        (broken / f.name).write_bytes(f.read_bytes())
    data = bytearray((broken / "fashion.pt").read_bytes())
    data[-10] ^= 1
    (broken / "fashion.pt").write_bytes(bytes(data))
    assert cli.main(["--model", "fashion", "--assets", str(broken), "--out", str(tmp_path / "x.npz")]) == 2
    assert "corrupt or was changed" in capsys.readouterr().err


def test_module_entry_point_exit_status(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "diffusion_core.sample", "--model", "digits",
                           "--assets", str(tmp_path), "--out", str(tmp_path / "x.npz")],
                          cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: No model manifest") and proc.stderr.count("\n") == 1
