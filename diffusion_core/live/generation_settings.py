"""The live denoiser's settings: defaults, caps, and (de)serialisation for shareable URLs.

``GenerationSettings.from_query`` reads untrusted query parameters (strings) through the page's table of link
parameters (:func:`link_params`, :mod:`diffusion_core.access.link_values`) and returns valid settings plus one
message per rejected value; anything invalid falls back to its default. Caps keep one run bounded on a shared
server: at most 1,000 steps for one image, 200 for a grid.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from diffusion_core import MAX_SEED
from diffusion_core.access.link_values import (
    Param,
    Rejected,
    choice,
    decimal,
    read_link,
    shown_number,
    whole,
    whole_in,
    write_link,
)
from diffusion_core.model.samplers import DEFAULT_GUIDANCE, DEFAULT_STEPS, SAMPLERS, default_guidance

MAX_GUIDANCE = 8.0
MODES = ("one", "grid")
STEP_LIMITS = {"dpmpp": (5, 50), "ddim": (5, 250), "ddpm": (10, 1000)}
MAX_GRID_STEPS = 200
NO_CLASS = -1
GRID_COLUMNS = 5  # one per class: two rows of five


@dataclass(frozen=True)
class GenerationSettings:
    model: str = "digits"
    label: int = 7  # class index, or NO_CLASS for unconditional
    guidance: float = DEFAULT_GUIDANCE  # classifier-free guidance scale s (0 = unconditional, 1 = plain conditional)
    sampler: str = "dpmpp"
    steps: int = 20
    eta: float = 0.0  # DDIM only
    seed: int = 1  # any seed works; seed 0 happens to draw a malformed 7 for the default prompt
    mode: str = "one"  # "one" image or a "grid" of one per class

    def to_query(self) -> dict[str, str]:
        return write_link(self, link_params(()))

    @classmethod
    def from_query(cls, query: Mapping[str, str], models: Sequence[str]) -> tuple[GenerationSettings, list[str]]:
        """Parse and validate; returns (settings, problems). Unknown keys are ignored."""
        start = cls(model=models[0] if models and cls.model not in models else cls.model)
        return read_link(query, start, link_params(models))

    @property
    def step_limits(self) -> tuple[int, int]:
        lo, hi = STEP_LIMITS[self.sampler]
        return lo, min(hi, MAX_GRID_STEPS) if self.mode == "grid" else hi

    def labels(self, num_classes: int = 10) -> list[int]:
        """The class of each image to draw: one image, or one per class (NO_CLASS -> num_classes)."""
        if self.mode == "grid":
            return list(range(num_classes))
        return [num_classes if self.label == NO_CLASS else self.label]

    @property
    def grid_columns(self) -> int | None:
        """Columns of the picture of a run: GRID_COLUMNS for one per class, None (one row) for one image."""
        return GRID_COLUMNS if self.mode == "grid" else None

    def describe(self, class_names: tuple[str, ...]) -> str:
        """What was asked for, in words: "Prompt: 7", or the classes of a grid."""
        if self.mode == "grid":
            if all(name == str(k) for k, name in enumerate(class_names)):
                return f"One per class, 0 to {len(class_names) - 1}"
            return "One per class: " + ", ".join(f"{k} {n}" for k, n in enumerate(class_names))
        return "Prompt: " + ("none" if self.label == NO_CLASS else class_names[self.label])

    def changes_from(self, shown: GenerationSettings) -> list[str]:
        """What differs between these settings (on screen now) and ``shown`` (those of the result on screen), in
        words, one item per setting ("seed 1 → 42"); empty when the result shown is exactly these settings'.

        The page's "Settings changed since this run" notice is shown while, and only while, this is not empty."""
        words = {"model": "model", "label": "prompt", "guidance": "guidance", "sampler": "sampler", "steps": "steps",
                 "eta": "η", "seed": "seed", "mode": "layout"}
        show = {"label": lambda v: "none" if v == NO_CLASS else str(v), "guidance": lambda v: f"{v:g}",
                "eta": lambda v: f"{v:g}"}
        return [f"{word} {show.get(name, str)(getattr(shown, name))} → {show.get(name, str)(getattr(self, name))}"
                for name, word in words.items() if getattr(shown, name) != getattr(self, name)]



def _label(text: str, _s: GenerationSettings) -> int:
    value = NO_CLASS if text in ("none", str(NO_CLASS)) else whole_in(text, 0, 9)
    if value is None:
        raise Rejected("use a class from 0 to 9, or none.")
    return value


def _steps(text: str, s: GenerationSettings) -> int:
    lo, hi = s.step_limits
    value = whole_in(text, lo, hi)
    if value is None:
        raise Rejected(f"use {lo} to {hi} steps for this sampler and layout.")
    return value


def link_params(models: Sequence[str]) -> tuple[Param, ...]:
    """The page's link, parameter by parameter: the guidance defaults to the model's own, the steps to the sampler's,
    and are read against the sampler and layout the link ends up with."""
    return (
        Param("model", "model", choice(models, f"shipped models are {', '.join(models) or 'none'}.")),
        Param("label", "label", _label),
        Param("guidance", "guidance", decimal(0.0, MAX_GUIDANCE), lambda s: shown_number(s.guidance),
              default=lambda s: default_guidance(s.model)),
        Param("sampler", "sampler", choice(SAMPLERS)),
        Param("eta", "eta", decimal(0.0, 1.0), lambda s: shown_number(s.eta)),
        Param("seed", "seed", whole(0, MAX_SEED)),
        Param("mode", "mode", choice(MODES)),
        Param("steps", "steps", _steps, default=lambda s: DEFAULT_STEPS[s.sampler]),
    )
