"""Plotly figures for the 2-D page's two charts a reader interacts with: the field (zoom, hover) and the points a
click adds to. The still charts are SVG (:mod:`diffusion_core.toy2d.charts`), the particles in motion
:mod:`diffusion_core.toy2d.player`'s canvas.

Each function takes what :mod:`diffusion_core.toy2d.frames` computed and returns a ``go.Figure``; nothing here
computes the maths. Colours suit the app's dark theme: the learned field orange, the exact one white, p_t blue,
errors red. Coordinates sent to the browser are rounded to 3 decimals (a thousandth of the chart's unit is far
below a screen pixel), which keeps the animated figures small.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from diffusion_core.access.palette import ACCENT, BACKGROUND, BRIGHT, ORANGE, RED, hex_colour, rgb_of
from diffusion_core.access.palette import CLASS_COLOURS as PALETTE
from diffusion_core.access.palette import TEXT as THEME_TEXT
from diffusion_core.toy2d.datasets import LIMIT, GaussianMixture
from diffusion_core.toy2d.frames import (
    ARROW_SPAN,
    ARROWS,
    FieldFrame,
)

BG, TEXT = BACKGROUND, THEME_TEXT  # the theme, by role on this page (diffusion_core.access.palette)
LEARNED, EXACT, ERROR, DATA = ORANGE, BRIGHT, RED, ACCENT
FAINT = "rgba({}, {}, {}, 0.18)".format(*rgb_of(TEXT))
CLASS_COLOURS = tuple(hex_colour(c) for c in PALETTE)  # colour-blind safe (diffusion_core.access.palette)
DENSITY_SCALE = [[0.0, BG], [0.45, "#22366a"], [1.0, "#8fa8ff"]]
ERROR_SCALE = [[0.0, BG], [0.4, "#5a1d2a"], [1.0, "#ff6b6b"]]
_MARGIN = {"l": 10, "r": 10, "t": 40, "b": 10}
_FONT = {"color": TEXT}


def _r(values: np.ndarray) -> np.ndarray:
    """Coordinates for the browser: float32 (Plotly sends arrays as binary, 4 bytes a number), 3 decimals."""
    return np.round(np.asarray(values, dtype=np.float64), 3).astype(np.float32)


def _square(fig: go.Figure, count: int, span: float = LIMIT) -> None:
    """Every panel shows [-span, span]^2 with equal scales, few ticks, no grid."""
    for i in range(1, count + 1):
        suffix = "" if i == 1 else str(i)
        fig.update_layout({f"xaxis{suffix}": {"range": [-span, span], "showgrid": False, "zeroline": False,
                                              "tickvals": [-2, 0, 2], "constrain": "domain"},
                           f"yaxis{suffix}": {"range": [-span, span], "showgrid": False, "zeroline": False,
                                              "tickvals": [-2, 0, 2], "scaleanchor": f"x{suffix}",
                                              "scaleratio": 1, "constrain": "domain"}})


def _layout(fig: go.Figure, height: int, legend: bool = False, legend_on_top: bool = False) -> go.Figure:
    """Dark background, small margins; a horizontal legend under the panels (or above a chart with axis titles)."""
    place = ({"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0.0} if legend_on_top
             else {"orientation": "h", "y": -0.08, "x": 0.0})
    fig.update_layout(height=height, margin=_MARGIN, plot_bgcolor=BG, paper_bgcolor=BG, font=_FONT,
                      showlegend=legend, legend=place)
    return fig


def arrow_paths(tails: np.ndarray, vectors: np.ndarray, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """Polyline coordinates (with NaN breaks) drawing one arrow per tail: shaft and a two-stroke head.

    tails, vectors (M, 2); each arrow is ``scale * vector`` long. Returns x, y of shape (7 M,).
    """
    tips = tails + scale * vectors
    d = tips - tails
    length = np.linalg.norm(d, axis=1, keepdims=True)
    unit = np.divide(d, length, out=np.zeros_like(d), where=length > 0)
    head = np.minimum(0.35 * length, 0.12)
    normal = np.stack([-unit[:, 1], unit[:, 0]], axis=1)
    left = tips - head * (unit * 0.9 + normal * 0.5)
    right = tips - head * (unit * 0.9 - normal * 0.5)
    gap = np.full_like(tails, np.nan)
    pts = np.stack([tails, tips, gap, left, tips, right, gap], axis=1).reshape(-1, 2)
    return _r(pts[:, 0]), _r(pts[:, 1])


def arrow_scale(frame: FieldFrame) -> float:
    """One length scale for all of a frame's arrows: the exact field's 95th-percentile arrow spans 0.9 grid cells."""
    spacing = 2 * ARROW_SPAN / (ARROWS - 1)
    size = np.linalg.norm(frame.exact_eps, axis=1)
    return 0.9 * spacing / max(float(np.percentile(size, 95)), 1e-9)


def _arrow_trace(tails, vectors, scale, colour, name, width=1.6) -> go.Scatter:
    x, y = arrow_paths(tails, vectors, scale)
    return go.Scatter(x=x, y=y, mode="lines", line={"color": colour, "width": width}, name=name,
                      hoverinfo="skip", connectgaps=False)


def _heat(axis: np.ndarray, z: np.ndarray, scale, name: str, hover: str) -> go.Heatmap:
    return go.Heatmap(x=_r(axis), y=_r(axis), z=_r(z), colorscale=scale, zmin=0, zmax=1, showscale=False,
                      name=name, hovertemplate=hover + "<extra></extra>")


def field_figure(frame: FieldFrame, overlay: bool = False) -> go.Figure:
    """Arrows of −ε over a heat map of p_t: learned and exact side by side (or overlaid), then the error map.

    Arrow lengths share one scale per frame, so a learned arrow twice as long as its exact twin is twice as
    large an ε. Heat brightness is √(p_t / max p_t); the error map's is √ of p_t ‖ε_θ − ε*‖², normalised.
    """
    has_model = frame.learned_eps is not None
    scale = arrow_scale(frame)
    density = np.sqrt(frame.density / max(frame.density.max(), 1e-300))
    heat = _heat(frame.axis, density, DENSITY_SCALE, "p_t", "x=%{x}, y=%{y}<br>√(p_t / max)=%{z}")
    learned = _arrow_trace(frame.arrow_at, -frame.learned_eps, scale, LEARNED, "learned −ε̂") if has_model else None
    exact_tr = _arrow_trace(frame.arrow_at, -frame.exact_eps, scale, EXACT, "exact −ε*", width=1.2)
    if not has_model:
        panels = [("exact direction −ε* over p_t", [heat, exact_tr])]
    elif overlay:
        panels = [("learned (orange) over exact (white)", [heat, exact_tr, learned])]
    else:
        panels = [("learned direction −ε̂ over p_t", [heat, learned]), ("exact direction −ε* over p_t", [heat, exact_tr])]
    if has_model:
        err = np.sqrt(frame.error / max(frame.error.max(), 1e-300))
        panels.append(("where it is wrong: p_t ‖ε̂ − ε*‖²",
                       [_heat(frame.error_axis, err, ERROR_SCALE, "error", "x=%{x}, y=%{y}<br>√(error / max)=%{z}")]))
    fig = make_subplots(rows=1, cols=len(panels), subplot_titles=[p[0] for p in panels], horizontal_spacing=0.03)
    for col, (_, traces) in enumerate(panels, start=1):
        for trace in traces:
            fig.add_trace(trace, row=1, col=col)
    _square(fig, len(panels))
    return _layout(fig, 400 if len(panels) > 1 else 460, legend=overlay and has_model)


def points_figure(points: GaussianMixture, click_grid: np.ndarray) -> go.Figure:
    """The reader's points (a point set) over a faint grid of places (M, 2) a click can put a new point (the chart's
    selection reports which)."""
    fig = go.Figure([
        go.Scatter(x=_r(click_grid[:, 0]), y=_r(click_grid[:, 1]), mode="markers", name="click to add",
                   marker={"size": 7, "color": "rgba(232, 234, 240, 0.035)"},
                   hovertemplate="add a point at (%{x}, %{y})<extra></extra>",
                   selected={"marker": {"color": "rgba(232, 234, 240, 0.06)"}}, unselected={"marker": {"opacity": 1}}),
        go.Scatter(x=_r(points.means[:, 0]), y=_r(points.means[:, 1]), mode="markers", name="your points",
                   marker={"size": 10, "color": DATA, "line": {"color": EXACT, "width": 1}},
                   hovertemplate="(%{x}, %{y})<extra></extra>")])
    _square(fig, 1)
    # Streamlit sets click-to-select itself when the chart reports point selections (and only if the figure leaves
    # dragmode unset: with "select" or "lasso" it would turn clicks off)
    return _layout(fig, 380)
