"""The image-space page's shareable format, and its validation when read from a URL.

A teacher can share ``/image-space?w=640&h=480&colour=rgb&bits=8``. :func:`spec_from_query` turns such untrusted
strings into an :class:`~diffusion_core.space.image_space.ImageSpec`, judging each parameter on its own: a bad
value is replaced by the default's and named in one plain-text message, the good ones are kept (a typo in the
colour does not throw away the width). If the values are fine one by one but not together (W·H·C over 10^18),
the whole format falls back to the default, and the message says so.
"""

from __future__ import annotations

from collections.abc import Mapping

from diffusion_core.space.image_space import BIT_DEPTHS, COLOUR_MODELS, PRESETS, ImageSpaceError, ImageSpec, parse_count

DEFAULT_PRESET = "100 x 100 grayscale (the article's example)"
DEFAULT = PRESETS[DEFAULT_PRESET]
URL_COLOURS = {"gray": "Grayscale", "rgb": "RGB", "rgba": "RGBA"}  # query-param value -> colour model
QUOTED = 40  # a rejected value is quoted at most this many characters


def to_query(spec: ImageSpec) -> dict[str, str]:
    """The format as URL query parameters."""
    colour = next(k for k, v in URL_COLOURS.items() if COLOUR_MODELS[v] == spec.channels)
    return {"w": str(spec.width), "h": str(spec.height), "colour": colour, "bits": str(spec.bits)}


def spec_from_query(query: Mapping[str, str]) -> tuple[ImageSpec, list[str]]:
    """Parse untrusted query parameters; returns (format, plain-text messages about rejected values)."""
    values = {"w": DEFAULT.width, "h": DEFAULT.height, "channels": DEFAULT.channels, "bits": DEFAULT.bits}
    problems: list[str] = []

    def bad(key: str, why: str) -> None:
        raw = query[key]
        shown = raw if len(raw) <= QUOTED else raw[:QUOTED] + "…"
        problems.append(f"Ignored {key}={shown} in the link: {why} Using the default instead.")

    for key in ("w", "h"):
        if key in query:
            try:
                values[key] = parse_count(query[key], key)
            except ImageSpaceError as e:
                bad(key, str(e))
    if "colour" in query:
        colour = query["colour"].lower()
        if colour in URL_COLOURS:
            values["channels"] = COLOUR_MODELS[URL_COLOURS[colour]]
        else:
            bad("colour", f"use {', '.join(URL_COLOURS)}.")
    if "bits" in query:
        try:
            bits = parse_count(query["bits"], "bits", max(BIT_DEPTHS))
        except ImageSpaceError:
            bits = None
        if bits in BIT_DEPTHS:
            values["bits"] = bits
        else:
            bad("bits", f"use one of {', '.join(map(str, BIT_DEPTHS))}.")
    try:
        return ImageSpec(values["w"], values["h"], values["channels"], values["bits"]), problems
    except ImageSpaceError as e:
        return DEFAULT, [*problems, f"The format in this link is not valid ({e}). Showing the default format instead."]
