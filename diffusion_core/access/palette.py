"""The one palette of class colours, safe for the most common colour-vision deficiencies.

Ten classes (the digits, Fashion-MNIST, the 2-D page's blobs) need ten colours that stay apart for a reader with
deuteranopia or protanopia (together about 1 in 12 men) and on the app's dark background. The first nine are
Paul Tol's *muted* qualitative scheme (Tol 2021, "Colour schemes", SRON/EPS/TN/09-002), designed to be
distinguishable under both; the tenth is the pink of Tol's *light* scheme, chosen because it keeps the smallest
distance under both deficiencies as large as the nine alone have, and stays clear of the near-white the walk uses
for "no class". ``tests/unit/test_palette.py`` measures the distances (CAM02-UCS, after simulating each
deficiency at full severity with Machado et al. 2009) and prints the smallest.

Colours are ``(r, g, b)`` tuples of ints 0-255; :func:`hex_colour` writes one as ``#rrggbb`` for Plotly.
"""

from __future__ import annotations

CLASS_COLOURS: tuple[tuple[int, int, int], ...] = (
    (0xCC, 0x66, 0x77),  # rose
    (0x88, 0xCC, 0xEE),  # cyan
    (0xDD, 0xCC, 0x77),  # sand
    (0x11, 0x77, 0x33),  # green
    (0xAA, 0x44, 0x99),  # purple
    (0x44, 0xAA, 0x99),  # teal
    (0xFF, 0xAA, 0xBB),  # pink (Tol's light scheme)
    (0x99, 0x99, 0x33),  # olive
    (0x33, 0x22, 0x88),  # indigo
    (0x88, 0x22, 0x55),  # wine
)
NO_CLASS_COLOUR = (235, 235, 235)  # near-white: a walk with no class asked for


def class_colour(label: int) -> tuple[int, int, int]:
    """The colour of class ``label`` (0-9); any other label (the "no class" token) is near-white."""
    return CLASS_COLOURS[label] if 0 <= label < len(CLASS_COLOURS) else NO_CLASS_COLOUR


def hex_colour(rgb: tuple[int, int, int]) -> str:
    """``(r, g, b)`` as ``#rrggbb``."""
    return "#{:02x}{:02x}{:02x}".format(*rgb)
