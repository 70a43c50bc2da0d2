"""The corner page's charts as SVG (:mod:`diffusion_core.svg_chart`): where an image's bound falls among others,
where its bits are spent, the shells where noise lives, and the norms of random images. Plain functions of arrays;
no Streamlit.

They were Plotly charts, built in the browser on every visit (most of the page's opening time); none needs zoom
or hover, and what a hover told is in the legends (each marked line and band is named there) and the captions.
"""

from __future__ import annotations

import numpy as np

from diffusion_core.access.palette import ACCENT, GREEN, MUTED, ORANGE, RED, TEXT, VIOLET
from diffusion_core.likelihood.typical import Shell, WalkNorms
from diffusion_core.svg_chart import Axis, Chart, Panel, data_span, finite, log_ticks, nice_ticks

SET_COLOURS = {"real": ACCENT, "samples": GREEN, "ood": ORANGE, "noise": MUTED}
THIS_IMAGE, ALL_IMAGES, COMPRESSOR = RED, TEXT, VIOLET
NOISE_SHELL, UNIFORM_SHELL, FORWARD = MUTED, RED, TEXT
WALK, TO_END = ACCENT, GREEN
TICKS = (0.25, 0.5, 1, 2, 4, 8, 16, 32, 64)
WIDTH = 1000
NARROW = 480  # the same charts for a phone: drawn narrower, so their text is not shrunk to a third


def histogram_chart(sets: dict, chosen: tuple[float, float, float] | None, compressor: float | None,
                    level_bits: int = 8, description: str = "", width: int = WIDTH) -> str:
    """Histograms of per-image bits/dim, one per set {name: (title, values (N,))}, on a log axis; the chosen image's
    estimate with its interval (value, low, high), the compressor's mean on held-out images, and the whole space;
    ``width`` in SVG units (:data:`NARROW` for a phone, where the page scales it to about 360 px)."""
    sets = {name: (title, _positive(v)) for name, (title, v) in sets.items()}
    values = finite(*(v for _, v in sets.values()), [] if chosen is None else chosen[:1])
    values = values[values > 0]
    lo = np.log10(max(0.1, float(values.min()) * 0.8)) if values.size else -1.0
    hi = np.log10(max(level_bits * 1.5, float(values.max()) * 1.25)) if values.size else 2.0
    edges = np.linspace(lo, hi, 90)
    counts = {name: np.histogram(np.log10(v), bins=edges)[0] for name, (_, v) in sets.items() if len(v)}
    top = 1.1 * max([int(c.max()) for c in counts.values()] + [1])
    ticks = [t for t in TICKS if lo <= np.log10(t) <= hi]
    panel = Panel(Axis(lo, hi, list(np.log10(ticks)), [f"{t:g}" for t in ticks], title="bound L(x), bits per dimension"),
                  Axis(0, top, nice_ticks(0, top), title="images", grid=True))
    if chosen is not None and all(np.isfinite(chosen)) and chosen[2] > 0:
        value, low, high = chosen
        panel.band(np.log10(max(low, 1e-3)), np.log10(high), THIS_IMAGE, name="its 95% interval")
    centres = (edges[:-1] + edges[1:]) / 2
    for name, (title, v) in sets.items():
        if name in counts:
            panel.bars(centres, counts[name], SET_COLOURS.get(name, MUTED), width=float(edges[1] - edges[0]),
                       name=f"{title} ({len(v)})", opacity=0.7)
    panel.vline(np.log10(level_bits), ALL_IMAGES, name=f"{level_bits} bits/dim: all images", dash="2 3")
    if compressor is not None and np.isfinite(compressor) and compressor > 0:
        panel.vline(np.log10(compressor), COMPRESSOR, name="compressor (mean)", dash="6 4")
    if chosen is not None and np.isfinite(chosen[0]) and chosen[0] > 0:
        panel.vline(np.log10(chosen[0]), THIS_IMAGE, width=3, name="this image")
    panel.title = "Bits per dimension, image by image (log scale)"
    return Chart(width, _taller(420, width), [panel], legend="bottom", description=description).svg()


def _taller(height: int, width: int) -> int:
    """A chart's height at ``width``: a narrow chart's legend wraps onto more lines, so it gets 140 more units."""
    return height + (140 if width <= NARROW else 0)


def _positive(values) -> np.ndarray:
    """The finite, positive values (a bound in bits/dim is positive; anything else cannot sit on a log axis)."""
    v = finite(values)
    return v[v > 0]


def cumulative_share(per_timestep: np.ndarray) -> np.ndarray:
    """Share of the bits spent at timesteps ≤ t, for t = 0..T − 1 ((T,) -> (T,), ending at 1)."""
    terms = np.asarray(per_timestep, dtype=np.float64)
    total = float(np.sum(terms))
    return np.cumsum(terms) / total if np.isfinite(total) and total > 0 else np.full_like(terms, np.nan)


def profile_chart(curves: dict, description: str = "", width: int = WIDTH) -> str:
    """Where in the walk the bits are spent: the share of the bound at timesteps ≤ t, for {label: ((T,) terms,
    colour, dash)} (dash: "solid", "dash" or "dot"), t on a log axis; ``width`` as :func:`histogram_chart`'s."""
    dashes = {"solid": None, "dash": "6 4", "dot": "2 3"}
    T = max([len(terms) for terms, _, _ in curves.values()] + [2])
    percent = [0.0, 0.25, 0.5, 0.75, 1.0]
    panel = Panel(Axis(1, T, *log_ticks(1, T), title="timestep t (1 = the decoder, the walk's last step; log scale)",
                       log=True, grid=True),
                  Axis(0, 1.02, percent, [f"{p:.0%}" for p in percent], title="share of the bits", grid=True),
                  title="Where the bits are spent: share of L(x) in the last t steps of the walk" if width > NARROW
                  else "Share of L(x) in the walk's last t steps")
    for label, (terms, colour, dash) in curves.items():
        share = cumulative_share(np.asarray(terms))
        panel.line(np.arange(1, len(share) + 1), share, colour, width=2, dash=dashes.get(dash), name=label)
    return Chart(width, _taller(400, width), [panel], legend="bottom", description=description).svg()


def shell_chart(walk: WalkNorms, noise: Shell, uniform: Shell, forward: tuple[np.ndarray, np.ndarray], T: int,
                description: str = "", width: int = WIDTH) -> str:
    """‖x_t‖ along real reverse walks against t (T on the left: the walk runs left to right), with the Gaussian
    shell at t = T, the expected norm of the forward process from held-out images (ts (K,), norms (K,)), and the
    shell of uniformly random images; ``width`` as :func:`histogram_chart`'s."""
    def flip(t):  # the axis runs from t = T on the left to 0 on the right
        return T - np.asarray(t, dtype=np.float64)

    ts, expected = forward
    x = np.where(walk.timesteps < 0, 0, walk.timesteps + 1)
    top = 1.08 * max([1e-9, *finite(walk.norms, walk.to_end, noise.band(3)[1], uniform.band(3)[1], expected)])
    t_ticks = nice_ticks(0, T)
    panel = Panel(Axis(0, T, list(flip(t_ticks)), [f"{t:g}" for t in t_ticks], title="timestep t (the walk runs "
                       "left to right)"),
                  Axis(0, top, nice_ticks(0, top), title="length or distance (pixels as −1 to 1)", grid=True),
                  title="Where noise lives: real reverse walks, length and distance to the end" if width > NARROW
                  else "Reverse walks: length, distance to the end")
    panel.band(*noise.band(3), NOISE_SHELL, across="y",
               name=f"Gaussian noise: ‖ε‖ = {noise.mean:.2f} ± {noise.sd:.2f}")
    panel.band(*uniform.band(3), UNIFORM_SHELL, across="y",
               name=f"uniformly random images: {uniform.mean:.2f} ± {uniform.sd:.2f}")
    panel.line(flip(ts), expected, FORWARD, width=1.5, dash="6 4", name="forward process from held-out images, √E‖x_t‖²")
    gap = np.full((1, walk.norms.shape[1]), np.nan)
    xs = np.repeat(flip(x)[:, None], walk.norms.shape[1], axis=1)
    for values, colour, dash, name in ((walk.norms, WALK, None, "‖x_t‖ along reverse walks (DDPM)"),
                                       (walk.to_end, TO_END, "2 3", "‖x_t − x_end‖: distance to where it ends")):
        panel.line(np.concatenate([xs, gap]).T.ravel(), np.concatenate([values, gap]).T.ravel(), colour, width=1.5,
                   dash=dash, name=name)
    panel.dots(xs.ravel(), walk.norms.ravel(), WALK, size=4)
    return Chart(width, _taller(460, width), [panel], legend="bottom", description=description).svg()


def norms_histogram(sample: np.ndarray, shell: Shell, title: str, description: str = "", width: int = 600) -> str:
    """A histogram of norms (N,) with the predicted shell (mean ± 3 sd) shaded; ``width`` as
    :func:`histogram_chart`'s (it sits in a column: 600 units by default)."""
    lo, hi = shell.band(3)
    sample = finite(sample)
    left, right = data_span(sample, [lo, hi])
    edges = np.linspace(left, right, 41)
    counts = np.histogram(sample, bins=edges)[0]
    top = 1.1 * max(int(counts.max()), 1)
    panel = Panel(Axis(edges[0], edges[-1], nice_ticks(edges[0], edges[-1]), title="length ‖x‖ (pixels as −1 to 1)"),
                  Axis(0, top, nice_ticks(0, top), title="images", grid=True), title=title)
    panel.band(lo, hi, NOISE_SHELL, name="predicted shell, mean ± 3 sd")
    panel.bars((edges[:-1] + edges[1:]) / 2, counts, UNIFORM_SHELL, width=float(edges[1] - edges[0]) * 0.95,
               name="norms", opacity=0.8)
    return Chart(width, _taller(340, width) - (70 if width <= NARROW else 0), [panel], legend="bottom",
                 description=description).svg()
