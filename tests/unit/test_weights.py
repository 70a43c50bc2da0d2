"""Exported weights: a round trip through export_weights/load_model, and clear WeightsErrors for a
missing, tampered, or otherwise unusable file or manifest."""

from __future__ import annotations

import collections
import hashlib
import io
import json

import pytest
import torch

from diffusion_core.forward.schedules import NoiseSchedule
from diffusion_core.model.unet import UNet, UNetConfig
from diffusion_core.model.weights import (
    MANIFEST,
    WeightsError,
    available_models,
    export_weights,
    load_model,
    pick_device,
)

TINY = UNetConfig(channels=(8, 8, 8), embed_dim=16, groups=4)
NAMES = tuple(str(d) for d in range(10))


@pytest.fixture
def exported(tmp_path):
    torch.manual_seed(0)
    model = UNet(TINY)
    with torch.no_grad():
        model.out.weight.normal_()  # not all-zero, so the round trip is tested on real numbers
    path = export_weights("digits", model, NoiseSchedule("linear", 500), "digits", NAMES, 123, assets=tmp_path)
    return model, path, tmp_path


def test_round_trip(exported):
    model, path, assets = exported
    assert path == assets / "digits.pt"
    manifest = json.loads((assets / MANIFEST).read_text())
    data = path.read_bytes()
    assert manifest["digits"] == {"file": "digits.pt", "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
    torch.load(io.BytesIO(data), weights_only=True)  # the safe loader suffices

    loaded = load_model("digits", assets, device=torch.device("cpu"))
    assert loaded.name == "digits" and loaded.train_steps == 123 and loaded.class_names == NAMES
    assert loaded.schedule == NoiseSchedule("linear", 500)
    assert loaded.model.config == TINY and loaded.device == torch.device("cpu")
    assert not loaded.model.training and not any(p.requires_grad for p in loaded.model.parameters())
    original, restored = model.state_dict(), loaded.model.state_dict()
    assert original.keys() == restored.keys()
    for key in original:
        assert torch.equal(original[key], restored[key]), key
    x, t, y = torch.randn(2, 1, 28, 28), torch.tensor([5, 900]), torch.tensor([3, 10])
    with torch.no_grad():
        assert torch.equal(model.eval()(x, t, y), loaded.model(x, t, y))


def test_manifest_keeps_other_models(exported):
    model, _, assets = exported
    export_weights("fashion", model, NoiseSchedule(), "fashion", NAMES, 7, assets=assets)
    assert available_models(assets) == ["digits", "fashion"]
    assert load_model("digits", assets).train_steps == 123
    assert load_model("fashion", assets).train_steps == 7


def test_missing_file(exported):
    _, path, assets = exported
    path.unlink()
    with pytest.raises(WeightsError, match=r"digits.pt is missing from assets/\. Restore it with `git checkout"):
        load_model("digits", assets)


@pytest.mark.parametrize("how", ["flip a byte", "truncate", "append"])
def test_tampered_file(exported, how):
    _, path, assets = exported
    data = bytearray(path.read_bytes())
    if how == "flip a byte":
        data[len(data) // 2] ^= 0xFF
    elif how == "truncate":
        data = data[:-100]
    else:
        data += b"\x00"
    path.write_bytes(bytes(data))
    with pytest.raises(WeightsError, match="corrupt or was changed.*SHA-256 does not match"):
        load_model("digits", assets)


def _rewrite(assets, data: bytes) -> None:
    """Install ``data`` as digits.pt with a matching checksum (a well-checksummed but unusable file)."""
    (assets / "digits.pt").write_bytes(data)
    manifest = json.loads((assets / MANIFEST).read_text())
    manifest["digits"]["sha256"] = hashlib.sha256(data).hexdigest()
    (assets / MANIFEST).write_text(json.dumps(manifest))


def test_unsafe_pickle_is_refused_even_with_a_matching_checksum(exported):
    _, _, assets = exported
    buffer = io.BytesIO()
    torch.save({"format": 1, "payload": collections.Counter("abc")}, buffer)  # not allowed by weights_only
    _rewrite(assets, buffer.getvalue())
    with pytest.raises(WeightsError, match="could not be read"):
        load_model("digits", assets)


@pytest.mark.parametrize("payload", [
    b"not a torch file",
    {"format": 1},  # keys missing
    "state dict mismatch",
])
def test_malformed_payload(exported, payload):
    _model, path, assets = exported
    if payload == "state dict mismatch":
        full = torch.load(path, weights_only=True)
        full["unet"]["channels"] = [16, 16, 16]
        payload = full
    if isinstance(payload, bytes):
        data = payload
    else:
        buffer = io.BytesIO()
        torch.save(payload, buffer)
        data = buffer.getvalue()
    _rewrite(assets, data)
    with pytest.raises(WeightsError, match="digits.pt could not be read"):
        load_model("digits", assets)


@pytest.mark.parametrize("manifest,match", [
    (None, "No model manifest"),
    ("{not json", "not valid JSON"),
    ('["digits"]', "malformed"),
    ('{"digits": "digits.pt"}', "malformed entry for 'digits'"),
    ('{"digits": {"sha256": "00"}}', "malformed entry for 'digits'"),
    ('{"digits": {"file": "digits.pt"}}', "malformed entry for 'digits'"),
    ('{"digits": {"file": "../digits.pt", "sha256": "00"}}', "malformed entry for 'digits'"),
    ('{"fashion": {"file": "fashion.pt", "sha256": "00"}}', "No model named 'digits'; shipped models: fashion"),
    ("{}", "No model named 'digits'; shipped models: none"),
])
def test_bad_manifest(exported, manifest, match):
    _, _, assets = exported
    if manifest is None:
        (assets / MANIFEST).unlink()
    else:
        (assets / MANIFEST).write_text(manifest)
    with pytest.raises(WeightsError, match=match):
        load_model("digits", assets)


def test_available_models_tolerates_bad_manifests(tmp_path):
    assert available_models(tmp_path) == []
    (tmp_path / MANIFEST).write_text("{broken")
    assert available_models(tmp_path) == []


def test_pick_device():
    assert pick_device("cpu") == torch.device("cpu")
    assert pick_device("auto") == torch.device("cuda" if torch.cuda.is_available() else "cpu")
    assert pick_device("cuda") == torch.device("cuda")


def test_a_file_written_before_the_unet_options_keeps_its_shape_and_names():
    """Weights files record UNetConfig.to_dict(); one written before res_blocks and attention existed
    rebuilds the same one-block network with the same parameter names."""
    old = {k: v for k, v in TINY.to_dict().items() if k not in ("res_blocks", "attention_levels", "attention_heads")}
    assert UNetConfig.from_dict(old) == TINY
    names = [n for n, _ in UNet(TINY).named_parameters()]
    assert not any("extra" in n or "attn" in n for n in names)
    grown = UNetConfig.from_dict({**old, "res_blocks": 2, "attention_levels": [2]})
    assert grown.attention_levels == (2,) and UNetConfig.from_dict(grown.to_dict()) == grown
    assert sum(p.numel() for p in UNet(grown).parameters()) > sum(p.numel() for p in UNet(TINY).parameters())
