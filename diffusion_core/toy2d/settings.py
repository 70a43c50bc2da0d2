"""The 2-D page's shareable settings, and their validation when read from a URL.

A link such as ``/direction?data=moons&t=120&view=overlay&s=4`` opens the page as its sender saw it; a reader's
own points travel as ``pts=0.5,1.2;-1,0.25;…`` (two decimals) while there are at most :data:`URL_POINTS` of
them. :meth:`DirectionSettings.from_query` reads untrusted strings through the page's table of link parameters
(:data:`LINK`, :mod:`diffusion_core.access.link_values`), replacing every value it cannot use by its default and
saying why (one message per rejected value).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from diffusion_core import MAX_SEED
from diffusion_core.access.link_values import (
    Param,
    Rejected,
    choice,
    decimal,
    flag,
    number_in,
    read_link,
    shown_number,
    whole,
    write_link,
)
from diffusion_core.forward.schedules import NoiseSchedule
from diffusion_core.toy2d.datasets import DATASET_TITLES, DEFAULT_DATASET, check_points, dataset, heart_points
from diffusion_core.toy2d.mlp import STEP_CHOICES, WIDTHS, MLPConfig
from diffusion_core.toy2d.reverse_step import STEP_CHOICES as JUMPS

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
    jump: int = JUMPS[-1]  # "why small steps": the size of the reader's step back, one of JUMPS

    def to_query(self) -> dict[str, str]:
        """The settings as URL query parameters (strings); the points only while they are few."""
        return write_link(self, LINK)

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> tuple[DirectionSettings, list[str]]:
        """Parse untrusted query parameters; returns (settings, messages about rejected values)."""
        return read_link(query, cls(), LINK)

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


def _points(text: str, _s: DirectionSettings) -> tuple[tuple[float, float], ...]:
    points, why = points_from_text(text)
    if points is None:
        raise Rejected(why)
    return points


def _points_text(s: DirectionSettings) -> str | None:
    return points_to_text(s.points) if len(s.points) <= URL_POINTS and s.points != DirectionSettings.points else None


def _label(text: str, s: DirectionSettings) -> int:
    classes = dataset(s.data, np.array(s.points)).num_classes
    return whole(0, classes - 1, "this data set's classes are numbered {lo} to {hi}.")(text, s)


LINK = (  # the page's link, parameter by parameter: the class is read against the data the link ends up with
    Param("data", "data", choice(DATASET_TITLES)),
    Param("width", "width", number_in(WIDTHS)),
    Param("steps", "steps", number_in(STEP_CHOICES)),
    Param("cond", "classes", flag(why="use 1 (learn the classes too) or 0."), lambda s: "1" if s.classes else "0"),
    Param("t", "t", whole(0, SCHEDULE.T - 1)),
    Param("view", "view", choice(VIEWS)),
    Param("n", "n", whole(*PARTICLES)),
    Param("k", "k", whole(*PARTICLE_STEPS)),
    Param("seed", "seed", whole(0, MAX_SEED)),
    Param("pts", "points", _points, _points_text),
    Param("cls", "label", _label),
    Param("s", "scale", decimal(0.0, MAX_GUIDANCE, step=0.5), lambda s: shown_number(s.scale)),
    Param("mem", "memory", choice(MEMORY_NETS)),
    Param("jump", "jump", number_in(JUMPS)),
)
