"""The shipped results of the likelihood command: ``assets/likelihood/<model>.json``, small enough to ship, and the
section of the model card that reports them.

Written by ``python -m diffusion_core.likelihood --model NAME --export``, read by the page for its histogram of
held-out images and its per-timestep profile (a page never runs thousands of full evaluations). It holds, per set
of images ("real", "samples", "noise", "ood"), every image's bound in bits/dim (exact sums over all T timesteps) and
its compressor length in bits, plus each set's mean per-timestep profile and how the run was made. The card's
section sits between ``<!-- likelihood: written by … -->`` and ``<!-- /likelihood -->``: the export replaces it,
and the card writer of :mod:`diffusion_core.judge.model_card` keeps it.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from diffusion_core import ASSETS
from diffusion_core.likelihood.corner import corner_of_bound, corner_of_description

SUMMARY_DIR = ASSETS / "likelihood"
FORMAT = 1
SETS = ("real", "samples", "noise", "ood")
CARD_START = "<!-- likelihood: written by python -m diffusion_core.likelihood --export -->"
CARD_END = "<!-- /likelihood -->"


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


def _sharing(run: dict) -> str:
    """What the run's load average says about the machine: shared when it exceeds the run's own threads by one."""
    load, threads = run.get("load_average"), run.get("threads")
    if not load or not isinstance(threads, int):
        return ""
    return (": the cores were shared with other work" if max(load) > threads + 1
            else ": the machine was otherwise quiet")


def card_section(summary: Summary) -> str:
    """The model card's likelihood section (markdown, between its markers)."""
    dims, run = summary.dims, summary.run
    real_mean, real_hw = summary.sets["real"].mean_ci()

    def one_in(c) -> str:
        return f"10<sup>{c.fraction_digits:,}</sup>" if c is not None and c.fraction_digits is not None else "no claim"

    rows = []
    for name in SETS:
        if name not in summary.sets:
            continue
        s = summary.sets[name]
        mean, hw = s.mean_ci()
        comp = float(np.mean(s.compressor_bits))
        model_c = corner_of_bound((mean + hw) * dims, dims) if math.isfinite(hw) else None
        comp_c = corner_of_description(int(np.ceil(comp)), dims)
        versus = "" if name in ("real", "samples") else (" (above the held-out images ✅)" if real_mean < mean
                                                         else " (not above the held-out images ❌)")
        rows.append(f"| {s.title} | {len(s.bpd):,} | {mean:.3f} ± {hw:.3f}{versus} | {comp / dims:.3f} | "
                    f"{one_in(model_c)} / {one_in(comp_c)} |")
    comp_real = float(np.mean(summary.sets["real"].compressor_bits)) / dims
    share = float(np.mean(summary.sets["real"].bpd < summary.sets["real"].compressor_bits / dims))
    verdict = "✅ met" if real_mean < comp_real else "❌ missed"
    c = corner_of_bound((real_mean + real_hw) * dims, dims)
    table = "\n".join(rows)
    note = ""
    if "ood" in summary.sets and summary.sets["ood"].mean_ci()[0] < real_mean:
        ood = summary.sets["ood"]
        note = (f"\n\nThe out-of-distribution images score *better* than the model's own held-out images "
                f"({ood.mean_ci()[0]:.3f} vs {real_mean:.3f} bits/dim): a likelihood is no detector of foreign images, "
                "the failure Nalisnick et al. (2019, \"Do deep generative models know what they don't know?\") found, "
                "among others for Fashion-MNIST models and MNIST digits. Simpler images cost fewer bits under almost "
                f"any model; the compressor agrees ({float(np.mean(ood.compressor_bits)) / dims:.3f} vs {comp_real:.3f}).")
    when = f"{run['date']}; " if run.get("date") else ""
    how = (f"Command: `{run.get('command', 'python -m diffusion_core.likelihood')} --export` ({when}"
           f"{run.get('seconds', 0):,.0f} s, {run.get('calls_per_second', 0):.0f} network calls/s on "
           f"{run.get('engine', '?')} with {run.get('threads', '?')} threads, load average {run.get('load_average')}"
           f"{_sharing(run)}).")
    return f"""{CARD_START}
## How tiny is the corner? (likelihood)

The DDPM variational bound (Ho et al. 2020, eq. 5) of each image, summed over all {summary.T:,} timesteps with one
noise draw per term: the prior term, the KL terms with the DDPM sampler's own variances β̃ and clipped x̂₀, and the
discretised Gaussian decoder over 256 levels, for the unconditional model (the "no class" token). The model gives an
image probability at least 2^−L; the compressor column is the shortest PNG or LZMA description (headers a known
shape makes redundant not charged, plus 1 bit for which). Means with 95% intervals over the images; "one in …" is
the fraction of all {dims:,}-value images at least as plausible (model, from the upper end of the interval) or at
least as short (compressor, a count), by exact integer arithmetic. The whole space is 8 bits/dim.

| images | n | bound, bits/dim | compressor, bits/dim | a typical image: one in … of all (model / compressor) |
|---|---|---|---|---|
{table}

Held-out real images below the compressor on the same images: {real_mean:.3f} vs {comp_real:.3f} bits/dim,
{verdict} (image by image: {share:.0%} of them). A typical held-out image: at most 2<sup>{c.bits:,}</sup> &lt;
10<sup>{c.count_digits:,}</sup> images are as plausible to the model, one in 10<sup>{c.fraction_digits:,}</sup> of all.{note}

{how}
{CARD_END}
"""


def write_card_section(model: str, section: str, assets: Path | None = None) -> Path | None:
    """Replace (or append) the likelihood section of ``assets/<model>_card.md``; None when there is no card."""
    card = (assets or ASSETS) / f"{model}_card.md"
    if not card.exists():
        return None
    text = card.read_text()
    if CARD_START in text and CARD_END in text:
        head, rest = text.split(CARD_START, 1)
        tail = rest.split(CARD_END, 1)[1].lstrip("\n")
        text = head.rstrip("\n") + "\n\n" + section + ("\n" + tail if tail else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    card.write_text(text)
    return card
