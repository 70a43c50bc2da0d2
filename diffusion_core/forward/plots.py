"""Plotly figures for the forward-process page: schedules, the pixel histogram, and what survives of x_0.

Each function takes arrays computed elsewhere in ``diffusion_core`` and returns a ``go.Figure``;
nothing here computes the maths. Curves are indexed by t = 0..T (t = 0 is the clean image).
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from diffusion_core.forward.process import alpha_bar_with_zero
from diffusion_core.forward.schedules import NoiseSchedule
from diffusion_core.forward.stats import normal_pdf

_MARKER = {"color": "#ff5c5c", "width": 1.5, "dash": "dot"}
_HEIGHT = 320
_MARGIN = {"l": 10, "r": 10, "t": 40, "b": 10}


def schedule_figure(schedule: NoiseSchedule, t: int, other: NoiseSchedule | None = None) -> go.Figure:
    """ᾱ_t, sqrt(ᾱ_t) (signal), sqrt(1 - ᾱ_t) (noise) on the left, log SNR on the right; a line at t.

    ``other``: a second schedule drawn dashed for comparison (e.g. cosine beside linear).
    """
    ts = np.arange(schedule.T + 1)
    fig = make_subplots(rows=1, cols=2, subplot_titles=("ᾱ_t, signal and noise weights", "log SNR(t)"))
    for sched, dash, show in ((schedule, "solid", True), (other, "dash", False)):
        if sched is None:
            continue
        ab = alpha_bar_with_zero(sched)
        ts_s = np.arange(sched.T + 1)
        suffix = "" if show else f" ({sched.kind})"
        for y, name, colour in ((ab, "ᾱ_t", "#7c9cff"), (np.sqrt(ab), "√ᾱ_t  signal", "#5cd65c"),
                                (np.sqrt(1 - ab), "√(1−ᾱ_t)  noise", "#ffb347")):
            fig.add_trace(go.Scatter(x=ts_s, y=y, name=name + suffix, line={"color": colour, "dash": dash},
                                     opacity=1.0 if show else 0.45), row=1, col=1)
        fig.add_trace(go.Scatter(x=ts_s[1:], y=sched.log_snr, name="log SNR" + suffix,
                                 line={"color": "#d17cff", "dash": dash}, opacity=1.0 if show else 0.45),
                      row=1, col=2)
    for col in (1, 2):
        fig.add_vline(x=t, line=_MARKER, row=1, col=col)
    fig.update_xaxes(title_text="t", range=[0, ts[-1]])
    fig.update_layout(height=_HEIGHT, margin=_MARGIN, legend={"orientation": "h", "y": -0.25})
    return fig


def histogram_figure(centres: np.ndarray, density: np.ndarray, t: int,
                     second: tuple[np.ndarray, str] | None = None, first_name: str = "pixels of x_t") -> go.Figure:
    """Bars of a density histogram over ``centres`` against the N(0, 1) density curve.

    ``second``: (density, name) of another histogram on the same bins, drawn as a step line.
    """
    width = float(centres[1] - centres[0])
    fig = go.Figure(go.Bar(x=centres, y=density, width=width, name=first_name, marker_color="#7c9cff",
                           opacity=0.75))
    if second is not None:
        fig.add_trace(go.Scatter(x=centres, y=second[0], name=second[1], mode="lines",
                                 line={"shape": "hvh", "color": "#ffb347"}))
    z = np.linspace(centres[0] - width / 2, centres[-1] + width / 2, 200)
    fig.add_trace(go.Scatter(x=z, y=normal_pdf(z), name="N(0, 1) density", line={"color": "#5cd65c"}))
    fig.update_layout(title=f"Values at t = {t}", height=_HEIGHT, margin=_MARGIN, bargap=0,
                      legend={"orientation": "h", "y": -0.2}, xaxis_title="value (model units, x₀ ∈ [−1, 1])",
                      yaxis_title="density")
    return fig


def survival_figure(correlation: np.ndarray, psnr: np.ndarray, t: int, crossover: int) -> go.Figure:
    """Correlation of x_t with x_0 (left) and PSNR in dB (right) against t = 0..T, with lines at t and
    at ``crossover`` (where the noise's spread first matches the picture's contrast)."""
    ts = np.arange(len(correlation))
    fig = make_subplots(rows=1, cols=2, subplot_titles=("correlation of x_t with x_0", "PSNR of x_t vs x_0 (dB)"))
    fig.add_trace(go.Scatter(x=ts, y=correlation, name="correlation", line={"color": "#7c9cff"}), row=1, col=1)
    finite = np.isfinite(psnr)
    fig.add_trace(go.Scatter(x=ts[finite], y=psnr[finite], name="PSNR", line={"color": "#ffb347"}), row=1, col=2)
    for col in (1, 2):
        fig.add_vline(x=t, line=_MARKER, row=1, col=col)
        if crossover < len(ts):
            fig.add_vline(x=crossover, line={"color": "#aaaaaa", "width": 1, "dash": "dash"}, row=1, col=col)
    fig.update_xaxes(title_text="t", range=[0, ts[-1]])
    fig.update_layout(height=_HEIGHT, margin=_MARGIN, showlegend=False)
    return fig
