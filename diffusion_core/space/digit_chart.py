"""The "digits against pixels" chart, drawn with :mod:`diffusion_core.svg_chart`: log-log axes, the format's curve,
sand, atoms, the presets, and the reader's own format as a star.

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
import re
from dataclasses import dataclass

from diffusion_core.access.palette import ACCENT, GREEN, ORANGE, RED, TEXT
from diffusion_core.svg_chart import AXIS_TITLE_ROOM, FONT_SIZE, MARGIN_LEFT, MARGIN_TOP, Axis, Chart, Panel, power_of_ten

WIDTH, HEIGHT = 760, 420
PHONE_WIDTH, PHONE_HEIGHT = 400, 440  # a phone's version: ~360 px of screen shows its 13 px text at about 12 px
LEFT, TOP = MARGIN_LEFT + AXIS_TITLE_ROOM, MARGIN_TOP  # the plot area begins no nearer the corner than this
RIGHT = WIDTH - 26  # where the plot area ends (svg_chart's right margin)
LABEL_GAP = 7  # px between a mark and the end of its label (svg_chart's "left" labels)
CHAR_PX = 0.62 * (FONT_SIZE - 2)  # a generous width of one character of a mark's label (Source Sans at 11 px: ~0.5 em)
REFERENCES = (("grains of sand, 10¹⁹ (20 digits)", 20), ("atoms, 10⁸⁰ (81 digits)", 81))
COLOURS = {"curve": ACCENT, "sand": ORANGE, "atoms": GREEN, "preset": TEXT, "you": RED}

__all__ = ["CHAR_PX", "HEIGHT", "LABEL_GAP", "LEFT", "PHONE_HEIGHT", "PHONE_WIDTH", "TOP", "WIDTH", "ChartPoint",
           "digit_chart_svg", "power_of_ten"]


@dataclass(frozen=True)
class ChartPoint:
    """A labelled point: ``pixels`` (W x H) and the exact digit count of its format's image count."""

    label: str
    pixels: int
    digits: int


def _decades(first: int, last: int, most: int) -> tuple[list[float], list[str]]:
    """Ticks at every k-th power of ten from 10^first to 10^last, at most about ``most`` of them, with their labels."""
    powers = range(first, last + 1, max(1, math.ceil((last - first) / most)))
    return [10.0**k for k in powers], [power_of_ten(k) for k in powers]


def _fitting_label(label: str, x: float) -> str | None:
    """``label`` if, written left of a mark at ``x`` px, it ends inside the plot; None when it would reach past the
    plot's left edge into the axis's tick labels ("28 x 28 MNIST digit" sat on the 10³ tick): it then goes below right
    of its mark, where the rising curve leaves room."""
    return label if x - LABEL_GAP - CHAR_PX * len(label) >= LEFT else None


def _joined(points: list[ChartPoint]) -> str:
    """The labels of marks at one pixel count as one: "100 x 100 grayscale, RGB" (their shared size said once)."""
    size = re.match(r"^\d+ x \d+ ", points[0].label)
    rest = [p.label[size.end():] if size and p.label.startswith(size.group()) else p.label for p in points[1:]]
    return ", ".join([points[0].label, *rest])


def digit_chart_svg(curve: list[tuple[int, int]], presets: list[ChartPoint], you: ChartPoint, curve_name: str,
                    references: tuple[tuple[str, int], ...] = REFERENCES, *, width: int = WIDTH,
                    height: int = HEIGHT) -> str:
    """The chart as an SVG document (a string), ``width`` x ``height`` px (``PHONE_WIDTH``, ``PHONE_HEIGHT``: a
    narrow one whose text stays readable on a phone). ``curve`` is (pixels, digits) for the reader's colour model and
    bit depth, increasing in pixels; ``references`` are horizontal lines at a digit count. Raises ValueError for
    an empty curve or a count below 1 (log axes)."""
    points = [*curve, *((p.pixels, p.digits) for p in (*presets, you))]
    if not curve or min(min(x, y) for x, y in points) < 1:
        raise ValueError("the chart needs a non-empty curve and counts of at least 1")
    x_lo = math.floor(math.log10(min(x for x, _ in points)))
    x_hi = max(math.ceil(math.log10(max(x for x, _ in points))), x_lo + 1)
    y_hi = max(math.ceil(math.log10(max(y for _, y in points))), math.ceil(math.log10(max(d for _, d in references))), 1)
    right = width - (WIDTH - RIGHT)
    panel = Panel(Axis(10.0**x_lo, 10.0**x_hi, *_decades(x_lo, x_hi, 10 * (right - LEFT) // (RIGHT - LEFT)),
                       title="pixels (W × H)", log=True, grid=True),
                  Axis(1.0, 10.0**y_hi, *_decades(0, y_hi, 8), title="decimal digits of N", log=True, grid=True))
    for (name, digits), colour, dash in zip(references, (COLOURS["sand"], COLOURS["atoms"]), ("2 4", "8 5")):
        panel.hline(digits, colour, name=name, dash=dash)
    panel.line([x for x, _ in curve], [y for _, y in curve], COLOURS["curve"], width=2.5, name=curve_name,
               title=curve_name)
    def x_px(pixels: int) -> float:
        return LEFT + (math.log10(pixels) - x_lo) / (x_hi - x_lo) * (right - LEFT)

    fitted = [_fitting_label(p.label, x_px(p.pixels)) for p in presets]
    left = [(p, label) for p, label in zip(presets, fitted) if label is not None]
    # Below right of its mark; not where the reader's star stands and writes its own label ("your setting")
    below = [p for p, label in zip(presets, fitted) if label is None and (p.pixels, p.digits) != (you.pixels, you.digits)]
    panel.marks([p.pixels for p, _ in left], [p.digits for p, _ in left], COLOURS["preset"],
                [f"{p.label}: {p.digits:,} digits" for p, _ in left], labels=[label for _, label in left])
    # Marks at one pixel count (100 x 100 grey and RGB) share one label at the lowest, or their labels would overlap
    groups: dict[int, list[ChartPoint]] = {}
    for p in sorted(below, key=lambda p: p.digits):
        groups.setdefault(p.pixels, []).append(p)
    lowest = [group[0] for group in groups.values()]
    panel.marks([p.pixels for p in lowest], [p.digits for p in lowest], COLOURS["preset"],
                [f"{p.label}: {p.digits:,} digits" for p in lowest], labels=[_joined(g) for g in groups.values()],
                label_side="below right")
    unlabelled = [p for p, label in zip(presets, fitted) if label is None and p not in lowest]
    panel.marks([p.pixels for p in unlabelled], [p.digits for p in unlabelled], COLOURS["preset"],
                [f"{p.label}: {p.digits:,} digits" for p in unlabelled])
    # The star on a mark whose label had to go below right: the star's label names that preset
    under = [p.label for p, label in zip(presets, fitted) if label is None and (p.pixels, p.digits) == (you.pixels,
                                                                                                         you.digits)]
    you_label = ", ".join([you.label, *under])
    panel.marks([you.pixels], [you.digits], COLOURS["you"], [f"{you.label}: {you.digits:,} digits"], labels=[you_label],
                shape="star", size=20, label_side="below right", bold=True)
    description = f"Decimal digits of the number of images against pixels, log-log: {curve_name}"
    return Chart(width, height, [panel], legend="bottom", description=description).svg()
