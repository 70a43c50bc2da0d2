"""The walk through image space as a picture: sampling paths over the projected cloud of real images.

A still image (drawn with Pillow) rather than a chart: the cloud is drawn once per model, each run only
adds its paths, and the browser shows one PNG. On the live denoiser page this is ~0.6 s faster per new
run than re-creating a 3,000-point Plotly chart (measured in headless Chromium on 2 cores), which is
the difference between a prompt change feeling instant or not. The page keeps the interactive chart
one toggle away (``walk_figure``).

Coordinates are the 2-D PCA projection of ``shipped_data.Projection``; pixel positions are derived
from the cloud's extent, so paths that leave it are clipped at the frame.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
from PIL import Image, ImageDraw, ImageFont

from diffusion_core.access.palette import BACKGROUND as THEME_BACKGROUND
from diffusion_core.access.palette import CLASS_COLOURS, NO_CLASS_COLOUR, class_colour, rgb_of
from diffusion_core.access.palette import TEXT as THEME_TEXT

# One colour per class from the app's colour-blind-safe palette (diffusion_core.access.palette).
BACKGROUND = rgb_of(THEME_BACKGROUND)  # the app theme's background
TEXT = rgb_of(THEME_TEXT)
SUPERSAMPLE = 2  # drawn at twice the size, then reduced: smooth (antialiased) lines and dots
CLOUD_OPACITY = 0.45
LEGEND_WIDTH = 150
PAD = 0.06  # margin around the cloud, as a fraction of its extent


@dataclass(frozen=True)
class WalkCanvas:
    """The cloud drawn once, at SUPERSAMPLE x the shown size, with the map from PCA coordinates to pixels."""

    image: Image.Image  # RGB, (SUPERSAMPLE * height, SUPERSAMPLE * width)
    origin: np.ndarray  # (2,) PCA coordinates of the plot box's lower-left corner
    scale: np.ndarray  # (2,) pixels per PCA unit (the y scale is negative: up is +)
    box: tuple[int, int, int, int]  # plot box (left, top, right, bottom) in pixels

    def to_pixels(self, points: np.ndarray) -> np.ndarray:
        """(..., 2) PCA coordinates -> (..., 2) pixel positions on ``image``."""
        left, _, _, bottom = self.box
        return np.array([left, bottom]) + (np.asarray(points, dtype=np.float64) - self.origin) * self.scale


def _font(size: int) -> ImageFont.ImageFont:
    return ImageFont.load_default(size=size * SUPERSAMPLE)


def _dot(draw: ImageDraw.ImageDraw, xy: np.ndarray, radius: float, fill, outline=None, width: int = 0) -> None:
    x, y = xy
    draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=fill, outline=outline, width=width)


def _star(draw: ImageDraw.ImageDraw, xy: np.ndarray, radius: float) -> None:
    angles = np.pi / 2 + np.arange(10) * np.pi / 5
    radii = np.where(np.arange(10) % 2 == 0, radius, radius * 0.45)
    points = [(xy[0] + r * np.cos(a), xy[1] - r * np.sin(a)) for r, a in zip(radii, angles)]
    draw.polygon(points, fill=(255, 255, 255), outline=(0, 0, 0), width=SUPERSAMPLE)


def cloud_canvas(cloud: np.ndarray, cloud_labels: np.ndarray, class_names: list[str],
                 width: int = 760, height: int = 440, legend: bool = True) -> WalkCanvas:
    """Draw the projected training images (cloud (M, 2), cloud_labels (M,)) with axes names and, unless ``legend``
    is False (a page that writes the legend as text beside the picture, readable at any width), a legend."""
    s = SUPERSAMPLE
    image = Image.new("RGB", (width * s, height * s), BACKGROUND)
    draw = ImageDraw.Draw(image)
    box = (12 * s, 12 * s, (width - (LEGEND_WIDTH if legend else 12)) * s, (height - 30) * s)
    lo, hi = cloud.min(0), cloud.max(0)
    lo, hi = lo - PAD * (hi - lo), hi + PAD * (hi - lo)
    scale = np.array([(box[2] - box[0]) / (hi[0] - lo[0]), -(box[3] - box[1]) / (hi[1] - lo[1])])
    canvas = WalkCanvas(image, lo, scale, box)

    draw.rectangle(box, outline=(60, 66, 80), width=s)
    faded = [tuple(int(CLOUD_OPACITY * c + (1 - CLOUD_OPACITY) * b) for c, b in zip(colour, BACKGROUND))
             for colour in CLASS_COLOURS]
    for xy, label in zip(canvas.to_pixels(cloud), cloud_labels):
        _dot(draw, xy, 1.6 * s, fill=faded[int(label) % len(faded)])
    small = _font(12)
    draw.text((box[2], box[3] + 8 * s), "principal axis 1", fill=TEXT, font=small, anchor="ra")
    draw.text((box[0] + 6 * s, box[1] + 4 * s), "principal axis 2", fill=TEXT, font=small, anchor="la")
    if not legend:
        return canvas

    x, y = box[2] + 16 * s, box[1]
    draw.text((x, y), "training images", fill=TEXT, font=small)
    for k, name in enumerate(class_names[:len(CLASS_COLOURS)]):
        y += 18 * s
        _dot(draw, np.array([x + 5 * s, y + 7 * s]), 4 * s, fill=CLASS_COLOURS[k])
        draw.text((x + 16 * s, y), name, fill=TEXT, font=small)
    y += 30 * s
    draw.line((x, y + 7 * s, x + 12 * s, y + 7 * s), fill=NO_CLASS_COLOUR, width=2 * s)
    draw.text((x + 16 * s, y), "walk, class colour", fill=TEXT, font=small)
    y += 18 * s
    _dot(draw, np.array([x + 6 * s, y + 7 * s]), 4 * s, fill=None, outline=NO_CLASS_COLOUR, width=s)
    draw.text((x + 16 * s, y), "start: pure noise", fill=TEXT, font=small)
    y += 18 * s
    _star(draw, np.array([x + 6 * s, y + 7 * s]), 7 * s)
    draw.text((x + 16 * s, y), "generated image", fill=TEXT, font=small)
    return canvas


GREY_MARK = (128, 128, 128)  # the flat mid-grey picture's mark: a square in its own grey, edged in white


def grey_point(projection) -> np.ndarray:
    """(2,): where a flat mid-grey picture (every value 0 in the model's range, 127.5 of 255) lands on the
    projection (anything with ``project`` and a ``mean`` (D,)). Pure noise x_T ~ N(0, I) lands around it: its
    projection is this point plus a standard normal in each of the two orthonormal directions."""
    return np.asarray(projection.project(np.zeros((1, np.asarray(projection.mean).size))))[0]


def start_words(starts: np.ndarray, grey: np.ndarray, cloud: np.ndarray) -> str:
    """Where the walks start, from their projected starting points (B, 2), :func:`grey_point` and the projected
    training cloud (M, 2) (its width along the first axis gives the distance a scale)."""
    far = float(np.max(np.linalg.norm(np.asarray(starts) - grey, axis=1)))
    width = float(np.ptp(np.asarray(cloud)[:, 0]))
    walks = "The walk starts" if len(starts) == 1 else "The walks start"
    return (f"{walks} at pure noise, which on this map lands within {far:.1f} of where a flat mid-grey picture "
            f"lands (■), on a map whose cloud of training pictures is {width:.0f} wide: noise has no preferred "
            "direction, so its shadow here is the grey picture's plus a small random offset.")


def draw_walk(canvas: WalkCanvas, paths: np.ndarray, ends: np.ndarray, labels: np.ndarray,
              grey: np.ndarray | None = None) -> np.ndarray:
    """The canvas with each walk drawn in its class's colour; returns uint8 (height, width, 3).

    paths (K, B, 2): the K recorded x_t of B images in PCA coordinates, from pure noise on;
    ends (B, 2): the final images; labels (B,): each image's class (past the palette: no class);
    grey (2,): where a flat mid-grey picture lands (:func:`grey_point`), marked with a grey square, or None.
    """
    s = SUPERSAMPLE
    image = canvas.image.copy()
    draw = ImageDraw.Draw(image)
    left, top, right, bottom = canvas.box
    lo, hi = np.array([left, top]) + s, np.array([right, bottom]) - s
    if grey is not None:
        gx, gy = np.clip(canvas.to_pixels(np.asarray(grey, np.float64)), lo, hi)
        half = 6 * s
        draw.rectangle((gx - half, gy - half, gx + half, gy + half), fill=GREY_MARK, outline=(255, 255, 255), width=s)
    for i in range(paths.shape[1]):
        points = np.clip(canvas.to_pixels(np.concatenate([paths[:, i], ends[i:i + 1]])), lo, hi)
        line = [tuple(p) for p in points]
        colour = class_colour(int(labels[i]))
        draw.line(line, fill=(0, 0, 0), width=5 * s, joint="curve")
        draw.line(line, fill=colour, width=3 * s, joint="curve")
        for xy in points[1:-1]:  # one dot per recorded step: where the sampler actually stopped
            _dot(draw, xy, 2.5 * s, fill=colour, outline=(0, 0, 0), width=s)
        _dot(draw, points[0], 4 * s, fill=BACKGROUND, outline=colour, width=s)
    for xy in np.clip(canvas.to_pixels(ends), lo, hi):
        _star(draw, xy, 8 * s)
    small = image.resize((image.width // s, image.height // s), Image.Resampling.LANCZOS)
    return np.asarray(small)


def walk_figure(cloud: np.ndarray, cloud_labels: np.ndarray, class_names: list[str], paths: np.ndarray,
                ends: np.ndarray, labels: np.ndarray) -> go.Figure:
    """The same picture as an interactive Plotly chart (zoom, hover names the class of each dot).

    cloud (M, 2), cloud_labels (M,), paths (K, B, 2), ends (B, 2), labels (B,), as for ``draw_walk``.
    """
    rgb = "rgb({}, {}, {})".format
    fig = go.Figure()
    fig.add_trace(go.Scattergl(x=cloud[:, 0], y=cloud[:, 1], mode="markers", name="real training images",
                               marker={"size": 4, "opacity": CLOUD_OPACITY,
                                       "color": [rgb(*class_colour(int(c))) for c in cloud_labels]},
                               text=[class_names[int(c)] for c in cloud_labels], hovertemplate="%{text}<extra></extra>"))
    for i in range(paths.shape[1]):
        label = int(labels[i])
        fig.add_trace(go.Scatter(x=[*paths[:, i, 0], ends[i, 0]], y=[*paths[:, i, 1], ends[i, 1]],
                                 mode="lines+markers", marker={"size": 5},
                                 line={"width": 2, "color": rgb(*class_colour(label))},
                                 name=class_names[label] if label < len(class_names) else "prompt: none"))
    fig.add_trace(go.Scatter(x=ends[:, 0], y=ends[:, 1], mode="markers", name="generated",
                             marker={"size": 12, "symbol": "star", "color": "white",
                                     "line": {"width": 1, "color": "black"}}))
    fig.update_layout(height=460, margin={"l": 10, "r": 10, "t": 30, "b": 10}, xaxis_title="principal axis 1",
                      yaxis_title="principal axis 2", legend={"font": {"size": 10}})
    return fig
