"""The class palette stays distinguishable under simulated deuteranopia and protanopia (colorspacious, CAM02-UCS)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from diffusion_core.access.palette import CLASS_COLOURS, NO_CLASS_COLOUR, class_colour, hex_colour

colorspacious = pytest.importorskip("colorspacious")

BACKGROUND = (14, 17, 23)  # the theme's backgroundColor
# Smallest CAM02-UCS distance between any two classes (ΔE ≈ 1 is a just-noticeable difference; categorical
# colours want ~10 or more). The old D3 palette reached 4.3 under deuteranopia and 1.6 under protanopia.
MIN_PAIR = {"normal": 15.0, "deuteranomaly": 10.0, "protanomaly": 10.0}
MIN_BACKGROUND = 20.0
OLD_D3 = ((31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189),
          (140, 86, 75), (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207))


def _seen(colours, vision: str) -> np.ndarray:
    """The colours as a reader with ``vision`` sees them (full severity), in CAM02-UCS coordinates."""
    rgb = np.array(colours, dtype=float) / 255
    if vision != "normal":
        space = {"name": "sRGB1+CVD", "cvd_type": vision, "severity": 100}
        rgb = np.clip(colorspacious.cspace_convert(rgb, space, "sRGB1"), 0, 1)
    return colorspacious.cspace_convert(rgb, "sRGB1", "CAM02-UCS")


def min_pair_distance(colours, vision: str) -> float:
    seen = _seen(colours, vision)
    return min(float(np.linalg.norm(seen[i] - seen[j])) for i, j in itertools.combinations(range(len(seen)), 2))


@pytest.mark.parametrize("vision", list(MIN_PAIR))
def test_every_two_classes_stay_apart(vision):
    palette = (*CLASS_COLOURS, NO_CLASS_COLOUR)  # the "no class" walk must not look like a class either
    distance = min_pair_distance(palette, vision)
    print(f"\nsmallest CAM02-UCS distance between two classes, {vision}: {distance:.1f} (bar {MIN_PAIR[vision]})")
    assert distance >= MIN_PAIR[vision]


@pytest.mark.parametrize("vision", list(MIN_PAIR))
def test_every_class_stands_out_from_the_background(vision):
    seen, background = _seen(CLASS_COLOURS, vision), _seen([BACKGROUND], vision)[0]
    distance = float(np.linalg.norm(seen - background, axis=1).min())
    print(f"\nsmallest distance of a class from the background, {vision}: {distance:.1f}")
    assert distance >= MIN_BACKGROUND


def test_the_measure_rejects_the_old_palette():
    """The same yardstick fails Plotly's D3 palette, which the app used before: the test can tell."""
    assert min_pair_distance(OLD_D3, "deuteranomaly") < MIN_PAIR["deuteranomaly"]
    assert min_pair_distance(OLD_D3, "protanomaly") < MIN_PAIR["protanomaly"]


def test_ten_classes_and_a_no_class_colour():
    assert len(set(CLASS_COLOURS)) == 10
    assert class_colour(3) == CLASS_COLOURS[3]
    assert class_colour(10) == class_colour(-1) == NO_CLASS_COLOUR
    assert hex_colour((0xCC, 0x66, 0x77)) == "#cc6677"
