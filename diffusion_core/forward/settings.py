"""The forward-process page's shareable settings, and their validation when read from a URL.

A teacher can share a link such as ``/forward?img=photo:Astronaut&colour=rgb&res=128&schedule=cosine&T=1000&t=250``.
:meth:`ForwardSettings.from_query` turns such untrusted strings into settings through the page's table of link
parameters (:func:`link_params`, read by :mod:`diffusion_core.access.link_values`): every value it cannot use is
replaced by its default, with one message per rejected value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from diffusion_core import MAX_SEED
from diffusion_core.access.link_values import Param, Rejected, choice, number_in, read_link, whole, whole_in, write_link
from diffusion_core.forward.schedules import SCHEDULE_KINDS

RESOLUTIONS = (28, 32, 48, 64, 96, 128, 192, 256)  # short side in pixels
T_RANGE = (10, 2000)
COLOURS = ("gray", "rgb")


@dataclass(frozen=True)
class ForwardSettings:
    """What the page shows; every field has a safe default."""

    source: str = "photo"  # "photo" or a data set the app ships held-out images of
    photo: str = "Astronaut"  # display name of a bundled photo (see image_io.list_samples)
    index: int = 0  # image number within a data set, 0..size-1
    colour: str = "rgb"  # "gray" or "rgb" (data sets keep their own colours: see :meth:`as_shown`)
    res: int = 128  # short side in pixels, one of RESOLUTIONS (data sets stay at their size)
    schedule: str = "cosine"  # one of SCHEDULE_KINDS
    T: int = 1000  # number of diffusion steps
    t: int = 250  # current timestep, 0..T
    seed: int = 0  # seed of the fixed noise ε

    def as_shown(self) -> ForwardSettings:
        """The settings as the page shows them: a data set's images are not recoloured, so its link says gray."""
        return self if self.source == "photo" else replace(self, colour="gray")

    def to_query(self) -> dict[str, str]:
        """The settings as URL query parameters (strings)."""
        return write_link(self, link_params((), {}))

    @classmethod
    def from_query(cls, query: Mapping[str, str], photos: Iterable[str],
                   dataset_sizes: Mapping[str, int]) -> tuple[ForwardSettings, list[str]]:
        """Parse untrusted query parameters; returns (settings, messages about rejected values).

        photos: the names of the bundled photos that exist; dataset_sizes: held-out images per data set (the
        shipped files' own counts). Unknown keys are ignored.
        """
        return read_link(query, cls(), link_params(photos, dataset_sizes))


def link_params(photos: Iterable[str], dataset_sizes: Mapping[str, int]) -> tuple[Param, ...]:
    """The page's link, parameter by parameter (t is read against the T the link ends up with)."""
    names = list(photos)

    def image(text: str, _s: ForwardSettings) -> dict:
        kind, _, rest = text.partition(":")
        if kind == "photo" and rest in names:
            return {"source": "photo", "photo": rest}
        index = whole_in(rest, 0, dataset_sizes[kind] - 1) if kind in dataset_sizes else None
        if index is None:
            sets = ", ".join(f"{name}:N with N from 0 to {size - 1}" for name, size in dataset_sizes.items())
            raise Rejected(f"use photo:NAME with NAME one of {', '.join(names)}, or {sets}.")
        return {"source": kind, "index": index}

    def image_text(s: ForwardSettings) -> str:
        return f"photo:{s.photo}" if s.source == "photo" else f"{s.source}:{s.index}"

    return (
        Param("img", "", image, image_text),
        Param("colour", "colour", choice(COLOURS)),
        Param("res", "res", number_in(RESOLUTIONS)),
        Param("schedule", "schedule", choice(SCHEDULE_KINDS)),
        Param("T", "T", whole(*T_RANGE)),
        Param("t", "t", whole(0, lambda s: s.T, "use a whole number from 0 to T = {hi}."), default=lambda s: min(s.t, s.T)),
        Param("seed", "seed", whole(0, MAX_SEED)),
    )
