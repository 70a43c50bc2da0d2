"""The corner page's shareable settings, and their validation when read from a URL.

A link such as ``/corner?model=digits&img=held:12&calls=192`` (or ``img=generated:7&seed=3``, ``img=noise&seed=5``,
``img=photo:Astronaut``) is untrusted text: :meth:`CornerSettings.from_query` reads it through the page's table of
link parameters (:func:`link_params`, :mod:`diffusion_core.access.link_values`), keeping what it can use and
replacing anything else by its default, with one message per rejected value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from diffusion_core import MAX_SEED
from diffusion_core.access.link_values import Param, Rejected, choice, number_in, read_link, whole, whole_in, write_link

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
        return write_link(self, link_params((), {}, ()))

    @classmethod
    def from_query(cls, query: Mapping[str, str], models: Iterable[str], held_out_sizes: Mapping[str, int],
                   photos: Iterable[str], classes: int = 10) -> tuple[CornerSettings, list[str]]:
        """Parse untrusted query parameters; returns (settings, messages about rejected values).

        models: the shipped models; held_out_sizes: held-out images per model; photos: bundled photo names;
        classes: the model's number of classes.
        """
        models = list(models)
        start = cls(model=models[0] if models and cls.model not in models else cls.model)
        return read_link(query, start, link_params(models, held_out_sizes, photos, classes))


def link_params(models: Iterable[str], held_out_sizes: Mapping[str, int], photos: Iterable[str],
                classes: int = 10) -> tuple[Param, ...]:
    """The page's link, parameter by parameter (the image is read against the model the link ends up with)."""
    photos = list(photos)

    def image(text: str, s: CornerSettings) -> dict:
        kind, _, rest = text.partition(":")
        size = held_out_sizes.get(s.model, 0)
        if kind == "held" and (index := whole_in(rest, 0, size - 1)) is not None:
            return {"source": "held", "index": index}
        if kind == "generated" and (label := whole_in(rest, 0, classes - 1)) is not None:
            return {"source": "generated", "label": label}
        if kind == "noise" and rest == "":
            return {"source": "noise"}
        if kind == "photo" and rest in photos:
            return {"source": "photo", "photo": rest}
        raise Rejected(f"use held:N (N from 0 to {size - 1}), generated:C (C from 0 to {classes - 1}), noise, "
                       f"or photo:NAME with NAME one of {', '.join(photos)}.")

    def image_text(s: CornerSettings) -> str:
        return {"held": f"held:{s.index}", "generated": f"generated:{s.label}", "noise": "noise",
                "photo": f"photo:{s.photo}"}[s.source]

    return (
        Param("model", "model", choice(list(models))),
        Param("img", "", image, image_text),
        Param("calls", "calls", number_in(CALLS)),
        Param("seed", "seed", whole(0, MAX_SEED), lambda s: str(s.seed) if s.source in ("generated", "noise") else None),
    )
