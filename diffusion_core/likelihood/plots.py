"""The corner page's figures (Plotly): where an image's bound falls among others, where its bits are spent, and the
shells where noise lives. Plain functions of arrays; no Streamlit."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from diffusion_core.likelihood.typical import Shell, WalkNorms

SET_COLOURS = {"real": "#1f77b4", "samples": "#2ca02c", "ood": "#ff7f0e", "noise": "#7f7f7f"}
TICKS = (0.25, 0.5, 1, 2, 4, 8, 16, 32, 64)


def _layout(fig: go.Figure, title: str, x: str, y: str, height: int = 360) -> go.Figure:
    fig.update_layout(title=title, xaxis_title=x, yaxis_title=y, height=height + 40,
                      margin=dict(l=60, r=20, t=50, b=100), bargap=0.05,
                      legend=dict(orientation="h", yanchor="top", y=-0.25, x=0))  # below the axis title
    return fig


def histogram_figure(sets: dict, chosen: tuple[float, float, float] | None, compressor: float | None,
                     level_bits: int = 8) -> go.Figure:
    """Histograms of per-image bits/dim, one per set {name: (title, values)}, on a log axis; the chosen image's
    estimate with its interval (value, low, high), the compressor's mean on held-out images, and the whole space."""
    values = [v for _, v in sets.values() if len(v)] + ([np.array(chosen[:1])] if chosen else [])
    lo = np.log10(max(0.1, min(float(np.min(v)) for v in values) * 0.8)) if values else -1
    hi = np.log10(max(level_bits * 1.5, max(float(np.max(v)) for v in values) * 1.25)) if values else 2
    edges = np.linspace(lo, hi, 90)
    fig = go.Figure()
    for name, (title, v) in sets.items():
        if len(v):
            fig.add_histogram(x=np.log10(v), xbins=dict(start=edges[0], end=edges[-1], size=edges[1] - edges[0]),
                              name=f"{title} ({len(v)})", marker_color=SET_COLOURS.get(name), opacity=0.75)
    fig.update_layout(barmode="overlay")
    ticks = [t for t in TICKS if lo <= np.log10(t) <= hi]
    fig.update_xaxes(tickvals=np.log10(ticks), ticktext=[f"{t:g}" for t in ticks], range=[lo, hi])
    fig.add_vline(x=np.log10(level_bits), line_dash="dot", line_color="black",
                  annotation_text=f"{level_bits} bits/dim: all images", annotation_position="top right")
    if compressor is not None:
        fig.add_vline(x=np.log10(compressor), line_dash="dash", line_color="#9467bd",
                      annotation_text="compressor (mean)", annotation_position="bottom right")
    if chosen is not None:
        value, low, high = chosen
        fig.add_vrect(x0=np.log10(max(low, 1e-3)), x1=np.log10(high), fillcolor="red", opacity=0.2, line_width=0)
        fig.add_vline(x=np.log10(value), line_color="red", line_width=3, annotation_text="this image",
                      annotation_position="top right", annotation_font_color="red")
    return _layout(fig, "Bits per dimension, image by image (log scale)", "bound L(x), bits per dimension",
                   "images")


def cumulative_share(per_timestep: np.ndarray) -> np.ndarray:
    """Share of the bits spent at timesteps ≤ t, for t = 0..T − 1 ((T,) -> (T,), ending at 1)."""
    total = float(np.sum(per_timestep))
    return np.cumsum(per_timestep) / total if total > 0 else np.zeros_like(per_timestep)


def profile_figure(curves: dict) -> go.Figure:
    """Where in the walk the bits are spent: the share of the bound at timesteps ≤ t, for {label: (T,) terms}."""
    fig = go.Figure()
    for label, (terms, colour, dash) in curves.items():
        share = cumulative_share(np.asarray(terms))
        fig.add_scatter(x=np.arange(1, len(share) + 1), y=share, name=label, line=dict(color=colour, dash=dash))
    fig.update_xaxes(type="log")
    fig.update_yaxes(range=[0, 1.02], tickformat=".0%")
    return _layout(fig, "Where the bits are spent: share of L(x) in the last t steps of the walk",
                   "timestep t (1 = the decoder, the walk's last step; log scale)", "share of the bits")


def shell_figure(walk: WalkNorms, noise: Shell, uniform: Shell, forward: tuple[np.ndarray, np.ndarray],
                 T: int) -> go.Figure:
    """‖x_t‖ along real reverse walks against t, with the Gaussian shell at t = T, the expected norm of the forward
    process from held-out images, and the shell of uniformly random images."""
    fig = go.Figure()
    lo, hi = noise.band(3)
    fig.add_hrect(y0=lo, y1=hi, fillcolor="#7f7f7f", opacity=0.25, line_width=0,
                  annotation_text=f"Gaussian noise: ‖ε‖ = {noise.mean:.2f} ± {noise.sd:.2f}",
                  annotation_position="top left")
    ulo, uhi = uniform.band(3)
    fig.add_hrect(y0=ulo, y1=uhi, fillcolor="#d62728", opacity=0.2, line_width=0,
                  annotation_text=f"uniformly random images: {uniform.mean:.2f} ± {uniform.sd:.2f}",
                  annotation_position="bottom left")
    ts, expected = forward
    fig.add_scatter(x=ts, y=expected, name="forward process from held-out images, √E‖x_t‖²",
                    line=dict(color="black", dash="dash"))
    x = np.where(walk.timesteps < 0, 0, walk.timesteps + 1)
    for j in range(walk.norms.shape[1]):
        fig.add_scatter(x=x, y=walk.norms[:, j], mode="lines+markers", marker=dict(size=4),
                        name="‖x_t‖ along reverse walks (DDPM)", showlegend=j == 0, legendgroup="norm",
                        line=dict(color="#1f77b4", width=1.5))
        fig.add_scatter(x=x, y=walk.to_end[:, j], mode="lines", name="‖x_t − x_end‖: distance to where it ends",
                        showlegend=j == 0, legendgroup="end", line=dict(color="#2ca02c", width=1.5, dash="dot"))
    fig.update_xaxes(autorange="reversed", range=[T, 0])
    fig.update_yaxes(rangemode="tozero")
    return _layout(fig, "Where noise lives: real reverse walks, length and distance to the end",
                   "timestep t (the walk runs left to right)", "model range", height=420)


def norms_histogram(sample: np.ndarray, shell: Shell, title: str) -> go.Figure:
    """A histogram of norms with the predicted shell (mean ± 3 sd) shaded."""
    fig = go.Figure()
    fig.add_histogram(x=sample, nbinsx=40, marker_color="#d62728", opacity=0.8, name="norms")
    lo, hi = shell.band(3)
    fig.add_vrect(x0=lo, x1=hi, fillcolor="#7f7f7f", opacity=0.2, line_width=0)
    fig.update_layout(showlegend=False)
    return _layout(fig, title, "‖x‖ (model range)", "images", height=300)
