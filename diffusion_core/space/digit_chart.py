"""The "digits against pixels" chart as a small SVG: log-log axes, the format's curve, sand, atoms, the presets.

The image-space page used to draw this chart with Plotly; in a browser that one chart was most of the page's
opening time (measured with ``bench/bench_page_open.py``: 7.0 s with it, 2.3 s without, on a loaded 2-core
machine), and building the figure cost the server ~0.2 s per visit. The same picture as a few kilobytes of
SVG costs neither. Every point is labelled on the chart itself (and carries a ``<title>``), so nothing is lost
that the hover text gave; the reader's own format is a star.

:func:`digit_chart_svg` takes exact integers (pixel counts, digit counts) and places them on log axes; a float
is only ever a coordinate on the screen.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

from diffusion_core.svg_chart import power_of_ten

WIDTH, HEIGHT = 760, 420
LEFT, RIGHT, TOP, BOTTOM = 64, 190, 16, 52  # margins; the right one holds the labels of sand and atoms
LABEL_LINE, LABEL_WIDTH = 13, 110  # px: a preset's label moves a line away if another's is this close
COLOURS = {"text": "#e8eaf0", "grid": "#3a4150", "curve": "#7c9cff", "sand": "#e0b35a", "atoms": "#6fcf97",
           "preset": "#c9d1e3", "you": "#ff7a90"}


@dataclass(frozen=True)
class ChartPoint:
    """A labelled point: ``pixels`` (W x H) and the exact digit count of its format's image count."""

    label: str
    pixels: int
    digits: int


def _log(value: int) -> float:
    return math.log10(value)


def digit_chart_svg(curve: list[tuple[int, int]], presets: list[ChartPoint], you: ChartPoint, curve_name: str,
                    references: tuple[tuple[str, int], ...] = (("grains of sand, 10¹⁹ (20 digits)", 20),
                                                               ("atoms, 10⁸⁰ (81 digits)", 81))) -> str:
    """The chart as an SVG document (a string). ``curve`` is (pixels, digits) for the reader's colour model and
    bit depth, increasing in pixels; ``references`` are horizontal lines at a digit count. Raises ValueError for
    an empty curve or a count below 1 (log axes)."""
    points = [*curve, *((p.pixels, p.digits) for p in (*presets, you))]
    if not curve or min(min(x, y) for x, y in points) < 1:
        raise ValueError("the chart needs a non-empty curve and counts of at least 1")
    x_lo, x_hi = math.floor(_log(min(x for x, _ in points))), math.ceil(_log(max(x for x, _ in points)))
    y_hi = max(math.ceil(_log(max(y for _, y in points))), math.ceil(_log(max(d for _, d in references))))
    x_hi, y_hi = max(x_hi, x_lo + 1), max(y_hi, 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def sx(pixels: int) -> float:
        return LEFT + (_log(pixels) - x_lo) / (x_hi - x_lo) * plot_w

    def sy(digits: int) -> float:
        return TOP + (1 - _log(digits) / y_hi) * plot_h

    c = COLOURS
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
           f'height="{HEIGHT}" role="img" font-family="sans-serif" font-size="12" fill="{c["text"]}">',
           f"<title>Decimal digits of the number of images against pixels, log-log: {escape(curve_name)}</title>"]
    x_step = max(1, math.ceil((x_hi - x_lo) / 10))
    for k in range(x_lo, x_hi + 1, x_step):
        x = LEFT + (k - x_lo) / (x_hi - x_lo) * plot_w
        out.append(f'<line x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{TOP + plot_h}" stroke="{c["grid"]}"/>'
                   f'<text x="{x:.1f}" y="{TOP + plot_h + 16}" text-anchor="middle">{power_of_ten(k)}</text>')
    y_step = max(1, math.ceil(y_hi / 8))
    for k in range(0, y_hi + 1, y_step):
        y = TOP + (1 - k / y_hi) * plot_h
        out.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + plot_w}" y2="{y:.1f}" stroke="{c["grid"]}"/>'
                   f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{power_of_ten(k)}</text>')
    out.append(f'<text x="{LEFT + plot_w / 2:.1f}" y="{HEIGHT - 10}" text-anchor="middle">pixels (W × H)</text>'
               f'<text transform="translate(14 {TOP + plot_h / 2:.1f}) rotate(-90)" text-anchor="middle">'
               "decimal digits of N</text>")
    for (name, digits), colour, dash in zip(references, (c["sand"], c["atoms"]), ("2 4", "8 5")):
        y = sy(digits)
        out.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + plot_w}" y2="{y:.1f}" stroke="{colour}" '
                   f'stroke-width="1.5" stroke-dasharray="{dash}"/>'
                   f'<text x="{LEFT + plot_w + 6}" y="{y + 4:.1f}" fill="{colour}">{escape(name)}</text>')
    path = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in curve)
    out.append(f'<polyline points="{path}" fill="none" stroke="{c["curve"]}" stroke-width="2.5">'
               f"<title>{escape(curve_name)}</title></polyline>"
               f'<text x="{sx(curve[-1][0]) + 6:.1f}" y="{sy(curve[-1][1]) + 4:.1f}" fill="{c["curve"]}">'
               f"{escape(curve_name)}</text>")
    placed: list[tuple[float, float]] = []  # label anchors so far: a label too close to one moves up a line
    for p in sorted(presets, key=lambda p: -p.digits):
        x, y = sx(p.pixels), sy(p.digits)
        candidates = (y - 7 + k * LABEL_LINE * side for k in range(8) for side in (-1, 1))  # above, below, ...
        label_y = next(ly for ly in candidates if not any(
            abs(ly - py) < LABEL_LINE and abs(x - px) < LABEL_WIDTH for px, py in placed))
        placed.append((x, label_y))
        out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" fill="{c["preset"]}"><title>{escape(p.label)}: '
                   f"{p.digits:,} digits</title></circle>"
                   f'<text x="{x - 7:.1f}" y="{label_y:.1f}" text-anchor="end" font-size="11">{escape(p.label)}</text>')
    x, y = sx(you.pixels), sy(you.digits)
    star = " ".join(f"{x + r * math.sin(i * math.pi / 5):.1f},{y - r * math.cos(i * math.pi / 5):.1f}"
                    for i, r in zip(range(10), [10, 4] * 5))
    out.append(f'<polygon points="{star}" fill="{c["you"]}"><title>{escape(you.label)}: {you.digits:,} digits'
               f'</title></polygon><text x="{x + 12:.1f}" y="{y + 16:.1f}" fill="{c["you"]}" font-weight="bold">'
               f"{escape(you.label)}</text>")
    out.append("</svg>")
    return "".join(out)
