"""Saving and loading shipped denoiser weights, verified against a recorded SHA-256.

A weights file is a ``torch.save`` of a plain dict (loadable with ``weights_only=True``):
    {"format": 1, "unet": UNetConfig dict, "schedule": {"kind", "T"}, "dataset": str,
     "class_names": [str] * num_classes, "train_steps": int, "state_dict": {name: tensor}}
and, for a model trained on finer labels than its prompts, "prompts", "kind_class", "kind_weights"
(:mod:`diffusion_core.model.kinds`).
Its checksum lives in ``assets/manifest.json`` ({"<model>": {"file", "sha256"}}), written by
:func:`export_weights`, so a truncated or tampered file is refused with a clear message.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from diffusion_core import ASSETS
from diffusion_core.forward.schedules import NoiseSchedule
from diffusion_core.model.kinds import PromptKinds, network_labels, read_kinds
from diffusion_core.model.unet import UNet, UNetConfig

ASSETS_ENV = "IMAGE_SPACE_ASSETS"  # overrides where models are read from (a deployment's volume, tests)
MANIFEST = "manifest.json"
FORMAT_VERSION = 1


class WeightsError(RuntimeError):
    """Weights missing, corrupt, or not matching their recorded checksum; the message says what to do."""


@dataclass(frozen=True)
class LoadedModel:
    """A ready-to-sample denoiser: the network (eval mode), its schedule and what it was trained on.

    ``model`` is the PyTorch reference; ``runner`` is what sampling should call: the ONNX Runtime
    twin on CPU when it is shipped and loads, else ``model`` itself. ``engine`` says which, and why.
    """

    name: str
    model: UNet
    schedule: NoiseSchedule
    class_names: tuple[str, ...]  # what a reader asks for: a kinds model's prompts (its kinds in ``kinds``)
    train_steps: int
    device: torch.device
    runner: object = None
    engine: str = "PyTorch"
    kinds: PromptKinds | None = None  # a model trained on finer labels than its prompts (diffusion_core.model.kinds)

    def network_labels(self, labels: np.ndarray | torch.Tensor, seed: int) -> torch.Tensor:
        """(B,) int64 tensor: the network's labels for prompt labels (B,) (``len(class_names)`` = no class) in a
        run of ``seed``; the same labels for a plain model, each prompt's kind drawn for a kinds model
        (:func:`diffusion_core.model.kinds.network_labels`). Every label that reaches the network passes here."""
        if isinstance(labels, torch.Tensor):
            labels = labels.detach().cpu().numpy()
        return torch.from_numpy(network_labels(self.kinds, labels, seed, self.model.null_class))

    @property
    def runs_on(self) -> str:
        """Where and how sampling runs, for a caption: "CPU, 2 threads, ONNX Runtime"."""
        threads = f", {torch.get_num_threads()} threads" if self.device.type == "cpu" else ""
        return f"{self.device.type.upper()}{threads}, {self.engine}"


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def export_weights(name: str, model: UNet, schedule: NoiseSchedule, dataset: str,
                   class_names: tuple[str, ...], train_steps: int, assets: Path = ASSETS,
                   extra: dict | None = None) -> Path:
    """Write ``assets/<name>.pt`` (float32 EMA weights) and record its SHA-256 in the manifest. ``extra``: more
    plain entries for the payload (a kinds model's prompt mapping, :func:`diffusion_core.model.kinds.kind_metadata`)."""
    payload = {
        "format": FORMAT_VERSION,
        "unet": model.config.to_dict(),
        "schedule": {"kind": schedule.kind, "T": schedule.T},
        "dataset": dataset,
        "class_names": list(class_names),
        "train_steps": int(train_steps),
        "state_dict": {k: v.detach().float().cpu().contiguous() for k, v in model.state_dict().items()},
        **(extra or {}),
    }
    buffer = io.BytesIO()
    torch.save(payload, buffer)
    data = buffer.getvalue()
    assets.mkdir(parents=True, exist_ok=True)
    path = assets / f"{name}.pt"
    path.write_bytes(data)
    manifest_path = assets / MANIFEST
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    manifest[name] = {"file": path.name, "sha256": sha256_bytes(data), "bytes": len(data)}
    manifest_path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return path


def record_onnx(name: str, onnx_bytes: bytes, assets: Path = ASSETS) -> Path:
    """Write ``assets/<name>.onnx`` (the ONNX twin) and record its SHA-256 under the model's manifest entry."""
    path = assets / f"{name}.onnx"
    path.write_bytes(onnx_bytes)
    manifest_path = assets / MANIFEST
    manifest = json.loads(manifest_path.read_text())
    manifest[name]["onnx"] = {"file": path.name, "sha256": sha256_bytes(onnx_bytes), "bytes": len(onnx_bytes)}
    manifest_path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return path


def _onnx_runner(entry: dict, assets: Path, config: UNetConfig) -> tuple[object | None, str]:
    """The verified ONNX twin, or (None, why not)."""
    twin = entry.get("onnx")
    if not isinstance(twin, dict) or not isinstance(twin.get("file"), str) or Path(twin["file"]).name != twin["file"]:
        return None, "no ONNX twin shipped"
    try:
        data = (assets / twin["file"]).read_bytes()
        if sha256_bytes(data) != twin.get("sha256"):
            return None, f"{twin['file']} does not match its checksum"
        from diffusion_core.model.onnx_twin import OnnxUNet

        return OnnxUNet(data, config), "ONNX Runtime"
    except ImportError:
        return None, "onnxruntime is not installed"
    except Exception as e:  # a damaged twin must never take the model down: fall back to PyTorch
        return None, f"the ONNX twin failed to load ({type(e).__name__})"


def models_dir() -> Path:
    """Where models are read from: $IMAGE_SPACE_ASSETS when set, else the repository's assets/."""
    return Path(os.environ.get(ASSETS_ENV) or ASSETS)


def available_models(assets: Path | None = None) -> list[str]:
    """Names recorded in the manifest (whether or not their files are intact)."""
    assets = assets or models_dir()
    manifest_path = assets / MANIFEST
    if not manifest_path.exists():
        return []
    try:
        return sorted(json.loads(manifest_path.read_text()))
    except (json.JSONDecodeError, OSError):
        return []


def pick_device(prefer: str = "auto") -> torch.device:
    """CUDA when present (or asked for), else CPU."""
    if prefer == "cpu" or (prefer == "auto" and not torch.cuda.is_available()):
        return torch.device("cpu")
    return torch.device("cuda")


def load_model(name: str, assets: Path | None = None, device: torch.device | None = None,
               use_onnx: bool = True) -> LoadedModel:
    """Load and verify ``<assets>/<name>.pt`` (default :func:`models_dir`); raises :class:`WeightsError`.

    On the CPU, and with ``use_onnx``, sampling uses the shipped ONNX twin when it verifies and loads.
    """
    assets = assets or models_dir()
    manifest_path = assets / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text())
    except FileNotFoundError:
        raise WeightsError(f"No model manifest at {manifest_path}. Restore assets/ from the repository.") from None
    except json.JSONDecodeError as e:
        raise WeightsError(f"The model manifest {manifest_path} is not valid JSON ({e}).") from None
    except OSError as e:
        raise WeightsError(f"The model manifest {manifest_path} cannot be read ({e}).") from None
    if not isinstance(manifest, dict):
        raise WeightsError(f"The model manifest {manifest_path} is malformed (expected an object of models).")
    if name not in manifest:
        raise WeightsError(f"No model named {name!r}; shipped models: {', '.join(sorted(manifest)) or 'none'}.")
    entry = manifest[name]
    file = entry.get("file") if isinstance(entry, dict) else None
    if (not isinstance(file, str) or not file or Path(file).name != file
            or not isinstance(entry.get("sha256"), str)):
        raise WeightsError(f"The model manifest {manifest_path} has a malformed entry for {name!r} "
                           f"(expected a plain file name and a sha256). Restore assets/{MANIFEST}.")
    path = assets / file
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise WeightsError(
            f"The weights file {path.name} is missing from assets/. Restore it with "
            f"`git checkout -- assets/{path.name}` or retrain (see README)."
        ) from None
    except OSError as e:
        raise WeightsError(f"The weights file {path} cannot be read ({e}).") from None
    if sha256_bytes(data) != entry["sha256"]:
        raise WeightsError(
            f"The weights file {path.name} is corrupt or was changed (its SHA-256 does not match "
            f"the manifest). Restore it with `git checkout -- assets/{path.name}` or retrain."
        )
    try:
        payload = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
        model = UNet(UNetConfig.from_dict(payload["unet"]))
        model.load_state_dict(payload["state_dict"])
        schedule = NoiseSchedule(kind=payload["schedule"]["kind"], T=payload["schedule"]["T"])
        kinds = read_kinds(payload)
    except Exception as e:  # any malformed payload becomes one readable error
        raise WeightsError(f"The weights file {path.name} could not be read: {e}") from None
    device = device or pick_device()
    model.to(device).eval()
    for p in model.parameters():
        p.requires_grad_(False)
    runner, engine = (_onnx_runner(entry, assets, model.config) if use_onnx and device.type == "cpu"
                      else (None, "PyTorch on the GPU" if device.type == "cuda" else "ONNX twin not requested"))
    if runner is None:
        runner, engine = model, f"PyTorch ({engine})"
    # a kinds model is asked by its prompts: they are its class names (what every picker shows), its kinds in .kinds
    class_names = kinds.prompts if kinds is not None else tuple(payload["class_names"])
    return LoadedModel(name, model, schedule, class_names, int(payload["train_steps"]), device, runner, engine, kinds)
