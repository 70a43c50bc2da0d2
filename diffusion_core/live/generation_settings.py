"""The live denoiser's settings: defaults, caps, and (de)serialisation for shareable URLs.

``GenerationSettings.from_query`` reads untrusted query parameters (strings) and returns valid
settings plus a list of human-readable problems; anything invalid falls back to its default.
Caps keep one run bounded on a shared server: at most 1,000 steps for one image, 200 for a grid.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace

from diffusion_core import MAX_SEED
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
        return {k: (f"{v:g}" if isinstance(v, float) else str(v)) for k, v in asdict(self).items()}

    @classmethod
    def from_query(cls, query: Mapping[str, str], models: list[str]) -> tuple[GenerationSettings, list[str]]:
        """Parse and validate; returns (settings, problems). Unknown keys are ignored."""
        default = cls(model=models[0] if models and cls.model not in models else cls.model)
        values, problems = {}, []

        def take(key: str, parse, ok, hint: str) -> None:
            if key not in query:
                return
            raw = query[key]
            try:
                value = parse(raw)
            except (TypeError, ValueError, OverflowError):
                value = None
            if value is None or not ok(value):
                problems.append(f"Ignored {key}={raw[:40]!r} in the link: {hint}.")
                return
            values[key] = value

        take("model", str, lambda v: v in models, f"shipped models are {', '.join(models) or 'none'}")
        take("label", lambda s: NO_CLASS if s in ("none", str(NO_CLASS)) else _whole(s), lambda v: v == NO_CLASS or 0 <= v <= 9,
             "a class from 0 to 9, or none")
        take("guidance", _decimal, lambda v: 0 <= v <= MAX_GUIDANCE, f"a number from 0 to {MAX_GUIDANCE:g}")
        take("sampler", str, lambda v: v in SAMPLERS, f"one of {', '.join(SAMPLERS)}")
        take("eta", _decimal, lambda v: 0 <= v <= 1, "a number from 0 to 1")
        take("seed", _whole, lambda v: 0 <= v <= MAX_SEED, f"a whole number from 0 to {MAX_SEED}")
        take("mode", str, lambda v: v in MODES, "one or grid")
        sampler = values.get("sampler", default.sampler)
        values.setdefault("guidance", default_guidance(values.get("model", default.model)))
        settings = replace(default, **values, steps=DEFAULT_STEPS[sampler])
        lo, hi = settings.step_limits
        take("steps", _whole, lambda v: lo <= v <= hi, f"{lo} to {hi} steps for this sampler and layout")
        if "steps" in values:
            settings = replace(settings, steps=values["steps"])
        return settings, problems

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


def _whole(text: str) -> int | None:
    """A plain decimal whole number (ASCII digits only: no signs, spaces, underscores or other scripts' digits)."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 12 else None


def _decimal(text: str) -> float | None:
    """A plain decimal number such as 1.5 (no signs, exponents, nan or inf)."""
    whole, _, fraction = text.partition(".")
    ok = whole.isascii() and whole.isdigit() and len(text) <= 12 and (not fraction or (fraction.isascii() and fraction.isdigit()))
    return float(text) if ok else None
