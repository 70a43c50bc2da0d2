"""The one palette: the class colours, safe for the most common colour-vision deficiencies, and the app's theme.

Ten classes (the digits, Fashion-MNIST, the 2-D page's blobs) need ten colours that stay apart for a reader with
deuteranopia or protanopia (together about 1 in 12 men) and on the app's dark background. The first nine are
Paul Tol's *muted* qualitative scheme (Tol 2021, "Colour schemes", SRON/EPS/TN/09-002), designed to be
distinguishable under both; the tenth is the pink of Tol's *light* scheme, chosen because it keeps the smallest
distance under both deficiencies as large as the nine alone have, and stays clear of the near-white the walk uses
for "no class". ``tests/unit/test_palette.py`` measures the distances (CAM02-UCS, after simulating each
deficiency at full severity with Machado et al. 2009) and prints the smallest.

Class colours are ``(r, g, b)`` tuples of ints 0-255; :func:`hex_colour` writes one as ``#rrggbb`` for Plotly.

The theme colours below are what every chart, picture and embedded player of the app draws with, by role, as
``#rrggbb`` (:func:`rgb_of` gives the tuple a picture needs): the page's dark background (Streamlit's dark theme)
and text, and six hues (the theme's primary blue, orange, red, green, violet, grey) that each page gives one
meaning (the data, what a model learned, this image or an error, ...).
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

# ---- the theme
BACKGROUND = "#0e1117"  # the page (Streamlit's dark theme)
SURFACE = "#1a1f2b"  # a control's face (the particle player's buttons)
BORDER = "#3a4150"  # a control's edge
GRID = "#262b36"  # a chart's frame and grid lines
TEXT = "#e8eaf0"  # text, and reference lines drawn as quietly as text
BRIGHT = "#f2f4f8"  # the exact answer (the 2-D page's white arrows)
MUTED = "#a0a6b4"  # what is there for comparison: noise, a crossover, tick labels in pictures
ACCENT = "#7c9cff"  # the theme's primary blue: the data, real images, ᾱ
ORANGE = "#ffb347"  # what a model learned; noise added
RED = "#ff5c5c"  # this image, where the model is wrong, the marker of t
GREEN = "#5cd65c"  # the class asked for, the signal kept, samples
VIOLET = "#d17cff"  # a compressor, log-SNR, a third sampler


def class_colour(label: int) -> tuple[int, int, int]:
    """The colour of class ``label`` (0-9); any other label (the "no class" token) is near-white."""
    return CLASS_COLOURS[label] if 0 <= label < len(CLASS_COLOURS) else NO_CLASS_COLOUR


def hex_colour(rgb: tuple[int, int, int]) -> str:
    """``(r, g, b)`` as ``#rrggbb``."""
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def rgb_of(colour: str) -> tuple[int, int, int]:
    """``#rrggbb`` as ``(r, g, b)``."""
    colour = colour.lstrip("#")
    return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16)
