"""The 2-D page's shareable settings, and their validation when read from a URL.

A link such as ``/direction?data=moons&t=120&view=overlay&s=4`` opens the page as its sender saw it; a reader's
own points travel as ``pts=0.5,1.2;-1,0.25;…`` (two decimals) while there are at most :data:`URL_POINTS` of
them. :meth:`DirectionSettings.from_query` turns untrusted strings into settings, replacing every value it cannot
use by its default and saying why (one message per rejected value, the value cut to 40 characters).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np

from diffusion_core import MAX_SEED
from diffusion_core.access.link_values import whole_in
from diffusion_core.forward.schedules import NoiseSchedule
from diffusion_core.toy2d.datasets import DATASET_TITLES, DEFAULT_DATASET, check_points, dataset, heart_points
from diffusion_core.toy2d.mlp import STEP_CHOICES, WIDTHS, MLPConfig

SCHEDULE = NoiseSchedule("cosine", 1000)  # the image pages' default schedule, from the one schedule module
URL_POINTS = 40  # a reader's points go in the link while there are at most this many
PARTICLES = (200, 2000)  # fewest and most particles
PARTICLE_STEPS = (10, 200)  # fewest and most sampler steps for the particles
MAX_GUIDANCE = 10.0
VIEWS = ("side", "overlay")
# The networks the memorisation section trains on a reader's points: (hidden width, training steps). On the
# 16-point heart (600 DDIM samples) the small one put 0% of its samples within 0.01 of a training point (median
# 0.25 away: it fills the shape), the large one ~20% and half within 0.02: capacity and time buy memorisation.
MEMORY_NETS = {"small": (32, 500), "medium": (64, 1000), "large": (128, 4000)}


@dataclass(frozen=True)
class DirectionSettings:
    """What the page shows; every field has a safe default."""

    data: str = DEFAULT_DATASET  # a key of DATASET_TITLES
    points: tuple[tuple[float, float], ...] = tuple((float(x), float(y)) for x, y in heart_points())  # the reader's
    width: int = MLPConfig.width  # the MLP's hidden width, one of WIDTHS
    steps: int = MLPConfig.steps  # training steps, one of STEP_CHOICES
    classes: bool = True  # train with the class (for guidance)
    t: int = 200  # the field's timestep, 0..T-1
    view: str = "side"  # learned and exact "side" by side, or "overlay"
    n: int = 1000  # particles
    k: int = 50  # sampler steps for the particles
    seed: int = 0  # the particles' starting noise
    label: int = 0  # the class guidance asks for
    scale: float = 3.0  # the guidance scale s
    memory: str = "small"  # the network trained on the reader's points, a key of MEMORY_NETS

    def to_query(self) -> dict[str, str]:
        """The settings as URL query parameters (strings); the points only while they are few."""
        q = {"data": self.data, "width": str(self.width), "steps": str(self.steps), "cond": "1" if self.classes else "0",
             "t": str(self.t), "view": self.view, "n": str(self.n), "k": str(self.k), "seed": str(self.seed),
             "cls": str(self.label), "s": f"{self.scale:g}", "mem": self.memory}
        if len(self.points) <= URL_POINTS and self.points != DirectionSettings.points:
            q["pts"] = points_to_text(self.points)
        return q

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> tuple[DirectionSettings, list[str]]:
        """Parse untrusted query parameters; returns (settings, messages about rejected values)."""
        s, problems = cls(), []

        def bad(key: str, why: str) -> None:
            value = query[key] if len(query[key]) <= 40 else query[key][:40] + "…"
            problems.append(f"Ignored `{key}={value}` in the link: {why}")

        if "data" in query:
            if query["data"] in DATASET_TITLES:
                s = replace(s, data=query["data"])
            else:
                bad("data", f"use one of {', '.join(DATASET_TITLES)}.")
        if "pts" in query:
            points, why = points_from_text(query["pts"])
            if points is None:
                bad("pts", why)
            else:
                s = replace(s, points=points)
        for key, field, choices in (("width", "width", WIDTHS), ("steps", "steps", STEP_CHOICES)):
            if key in query:
                value = whole_in(query[key], min(choices), max(choices))
                if value in choices:
                    s = replace(s, **{field: value})
                else:
                    bad(key, f"use one of {', '.join(map(str, choices))}.")
        if "cond" in query:
            if query["cond"] in ("0", "1"):
                s = replace(s, classes=query["cond"] == "1")
            else:
                bad("cond", "use 1 (learn the classes too) or 0.")
        for key, field, lo, hi in (("t", "t", 0, SCHEDULE.T - 1), ("n", "n", *PARTICLES), ("k", "k", *PARTICLE_STEPS),
                                   ("seed", "seed", 0, MAX_SEED)):
            if key in query:
                value = whole_in(query[key], lo, hi)
                if value is None:
                    bad(key, f"use a whole number from {lo} to {hi}.")
                else:
                    s = replace(s, **{field: value})
        if "view" in query:
            if query["view"] in VIEWS:
                s = replace(s, view=query["view"])
            else:
                bad("view", f"use {' or '.join(VIEWS)}.")
        if "cls" in query:
            classes = dataset(s.data, np.array(s.points)).num_classes
            value = whole_in(query["cls"], 0, classes - 1)
            if value is None:
                bad("cls", f"this data set's classes are numbered 0 to {classes - 1}.")
            else:
                s = replace(s, label=value)
        if "s" in query:
            value = _float_in(query["s"], 0.0, MAX_GUIDANCE)
            if value is None or value * 2 != round(value * 2):
                bad("s", f"use a guidance scale from 0 to {MAX_GUIDANCE:g} in steps of 0.5.")
            else:
                s = replace(s, scale=value)
        if "mem" in query:
            if query["mem"] in MEMORY_NETS:
                s = replace(s, memory=query["mem"])
            else:
                bad("mem", f"use {', '.join(MEMORY_NETS)}.")
        return s, problems

    @property
    def config(self) -> MLPConfig:
        """The MLP these settings train."""
        return MLPConfig(width=self.width, steps=self.steps, conditional=self.classes)

    @property
    def memory_config(self) -> MLPConfig:
        """The MLP the memorisation section trains on the reader's points."""
        width, steps = MEMORY_NETS[self.memory]
        return MLPConfig(width=width, steps=steps, conditional=False)


def points_to_text(points) -> str:
    """(x, y) pairs as "x,y;x,y" with at most two decimals."""
    return ";".join(f"{_short(x)},{_short(y)}" for x, y in points)


def _short(v: float) -> str:
    text = f"{v:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def points_from_text(text: str) -> tuple[tuple[tuple[float, float], ...] | None, str]:
    """Parse "x,y;x,y"; returns (points, "") or (None, why not). Points must pass :func:`check_points` whole."""
    if len(text) > 16 * URL_POINTS:
        return None, f"a link holds at most {URL_POINTS} points."
    rows = [part.split(",") for part in text.split(";") if part.strip()]
    if any(len(r) != 2 for r in rows):
        return None, "write points as x,y pairs separated by semicolons."
    checked = check_points(rows)
    if checked.problems or len(checked.points) > URL_POINTS:
        return None, " ".join(checked.problems) or f"a link holds at most {URL_POINTS} points."
    return tuple((round(float(x), 2), round(float(y), 2)) for x, y in checked.points), ""


def _float_in(text: str, lo: float, hi: float) -> float | None:
    if not (isinstance(text, str) and len(text) <= 12):
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) and lo <= value <= hi else None
