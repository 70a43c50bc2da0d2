"""The field at one t as still pictures (Pillow): heat maps with arrows, drawn on the server, one PNG per panel.

Moving t redraws the field. As a Plotly figure of three heat maps and ~600 arrows that took the browser most of
a second on a busy 2-core machine; a PNG the browser only decodes. The Plotly figure
(:func:`diffusion_core.toy2d.plots.field_figure`) stays one toggle away for zooming and hovering. The arrows
are the same ones, at the same shared scale (:func:`diffusion_core.toy2d.plots.arrow_scale`); lines are drawn at
twice the size and shrunk, which smooths their edges.

Pictures are (H, W, 3) uint8; the square [-LIMIT, LIMIT]^2 fills the panel right of and above its tick labels.
They are sent as JPEG (quality 90, no chroma subsampling): ~50 KB and 1 ms a panel, where PNG took ~140 KB and
~30 ms for the smooth gradients of the heat maps; the arrows stay crisp at that quality.
"""

from __future__ import annotations

import functools
import io

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from diffusion_core.access.palette import MUTED
from diffusion_core.access.palette import rgb_of as _rgb
from diffusion_core.toy2d.datasets import LIMIT
from diffusion_core.toy2d.frames import FieldFrame
from diffusion_core.toy2d.plots import (
    BG,
    DENSITY_SCALE,
    ERROR_SCALE,
    EXACT,
    LEARNED,
    TEXT,
    arrow_paths,
    arrow_scale,
)

PANEL = 360  # the square's side in the picture, pixels
MARGIN = 24  # room for the tick labels, left and below
SUPER = 2  # arrows are drawn this many times larger, then shrunk


def colour_table(stops: list[list]) -> np.ndarray:
    """A Plotly-style colour scale ([[position, "#rrggbb"], …]) as 256 RGB entries, (256, 3) uint8."""
    pos = np.array([s[0] for s in stops], dtype=np.float64)
    rgb = np.array([_rgb(s[1]) for s in stops], dtype=np.float64)
    u = np.linspace(0, 1, 256)
    return np.stack([np.interp(u, pos, rgb[:, c]) for c in range(3)], axis=1).round().astype(np.uint8)


DENSITY_LUT = colour_table(DENSITY_SCALE)
ERROR_LUT = colour_table(ERROR_SCALE)


def heat(z: np.ndarray, lut: np.ndarray, size: int = PANEL) -> np.ndarray:
    """A heat map z (n, n) in [0, 1], row i at y = axis[i] (bottom row first), as a (size, size, 3) picture, top up."""
    img = Image.fromarray(np.asarray(z, dtype=np.float32)[::-1]).resize((size, size), Image.Resampling.BILINEAR)
    return lut[np.clip(np.asarray(img) * 255, 0, 255).astype(np.uint8)]


def _to_px(x: np.ndarray, y: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    return (x + LIMIT) / (2 * LIMIT) * size, (LIMIT - y) / (2 * LIMIT) * size


def arrow_mask(tails: np.ndarray, vectors: np.ndarray, scale: float, width: float = 1.6) -> Image.Image:
    """How much of each pixel the arrows cover: a (PANEL, PANEL) one-channel picture, 0 (none) to 255 (all).

    Drawn SUPER times larger, then averaged down: antialiased lines for the price of a box filter, ~10x cheaper
    than enlarging and shrinking the coloured picture.
    """
    big = Image.new("L", (PANEL * SUPER, PANEL * SUPER), 0)
    pen = ImageDraw.Draw(big)
    x, y = arrow_paths(tails, vectors, scale)
    px, py = _to_px(x.astype(np.float64), y.astype(np.float64), PANEL * SUPER)
    pts = np.stack([px, py], axis=1).reshape(-1, 7, 2)  # tail, tip, gap, left, tip, right, gap
    w = max(1, round(width * SUPER))
    for a in pts:
        pen.line([tuple(a[0]), tuple(a[1])], fill=255, width=w)
        pen.line([tuple(a[3]), tuple(a[4]), tuple(a[5])], fill=255, width=w)
    return big.reduce(SUPER)


def draw_arrows(picture: np.ndarray, tails: np.ndarray, vectors: np.ndarray, scale: float, colour: str,
                width: float = 1.6) -> np.ndarray:
    """``picture`` (PANEL, PANEL, 3) with one arrow per tail (shaft and two-stroke head) painted over it."""
    ink = Image.new("RGB", (PANEL, PANEL), _rgb(colour))
    return np.asarray(Image.composite(ink, Image.fromarray(picture), arrow_mask(tails, vectors, scale, width)))


def _with_ticks(panel: np.ndarray) -> np.ndarray:
    """The panel with ticks and labels at -2, 0 and 2 on both axes (the margin is drawn once, then copied)."""
    out = _tick_frame().copy()
    out[:PANEL, MARGIN:] = panel
    return out


@functools.cache
def _tick_frame() -> np.ndarray:
    """An empty panel's margin with its ticks and labels, (PANEL + MARGIN, PANEL + MARGIN, 3) uint8 (read-only)."""
    out = Image.new("RGB", (PANEL + MARGIN, PANEL + MARGIN), _rgb(BG))
    pen = ImageDraw.Draw(out)
    font = ImageFont.load_default(11)
    grey = _rgb(MUTED)
    for v in (-2, 0, 2):
        px, py = _to_px(np.array([v]), np.array([v]), PANEL)
        x, y = MARGIN + float(px[0]), float(py[0])
        pen.line([(x, PANEL), (x, PANEL + 4)], fill=grey)
        pen.text((x, PANEL + 6), f"{v:d}", fill=_rgb(TEXT), font=font, anchor="mt")
        pen.line([(MARGIN - 4, y), (MARGIN, y)], fill=grey)
        pen.text((MARGIN - 6, y), f"{v:d}", fill=_rgb(TEXT), font=font, anchor="rm")
    frame = np.asarray(out).copy()
    frame.setflags(write=False)
    return frame


def field_pictures(frame: FieldFrame, overlay: bool = False) -> list[tuple[str, np.ndarray]]:
    """(caption, picture) per panel, the panels of :func:`diffusion_core.toy2d.plots.field_figure`."""
    scale = arrow_scale(frame)
    density = heat(np.sqrt(frame.density / max(frame.density.max(), 1e-300)), DENSITY_LUT)
    exact = draw_arrows(density, frame.arrow_at, -frame.exact_eps, scale, EXACT, width=1.2)
    if frame.learned_eps is None:
        return [("exact direction −ε* over p_t", _with_ticks(exact))]
    if overlay:
        panels = [("learned (orange) over exact (white), over p_t",
                   draw_arrows(exact, frame.arrow_at, -frame.learned_eps, scale, LEARNED))]
    else:
        panels = [("learned direction −ε̂ over p_t", draw_arrows(density, frame.arrow_at, -frame.learned_eps, scale,
                                                                LEARNED)),
                  ("exact direction −ε* over p_t", exact)]
    error = heat(np.sqrt(frame.error / max(frame.error.max(), 1e-300)), ERROR_LUT)
    panels.append(("where it is wrong: p_t ‖ε̂ − ε*‖²", error))
    return [(title, _with_ticks(p)) for title, p in panels]


FILM_SIDE = 288  # the film of the field over t: each panel shrunk to this side (20 frames of 3 panels: ~1 MB)
FILM_QUALITY = 80


def film_jpeg(picture: np.ndarray, side: int = FILM_SIDE, quality: int = FILM_QUALITY) -> bytes:
    """A field panel (H, W, 3) uint8 shrunk to ``side`` × ``side`` (Lanczos) as JPEG bytes, for the film of the field."""
    small = np.asarray(Image.fromarray(picture).resize((side, side), Image.Resampling.LANCZOS))
    return jpeg_bytes(small, quality)


def jpeg_bytes(picture: np.ndarray, quality: int = 90) -> bytes:
    """A picture (H, W, 3) uint8 as JPEG bytes (4:4:4: thin coloured lines keep their colour)."""
    buffer = io.BytesIO()
    Image.fromarray(picture).save(buffer, format="JPEG", quality=quality, subsampling=0)
    return buffer.getvalue()
