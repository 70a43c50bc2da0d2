"""The corner page's shareable settings, and their validation when read from a URL.

A link such as ``/corner?model=digits&img=held:12&calls=192`` (or ``img=generated:7&seed=3``, ``img=noise&seed=5``,
``img=photo:Astronaut``) is untrusted text: :meth:`CornerSettings.from_query` keeps what it can use and replaces
anything else by its default, with one message per rejected value (quoted at most 40 characters).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from diffusion_core import MAX_SEED
from diffusion_core.access.link_values import whole_in

SOURCES = ("held", "generated", "noise", "photo")  # held-out real image, fresh sample, uniform noise, a picture
SOURCE_TITLES = {"held": "A held-out real image", "generated": "A freshly generated image",
                 "noise": "Uniform noise", "photo": "A photo (bundled or yours)"}
CALLS = (96, 192, 384, 768)  # network calls for the page's estimate: the interval shrinks as 1/√calls


@dataclass(frozen=True)
class CornerSettings:
    """What the page measures; every field has a safe default."""

    model: str = "digits"
    source: str = "held"  # one of SOURCES
    index: int = 0  # held-out image number
    label: int = 0  # class of a generated image
    seed: int = 0  # seed of a generated image or of the noise
    photo: str = "Astronaut"  # a bundled photo's display name
    calls: int = 192  # one of CALLS

    def to_query(self) -> dict[str, str]:
        img = {"held": f"held:{self.index}", "generated": f"generated:{self.label}", "noise": "noise",
               "photo": f"photo:{self.photo}"}[self.source]
        query = {"model": self.model, "img": img, "calls": str(self.calls)}
        if self.source in ("generated", "noise"):
            query["seed"] = str(self.seed)
        return query

    @classmethod
    def from_query(cls, query: Mapping[str, str], models: Iterable[str], held_out_sizes: Mapping[str, int],
                   photos: Iterable[str], classes: int = 10) -> tuple[CornerSettings, list[str]]:
        """Parse untrusted query parameters; returns (settings, messages about rejected values).

        models: the shipped models; held_out_sizes: held-out images per model; photos: bundled photo names;
        classes: the model's number of classes.
        """
        models, photos = list(models), list(photos)
        s, problems = cls(model=models[0] if models and cls.model not in models else cls.model), []

        def bad(key: str, why: str) -> None:
            value = query[key] if len(query[key]) <= 40 else query[key][:40] + "…"
            problems.append(f"Ignored `{key}={value}` in the link: {why}")

        if "model" in query:
            if query["model"] in models:
                s = replace(s, model=query["model"])
            else:
                bad("model", f"use one of {', '.join(models)}.")
        if "img" in query:
            kind, _, rest = query["img"].partition(":")
            size = held_out_sizes.get(s.model, 0)
            if kind == "held" and whole_in(rest, 0, size - 1) is not None:
                s = replace(s, source="held", index=whole_in(rest, 0, size - 1))
            elif kind == "generated" and whole_in(rest, 0, classes - 1) is not None:
                s = replace(s, source="generated", label=whole_in(rest, 0, classes - 1))
            elif kind == "noise" and rest == "":
                s = replace(s, source="noise")
            elif kind == "photo" and rest in photos:
                s = replace(s, source="photo", photo=rest)
            else:
                bad("img", f"use held:N (N from 0 to {size - 1}), generated:C (C from 0 to {classes - 1}), noise, "
                           f"or photo:NAME with NAME one of {', '.join(photos)}.")
        if "seed" in query:
            seed = whole_in(query["seed"], 0, MAX_SEED)
            if seed is None:
                bad("seed", f"use a whole number from 0 to {MAX_SEED}.")
            else:
                s = replace(s, seed=seed)
        if "calls" in query:
            calls = whole_in(query["calls"], 0, max(CALLS))
            if calls in CALLS:
                s = replace(s, calls=calls)
            else:
                bad("calls", f"use one of {', '.join(map(str, CALLS))}.")
        return s, problems
