"""The image-space page's shareable format, and its validation when read from a URL.

A teacher can share ``/image-space?w=640&h=480&colour=rgb&bits=8``. :func:`spec_from_query` reads such untrusted
strings through the page's table of link parameters (:data:`LINK`, :mod:`diffusion_core.access.link_values`),
judging each parameter on its own: a bad value is replaced by the default's and named in one plain-text message,
the good ones are kept (a typo in the colour does not throw away the width). If the values are fine one by one but
not together (W·H·C over 10^18), the whole format falls back to the default, and the message says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from diffusion_core.access.link_values import Param, Rejected, read_link, write_link
from diffusion_core.space.image_space import BIT_DEPTHS, PRESETS, ImageSpaceError, ImageSpec, parse_count

DEFAULT_PRESET = "100 x 100 grayscale (the article's example)"
DEFAULT = PRESETS[DEFAULT_PRESET]
URL_CHANNELS = {"gray": 1, "rgb": 3, "rgba": 4}  # query-param value -> channels (COLOUR_MODELS' order)


@dataclass(frozen=True)
class _Format:
    """The four values of a link before they are checked together (an ImageSpec checks W·H·C on creation)."""

    width: int = DEFAULT.width
    height: int = DEFAULT.height
    channels: int = DEFAULT.channels
    bits: int = DEFAULT.bits


def _count(what: str, maximum: int | None = None):
    def read(text: str, _f: _Format) -> int:
        try:
            return parse_count(text, what) if maximum is None else parse_count(text, what, maximum)
        except ImageSpaceError as e:
            raise Rejected(str(e)) from None
    return read


def _colour(text: str, _f: _Format) -> int:
    if text.lower() not in URL_CHANNELS:
        raise Rejected(f"use {', '.join(URL_CHANNELS)}.")
    return URL_CHANNELS[text.lower()]


def _bits(text: str, f: _Format) -> int:
    try:
        bits = _count("bits", max(BIT_DEPTHS))(text, f)
    except Rejected:
        bits = None
    if bits not in BIT_DEPTHS:
        raise Rejected(f"use one of {', '.join(map(str, BIT_DEPTHS))}.")
    return bits


LINK = (
    Param("w", "width", _count("w")),
    Param("h", "height", _count("h")),
    Param("colour", "channels", _colour, lambda f: next(k for k, c in URL_CHANNELS.items() if c == f.channels)),
    Param("bits", "bits", _bits),
)


def to_query(spec: ImageSpec) -> dict[str, str]:
    """The format as URL query parameters."""
    return write_link(spec, LINK)


def spec_from_query(query: Mapping[str, str]) -> tuple[ImageSpec, list[str]]:
    """Parse untrusted query parameters; returns (format, plain-text messages about rejected values)."""
    f, problems = read_link(query, _Format(), LINK)
    try:
        return ImageSpec(f.width, f.height, f.channels, f.bits), problems
    except ImageSpaceError as e:
        return DEFAULT, [*problems, f"The format in this link is not valid ({e}). Showing the default format instead."]
