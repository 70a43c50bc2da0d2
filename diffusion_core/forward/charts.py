"""The forward-process page's charts as SVG (:mod:`diffusion_core.svg_chart`): the schedules, the pixel histogram,
and what survives of x_0.

They follow the timestep slider and need no zoom or hover (the captions beside them give the values at t), so
they are pictures, not Plotly charts built in the browser at every move of t. Each function takes arrays computed
elsewhere in ``diffusion_core`` and returns an SVG document; nothing here computes the maths. Curves are indexed by
t = 0..T (t = 0 is the clean image) and drawn with at most :data:`CURVE_POINTS` points each.
"""

from __future__ import annotations

import numpy as np

from diffusion_core.access.palette import ACCENT, GREEN, MUTED, ORANGE, RED, VIOLET
from diffusion_core.forward.process import alpha_bar_with_zero
from diffusion_core.forward.schedules import NoiseSchedule
from diffusion_core.forward.stats import normal_pdf
from diffusion_core.svg_chart import Axis, Chart, Panel, data_span, finite, nice_ticks

MARKER, CROSSOVER = RED, MUTED
ALPHA, SIGNAL, NOISE, LOG_SNR = ACCENT, GREEN, ORANGE, VIOLET
CURVE_POINTS = 500  # a curve over t = 0..T keeps every k-th point, k = ceil((T + 1) / CURVE_POINTS)


def _thin(*arrays: np.ndarray) -> list[np.ndarray]:
    every = max(1, -(-len(arrays[0]) // CURVE_POINTS))
    return [np.concatenate([a[::every], a[-1:]]) if (len(a) - 1) % every else a[::every] for a in arrays]


def _t_axis(T: int) -> Axis:
    return Axis(0, T, nice_ticks(0, T), title="t")


def schedule_chart(schedule: NoiseSchedule, t: int, other: NoiseSchedule | None = None, description: str = "") -> str:
    """ᾱ_t, √ᾱ_t (signal), √(1 − ᾱ_t) (noise) on the left, log SNR on the right; a dotted line at t.

    ``other``: a second schedule drawn dashed and fainter for comparison (e.g. cosine beside linear).
    """
    unit = [0.0, 0.25, 0.5, 0.75, 1.0]
    weights = Panel(_t_axis(schedule.T), Axis(0, 1.02, unit, [f"{u:g}" for u in unit], grid=True),
                    title="ᾱ_t, signal and noise weights")
    snrs = [s.log_snr for s in (schedule, other) if s is not None]
    lo, hi = data_span(*snrs)
    snr = Panel(_t_axis(schedule.T), Axis(lo, hi, nice_ticks(lo, hi), grid=True), title="log SNR(t)")
    for sched, dash, opacity in ((schedule, None, 1.0), (other, "6 4", 0.5)):
        if sched is None:
            continue
        suffix = "" if dash is None else f" ({sched.kind})"
        ab = alpha_bar_with_zero(sched)
        ts, ab = _thin(np.arange(sched.T + 1, dtype=np.float64), ab)
        for y, name, colour in ((ab, "ᾱ_t", ALPHA), (np.sqrt(ab), "√ᾱ_t signal", SIGNAL),
                                (np.sqrt(1 - ab), "√(1−ᾱ_t) noise", NOISE)):
            weights.line(ts, y, colour, width=2, dash=dash, opacity=opacity, name=name + suffix)
        ts_snr, log_snr = _thin(np.arange(1, sched.T + 1, dtype=np.float64), sched.log_snr)
        snr.line(ts_snr, log_snr, LOG_SNR, width=2, dash=dash, opacity=opacity, name="log SNR" + suffix)
    for panel in (weights, snr):
        panel.vline(t, MARKER, name=f"t = {t}", dash="2 3")
    return Chart(1000, 340, [weights, snr], legend="bottom", description=description).svg()


def histogram_chart(centres: np.ndarray, density: np.ndarray, t: int, second: tuple[np.ndarray, str] | None = None,
                    first_name: str = "pixels of x_t", title: str | None = None, description: str = "") -> str:
    """Bars of a density histogram over the bin ``centres`` (B,) against the N(0, 1) density curve.

    ``second``: (density (B,), name) of another histogram on the same bins, drawn as a step line.
    """
    width = float(centres[1] - centres[0])
    left, right = float(centres[0] - width / 2), float(centres[-1] + width / 2)
    z = np.linspace(left, right, 200)
    top = 1.08 * max([float(normal_pdf(np.zeros(1))[0]), *finite(density, () if second is None else second[0])])
    panel = Panel(Axis(left, right, nice_ticks(left, right), title="value (model units, x₀ ∈ [−1, 1])"),
                  Axis(0, top, nice_ticks(0, top), title="density", grid=True), title=title or f"Values at t = {t}")
    panel.bars(centres, density, ALPHA, width=width, name=first_name)
    if second is not None:
        edges = np.concatenate([centres - width / 2, [right]])
        panel.line(np.repeat(edges, 2)[1:-1], np.repeat(second[0], 2), NOISE, width=2, name=second[1])
    panel.line(z, normal_pdf(z), SIGNAL, width=2, name="N(0, 1) density")
    return Chart(560, 340, [panel], legend="bottom", description=description).svg()


UNDEFINED = "undefined: every value of x₀ is the same"


def survival_chart(correlation: np.ndarray, psnr: np.ndarray, t: int, crossover: int, description: str = "") -> str:
    """Correlation of x_t with x_0 (left) and PSNR in dB (right) against t = 0..T (T + 1,), with a dotted line at
    t and a dashed one at ``crossover`` (where the noise's spread first matches the picture's contrast).

    Only defined values are drawn: the PSNR is +inf at t = 0 (x_t = x_0), and the correlation of an x_0 whose values are
    all equal (a white page) is NaN at every t (it has no variance), which the panel then says in words.
    """
    T = max(len(correlation) - 1, 1)
    ts = np.arange(len(correlation), dtype=np.float64)
    c_lo, c_hi = data_span(correlation, empty=(-0.05, 1.05))
    corr = Panel(_t_axis(T), Axis(c_lo, c_hi, nice_ticks(c_lo, c_hi), grid=True), title="correlation of x_t with x_0")
    p_lo, p_hi = data_span(psnr)
    peak = Panel(_t_axis(T), Axis(p_lo, p_hi, nice_ticks(p_lo, p_hi), grid=True), title="PSNR of x_t vs x_0 (dB)")
    corr.line(*_thin(ts, correlation), ALPHA, width=2)
    peak.line(*_thin(np.arange(len(psnr), dtype=np.float64), psnr), NOISE, width=2)
    if not finite(correlation).size:
        corr.note(UNDEFINED)
    for panel in (corr, peak):
        panel.vline(t, MARKER, name=f"t = {t}", dash="2 3")
        if crossover <= T:
            panel.vline(crossover, CROSSOVER, name="noise outgrows the picture", dash="5 4")
    return Chart(620, 340, [corr, peak], legend="bottom", description=description).svg()
