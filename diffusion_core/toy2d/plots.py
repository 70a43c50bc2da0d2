"""Plotly figures for the 2-D page: the field and its error, memorisation, guidance, accuracy (the particles in
motion are :mod:`diffusion_core.toy2d.player`'s canvas).

Each function takes what :mod:`diffusion_core.toy2d.frames` computed and returns a ``go.Figure``; nothing here
computes the maths. Colours suit the app's dark theme: the learned field orange, the exact one white, p_t blue,
errors red. Coordinates sent to the browser are rounded to 3 decimals (a thousandth of the chart's unit is far
below a screen pixel), which keeps the animated figures small.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from diffusion_core.access.palette import CLASS_COLOURS as PALETTE
from diffusion_core.access.palette import hex_colour
from diffusion_core.toy2d.datasets import LIMIT, GaussianMixture
from diffusion_core.toy2d.frames import (
    ARROW_SPAN,
    ARROWS,
    BLOB_RADIUS,
    FieldFrame,
    GuidanceRuns,
    Memorisation,
    SamplerAccuracy,
)
from diffusion_core.toy2d.metrics import EpsError

BG = "#0e1117"
TEXT = "#e8eaf0"
LEARNED = "#ffb347"
EXACT = "#f2f4f8"
ERROR = "#ff5c5c"
DATA = "#7c9cff"
FAINT = "rgba(232, 234, 240, 0.18)"
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


def error_t_figure(err: EpsError) -> go.Figure:
    """Relative ε error per range of t (log scale), the overall value dashed."""
    labels = [f"{a}–{b - 1}" for a, b in zip(err.edges[:-1], err.edges[1:])]
    fig = go.Figure(go.Bar(x=labels, y=err.relative, marker_color=LEARNED, name="relative error",
                           customdata=np.stack([err.mse, err.signal], axis=1),
                           hovertemplate="t in %{x}<br>relative error %{y:.4f}<br>E‖ε̂−ε*‖² %{customdata[0]:.4f}"
                                         "<br>E‖ε*‖² %{customdata[1]:.3f}<extra></extra>"))
    fig.add_hline(y=err.overall, line={"color": TEXT, "dash": "dash", "width": 1},
                  annotation_text=f"over all t: {err.overall:.4f}", annotation_font_color=TEXT)
    fig.update_yaxes(type="log", title_text="E‖ε̂ − ε*‖² / E‖ε*‖²", gridcolor="#262b36", exponentformat="power")
    fig.update_xaxes(title_text="range of t")
    return _layout(fig, 300)


def loss_figure(losses: np.ndarray, window: int = 50) -> go.Figure:
    """The training loss per step and its moving average over ``window`` steps (log scale)."""
    steps = np.arange(1, len(losses) + 1)
    smooth = np.convolve(losses, np.ones(window) / window, mode="valid")
    fig = go.Figure([go.Scatter(x=steps, y=_r(losses), mode="lines", line={"color": FAINT, "width": 1},
                                name="loss per batch"),
                     go.Scatter(x=steps[window - 1:], y=_r(smooth), mode="lines", line={"color": LEARNED},
                                name=f"mean of {window}")])
    fig.update_yaxes(type="log", title_text="‖ε − ε̂‖², mean over a batch", gridcolor="#262b36", exponentformat="power")
    fig.update_xaxes(title_text="training step")
    return _layout(fig, 280, legend=True, legend_on_top=True)


def _points_trace(points: np.ndarray, name: str = "training points") -> go.Scatter:
    return go.Scatter(x=_r(points[:, 0]), y=_r(points[:, 1]), mode="markers", name=name,
                      marker={"size": 11, "color": "rgba(0,0,0,0)", "line": {"color": EXACT, "width": 1.6}},
                      hovertemplate="training point (%{x}, %{y})<extra></extra>")


def memorisation_figure(mem: Memorisation) -> go.Figure:
    """The ideal denoiser's samples (all on training points) beside the MLP's (filling the shape), same noise."""
    titles = ["ideal denoiser: the exact field of your points"]
    samples = [(mem.ideal, DATA)]
    if mem.learned is not None:
        titles.append("the MLP trained on the same points")
        samples.append((mem.learned, LEARNED))
    fig = make_subplots(rows=1, cols=len(titles), subplot_titles=titles, horizontal_spacing=0.03)
    for col, (x, colour) in enumerate(samples, start=1):
        fig.add_trace(go.Scatter(x=_r(x[:, 0]), y=_r(x[:, 1]), mode="markers", name="samples",
                                 marker={"size": 3.5, "color": colour, "opacity": 0.7}, hoverinfo="skip"),
                      row=1, col=col)
        fig.add_trace(_points_trace(mem.points), row=1, col=col)
    _square(fig, len(titles))
    return _layout(fig, 420)


def _ellipse(mean: np.ndarray, cov: np.ndarray, radius: float, steps: int = 48) -> np.ndarray:
    vals, vecs = np.linalg.eigh(cov)
    a = np.linspace(0, 2 * np.pi, steps)
    circle = np.stack([np.cos(a), np.sin(a)], axis=1) * radius * np.sqrt(np.clip(vals, 0.05**2 / radius**2, None))
    return mean + circle @ vecs.T


def class_blobs(mix: GaussianMixture, label: int) -> list[go.Scatter]:
    """Each component's 95% ellipse: filled for class ``label``, a faint outline for the others (two traces)."""
    chosen, others = [], []
    for k in range(len(mix.weights)):
        ring = _ellipse(mix.means[k], mix.covs[k], BLOB_RADIUS)
        (chosen if mix.labels[k] == label else others).append(np.concatenate([ring, [[np.nan, np.nan]]]))
    traces = []
    for rings, fill, line, name in ((others, None, FAINT, "other classes"),
                                    (chosen, "rgba(92, 214, 92, 0.18)", "#5cd65c", "the class asked for")):
        if rings:
            pts = np.concatenate(rings)
            traces.append(go.Scatter(x=_r(pts[:, 0]), y=_r(pts[:, 1]), mode="lines", fill="toself" if fill else None,
                                     fillcolor=fill, line={"color": line, "width": 1}, name=name, hoverinfo="skip"))
    return traces


def guidance_figure(mix: GaussianMixture, runs: GuidanceRuns, trails: int = 40) -> go.Figure:
    """Guided DDIM paths (a few) and end points (all) over the class's blobs, exact and learned side by side."""
    names = [n for n in ("exact", "learned") if n in runs.paths]
    titles = [f"{n} field, guidance s = {runs.scale:g}: {runs.inside[n]:.0%} in the class's blobs" for n in names]
    fig = make_subplots(rows=1, cols=len(names), subplot_titles=titles, horizontal_spacing=0.03)
    for col, name in enumerate(names, start=1):
        for trace in class_blobs(mix, runs.label):
            trace.showlegend = col == 1
            fig.add_trace(trace, row=1, col=col)
        path = runs.paths[name]
        trail = path.states[:, :trails, :]
        tr = np.concatenate([trail, np.full((1, trail.shape[1], 2), np.nan)]).transpose(1, 0, 2).reshape(-1, 2)
        colour = LEARNED if name == "learned" else EXACT
        fig.add_trace(go.Scatter(x=_r(tr[:, 0]), y=_r(tr[:, 1]), mode="lines", line={"color": colour, "width": 0.8},
                                 opacity=0.5, name="paths", hoverinfo="skip", showlegend=col == 1), row=1, col=col)
        end = path.final
        fig.add_trace(go.Scatter(x=_r(end[:, 0]), y=_r(end[:, 1]), mode="markers", name="samples",
                                 marker={"size": 3.5, "color": colour}, hoverinfo="skip", showlegend=col == 1),
                      row=1, col=col)
    _square(fig, len(names), span=3.5)
    return _layout(fig, 440, legend=True)


def guidance_sweep_figure(scales: tuple[float, ...], sweep: dict[str, np.ndarray], scale: float) -> go.Figure:
    """Fraction of samples inside the class's own blobs against the guidance scale, the current s dotted."""
    fig = go.Figure([go.Scatter(x=list(scales), y=values, mode="lines+markers", name=f"{name} field",
                                line={"color": LEARNED if name == "learned" else EXACT}) for name, values in sweep.items()])
    fig.add_vline(x=scale, line={"color": ERROR, "dash": "dot", "width": 1.5})
    fig.update_yaxes(range=[0, 1.02], tickformat=".0%", title_text="samples in the class's blobs", gridcolor="#262b36")
    fig.update_xaxes(title_text="guidance scale s")
    return _layout(fig, 320, legend=True, legend_on_top=True)


def accuracy_figure(acc: SamplerAccuracy) -> go.Figure:
    """Mean distance to the exact ODE's end points against the number of steps, log-log, with 1/n and 1/n² guides."""
    colours = (LEARNED, "#5cd65c", "#d17cff")
    fig = go.Figure()
    for (label, errors), colour in zip(acc.errors.items(), colours):
        fig.add_trace(go.Scatter(x=acc.steps, y=errors, mode="lines+markers", name=label, line={"color": colour}))
    n = acc.steps.astype(float)
    first = next(iter(acc.errors.values()))
    for power, name in ((1, "∝ 1/n"), (2, "∝ 1/n²")):
        anchor = first[len(n) // 2] * (n[len(n) // 2] / n) ** power
        fig.add_trace(go.Scatter(x=n, y=anchor, mode="lines", name=name, line={"color": FAINT, "dash": "dot"}))
    fig.update_xaxes(type="log", title_text="steps n")
    fig.update_yaxes(type="log", title_text="mean ‖x_n − x_exact‖", gridcolor="#262b36", exponentformat="power")
    return _layout(fig, 400, legend=True, legend_on_top=True)


def data_figure(mix: GaussianMixture, samples: np.ndarray, labels: np.ndarray, click_grid: np.ndarray | None = None
                ) -> go.Figure:
    """Draws of the data coloured by class; a point set is drawn as its points. With ``click_grid`` (M, 2), a
    faint grid of places a click can put a new point (the chart's selection reports which)."""
    fig = go.Figure()
    if click_grid is not None:
        fig.add_trace(go.Scatter(x=_r(click_grid[:, 0]), y=_r(click_grid[:, 1]), mode="markers", name="click to add",
                                 marker={"size": 7, "color": "rgba(232, 234, 240, 0.035)"},
                                 hovertemplate="add a point at (%{x}, %{y})<extra></extra>",
                                 selected={"marker": {"color": "rgba(232, 234, 240, 0.06)"}},
                                 unselected={"marker": {"opacity": 1}}))
    if mix.is_empirical:
        fig.add_trace(go.Scatter(x=_r(mix.means[:, 0]), y=_r(mix.means[:, 1]), mode="markers", name="your points",
                                 marker={"size": 10, "color": DATA, "line": {"color": EXACT, "width": 1}},
                                 hovertemplate="(%{x}, %{y})<extra></extra>"))
    else:
        for c in range(mix.num_classes):
            pts = samples[labels == c]
            fig.add_trace(go.Scatter(x=_r(pts[:, 0]), y=_r(pts[:, 1]), mode="markers", name=mix.class_names[c],
                                     marker={"size": 3.5, "color": CLASS_COLOURS[c % len(CLASS_COLOURS)]},
                                     hoverinfo="skip"))
    _square(fig, 1)
    if click_grid is None:
        fig.update_layout(dragmode=False)
    # else: Streamlit sets click-to-select itself when the chart reports point selections (and only if the figure
    # leaves dragmode unset: with "select" or "lasso" it would turn clicks off)
    return _layout(fig, 380, legend=mix.num_classes > 1 and not mix.is_empirical)
