"""How many dimensions the image pages' pictures have, for the 2-D page's words: D = C·H·W values per picture.

The 2-D page says what its two dimensions stand in for: "784 for a 28 × 28 grey digit or garment, 3,072 for a
32 × 32 colour emoji". The shapes come from the shipped models (their likelihood summaries carry the (C, H, W) they
were measured at, and a test holds them equal to the models' own), so the words follow the models, never a number
typed into a page.
"""

from __future__ import annotations

from collections.abc import Mapping

# What one picture of each shipped model is, in a few words (a model missing here is called by its name).
NOUNS = {"digits": "digit", "fashion": "garment", "emoji": "emoji"}


def dimensions(shape: tuple[int, int, int]) -> int:
    """D = C·H·W for a picture of ``shape`` (C, H, W): how many numbers, so how many dimensions, it has."""
    c, h, w = (int(v) for v in shape)
    if min(c, h, w) < 1:
        raise ValueError(f"a picture's shape must be positive, got {shape}")
    return c * h * w


def dimension_phrase(shapes: Mapping[str, tuple[int, int, int]]) -> str:
    """"784 for a 28 × 28 grey digit or garment, 3,072 for a 32 × 32 colour emoji": each distinct D with the pictures
    that have it, smallest first, from {model name: (C, H, W)}; "" when there is none."""
    groups: dict[tuple[int, int, int], list[str]] = {}
    for name, shape in shapes.items():
        groups.setdefault(tuple(int(v) for v in shape), []).append(NOUNS.get(name, name))
    parts = []
    for (c, h, w), nouns in sorted(groups.items(), key=lambda item: dimensions(item[0])):
        kind = "grey" if c == 1 else "colour" if c == 3 else f"{c}-channel"
        parts.append(f"{dimensions((c, h, w)):,} for a {w} × {h} {kind} {' or '.join(nouns)}")
    return ", ".join(parts)
