"""The shipped results of the likelihood command: ``assets/likelihood/<model>.json``, small enough to ship.

Written by ``python -m diffusion_core.likelihood --model NAME --export``, read by the page for its histogram of
held-out images and its per-timestep profile (a page never runs thousands of full evaluations). It holds, per set
of images ("real", "samples", "noise", "ood"), every image's bound in bits/dim (exact sums over all T timesteps) and
its compressor length in bits, plus each set's mean per-timestep profile and how the run was made.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from diffusion_core import ASSETS

SUMMARY_DIR = ASSETS / "likelihood"
FORMAT = 1
SETS = ("real", "samples", "noise", "ood")


class SummaryError(RuntimeError):
    """The shipped summary is missing or malformed; the message says how to rebuild it."""


@dataclass(frozen=True)
class SetResult:
    """One set of images: ``title`` for a reader, per-image ``bpd`` (N,) and ``compressor_bits`` (N,), and the
    mean per-timestep ``profile`` (T,) in bits/dim."""

    title: str
    bpd: np.ndarray
    compressor_bits: np.ndarray
    profile: np.ndarray

    def mean_ci(self) -> tuple[float, float]:
        """The mean bound and the half-width of its 95% interval (normal approximation over the images)."""
        n = len(self.bpd)
        sd = float(np.std(self.bpd, ddof=1)) if n > 1 else math.inf
        return float(np.mean(self.bpd)), 1.959963984540054 * sd / math.sqrt(n)


@dataclass(frozen=True)
class Summary:
    model: str
    shape: tuple[int, int, int]
    T: int
    sets: dict
    run: dict

    @property
    def dims(self) -> int:
        return int(np.prod(self.shape))


def _round(values: np.ndarray, digits: int = 4) -> list[float]:
    return [round(float(v), digits) for v in values]


def write_summary(summary: Summary, folder: Path | None = None) -> Path:
    folder = folder or SUMMARY_DIR
    folder.mkdir(parents=True, exist_ok=True)
    payload = {"format": FORMAT, "model": summary.model, "shape": list(summary.shape), "T": summary.T,
               "run": summary.run,
               "sets": {name: {"title": s.title, "bpd": _round(s.bpd), "compressor_bits": [int(b) for b in s.compressor_bits],
                               "profile": [float(f"{v:.4g}") for v in s.profile]} for name, s in summary.sets.items()}}
    path = folder / f"{summary.model}.json"
    path.write_text(json.dumps(payload, separators=(",", ":")) + "\n")
    return path


def read_summary(model: str, folder: Path | None = None) -> Summary:
    """The shipped summary of ``model`` (from ``folder``, default :data:`SUMMARY_DIR`); raises :class:`SummaryError`
    with what to run when it is absent or bad."""
    path = (folder or SUMMARY_DIR) / f"{model}.json"
    rebuild = f"run `python -m diffusion_core.likelihood --model {model} --export` to make it"
    try:
        payload = json.loads(path.read_text())
    except FileNotFoundError:
        raise SummaryError(f"No likelihood results are shipped for {model!r} yet; {rebuild}.") from None
    except (OSError, json.JSONDecodeError) as e:
        raise SummaryError(f"assets/likelihood/{path.name} is unreadable ({e}); {rebuild}.") from None
    try:
        if payload["format"] != FORMAT or payload["model"] != model:
            raise ValueError("format or model does not match")
        shape = tuple(int(v) for v in payload["shape"])
        T = int(payload["T"])
        sets = {}
        for name, s in payload["sets"].items():
            bpd = np.asarray(s["bpd"], dtype=np.float64)
            bits = np.asarray(s["compressor_bits"], dtype=np.int64)
            profile = np.asarray(s["profile"], dtype=np.float64)
            if name not in SETS or len(bpd) != len(bits) or len(bpd) == 0 or profile.shape != (T,) \
                    or not np.all(np.isfinite(bpd)):
                raise ValueError(f"set {name!r} is malformed")
            sets[name] = SetResult(str(s["title"]), bpd, bits, profile)
        if "real" not in sets or len(shape) != 3:
            raise ValueError("no held-out set")
        return Summary(model, shape, T, sets, dict(payload.get("run", {})))
    except (KeyError, TypeError, ValueError) as e:
        raise SummaryError(f"assets/likelihood/{path.name} is malformed ({e}); {rebuild}.") from None
