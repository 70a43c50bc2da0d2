"""The "Draw your own" page's settings: defaults, and its shareable link read strictly.

A link such as ``/draw?model=digits&start=held:12&mode=fill&label=3&sampler=ddim&steps=20&eta=1&seed=4`` is
untrusted text: :meth:`DrawSettings.from_query` reads it through the page's table of link parameters
(:func:`link_params`, :mod:`diffusion_core.access.link_values`), keeping what it can use and replacing anything else
by its default, with one message per rejected value.

The link carries the settings, never the reader's drawing or marks: a 28 × 28 picture alone is 784 values, too many
for an address a class can type or a QR code can hold, and an upload may be private. A held-out image is named by its
number, so a link can start everyone from the same real digit.

Defaults: the page's own sampler settings, chosen by measurement for editing (``bench/bench_edit.py`` on held-out
digits, judged by the independent classifier; figures of 2026-12-07, on 200 digits unless said), not the denoiser's:

* DDIM with η = 1, which adds fresh noise at every step as DDPM does, so the walk can still correct what it got
  wrong. SDEdit at strength 0.6 of badly damaged digits (pixel noise and a 3 px bar across), class given: 92% read as
  the true digit with DDIM η = 1, 20 steps, guidance 5 (200 digits; 50 steps: 90%; DDPM 100 steps: 90.5%), against
  65.8% with the denoiser's DPM-Solver++ at guidance 1.5; on 500 digits, 89.6 / 90.2% (seeds 0 / 1) in one walk,
  98.0 / 98.0% in three (``repeats``: the walk taken again from its result). One walk stays the default: it is the
  plain SDEdit the page explains, and a drawing that is not damaged needs no more. Inpainting the bottom half with
  no class: 71.5% with 4 RePaint rounds (DDIM η = 1, 20 steps) against 67.5% (DPM-Solver++, 20 steps); with the 20
  rounds now the default (:data:`~diffusion_core.live.inpaint.DEFAULT_RESAMPLE`) 77.2 / 78.4% on two draws of
  500 digits.
* 20 steps for DDIM (the app's default is 50: no better here, and an edit or a fill of several copies with its RePaint
  rounds costs 2.5 times less), 100 for DDPM (its 1,000 would make a fill take tens of seconds on a shared server).
* Guidance 5 for the digits model (one walk, 200 digits: 3: 83.5%, 5: 92%, 8: 95%; 500 digits, two walks: 5:
  97.4%, 8: 97.8%, each walk seeded apart; stronger guidance also makes pictures less varied);
  the other models keep their own measured sampling default (:func:`~diffusion_core.model.samplers.default_guidance`):
  their edits were not measured.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from diffusion_core import MAX_SEED
from diffusion_core.access.link_values import (
    Param,
    Rejected,
    choice,
    decimal,
    decimal_in,
    read_link,
    shown_number,
    whole,
    whole_in,
    write_link,
)
from diffusion_core.live.edit import DEFAULT_STRENGTH, MAX_COPIES, MAX_REPEATS
from diffusion_core.live.generation_settings import MAX_GUIDANCE, NO_CLASS, STEP_LIMITS, GenerationSettings
from diffusion_core.model.samplers import SAMPLERS, default_guidance

MODES = ("sdedit", "fill")  # start the walk from the picture (SDEdit); fill in the marked part (inpainting)
STARTS = ("blank", "held", "upload")  # a blank pad, a held-out image, a photo or the reader's upload
STRENGTH_STEP = 0.05
EDIT_SAMPLER, EDIT_ETA = "ddim", 1.0
EDIT_STEPS = {"dpmpp": 20, "ddim": 20, "ddpm": 100}  # each sampler's default steps on this page (see above)
EDIT_GUIDANCE = {"digits": 5.0}  # guidance for edits, where measured (see above)
DEFAULT_FILLS = 3


def edit_guidance(model: str) -> float:
    """The page's default guidance scale for ``model``: its edit default where measured, else its own."""
    return EDIT_GUIDANCE.get(model, default_guidance(model))


@dataclass(frozen=True)
class DrawSettings:
    """What the page does with the reader's picture; every field has a safe default."""

    model: str = "digits"
    start: str = "blank"  # one of STARTS
    index: int = 0  # the held-out image's number (start = held)
    mode: str = "sdedit"  # one of MODES
    strength: float = DEFAULT_STRENGTH  # how far back into noise: t0 = round(strength * T) (sdedit)
    repeats: int = 1  # walks from the picture, each from the last one's result (sdedit)
    label: int = NO_CLASS  # the prompt: a class index, or NO_CLASS for none
    guidance: float = EDIT_GUIDANCE["digits"]
    sampler: str = EDIT_SAMPLER
    steps: int = EDIT_STEPS[EDIT_SAMPLER]  # steps of a full run; an edit from strength takes about strength of them
    eta: float = EDIT_ETA  # DDIM only
    seed: int = 0
    fills: int = DEFAULT_FILLS  # fills drawn at once (fill), each from its own noise

    def to_query(self) -> dict[str, str]:
        return write_link(self, link_params((), {}))

    @classmethod
    def from_query(cls, query: Mapping[str, str], models: Iterable[str],
                   held_out_sizes: Mapping[str, int]) -> tuple[DrawSettings, list[str]]:
        """Parse untrusted query parameters; returns (settings, messages about rejected values).

        models: the shipped models; held_out_sizes: held-out images per model."""
        models = list(models)
        start = cls(model=models[0] if models and cls.model not in models else cls.model)
        return read_link(query, start, link_params(models, held_out_sizes))

    @property
    def step_limits(self) -> tuple[int, int]:
        return STEP_LIMITS[self.sampler]

    def generation(self) -> GenerationSettings:
        """The sampler settings of a run, as the live denoiser's runs take them (one image)."""
        return GenerationSettings(model=self.model, label=self.label, guidance=self.guidance, sampler=self.sampler,
                                  steps=self.steps, eta=self.eta if self.sampler == "ddim" else 0.0, seed=self.seed,
                                  mode="one")


def _strength(text: str, _s: DrawSettings) -> float:
    value = decimal_in(text, 0.0, 1.0)
    if value is None or abs(value / STRENGTH_STEP - round(value / STRENGTH_STEP)) > 1e-9:
        raise Rejected(f"use a number from 0 to 1 in steps of {STRENGTH_STEP:g}.")
    return round(value, 2)


def _label(text: str, _s: DrawSettings) -> int:
    value = NO_CLASS if text == "none" else whole_in(text, 0, 9)
    if value is None:
        raise Rejected("use a class from 0 to 9, or none.")
    return value


def _steps(text: str, s: DrawSettings) -> int:
    lo, hi = s.step_limits
    value = whole_in(text, lo, hi)
    if value is None:
        raise Rejected(f"use {lo} to {hi} steps for this sampler.")
    return value


def _default_steps(s: DrawSettings) -> int:
    return EDIT_STEPS[s.sampler]


def link_params(models: Iterable[str], held_out_sizes: Mapping[str, int]) -> tuple[Param, ...]:
    """The page's link, parameter by parameter: the held-out image is read against the model the link ends up with,
    the guidance defaults to the model's edit default, the steps are read against the sampler."""
    models = list(models)

    def start(text: str, s: DrawSettings) -> dict:
        kind, _, rest = text.partition(":")
        size = held_out_sizes.get(s.model, 0)
        if kind == "held" and (index := whole_in(rest, 0, size - 1)) is not None:
            return {"start": "held", "index": index}
        if kind in ("blank", "upload") and rest == "":
            return {"start": kind}
        raise Rejected(f"use blank, upload or held:N with N from 0 to {size - 1}.")

    def start_text(s: DrawSettings) -> str:
        return f"held:{s.index}" if s.start == "held" else s.start

    return (
        Param("model", "model", choice(models, f"shipped models are {', '.join(models) or 'none'}.")),
        Param("start", "", start, start_text),
        Param("mode", "mode", choice(MODES)),
        Param("strength", "strength", _strength, lambda s: shown_number(s.strength)),
        Param("repeats", "repeats", whole(1, MAX_REPEATS)),
        Param("label", "label", _label, lambda s: "none" if s.label == NO_CLASS else str(s.label)),
        Param("guidance", "guidance", decimal(0.0, MAX_GUIDANCE), lambda s: shown_number(s.guidance),
              default=lambda s: edit_guidance(s.model)),
        Param("sampler", "sampler", choice(SAMPLERS)),
        Param("eta", "eta", decimal(0.0, 1.0), lambda s: shown_number(s.eta)),
        Param("steps", "steps", _steps, default=_default_steps),
        Param("seed", "seed", whole(0, MAX_SEED)),
        Param("fills", "fills", whole(1, MAX_COPIES)),
    )
