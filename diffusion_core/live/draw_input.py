"""The picture a reader starts the walk from, checked before a run: a drawing, a held-out image or an upload.

Pictures are uint8 (H, W) grey or (H, W, 3) colour at the model's size, as :mod:`diffusion_core.images.pixels` lays
them out. A grey model's pictures are light on black (MNIST, Fashion-MNIST), so its blank pad is black; a colour
model's are drawn on white (the emoji), so its blank pad is white (:func:`diffusion_core.images.pad_value.blank`).

:func:`from_upload` reduces any picture (a bundled photo, the reader's upload, already decoded safely by
:mod:`diffusion_core.images.image_io`) to the model's size, and offers to swap black and white for a grey model when
the picture is mostly light, as a pencil drawing on paper is. :func:`problem` says, in words the page shows, why a
picture cannot be run as it is (an empty pad, nothing marked to fill in) and :func:`notes` what is worth knowing
about one that can (a single flat colour, everything marked).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from diffusion_core.images.pad_value import blank
from diffusion_core.likelihood.sources import fit_to_shape

LIGHT = 127.5  # a grey picture whose median pixel is above this is mostly light


def background(size: int, colour: bool) -> np.ndarray:
    """The blank pad's picture: black (size, size) for a grey model, white (size, size, 3) for a colour one."""
    return blank(size, colour).image


def is_blank(picture: np.ndarray) -> bool:
    """True when every pixel is the blank pad's colour (black for grey, white for colour): nothing drawn."""
    picture = np.asarray(picture)
    return bool(np.all(picture == (255 if picture.ndim == 3 else 0)))


def flat_colour(picture: np.ndarray) -> tuple[int, ...] | None:
    """The one colour of a picture every pixel of which is the same ((v,) grey, (r, g, b) colour), else None."""
    picture = np.asarray(picture)
    first = picture.reshape(-1, 1 if picture.ndim == 2 else 3)[0]
    if np.all(picture == (first[0] if picture.ndim == 2 else first)):
        return tuple(int(v) for v in first)
    return None


def mostly_light(picture: np.ndarray) -> bool:
    """True when a grey picture's median pixel is above mid-grey (dark ink on light paper, the other way round from
    MNIST)."""
    return bool(np.median(picture) > LIGHT)


@dataclass(frozen=True)
class Upload:
    """A picture reduced to the model's size: ``picture`` uint8, ``inverted`` whether black and white were swapped,
    ``light`` whether the reduced picture was mostly light (a grey model only; then swapping is offered)."""

    picture: np.ndarray
    inverted: bool
    light: bool


def from_upload(pixels: np.ndarray, shape: tuple[int, int, int], invert: bool | None = None) -> Upload:
    """Any RGB (H, W, 3) or grey (H, W) uint8 picture as the model's (C, H, W) ``shape``: centre-cropped square,
    resized (Lanczos), made grey or colour (:func:`~diffusion_core.likelihood.sources.fit_to_shape`).

    For a grey model, ``invert`` swaps black and white (255 - v); None swaps exactly when the reduced picture is
    mostly light (:func:`mostly_light`). Colour pictures are never inverted."""
    small = fit_to_shape(pixels, shape)
    if shape[0] != 1:
        return Upload(small, False, False)
    light = mostly_light(small)
    swap = light if invert is None else bool(invert)
    return Upload((255 - small).astype(np.uint8) if swap else small, swap, light)


def problem(picture: np.ndarray | None, fill: np.ndarray | None, mode: str) -> str | None:
    """Why ``picture`` (with the reader's marks ``fill``, (H, W) bool, True = fill in) cannot be run in ``mode``
    ("sdedit" or "fill"), as a sentence with what to do; None when it can."""
    if mode == "sdedit":
        if picture is None or is_blank(picture):
            shade = "white" if picture is not None and np.asarray(picture).ndim == 3 else "black"
            return (f"Nothing is drawn: every pixel is the blank pad's {shade}. Draw something on the pad (or start "
                    "from a held-out image), press “Send the drawing”, then “Run from my drawing”.")
        return None
    if picture is None:
        return "There is no picture yet: draw one or start from a held-out image, then mark what to fill in."
    if fill is None or not np.any(fill):
        return ("Nothing is marked to fill in: paint over the part the model should redraw (the marks show hatched), "
                "press “Send the drawing”, then “Run from my drawing”.")
    return None


def notes(picture: np.ndarray, fill: np.ndarray | None, mode: str) -> list[str]:
    """What is worth saying about a picture that can be run: it is one flat colour, or every pixel is marked."""
    out = []
    one = flat_colour(picture)
    if one is not None and not is_blank(picture):
        shade = f"grey level {one[0]}" if len(one) == 1 else f"colour ({one[0]}, {one[1]}, {one[2]})"
        out.append(f"Every pixel of this picture is the same {shade}: the walk can start from it, but there is no "
                   "shape in it to keep.")
    if mode == "fill" and fill is not None and np.all(fill):
        out.append("Every pixel is marked, so none is kept: this is plain generation from pure noise.")
    return out
