"""The digits-against-pixels chart: a well-formed SVG whose marks sit where exact log-log arithmetic puts them."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import pytest

from diffusion_core.access.palette import TEXT as TEXT_COLOUR
from diffusion_core.space.digit_chart import (
    CHAR_PX,
    HEIGHT,
    LEFT,
    PHONE_HEIGHT,
    PHONE_WIDTH,
    TOP,
    WIDTH,
    ChartPoint,
    digit_chart_svg,
    power_of_ten,
)
from diffusion_core.space.image_space import PRESETS, digit_count
from diffusion_core.space.space_facts import digit_curve

NS = {"s": "http://www.w3.org/2000/svg"}


def _chart(channels=1, bits=8, you=(100 * 100, None), **size):
    curve = digit_curve(channels, bits)
    presets = [ChartPoint(name.split(" (")[0], p.pixels, p.digits()) for name, p in PRESETS.items()]
    pixels = you[0]
    point = ChartPoint("your setting", pixels, you[1] or digit_count(2**bits, pixels * channels))
    return curve, presets, point, ET.fromstring(digit_chart_svg(curve, presets, point, "Grayscale, 8-bit", **size))


def test_power_of_ten_labels():
    assert power_of_ten(0) == "10⁰" and power_of_ten(19) == "10¹⁹" and power_of_ten(-3) == "10⁻³"


def test_the_svg_is_well_formed_and_says_what_it_shows():
    curve, presets, you, svg = _chart()
    assert svg.get("viewBox") == f"0 0 {WIDTH} {HEIGHT}" and svg.get("role") == "img"
    assert "Grayscale, 8-bit" in svg.find("s:title", NS).text
    titles = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}title")]
    for p in presets:  # every preset is marked, with its exact digit count
        assert f"{p.label}: {p.digits:,} digits" in titles
    assert f"your setting: {you.digits:,} digits" in titles
    texts = "".join(t.text or "" for t in svg.iter("{http://www.w3.org/2000/svg}text"))
    assert "grains of sand" in texts and "atoms" in texts


def test_points_lie_on_log_log_axes():
    """A point's screen position is affine in log10 of its exact counts: check the curve's own vertices."""
    curve, _, _, svg = _chart()
    line = svg.find("s:polyline", NS)
    xy = [tuple(map(float, p.split(","))) for p in line.get("points").split()]
    assert len(xy) == len(curve)
    (x0, y0), (x1, y1) = xy[0], xy[-1]
    lx0, lx1 = math.log10(curve[0][0]), math.log10(curve[-1][0])
    ly0, ly1 = math.log10(curve[0][1]), math.log10(curve[-1][1])
    for (px, dg), (x, y) in zip(curve, xy):
        assert x == pytest.approx(x0 + (math.log10(px) - lx0) / (lx1 - lx0) * (x1 - x0), abs=0.15)
        assert y == pytest.approx(y0 + (math.log10(dg) - ly0) / (ly1 - ly0) * (y1 - y0), abs=0.15)
    # digits grow with pixels, so the curve climbs (SVG y grows downwards), and it stays inside the plot
    assert all(b[1] <= a[1] for a, b in zip(xy, xy[1:]))
    assert all(LEFT <= x <= WIDTH and TOP <= y <= HEIGHT for x, y in xy)


def test_the_star_sits_at_the_readers_format():
    _, _, you, svg = _chart(you=(4000 * 3000, None))
    star = svg.find("s:polygon", NS)
    xs = [float(p.split(",")[0]) for p in star.get("points").split()]
    ys = [float(p.split(",")[1]) for p in star.get("points").split()]
    circles = {c.find("s:title", NS).text.split(":")[0]: (float(c.get("cx")), float(c.get("cy")))
               for c in svg.findall("s:circle", NS)}
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    # the 12 MP RGB preset has the same pixels as a 12 MP grayscale format: same x, a third of the digits -> lower
    assert cx == pytest.approx(circles["12 MP photo"][0], abs=0.5)
    assert cy > circles["12 MP photo"][1]


def test_labels_are_escaped():
    svg = digit_chart_svg([(1, 1), (10, 3)], [ChartPoint("<b>&", 10, 3)], ChartPoint("you", 10, 3), "a<b")
    ET.fromstring(svg)  # parses: nothing a label holds can break the markup
    assert "&lt;b&gt;&amp;" in svg and not re.search(r"<b>", svg)


def test_log_axes_need_counts_of_at_least_one():
    with pytest.raises(ValueError):
        digit_chart_svg([], [], ChartPoint("you", 10, 3), "x")
    with pytest.raises(ValueError):
        digit_chart_svg([(0, 1)], [], ChartPoint("you", 10, 3), "x")


@pytest.mark.parametrize("channels,bits", [(1, 8), (3, 8), (4, 16), (1, 1)])
@pytest.mark.parametrize("size", [{}, {"width": PHONE_WIDTH, "height": PHONE_HEIGHT}], ids=["wide", "phone"])
def test_no_label_reaches_into_the_axis_labels(channels, bits, size):
    """Issue 30: "28 x 28 MNIST digit", written left of its mark, sat on the 10³ tick label. Every label written
    left of a mark (text-anchor end) ends inside the plot, its generous width (CHAR_PX a character) included; a label
    too long for that is written whole below right of its mark; every preset is labelled, and its tooltip names it."""
    _, presets, _, svg = _chart(channels, bits, you=(3, None), **size)  # the star on no preset
    texts = list(svg.iter("{http://www.w3.org/2000/svg}text"))
    left = [t for t in texts if t.get("text-anchor") == "end" and float(t.get("x")) > LEFT]  # not the tick labels
    for t in left:
        assert float(t.get("x")) - CHAR_PX * len(t.text) >= LEFT, t.text
    below = [t.text for t in texts if t.get("text-anchor") is None and t.get("fill") == TEXT_COLOUR
             and not t.text.startswith(("grains", "atoms", "Grayscale"))]  # the legend's texts aside
    written = [t.text for t in left] + below
    for p in presets:  # each preset named once, whole or after a mark of the same size ("100 x 100 grayscale, RGB")
        alone, shared = p.label, re.sub(r"^\d+ x \d+ ", "", p.label)
        assert sum(w == alone or w.startswith(alone + ", ") or w.endswith(", " + shared) for w in written) == 1, p
    assert "28 x 28 MNIST digit" in below
    titles = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}title")]
    for p in presets:  # every preset is marked once, with its exact digit count
        assert titles.count(f"{p.label}: {p.digits:,} digits") == 1


def test_the_readers_star_on_a_preset_writes_the_only_label_there():
    """At 28 x 28 grey the star stands on the MNIST mark, whose label goes below right: the star's label is the one
    label there and names it, "your setting, 28 x 28 MNIST digit" (two labels below right of one point overlapped);
    the mark keeps its tooltip."""
    _, presets, _, svg = _chart(you=(28 * 28, None), width=PHONE_WIDTH, height=PHONE_HEIGHT)
    texts = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert [t for t in texts if "MNIST" in t] == ["your setting, 28 x 28 MNIST digit"]
    titles = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}title")]
    assert "28 x 28 MNIST digit: 1,889 digits" in titles


def test_marks_of_one_size_share_one_label_on_a_phone():
    """100 x 100 grey and RGB lie one above the other: on the phone's chart, their labels, both below right of their
    marks, overlapped; they are one label at the lower mark."""
    _, _, _, svg = _chart(you=(28 * 28, None), width=PHONE_WIDTH, height=PHONE_HEIGHT)
    texts = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert "100 x 100 grayscale, RGB" in texts and "100 x 100 RGB" not in texts
