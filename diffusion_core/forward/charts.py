"""The forward-process page's charts as SVG (:mod:`diffusion_core.svg_chart`): the schedules, the pixel histogram,
what survives of x_0, the picture's spectrum against the noise (coarse to fine), and x_0 with its patch outlined.

They follow the timestep slider and need no zoom or hover (the captions beside them give the values at t), so
they are pictures, not Plotly charts built in the browser at every move of t. Each function takes arrays computed
elsewhere in ``diffusion_core`` and returns an SVG document; nothing here computes the maths. Curves are indexed by
t = 0..T (t = 0 is the clean image) and drawn with at most :data:`CURVE_POINTS` points each.
"""

from __future__ import annotations

import base64
import math
from html import escape

import numpy as np

from diffusion_core.access.palette import ACCENT, GREEN, MUTED, ORANGE, RED, TEXT, VIOLET
from diffusion_core.forward.process import alpha_bar_with_zero
from diffusion_core.forward.schedules import NoiseSchedule
from diffusion_core.forward.spectrum import RadialPower
from diffusion_core.forward.stats import normal_pdf
from diffusion_core.images.pictures import png_bytes
from diffusion_core.images.pixel_patch import OUTLINE_RGB, clamp_origin
from diffusion_core.svg_chart import Axis, Chart, Panel, data_span, finite, log_range, log_ticks, nice_ticks

MARKER, CROSSOVER, RECOGNISABLE = RED, MUTED, TEXT
ALPHA, SIGNAL, NOISE, LOG_SNR = ACCENT, GREEN, ORANGE, VIOLET
CURVE_POINTS = 500  # a curve over t = 0..T keeps every k-th point, k = ceil((T + 1) / CURVE_POINTS)


def _thin(*arrays: np.ndarray) -> list[np.ndarray]:
    every = max(1, -(-len(arrays[0]) // CURVE_POINTS))
    return [np.concatenate([a[::every], a[-1:]]) if (len(a) - 1) % every else a[::every] for a in arrays]


def _t_axis(T: int) -> Axis:
    return Axis(0, T, nice_ticks(0, T), title="t")


def schedule_chart(schedule: NoiseSchedule, t: int, other: NoiseSchedule | None = None, description: str = "",
                   panels: str = "both") -> str:
    """ᾱ_t, √ᾱ_t (signal), √(1 − ᾱ_t) (noise) on the left, log SNR on the right; a dotted line at t.

    ``other``: a second schedule drawn dashed and fainter for comparison (e.g. cosine beside linear).
    ``panels``: "both", or one of them alone ("weights", "snr"), each with its own legend (narrow screens).
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
    if panels == "both":
        return Chart(1000, 340, [weights, snr], legend="bottom", description=description).svg()
    return Chart(480, 380, [weights if panels == "weights" else snr], legend="bottom", description=description).svg()


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
CROSSOVER_NAME = "signal power = noise power per pixel"
RECOGNISABLE_NAME = "recognisable until (squint test)"


def survival_chart(correlation: np.ndarray, psnr: np.ndarray, t: int, crossover: int, description: str = "",
                   recognisable: int | None = None, panels: str = "both") -> str:
    """Correlation of x_t with x_0 (left) and PSNR in dB (right) against t = 0..T (T + 1,), with a dotted line at
    t, a dashed one at ``crossover`` (:func:`diffusion_core.forward.stats.crossover_t`: where the noise's power per
    pixel first matches the picture's) and, if given, a long-dashed one at ``recognisable``
    (:func:`diffusion_core.forward.spectrum.recognisable_until`: where the squint test first fails). A marker past T
    (it never happens) is not drawn.

    Only defined values are drawn: the PSNR is +inf at t = 0 (x_t = x_0), and the correlation of an x_0 whose values are
    all equal (a white page) is NaN at every t (it has no variance), which the panel then says in words.
    ``panels``: "both", or one alone ("correlation", "psnr"), each with its own legend (narrow screens).
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
            panel.vline(crossover, CROSSOVER, name=CROSSOVER_NAME, dash="5 4")
        if recognisable is not None and 1 <= recognisable <= T:
            panel.vline(recognisable, RECOGNISABLE, name=RECOGNISABLE_NAME, dash="12 5")
    if panels == "both":
        return Chart(620, 360, [corr, peak], legend="bottom", description=description).svg()
    return Chart(440, 380, [corr if panels == "correlation" else peak], legend="bottom", description=description).svg()


def _cycle_ticks(lo: float, hi: float) -> tuple[list[float], list[str]]:
    """Ticks 1, 2, 5, 10, 20, 50, … inside [lo, hi], written as plain whole numbers."""
    values = [m * 10.0**k for k in range(0, 5) for m in (1, 2, 5) if lo <= m * 10.0**k <= hi]
    return values, [f"{v:g}" for v in values]


def spectrum_chart(power: RadialPower, alpha_bar_t: float, t: int, buried_from: float, thumbnail_cycles: float,
                   description: str = "") -> str:
    """Coarse to fine, on log-log axes: the picture's power in each band of waves (``power``, from
    :func:`diffusion_core.forward.spectrum.radial_power` of x_0) scaled by ᾱ_t, beside the noise's level 1 − ᾱ_t,
    the same in every band (white noise); the picture's own spectrum (t = 0) faint and dashed; the bands from
    ``buried_from`` up shaded (every one below the noise: :meth:`RadialPower.buried_above`, +inf for none) and a
    dotted line at ``thumbnail_cycles`` (the finest waves a 16 x 16 thumbnail shows).

    The y axis is fixed by the picture alone (from its weakest band / 100 to its strongest or 1, whichever is
    larger), so it stays put while t moves; what falls below it is left out.
    """
    k = np.asarray(power.frequency, dtype=np.float64)
    p = np.asarray(power.power, dtype=np.float64)
    k_hi = float(k[-1]) if k.size and k[-1] > 1 else 2.0
    positive = p[np.isfinite(p) & (p > 0)]
    lo, hi = log_range(np.concatenate([positive / 100, positive, [1.0, 1e-2]]))
    ticks, labels = log_ticks(lo, hi)
    x_ticks, x_labels = _cycle_ticks(1.0, k_hi)
    panel = Panel(Axis(1.0, k_hi, x_ticks, x_labels, title="waves across the picture (finer to the right)", log=True),
                  Axis(lo, hi, ticks, labels, title="power per wave", log=True, grid=True),
                  title=f"The picture's waves against the noise at t = {t}")
    if math.isfinite(buried_from) and buried_from <= k_hi:
        panel.band(max(1.0, buried_from - 0.5), k_hi, RED, name="buried", opacity=0.16)
    panel.line(k, p, ACCENT, width=1.5, dash="5 4", opacity=0.6, name="x₀ (t = 0)")
    panel.line(k, alpha_bar_t * p, SIGNAL, width=2.5, name="the picture in x_t")
    noise = 1.0 - alpha_bar_t
    if noise > 0:
        panel.hline(noise, NOISE, width=2.5, name="the noise")
    if 1.0 <= thumbnail_cycles <= k_hi:
        panel.vline(thumbnail_cycles, TEXT, width=1, dash="2 3", name="16 × 16 thumbnail's finest")
    return Chart(500, 400, [panel], legend="bottom", description=description).svg()


def picture_with_box(pixels: np.ndarray, top: int, left: int, size: int, scale: int, description: str = "") -> str:
    """x_0 as an SVG picture ``scale`` times its size, crisp (no smoothing), with a red box just outside the
    ``size`` x ``size`` patch at (top, left) (moved inside like :func:`clamp_origin`). The pixels travel once, at
    their own size (a PNG inside the SVG), whatever the size on screen. pixels: uint8 (H, W) or (H, W, 3)."""
    h, w = pixels.shape[:2]
    top, left = clamp_origin(pixels.shape, top, left, size)
    sh, sw = min(size, h), min(size, w)
    png = base64.b64encode(png_bytes(np.ascontiguousarray(pixels))).decode("ascii")
    red = "#{:02x}{:02x}{:02x}".format(*OUTLINE_RGB)
    pad = 1.0 / scale  # the box's 2 px line sits just outside the patch (in picture pixels)
    title = f"<title>{escape(description)}</title>" if description else ""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{-pad * 2:.9g} {-pad * 2:.9g} {w + pad * 4:.9g} '
            f'{h + pad * 4:.9g}" width="{w * scale + 4}" height="{h * scale + 4}" role="img">{title}'
            f'<image href="data:image/png;base64,{png}" x="0" y="0" width="{w}" height="{h}" '
            f'image-rendering="pixelated" style="image-rendering:pixelated" preserveAspectRatio="none"/>'
            f'<rect x="{left - pad:.9g}" y="{top - pad:.9g}" width="{sw + 2 * pad:.9g}" height="{sh + 2 * pad:.9g}" '
            f'fill="none" stroke="{red}" stroke-width="{2 * pad:.9g}"/></svg>')


def filmstrip(frames: list[tuple[str, np.ndarray]], columns: int = 4, cell: int = 128, description: str = "") -> str:
    """Pictures in a grid, each with its label underneath, as one SVG: ``frames`` (label, uint8 (H, W) or (H, W, 3)),
    all of one size, ``columns`` to a row; each picture enlarged by a whole factor to about ``cell`` px, crisp. One
    picture on every screen: it keeps its rows on a phone, where columns of pictures would stack into a long list."""
    if not frames:
        raise ValueError("a filmstrip needs at least one picture")
    h, w = frames[0][1].shape[:2]
    scale = max(1, cell // max(h, w))
    gap, label_h = 10, 22
    cw, ch = w * scale, h * scale
    rows = -(-len(frames) // columns)
    width, height = columns * cw + (columns - 1) * gap, rows * (ch + label_h + gap) - gap
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
             f'height="{height}" role="img" font-family="Source Sans Pro, Source Sans 3, Helvetica, Arial, sans-serif">',
             f"<title>{escape(description)}</title>" if description else ""]
    for i, (label, pixels) in enumerate(frames):
        x, y = (i % columns) * (cw + gap), (i // columns) * (ch + label_h + gap)
        png = base64.b64encode(png_bytes(np.ascontiguousarray(pixels))).decode("ascii")
        parts.append(f'<image href="data:image/png;base64,{png}" x="{x}" y="{y}" width="{cw}" height="{ch}" '
                     'image-rendering="pixelated" style="image-rendering:pixelated" preserveAspectRatio="none"/>')
        parts.append(f'<text x="{x + cw / 2:g}" y="{y + ch + 16}" text-anchor="middle" fill="{TEXT}" '
                     f'font-size="14">{escape(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)
