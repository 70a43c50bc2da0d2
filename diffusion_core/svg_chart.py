"""Small static charts as SVG documents: panels side by side, linear or log axes, lines, dots, filled shapes, bars.

Why not Plotly for every chart: in a browser each Plotly chart is built by Plotly's JavaScript, and on the 2-D
page its seven charts were most of the page's opening time (``bench/bench_page_open.py --pages direction``:
1.8 s on a warm server, of which the server's own run was 0.16 s; a CPU profile of the browser put 0.7 s in
Plotly's own code, plus the style and layout work it triggers). A chart that needs no zoom, hover or click is
the same picture as a few kilobytes of SVG, which the browser draws as one image. Charts a reader interacts with
(zoom on the field, clicking to add points) stay Plotly.

Usage: make :class:`Panel` objects (each with its two :class:`Axis`), draw into them in data coordinates, then
``Chart(width, height, panels).svg()``. Everything a series is named after appears once in a legend. Data
coordinates become screen coordinates rounded to 0.1 px, so a chart of 2,000 dots stays around 40 kB. Marks that
carry their own ``<title>`` (a tooltip: a titled line, labelled :meth:`Panel.marks`) are each their own element,
drawn above the plot area's clip so that their labels may reach into the margins.

Any data draws: NaN and ±inf are left out of every mark (a line breaks there), an axis over empty, constant or
non-finite data gets a sensible range from :func:`data_span` or :func:`log_range`, and a panel with nothing
defined to draw can say why with :meth:`Panel.note`. A reader's one-colour upload has a correlation that is NaN
everywhere; it must give a chart that says so, not an error.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html import escape

import numpy as np

from diffusion_core.access.palette import BACKGROUND, GRID, TEXT

SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
FONT = 'font-family="Source Sans Pro, Source Sans 3, Helvetica, Arial, sans-serif"'
BG = BACKGROUND
FONT_SIZE, TITLE_SIZE = 13, 14
LEGEND_ROW, TITLE_ROW, PANEL_GAP = 22, 22, 60  # the gap holds the next panel's y tick labels
MARGIN_LEFT, AXIS_TITLE_ROOM, MARGIN_TOP = 48, 20, 10  # where the first plot area begins (with a y-axis title: +20)
LABEL_LINE, LABEL_WIDTH = 13, 110  # px: a mark's label moves a line away when another label is this close


def power_of_ten(k: int) -> str:
    """``10`` with ``k`` as a superscript, e.g. 10⁶."""
    return "10" + str(k).translate(SUPERSCRIPT)


def log_ticks(lo: float, hi: float) -> tuple[list[float], list[str]]:
    """Ticks for a log axis over [lo, hi] (both > 0): every power of ten, and 2· and 5· between them when the
    range spans fewer than two decades."""
    first, last = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
    values, labels = [], []
    for k in range(first, last + 1):
        for m in (1, 2, 5) if last - first < 2 else (1,):
            v = m * 10.0**k
            if lo * (1 - 1e-9) <= v <= hi * (1 + 1e-9):
                values.append(v)
                labels.append(power_of_ten(k) if m == 1 else f"{m}·{power_of_ten(k)}")
    return values, labels


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """About ``count`` round ticks (1, 2 or 5 times a power of ten apart) inside [lo, hi]; just [lo] when the
    range is empty, not finite, or too narrow for its magnitude to be told apart in float64."""
    raw = (hi - lo) / max(count, 1)
    if not (math.isfinite(lo) and math.isfinite(hi) and math.isfinite(raw) and raw > 0):
        return [lo] if math.isfinite(lo) else []
    step = 10.0 ** math.floor(math.log10(raw))
    multiple = next((m for m in (1, 2, 5, 10) if raw <= m * step), None)
    if multiple is None:  # a subnormal range: its power of ten rounds away in float64
        return [lo, hi]
    step *= multiple
    start, stop = math.ceil(lo / step - 1e-9), math.floor(hi / step + 1e-9)
    if not 0 <= stop - start <= 10 * count:  # rounding at ~1e16 relative: the ticks would not be distinct
        return [lo, hi]
    return [k * step for k in range(start, stop + 1)]


LARGEST = 1e300  # values are clipped to ±LARGEST before an axis is made, so its width stays a finite float


def finite(*arrays) -> np.ndarray:
    """All finite values of the arrays (any shapes), flattened into one float64 array, clipped to ±LARGEST."""
    flat = [np.asarray(a, dtype=np.float64).ravel() for a in arrays]
    v = np.concatenate(flat) if flat else np.empty(0)
    return np.clip(v[np.isfinite(v)], -LARGEST, LARGEST)


def data_span(*arrays, pad: float = 0.05, empty: tuple[float, float] = (0.0, 1.0)) -> tuple[float, float]:
    """[lo, hi] of the finite values of the arrays with ``pad`` of the range on each side, always lo < hi: a
    constant gets ±max(1, 5% of its size) around it, no finite value at all gives ``empty``."""
    v = finite(*arrays)
    if v.size == 0:
        return empty
    lo, hi = float(v.min()), float(v.max())
    room = pad * (hi - lo) if hi > lo else max(1.0, 0.05 * abs(lo))
    return lo - room, hi + room


def log_range(values: np.ndarray) -> tuple[float, float]:
    """[lo, hi] covering every positive finite value, widened to whole powers of ten (for a log axis); (0.1, 1)
    when there is none. Powers stay within 10^±300."""
    v = finite(values)
    v = v[v > 0]
    if v.size == 0:
        return 0.1, 1.0
    first = max(-300, math.floor(math.log10(max(float(v.min()), 1e-300))))
    last = min(300, math.ceil(math.log10(float(v.max()))))
    return 10.0**first, 10.0 ** max(last, first + 1)


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class Axis:
    """One axis: its range, scale, ticks (values and their labels), title, and whether grid lines cross the panel."""

    lo: float
    hi: float
    ticks: Sequence[float] = ()
    labels: Sequence[str] | None = None  # None: the tick values as written by f"{value:g}"
    title: str = ""
    log: bool = False
    grid: bool = False

    def __post_init__(self) -> None:
        finite_range = math.isfinite(self.lo) and math.isfinite(self.hi) and math.isfinite(self.hi - self.lo)
        if not (finite_range and self.hi > self.lo) or (self.log and self.lo <= 0):
            raise ValueError(f"an axis needs finite lo < hi (and lo > 0 on a log scale), got {self.lo}, {self.hi}; "
                             "make ranges from data with data_span or log_range")

    def fraction(self, values: np.ndarray) -> np.ndarray:
        """Where ``values`` lie along the axis, 0 at ``lo`` and 1 at ``hi`` (NaN stays NaN; a value too far off
        the axis to matter is pinned at ±1e6 widths, so screen coordinates stay finite floats)."""
        v = np.asarray(values, dtype=np.float64)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            if self.log:
                f = (np.log10(v) - math.log10(self.lo)) / (math.log10(self.hi) - math.log10(self.lo))
            else:
                f = (v - self.lo) / (self.hi - self.lo)
        return np.where(np.isfinite(f), np.clip(f, -1e6, 1e6), f)

    def tick_labels(self) -> list[str]:
        return list(self.labels) if self.labels is not None else [f"{t:g}" for t in self.ticks]


@dataclass(frozen=True)
class _Series:
    """One thing drawn in a panel: its legend entry (kind, name, colour, dash) and how to draw it on a canvas."""

    kind: str  # "line", "dots", "rings", "fill", "bars", "marks", "note" (the last two: never in a legend)
    name: str | None
    colour: str
    draw: Callable  # (_Box) -> SVG markup
    dash: str | None = None
    clipped: bool = True  # drawn inside the plot area's clip; False: above it, each mark its own element


@dataclass
class Panel:
    """A plot area with two axes; ``square`` keeps one unit the same length on both (a map of the plane)."""

    x: Axis
    y: Axis
    title: str = ""
    square: bool = False
    series: list[_Series] = field(default_factory=list)

    def line(self, x, y, colour: str, width: float = 1.5, name: str | None = None, dash: str | None = None,
             opacity: float = 1.0, title: str | None = None) -> None:
        """A polyline through (x, y); a NaN or infinity in either breaks it (many paths in one series).

        With a ``title`` (a tooltip), one ``<polyline>`` through the finite points carries it, above the clip."""
        if title is not None:
            def titled(box):
                px, py = box.points(self, x, y)
                keep = np.isfinite(px) & np.isfinite(py)
                points = " ".join(f"{_num(a)},{_num(b)}" for a, b in zip(px[keep], py[keep]))
                style = f' stroke-dasharray="{dash}"' if dash else ""
                return (f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="{width}" '
                        f'stroke-opacity="{opacity}" stroke-linejoin="round"{style}><title>{escape(title)}</title></polyline>')
            self.series.append(_Series("line", name, colour, titled, dash, clipped=False))
            return

        def draw(box):
            px, py = box.points(self, x, y)
            d, pen = [], "M"
            for a, b in zip(px, py):
                if not (math.isfinite(a) and math.isfinite(b)):
                    pen = "M"
                    continue
                d.append(f"{pen}{_num(a)} {_num(b)}")
                pen = "L"
            style = f' stroke-dasharray="{dash}"' if dash else ""
            return (f'<path d="{"".join(d)}" fill="none" stroke="{colour}" stroke-width="{width}" '
                    f'stroke-opacity="{opacity}" stroke-linejoin="round"{style}/>')
        self.series.append(_Series("line", name, colour, draw, dash))

    def vline(self, x: float, colour: str, width: float = 1.5, name: str | None = None, dash: str | None = None) -> None:
        """A vertical line across the whole panel at ``x``."""
        self.line([x, x], [self.y.lo, self.y.hi], colour, width=width, name=name, dash=dash)

    def hline(self, y: float, colour: str, width: float = 1.5, name: str | None = None, dash: str | None = None) -> None:
        """A horizontal line across the whole panel at ``y``."""
        self.line([self.x.lo, self.x.hi], [y, y], colour, width=width, name=name, dash=dash)

    def marks(self, x, y, colour: str, titles: Sequence[str], labels: Sequence[str] | None = None,
              shape: str = "circle", size: float = 9.0, label_side: str = "left", bold: bool = False) -> None:
        """A mark at every (x, y), each its own element with its ``titles`` entry as tooltip, and optionally its
        ``labels`` entry written beside it: ``label_side`` "left" (moved a line up or down, highest point first,
        while it would overlap another mark's label of this panel) or "below right". ``shape``: "circle" or "star"
        (``size``: its diameter in px). Drawn above the clip: a label may reach into the margin."""
        def draw(box):
            px, py = box.points(self, x, y)
            placed = box.labels.setdefault(id(self), [])
            parts = []
            order = sorted(range(len(px)), key=lambda i: py[i] if math.isfinite(py[i]) else math.inf)
            for i in order:
                a, b = float(px[i]), float(py[i])
                if not (math.isfinite(a) and math.isfinite(b)):
                    continue
                tip = f"<title>{escape(titles[i])}</title>"
                if shape == "star":
                    corners = " ".join(f"{_num(a + r * math.sin(k * math.pi / 5))},{_num(b - r * math.cos(k * math.pi / 5))}"
                                       for k, r in zip(range(10), [size / 2, size / 5] * 5))
                    parts.append(f'<polygon points="{corners}" fill="{colour}">{tip}</polygon>')
                else:
                    parts.append(f'<circle cx="{_num(a)}" cy="{_num(b)}" r="{size / 2}" fill="{colour}">{tip}</circle>')
                if labels is None:
                    continue
                weight = ' font-weight="bold"' if bold else ""
                if label_side == "left":
                    tries = (b - 7 + k * LABEL_LINE * side for k in range(8) for side in (-1, 1))  # above, below, …
                    ly = next(t for t in tries if not any(abs(t - qy) < LABEL_LINE and abs(a - qx) < LABEL_WIDTH
                                                          for qx, qy in placed))
                    placed.append((a, ly))
                    parts.append(f'<text x="{_num(a - 7)}" y="{_num(ly)}" text-anchor="end" fill="{TEXT}" '
                                 f'font-size="{FONT_SIZE - 2}"{weight}>{escape(labels[i])}</text>')
                else:
                    parts.append(f'<text x="{_num(a + size * 0.6)}" y="{_num(b + size * 0.8)}" fill="{colour}"'
                                 f'{weight}>{escape(labels[i])}</text>')
            return "".join(parts)
        self.series.append(_Series("marks", None, colour, draw, clipped=False))

    def dots(self, x, y, colour: str, size: float = 3.5, name: str | None = None, opacity: float = 1.0,
             ring: bool = False) -> None:
        """A dot of diameter ``size`` px at every (x, y); ``ring``: an open circle (outline only)."""
        def draw(box):
            px, py = box.points(self, x, y)
            keep = np.isfinite(px) & np.isfinite(py)
            if ring:
                circles = "".join(f'<circle cx="{_num(a)}" cy="{_num(b)}" r="{size / 2}"/>' for a, b in zip(px[keep], py[keep]))
                return f'<g fill="none" stroke="{colour}" stroke-width="1.6">{circles}</g>'
            # a zero-length stroke with round caps is a dot: one path for all of them keeps the document small
            d = "".join(f"M{_num(a)} {_num(b)}h0" for a, b in zip(px[keep], py[keep]))
            return (f'<path d="{d}" stroke="{colour}" stroke-width="{size}" stroke-linecap="round" '
                    f'stroke-opacity="{opacity}"/>')
        self.series.append(_Series("rings" if ring else "dots", name, colour, draw))

    def fill(self, x, y, colour: str, outline: str, name: str | None = None, opacity: float = 0.18) -> None:
        """Closed shapes through (x, y), NaN between shapes; filled with ``colour`` at ``opacity``, edged ``outline``."""
        def draw(box):
            px, py = box.points(self, x, y)
            d, pen = [], "M"
            for a, b in zip(px, py):
                if not (math.isfinite(a) and math.isfinite(b)):
                    if pen == "L":
                        d.append("Z")
                    pen = "M"
                    continue
                d.append(f"{pen}{_num(a)} {_num(b)}")
                pen = "L"
            if pen == "L":
                d.append("Z")
            return f'<path d="{"".join(d)}" fill="{colour}" fill-opacity="{opacity}" stroke="{outline}" stroke-width="1"/>'
        self.series.append(_Series("fill", name, outline, draw))

    def band(self, lo: float, hi: float, colour: str, name: str | None = None, across: str = "x",
             opacity: float = 0.22) -> None:
        """A shaded strip from ``lo`` to ``hi`` along the x axis (``across="x"``: a vertical strip) or the y axis."""
        def draw(box):
            if across == "x":
                (x0, x1), (y0, y1) = box.points(self, [lo, hi], [self.y.hi, self.y.lo])
            else:
                (x0, x1), (y1, y0) = box.points(self, [self.x.lo, self.x.hi], [lo, hi])
            if not all(map(math.isfinite, (x0, x1, y0, y1))):
                return ""
            x0, x1 = min(x0, x1), max(x0, x1)
            return (f'<rect x="{_num(x0)}" y="{_num(y0)}" width="{_num(x1 - x0)}" height="{_num(y1 - y0)}" '
                    f'fill="{colour}" fill-opacity="{opacity}"/>')
        self.series.append(_Series("fill", name, colour, draw))

    def bars(self, x, heights, colour: str, width: float = 0.7, name: str | None = None,
             labels: Sequence[str] | None = None, opacity: float = 1.0) -> None:
        """Bars centred on ``x``, ``width`` in x units, from the bottom of the y axis; ``labels`` written above."""
        def draw(box):
            xs, hs = np.asarray(x, dtype=np.float64), np.asarray(heights, dtype=np.float64)
            left, _ = box.points(self, xs - width / 2, hs)
            right, top = box.points(self, xs + width / 2, hs)
            bottom = box.bottom(self)
            shown = [(a, b, t, text) for a, b, t, text in zip(left, right, top, labels or [None] * len(xs))
                     if math.isfinite(a) and math.isfinite(b) and math.isfinite(t)]
            parts = [f'<rect x="{_num(a)}" y="{_num(t)}" width="{_num(b - a)}" height="{_num(bottom - t)}"/>'
                     for a, b, t, _ in shown]
            for a, b, t, text in shown if labels else ():
                parts.append(f'<text x="{_num((a + b) / 2)}" y="{_num(t - 4)}" text-anchor="middle" fill="{TEXT}" '
                             f'font-size="{FONT_SIZE - 3}">{escape(text)}</text>')
            return f'<g fill="{colour}" fill-opacity="{opacity}">{"".join(parts)}</g>'
        self.series.append(_Series("bars", name, colour, draw))

    def note(self, text: str) -> None:
        """A sentence in the middle of the panel, e.g. why nothing is drawn there."""
        def draw(box):
            left, top, w, h = box.areas[id(self)]
            return (f'<text x="{_num(left + w / 2)}" y="{_num(top + h / 2)}" text-anchor="middle" fill="{TEXT}" '
                    f'font-size="{FONT_SIZE}">{escape(text)}</text>')
        self.series.append(_Series("note", None, TEXT, draw))


@dataclass(frozen=True)
class _Box:
    """Where each panel's plot area lies on the canvas: id(panel) -> (left, top, width, height) in px; and the
    labels placed so far in each panel, id(panel) -> [(x, y)]."""

    areas: dict
    labels: dict = field(default_factory=dict)

    def points(self, panel: Panel, x, y) -> tuple[np.ndarray, np.ndarray]:
        left, top, w, h = self.areas[id(panel)]
        return left + panel.x.fraction(x) * w, top + (1 - panel.y.fraction(y)) * h

    def bottom(self, panel: Panel) -> float:
        left, top, w, h = self.areas[id(panel)]
        return top + h


def _entry_width(name: str) -> float:
    """Room for one legend entry: its swatch and (an estimate of) its text at the legend's font size."""
    return 24 + 7.0 * len(name) + 18


@dataclass
class Chart:
    """Panels side by side on a ``width`` x ``height`` px canvas, with one legend (above or below, in as many rows
    as its entries need) and a ``description`` for screen readers (the sentence the page also gives as alt text)."""

    width: int
    height: int
    panels: list[Panel]
    legend: str | None = None  # "top", "bottom" or None
    description: str = ""

    def _legend_rows(self) -> list[list[_Series]]:
        entries: dict[str, _Series] = {}
        for panel in self.panels:
            for series in panel.series:
                if series.name and series.name not in entries:
                    entries[series.name] = series
        rows, used = [[]], 0.0
        for series in entries.values() if self.legend else ():
            if rows[-1] and used + _entry_width(series.name) > self.width - 60:
                rows.append([])
                used = 0.0
            rows[-1].append(series)
            used += _entry_width(series.name)
        return [row for row in rows if row]

    def _areas(self, legend_rows: int) -> dict:
        titled = any(p.title for p in self.panels)
        legend_h = LEGEND_ROW * legend_rows
        top = MARGIN_TOP + (TITLE_ROW if titled else 0) + (legend_h if self.legend == "top" else 0)
        bottom = 24 + (20 if any(p.x.title for p in self.panels) else 0) + (legend_h if self.legend == "bottom" else 0)
        left, right = MARGIN_LEFT + (AXIS_TITLE_ROOM if any(p.y.title for p in self.panels) else 0), 26
        n = len(self.panels)
        cell_w = (self.width - left - right - PANEL_GAP * (n - 1)) / n
        cell_h = self.height - top - bottom
        if cell_w <= 0 or cell_h <= 0:
            raise ValueError(f"a {self.width} x {self.height} px chart has no room for {n} panel(s)")
        areas = {}
        for i, panel in enumerate(self.panels):
            x0, w, h = left + i * (cell_w + PANEL_GAP), cell_w, cell_h
            if panel.square:
                unit = min(cell_w / (panel.x.hi - panel.x.lo), cell_h / (panel.y.hi - panel.y.lo))
                w, h = unit * (panel.x.hi - panel.x.lo), unit * (panel.y.hi - panel.y.lo)
                x0 += (cell_w - w) / 2
            areas[id(panel)] = (x0, top, w, h)
        return areas

    def svg(self) -> str:
        """The chart as a standalone SVG document (a string)."""
        rows = self._legend_rows()
        box = _Box(self._areas(len(rows)))
        out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {self.width} {self.height}" width="{self.width}" '
               f'height="{self.height}" {FONT} font-size="{FONT_SIZE}" role="img">',
               f"<title>{escape(self.description)}</title>" if self.description else "",
               f'<rect width="100%" height="100%" fill="{BG}"/>']
        for i, panel in enumerate(self.panels):
            left, top, w, h = box.areas[id(panel)]
            out.append(self._axes(panel, left, top, w, h))
            out.append(f'<clipPath id="p{i}"><rect x="{_num(left)}" y="{_num(top)}" width="{_num(w)}" '
                       f'height="{_num(h)}"/></clipPath><g clip-path="url(#p{i})">')
            out.extend(series.draw(box) for series in panel.series if series.clipped)
            out.append("</g>")
            out.extend(series.draw(box) for series in panel.series if not series.clipped)
            if panel.title:
                out.append(f'<text x="{_num(left + w / 2)}" y="{_num(top - 8)}" text-anchor="middle" fill="{TEXT}" '
                           f'font-size="{TITLE_SIZE}">{escape(panel.title)}</text>')
        if rows:
            out.append(self._legend(rows, box))
        out.append("</svg>")
        return "".join(out)

    def _axes(self, panel: Panel, left: float, top: float, w: float, h: float) -> str:
        parts = [f'<rect x="{_num(left)}" y="{_num(top)}" width="{_num(w)}" height="{_num(h)}" fill="none" '
                 f'stroke="{GRID}"/>']
        for value, label in zip(panel.x.ticks, panel.x.tick_labels()):
            px = left + float(panel.x.fraction([value])[0]) * w
            if panel.x.grid:
                parts.append(f'<line x1="{_num(px)}" y1="{_num(top)}" x2="{_num(px)}" y2="{_num(top + h)}" stroke="{GRID}"/>')
            parts.append(f'<text x="{_num(px)}" y="{_num(top + h + 16)}" text-anchor="middle" fill="{TEXT}">'
                         f'{escape(label)}</text>')
        for value, label in zip(panel.y.ticks, panel.y.tick_labels()):
            py = top + (1 - float(panel.y.fraction([value])[0])) * h
            if panel.y.grid:
                parts.append(f'<line x1="{_num(left)}" y1="{_num(py)}" x2="{_num(left + w)}" y2="{_num(py)}" stroke="{GRID}"/>')
            parts.append(f'<text x="{_num(left - 6)}" y="{_num(py + 4)}" text-anchor="end" fill="{TEXT}">'
                         f'{escape(label)}</text>')
        if panel.x.title:
            parts.append(f'<text x="{_num(left + w / 2)}" y="{_num(top + h + 36)}" text-anchor="middle" fill="{TEXT}">'
                         f'{escape(panel.x.title)}</text>')
        if panel.y.title:
            cy = top + h / 2
            parts.append(f'<text x="16" y="{_num(cy)}" text-anchor="middle" fill="{TEXT}" '
                         f'transform="rotate(-90 16 {_num(cy)})">{escape(panel.y.title)}</text>')
        return "".join(parts)

    def _legend(self, rows: list[list[_Series]], box: _Box) -> str:
        left, top, _, h = box.areas[id(self.panels[0])]
        if self.legend == "top":
            first = top - (TITLE_ROW if any(p.title for p in self.panels) else 0) - LEGEND_ROW * (len(rows) - 1) - 8
        else:
            first = self.height - 8 - LEGEND_ROW * (len(rows) - 1)
        parts = []
        for r, row in enumerate(rows):
            x, y = left, first + r * LEGEND_ROW
            for s in row:
                parts.append(_swatch(s, x, y - 4))
                parts.append(f'<text x="{_num(x + 24)}" y="{_num(y)}" fill="{TEXT}">{escape(s.name)}</text>')
                x += _entry_width(s.name)
        return "".join(parts)


def _swatch(s: _Series, x: float, mid: float) -> str:
    """A legend entry's little picture of its series, 18 px wide, centred on height ``mid``."""
    if s.kind == "line":
        dash = f' stroke-dasharray="{s.dash}"' if s.dash else ""
        return (f'<line x1="{_num(x)}" y1="{_num(mid)}" x2="{_num(x + 18)}" y2="{_num(mid)}" stroke="{s.colour}" '
                f'stroke-width="2"{dash}/>')
    if s.kind in ("dots", "rings"):
        return (f'<circle cx="{_num(x + 9)}" cy="{_num(mid)}" r="4" fill="{"none" if s.kind == "rings" else s.colour}" '
                f'stroke="{s.colour}"/>')
    return (f'<rect x="{_num(x + 2)}" y="{_num(mid - 5)}" width="14" height="10" fill="{s.colour}" fill-opacity="0.5" '
            f'stroke="{s.colour}"/>')
