"""``python -m diffusion_core.onnx_twin --model NAME``: export a shipped model's ONNX Runtime twin beside its weights.

The twin is :mod:`diffusion_core.model.onnx_twin`; its file and checksum are recorded by
:func:`diffusion_core.model.weights.record_onnx`.
"""

import argparse
from pathlib import Path

import torch

from diffusion_core import ASSETS
from diffusion_core.model.onnx_twin import export_onnx
from diffusion_core.model.weights import load_model, record_onnx


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description="Export a shipped model's ONNX twin next to its weights.")
    p.add_argument("--model", required=True)
    p.add_argument("--assets", default=str(ASSETS), help="folder holding manifest.json and <model>.pt")
    args = p.parse_args(argv)
    assets = Path(args.assets)
    loaded = load_model(args.model, assets, torch.device("cpu"), use_onnx=False)
    print(f"wrote {record_onnx(args.model, export_onnx(loaded.model), assets)}")


if __name__ == "__main__":
    main()
