"""An ONNX Runtime twin of the UNet: the same network, about twice as fast on a small CPU.

Sampling a small image is dominated by per-operator overhead at batch 1-2, where ONNX Runtime's
fused CPU kernels ran the UNet ~2x faster than eager PyTorch on this project's 2-core machines
(see bench/bench_sampling.py). Eager PyTorch stays the reference: the twin is exported from the
shipped weights (``python -m diffusion_core.onnx_twin --model digits``, which records it with
:func:`diffusion_core.model.weights.record_onnx`), its file is verified by
SHA-256 like the weights, and tests check it agrees with PyTorch to float32 rounding.

:class:`OnnxUNet` has the call signature of :class:`diffusion_core.model.unet.UNet`:
x (B, C, H, W) float32, t (B,) int64, y (B,) int64 -> eps (B, C, H, W) float32 (CPU tensors).
"""

from __future__ import annotations

import io

import torch

from diffusion_core.model.unet import UNet, UNetConfig


class OnnxUNet:
    """Runs an exported UNet with ONNX Runtime on the CPU."""

    device = torch.device("cpu")

    def __init__(self, onnx_bytes: bytes, config: UNetConfig, threads: int | None = None) -> None:
        import onnxruntime as ort  # imported here: the app still runs (on PyTorch) without it

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or torch.get_num_threads()
        options.inter_op_num_threads = 1
        # No spin-waiting between operators: on a small shared server the idle threads would burn the
        # cores that the web server and other readers' runs need (measured in the page on 2 cores:
        # one image 0.30 s with spinning, 0.13 s without).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(onnx_bytes, options, providers=["CPUExecutionProvider"])
        self.config = config

    @property
    def null_class(self) -> int:
        return self.config.num_classes

    def __call__(self, x: torch.Tensor, t: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        feeds = {"x": x.detach().float().numpy(), "t": t.detach().long().numpy(), "y": y.detach().long().numpy()}
        return torch.from_numpy(self.session.run(None, feeds)[0])


def export_onnx(model: UNet) -> bytes:
    """The UNet as an ONNX graph with a dynamic batch dimension (needs the ``onnx`` package)."""
    x = torch.zeros(2, model.config.in_channels, model.config.image_size, model.config.image_size)
    t = torch.zeros(2, dtype=torch.long)
    y = torch.zeros(2, dtype=torch.long)
    buffer = io.BytesIO()
    batch = {0: "batch"}
    torch.onnx.export(model.cpu().eval(), (x, t, y), buffer, input_names=["x", "t", "y"], output_names=["eps"],
                      dynamic_axes={"x": batch, "t": batch, "y": batch, "eps": batch}, opset_version=17,
                      dynamo=False)
    return buffer.getvalue()
