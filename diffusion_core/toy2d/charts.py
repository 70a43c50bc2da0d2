"""The 2-D page's still charts as SVG (:mod:`diffusion_core.svg_chart`): the data, the ε error over t, the training
loss, memorisation, guidance and its sweep, the samplers' accuracy, and the exact reverse step on a line.

None of these needs zoom, hover or a click, and drawn by Plotly in the browser they were most of the page's
opening time (see :mod:`diffusion_core.svg_chart`). The charts a reader interacts with (the field with zoom, the
chart that takes clicks to add points) stay in :mod:`diffusion_core.toy2d.plots`, in the same colours. Each
function takes what :mod:`diffusion_core.toy2d.frames` computed and returns an SVG document; nothing here computes
the maths.
"""

from __future__ import annotations

import numpy as np

from diffusion_core.access.palette import GREEN, VIOLET
from diffusion_core.svg_chart import Axis, Chart, Panel, data_span, log_range, log_ticks, nice_ticks
from diffusion_core.toy2d.datasets import LIMIT, GaussianMixture
from diffusion_core.toy2d.frames import BLOB_RADIUS, GuidanceRuns, GuidanceSweep, Memorisation, SamplerAccuracy
from diffusion_core.toy2d.metrics import EpsError
from diffusion_core.toy2d.plots import CLASS_COLOURS, DATA, ERROR, EXACT, FAINT, LEARNED, TEXT
from diffusion_core.toy2d.reverse_step import ReverseStep

CHOSEN = GREEN  # the class asked for: its blobs filled and edged in green
SAMPLER_COLOURS = (LEARNED, GREEN, VIOLET)


def _plane(span: float = LIMIT, title: str = "") -> Panel:
    """[-span, span]^2 with equal scales and ticks at -2, 0, 2."""
    ticks = [-2.0, 0.0, 2.0]
    return Panel(Axis(-span, span, ticks), Axis(-span, span, ticks), title=title, square=True)


def data_chart(mix: GaussianMixture, samples: np.ndarray, labels: np.ndarray, description: str = "") -> str:
    """Draws of the data (N, 2) coloured by their class (N,); a point set is drawn as its points."""
    panel = _plane()
    if mix.is_empirical:
        panel.dots(mix.means[:, 0], mix.means[:, 1], DATA, size=9, name="your points")
    else:
        for c in range(mix.num_classes):
            pts = samples[labels == c]
            panel.dots(pts[:, 0], pts[:, 1], CLASS_COLOURS[c % len(CLASS_COLOURS)], name=mix.class_names[c])
    legend = "bottom" if mix.num_classes > 1 and not mix.is_empirical else None
    return Chart(440, 400 if legend else 380, [panel], legend=legend, description=description).svg()


def _percent(share: float) -> str:
    """A bar's label: two significant digits of a percentage ("6.7%", "0.03%"), "<0.001%" below that, "–" if NaN."""
    if not np.isfinite(share):
        return "–"
    return "<0.001%" if 0 < 100 * share < 0.001 else f"{100 * share:.2g}%"


def error_t_chart(err: EpsError, description: str = "") -> str:
    """The relative ε error per range of t as bars over t on a log scale, each labelled, the overall value dashed;
    the axis reaches a decade higher when the tallest bar would leave its label no room inside the plot."""
    lo, hi = log_range(np.concatenate([err.relative, [err.overall]]))
    shown = err.relative[np.isfinite(err.relative) & (err.relative > 0)]
    tallest = float(shown.max()) if shown.size else lo
    if np.log10(tallest / lo) > 0.85 * np.log10(hi / lo):  # no room above the tallest bar for its label
        hi *= 10.0
    edges = np.asarray(err.edges, dtype=np.float64)
    panel = Panel(Axis(edges[0], edges[-1], nice_ticks(edges[0], edges[-1]), title="timestep t"),
                  Axis(lo, hi, *log_ticks(lo, hi), title="E‖ε̂ − ε*‖² / E‖ε*‖²", log=True, grid=True))
    panel.bars((edges[:-1] + edges[1:]) / 2, err.relative, LEARNED, width=0.8 * float(np.diff(edges).min()),
               labels=[_percent(r) for r in err.relative])
    overall = f"{err.overall:.2%}" if np.isfinite(err.overall) else "undefined"
    panel.line(edges[[0, -1]], [err.overall] * 2, TEXT, width=1, dash="5 4", name=f"over all t: {overall}")
    return Chart(520, 300, [panel], legend="top", description=description).svg()


# What the loss chart's values are, by what the MLP predicts (mlp.MLPConfig.prediction): the squared error of the
# prediction, averaged over the batch and the two coordinates, with t drawn as the training draws it.
LOSS_TITLES = {"v": "mean (v − v̂)² per batch", "eps": "mean (ε − ε̂)² per batch"}


def loss_chart(losses: np.ndarray, window: int = 50, description: str = "", most: int = 1000,
               prediction: str = "v") -> str:
    """The training loss per step (S,) and its moving average over ``window`` steps, on a log scale; each line
    keeps at most about ``most`` of its points (evenly spaced), far more than the chart's width in pixels.
    ``prediction`` ("v" or "eps") names what the network predicted, and so what the loss measures."""
    losses = np.asarray(losses, dtype=np.float64)
    steps = np.arange(1, len(losses) + 1)
    smooth = np.convolve(losses, np.ones(window) / window, mode="valid") if len(losses) >= window else losses[:0]
    lo, hi = log_range(losses)
    last = max(len(losses), 1)
    panel = Panel(Axis(0, last, nice_ticks(0, last), title="training step", grid=True),
                  Axis(lo, hi, *log_ticks(lo, hi), title=LOSS_TITLES[prediction], log=True, grid=True))
    every = max(1, -(-len(losses) // most))
    panel.line(steps[::every], losses[::every], FAINT, width=1, name="loss per batch")
    panel.line(steps[window - 1::every], smooth[::every], LEARNED, width=2, name=f"mean of {window}")
    return Chart(520, 280, [panel], legend="top", description=description).svg()


MEMORY_PANELS = {"ideal": "ideal denoiser: the exact field of your points", "learned": "the MLP trained on the same points"}


def memorisation_chart(mem: Memorisation, description: str = "", which: tuple[str, ...] = ("ideal", "learned")) -> str:
    """The ideal denoiser's samples (all on training points) beside the MLP's (filling the shape), same noise;
    ``which`` panels ("ideal", "learned": the page draws each as its own chart, so a phone stacks them)."""
    samples = {"ideal": (mem.ideal, DATA), "learned": (mem.learned, LEARNED)}
    panels = []
    for name in which:
        x, colour = samples[name]
        if x is None:
            continue
        panel = _plane(title=MEMORY_PANELS[name])
        panel.dots(x[:, 0], x[:, 1], colour, size=5, opacity=0.7, name="samples")
        panel.dots(mem.points[:, 0], mem.points[:, 1], EXACT, size=11, ring=True, name="training points")
        panels.append(panel)
    return Chart(450 * len(panels) or 450, 420, panels, legend="bottom", description=description).svg()


def _ellipse(mean: np.ndarray, cov: np.ndarray, radius: float, steps: int = 48) -> np.ndarray:
    """The ellipse {x: (x − mean)ᵀ cov⁻¹ (x − mean) = radius²} as (steps, 2) points (at least 0.05 wide)."""
    vals, vecs = np.linalg.eigh(cov)
    a = np.linspace(0, 2 * np.pi, steps)
    circle = np.stack([np.cos(a), np.sin(a)], axis=1) * radius * np.sqrt(np.clip(vals, 0.05**2 / radius**2, None))
    return mean + circle @ vecs.T


def _rings(mix: GaussianMixture, chosen: bool, label: int) -> np.ndarray:
    """Every 95% ellipse of class ``label`` (or of the others), NaN rows between them: (M, 2)."""
    rings = [np.concatenate([_ellipse(mix.means[k], mix.covs[k], BLOB_RADIUS), [[np.nan, np.nan]]])
             for k in range(len(mix.weights)) if (mix.labels[k] == label) == chosen]
    return np.concatenate(rings) if rings else np.empty((0, 2))


def guidance_chart(mix: GaussianMixture, runs: GuidanceRuns, trails: int = 40, description: str = "",
                   fields: tuple[str, ...] = ("exact", "learned")) -> str:
    """Guided DDIM paths (``trails`` of them) and every end point over the class's blobs, for each of ``fields``
    that the runs hold (the page draws each field as its own chart, so a phone stacks them)."""
    others, chosen = _rings(mix, False, runs.label), _rings(mix, True, runs.label)
    panels = []
    for name in (n for n in fields if n in runs.paths):
        panel = _plane(3.5, f"{name} field, guidance s = {runs.scale:g}: {runs.inside[name]:.0%} in the class's blobs")
        if len(others):
            panel.line(others[:, 0], others[:, 1], FAINT, width=1, name="other classes")
        if len(chosen):
            panel.fill(chosen[:, 0], chosen[:, 1], CHOSEN, CHOSEN, name="the class asked for")
        path = runs.paths[name]
        trail = path.states[:, :trails, :]
        tr = np.concatenate([trail, np.full((1, trail.shape[1], 2), np.nan)]).transpose(1, 0, 2).reshape(-1, 2)
        colour = LEARNED if name == "learned" else EXACT
        panel.line(tr[:, 0], tr[:, 1], colour, width=0.8, opacity=0.5, name="paths")
        panel.dots(path.final[:, 0], path.final[:, 1], colour, name="samples")
        panels.append(panel)
    return Chart(450 * len(panels) or 450, 440, panels, legend="bottom", description=description).svg()


def guidance_sweep_chart(sweep: GuidanceSweep, scale: float, description: str = "") -> str:
    """The share of samples inside the class's own blobs against the guidance scale, the current s dotted."""
    scales = sweep.scales
    percent = [0.0, 0.25, 0.5, 0.75, 1.0]
    lo, hi = data_span(scales, [scale], pad=0.0)
    panel = Panel(Axis(lo, hi, nice_ticks(lo, hi), title="guidance scale s"),
                  Axis(0, 1.02, percent, [f"{p:.0%}" for p in percent], title="samples in the class's blobs", grid=True))
    for name, values in sweep.shares.items():
        colour = LEARNED if name == "learned" else EXACT
        panel.line(scales, values, colour, width=2, name=f"{name} field")
        panel.dots(scales, values, colour, size=6)
    panel.vline(scale, ERROR, name=f"s = {scale:g}", dash="2 3")
    return Chart(520, 320, [panel], legend="top", description=description).svg()


def accuracy_chart(acc: SamplerAccuracy, description: str = "") -> str:
    """Mean distance to the exact ODE's end points against the number of steps, log-log, with 1/n and 1/n² guides."""
    n = acc.steps.astype(float)
    first = next(iter(acc.errors.values()))
    guides = {name: first[len(n) // 2] * (n[len(n) // 2] / n) ** power for power, name in ((1, "∝ 1/n"), (2, "∝ 1/n²"))}
    lo, hi = log_range(np.concatenate([*acc.errors.values()]))
    x_lo, x_hi = log_range(n)
    panel = Panel(Axis(x_lo, x_hi, *log_ticks(x_lo, x_hi), title="steps n", log=True, grid=True),
                  Axis(lo, hi, *log_ticks(lo, hi), title="mean ‖x_n − x_exact‖", log=True, grid=True))
    for (label, errors), colour in zip(acc.errors.items(), SAMPLER_COLOURS):
        panel.line(n, errors, colour, width=2, name=label)
        panel.dots(n, errors, colour, size=6)
    for name, values in guides.items():
        panel.line(n, values, FAINT, width=1.5, dash="2 3", name=name)
    return Chart(520, 400, [panel], legend="top", description=description).svg()


def density_top(steps: list[ReverseStep]) -> float:
    """The top of a density axis that holds every curve of ``steps`` (so charts drawn apart share one scale)."""
    return 1.08 * max([1e-9, *(float(np.nanmax(s.exact)) for s in steps), *(float(np.nanmax(s.gaussian)) for s in steps)])


def reverse_step_chart(steps: list[tuple[str, ReverseStep]], description: str = "", top: float | None = None) -> str:
    """Side by side, for each (title, step): the exact reverse density p(x_s | x_t) and the Gaussian of the same mean
    and variance (dashed: the best a Gaussian step such as DDPM's can be), on the same axes, up to ``top`` (default:
    :func:`density_top` of these steps)."""
    top = density_top([s for _, s in steps]) if top is None else top
    panels = []
    for title, step in steps:
        lo, hi = float(step.grid[0]), float(step.grid[-1])
        panel = Panel(Axis(lo, hi, nice_ticks(lo, hi), title="x_s"), Axis(0, top, nice_ticks(0, top), grid=True),
                      title=title)
        panel.line(step.grid, step.exact, LEARNED, width=2, name="exact reverse step p(x_s | x_t)")
        panel.line(step.grid, step.gaussian, EXACT, width=2, dash="6 4",
                   name="the Gaussian with the same mean and variance")
        panels.append(panel)
    return Chart(450 * len(panels) or 450, 340, panels, legend="bottom", description=description).svg()
