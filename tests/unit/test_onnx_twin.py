"""The ONNX Runtime twin agrees with the PyTorch reference (exported fresh, and as shipped)."""

from __future__ import annotations

import json

import pytest
import torch

from diffusion_core import ASSETS
from diffusion_core.forward.schedules import NoiseSchedule
from diffusion_core.model.samplers import image_shape, sample
from diffusion_core.model.unet import UNet, UNetConfig
from diffusion_core.model.weights import available_models, export_weights, load_model, record_onnx

pytest.importorskip("onnxruntime")


def _inputs(b: int = 5, shape: tuple[int, int, int] = (1, 28, 28)):
    g = torch.Generator().manual_seed(0)
    return torch.randn(b, *shape, generator=g), torch.tensor([0, 1, 250, 700, 999][:b]), torch.tensor([0, 3, 9, 10, 5][:b])


def test_attention_and_extra_blocks_export_and_agree():
    """The options of the colour model (two residual blocks a level, attention at 8x8) survive the export."""
    pytest.importorskip("onnx")
    from diffusion_core.model.onnx_twin import OnnxUNet, export_onnx

    torch.manual_seed(2)
    config = UNetConfig(channels=(8, 16, 16), groups=4, embed_dim=32, image_size=32, in_channels=3,
                        res_blocks=2, attention_levels=(2,), attention_heads=2)
    model = UNet(config).eval()
    for p in model.parameters():
        p.data.normal_(0, 0.1)
    x, t, y = _inputs(shape=(3, 32, 32))
    torch.testing.assert_close(OnnxUNet(export_onnx(model), config)(x, t, y), model(x, t, y), rtol=1e-4, atol=1e-5)


def test_fresh_export_matches_pytorch(tmp_path):
    pytest.importorskip("onnx")
    from diffusion_core.model.onnx_twin import export_onnx

    torch.manual_seed(1)
    model = UNet(UNetConfig(channels=(8, 16, 16), groups=4, embed_dim=32)).eval()
    for p in model.parameters():  # a non-trivial network: the zero-initialised output layer would hide errors
        p.data.normal_(0, 0.1)
    export_weights("tiny", model, NoiseSchedule(), "digits", tuple("0123456789"), 1, tmp_path)
    record_onnx("tiny", export_onnx(model), tmp_path)
    loaded = load_model("tiny", tmp_path, torch.device("cpu"))
    assert loaded.engine == "ONNX Runtime"
    x, t, y = _inputs(shape=image_shape(loaded.model))
    torch.testing.assert_close(loaded.runner(x, t, y), loaded.model(x, t, y), rtol=1e-4, atol=1e-5)

    # a damaged twin falls back to PyTorch, the weights themselves still load
    (tmp_path / "tiny.onnx").write_bytes(b"not an onnx file")
    fallback = load_model("tiny", tmp_path, torch.device("cpu"))
    assert fallback.runner is fallback.model and "checksum" in fallback.engine


SHIPPED_TWINS = [m for m in available_models() if "onnx" in json.loads((ASSETS / "manifest.json").read_text())[m]]


@pytest.mark.parametrize("name", SHIPPED_TWINS)
def test_shipped_twin_matches_and_samples_the_same(name):
    loaded = load_model(name, device=torch.device("cpu"))
    assert loaded.engine == "ONNX Runtime"
    x, t, y = _inputs(shape=image_shape(loaded.model))
    torch.testing.assert_close(loaded.runner(x, t, y), loaded.model(x, t, y), rtol=1e-4, atol=1e-5)
    labels = torch.arange(4)
    kwargs = dict(num_steps=10, guidance=2.0)
    a = sample("dpmpp", loaded.runner, loaded.schedule, labels, generator=torch.Generator().manual_seed(7), **kwargs)
    b = sample("dpmpp", loaded.model, loaded.schedule, labels, generator=torch.Generator().manual_seed(7), **kwargs)
    assert (a - b).abs().max() < 1e-3
