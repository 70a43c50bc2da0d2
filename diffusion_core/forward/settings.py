"""The forward-process page's shareable settings, and their validation when read from a URL.

A teacher can share a link such as ``/forward?img=photo:Astronaut&colour=rgb&res=128&schedule=cosine&T=1000&t=250``.
:meth:`ForwardSettings.from_query` turns such untrusted strings into settings, replacing every
value it cannot use by its default and saying why (one message per rejected value).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from diffusion_core import MAX_SEED
from diffusion_core.access.link_values import whole_in
from diffusion_core.forward.schedules import SCHEDULE_KINDS

# Held-out images shipped per data set (assets/datasets/{name}_test.npz); the page passes the files' own counts.
DATASET_SIZES = {"digits": 1000, "fashion": 1000, "emoji": 202}
RESOLUTIONS = (28, 32, 48, 64, 96, 128, 192, 256)  # short side in pixels
T_RANGE = (10, 2000)
COLOURS = ("gray", "rgb")


@dataclass(frozen=True)
class ForwardSettings:
    """What the page shows; every field has a safe default."""

    source: str = "photo"  # "photo" or a data set (a key of DATASET_SIZES)
    photo: str = "Astronaut"  # display name of a bundled photo (see image_io.list_samples)
    index: int = 0  # image number within a data set, 0..size-1
    colour: str = "rgb"  # "gray" or "rgb" (data sets are always gray)
    res: int = 128  # short side in pixels, one of RESOLUTIONS (data sets stay 28)
    schedule: str = "cosine"  # one of SCHEDULE_KINDS
    T: int = 1000  # number of diffusion steps
    t: int = 250  # current timestep, 0..T
    seed: int = 0  # seed of the fixed noise ε

    def to_query(self) -> dict[str, str]:
        """The settings as URL query parameters (strings)."""
        img = f"photo:{self.photo}" if self.source == "photo" else f"{self.source}:{self.index}"
        return {"img": img, "colour": self.colour, "res": str(self.res), "schedule": self.schedule,
                "T": str(self.T), "t": str(self.t), "seed": str(self.seed)}

    @classmethod
    def from_query(cls, query: Mapping[str, str], photos: Iterable[str],
                   dataset_sizes: Mapping[str, int] = DATASET_SIZES) -> tuple[ForwardSettings, list[str]]:
        """Parse untrusted query parameters; returns (settings, messages about rejected values).

        photos: the names of the bundled photos that exist; dataset_sizes: held-out images per data set.
        Unknown keys are ignored; a rejected value is quoted in its message cut to 40 characters.
        """
        s, problems = cls(), []

        def bad(key: str, why: str) -> None:
            value = query[key] if len(query[key]) <= 40 else query[key][:40] + "…"
            problems.append(f"Ignored {key}={value} in the link: {why}")

        if "img" in query:
            kind, _, rest = query["img"].partition(":")
            names = list(photos)
            if kind == "photo" and rest in names:
                s = replace(s, source="photo", photo=rest)
            elif kind in dataset_sizes and whole_in(rest, 0, dataset_sizes[kind] - 1) is not None:
                s = replace(s, source=kind, index=whole_in(rest, 0, dataset_sizes[kind] - 1))
            else:
                sets = ", ".join(f"{name}:N with N from 0 to {size - 1}" for name, size in dataset_sizes.items())
                bad("img", f"use photo:NAME with NAME one of {', '.join(names)}, or {sets}.")
        if "colour" in query:
            if query["colour"] in COLOURS:
                s = replace(s, colour=query["colour"])
            else:
                bad("colour", "use gray or rgb.")
        if "res" in query:
            res = whole_in(query["res"], min(RESOLUTIONS), max(RESOLUTIONS))
            if res in RESOLUTIONS:
                s = replace(s, res=res)
            else:
                bad("res", f"use one of {', '.join(map(str, RESOLUTIONS))}.")
        if "schedule" in query:
            if query["schedule"] in SCHEDULE_KINDS:
                s = replace(s, schedule=query["schedule"])
            else:
                bad("schedule", f"use {' or '.join(SCHEDULE_KINDS)}.")
        if "T" in query:
            T = whole_in(query["T"], *T_RANGE)
            if T is None:
                bad("T", f"use a whole number from {T_RANGE[0]} to {T_RANGE[1]}.")
            else:
                s = replace(s, T=T)
        if s.t > s.T:
            s = replace(s, t=s.T)
        if "t" in query:
            t = whole_in(query["t"], 0, s.T)
            if t is None:
                bad("t", f"use a whole number from 0 to T = {s.T}.")
            else:
                s = replace(s, t=t)
        if "seed" in query:
            seed = whole_in(query["seed"], 0, MAX_SEED)
            if seed is None:
                bad("seed", f"use a whole number from 0 to {MAX_SEED}.")
            else:
                s = replace(s, seed=seed)
        return s, problems
