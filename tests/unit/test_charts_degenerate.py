"""Issue 26: every chart, statistic and description the app draws from data survives degenerate data.

A reader's one-colour upload has a correlation that is NaN at every t; a diverged training run has infinite
losses; a set may be empty, hold one point or one value. Property-based: hypothesis generates such arrays (empty,
one point, constant, all NaN, all ±inf, a mix of those with huge and tiny numbers) for every chart function and
for the sentences that describe charts. Each chart must come out as a well-formed SVG document whose every
coordinate is a finite number; each sentence must come out without "nan" or "inf" in it.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from diffusion_core.access import alt_text
from diffusion_core.forward import charts as forward_charts
from diffusion_core.forward.stats import HIST_EDGES, PairMoments, correlation_curve, psnr_curve
from diffusion_core.likelihood import charts as corner_charts
from diffusion_core.likelihood.typical import Shell, WalkNorms
from diffusion_core.space.digit_chart import ChartPoint, digit_chart_svg
from diffusion_core.svg_chart import Axis, Chart, Panel, data_span, log_range, nice_ticks
from diffusion_core.toy2d import charts as toy_charts
from diffusion_core.toy2d.frames import GuidanceSweep, SamplerAccuracy
from diffusion_core.toy2d.metrics import EpsError

ANY_FLOAT = st.floats(allow_nan=True, allow_infinity=True, width=64)
AWKWARD = st.sampled_from([0.0, -0.0, 1.0, -1.0, 1e-300, 5e-324, 1e300, -1e300, 1.7e308, math.nan, math.inf, -math.inf])


@st.composite
def series(draw, min_size: int = 0, max_size: int = 40, size: int | None = None) -> np.ndarray:
    """A float64 array of a degenerate kind (or an ordinary one), ``size`` long if given."""
    n = size if size is not None else draw(st.integers(min_size, max_size))
    kind = draw(st.sampled_from(["constant", "nan", "inf", "awkward", "any", "ordinary"]))
    if kind == "constant":
        return np.full(n, draw(AWKWARD | st.floats(-1e6, 1e6)), dtype=np.float64)
    if kind == "nan":
        return np.full(n, np.nan)
    if kind == "inf":
        return np.full(n, draw(st.sampled_from([math.inf, -math.inf])))
    elements = {"awkward": AWKWARD, "any": ANY_FLOAT, "ordinary": st.floats(-1e3, 1e3)}[kind]
    return draw(arrays(np.float64, n, elements=elements))


NUMERIC_ATTRIBUTES = ("x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "r", "width", "height", "d", "points")


def assert_drawable(svg: str) -> None:
    """A well-formed SVG document in which every coordinate is a finite number."""
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    for element in root.iter():
        for name in NUMERIC_ATTRIBUTES:
            value = element.get(name)
            if value is None or value.endswith("%"):
                continue
            numbers = re.findall(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?|nan|inf", value, flags=re.I)
            for number in numbers:
                assert math.isfinite(float(number)), f"{element.tag} {name}={value[:80]!r}"


def assert_words(text: str) -> None:
    assert not re.search(r"\b(nan|inf)\b", text, flags=re.I), text


# ---------------------------------------------------------------- the chart toolkit itself

@settings(max_examples=150, deadline=None)
@given(series(), series())
def test_data_span_and_ticks_always_make_an_axis(a, b):
    lo, hi = data_span(a, b)
    axis = Axis(lo, hi, nice_ticks(lo, hi))
    assert math.isfinite(lo) and math.isfinite(hi) and lo < hi
    assert all(math.isfinite(t) for t in axis.ticks)
    low, high = log_range(a)
    assert 0 < low < high and math.isfinite(high)
    Axis(low, high, log=True)


@settings(max_examples=150, deadline=None)
@given(series(), series(), st.booleans())
def test_every_mark_draws_any_data(x, y, log):
    n = min(len(x), len(y))
    x, y = x[:n], y[:n]
    panel = Panel(Axis(*data_span(x)), Axis(*(log_range(y) if log else data_span(y)), log=log), title="t")
    panel.line(x, y, "#fff", name="line")
    panel.dots(x, y, "#fff", name="dots")
    panel.dots(x, y, "#fff", ring=True)
    panel.fill(x, y, "#fff", "#fff", name="fill")
    panel.bars(x, y, "#fff", labels=[str(v) for v in y], name="bars")
    if n:
        panel.band(float(x[0]), float(x[-1]), "#fff", name="band")
        panel.vline(float(x[0]), "#fff")
    panel.note("nothing defined here")
    assert_drawable(Chart(400, 300, [panel], legend="bottom", description="d").svg())


# ---------------------------------------------------------------- the forward page

@settings(max_examples=80, deadline=None)
@given(st.integers(1, 300).flatmap(lambda n: st.tuples(series(size=n + 1), series(size=n + 1), st.integers(0, n),
                                                        st.integers(0, n + 2))))
def test_survival_chart_draws_any_curves(args):
    correlation, psnr, t, crossover = args
    assert_drawable(forward_charts.survival_chart(correlation, psnr, t, crossover, description="d"))


@settings(max_examples=60, deadline=None)
@given(series(size=len(HIST_EDGES) - 1), series(size=len(HIST_EDGES) - 1), st.booleans())
def test_forward_histogram_draws_any_densities(density, second, with_second):
    centres = (HIST_EDGES[:-1] + HIST_EDGES[1:]) / 2
    svg = forward_charts.histogram_chart(centres, density, 5, second=(second, "steps") if with_second else None)
    assert_drawable(svg)


@settings(max_examples=60, deadline=None)
@given(st.floats(0, 255), st.sampled_from([(1, 1), (1, 5000), (256, 256), (4, 4, 3)]))
def test_a_one_value_picture_has_an_undefined_correlation_and_says_so(level, shape):
    """The page's own numbers for a one-colour upload: the correlation is NaN, the PSNR finite after t = 0, and
    the chart and its sentences say what is undefined instead of failing."""
    x0 = np.full(shape, level / 127.5 - 1)
    eps = np.random.default_rng(0).standard_normal(shape)
    ab = np.linspace(1, 0.001, 101)
    moments = PairMoments.of(x0, eps)
    correlation, psnr = correlation_curve(moments, ab), psnr_curve(moments, ab)
    assert np.isnan(correlation).all() and np.isinf(psnr[0]) and np.isfinite(psnr[1:]).all()
    svg = forward_charts.survival_chart(correlation, psnr, 50, 1, description="d")
    assert_drawable(svg)
    assert forward_charts.UNDEFINED in svg
    alt, caption = alt_text.survival(50, float(correlation[50]), float(psnr[50]), 1, 100, 0.0, 0.0)
    assert "undefined" in alt and "Every number of this picture is the same" in caption
    alt, caption = alt_text.survival(0, float(correlation[0]), float(psnr[0]), 1, 100, 0.0, 0.0)
    assert "infinite" in caption and "(x_t is x₀ itself)" in caption
    for text in (alt, caption):
        assert_words(text)


# ---------------------------------------------------------------- the corner page

@settings(max_examples=80, deadline=None)
@given(series(), series(), series(max_size=3), st.one_of(st.none(), ANY_FLOAT), st.booleans())
def test_bound_histogram_draws_any_sets(real, noise, chosen, compressor, with_chosen):
    picked = tuple(float(v) for v in np.resize(chosen, 3)) if with_chosen and len(chosen) else None
    svg = corner_charts.histogram_chart({"real": ("held-out", real), "noise": ("noise", noise)}, picked, compressor)
    assert_drawable(svg)


@settings(max_examples=60, deadline=None)
@given(series(), series(min_size=1))
def test_profile_chart_draws_any_terms(a, b):
    assert_drawable(corner_charts.profile_chart({"a": (a, "#fff", "solid"), "b": (b, "#fff", "dash")}))


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 6).flatmap(lambda s: st.tuples(series(size=2 * s), series(size=2 * s), series(size=4),
                                                      series(size=3), series(size=3))))
def test_shell_chart_draws_any_walks(args):
    norms, to_end, shells, ts, expected = args
    steps = len(norms) // 2
    walk = WalkNorms(np.append(np.arange(steps - 1, 0, -1) * 100, -1), norms.reshape(steps, 2),
                     to_end.reshape(steps, 2), np.zeros((2, 1, 2, 2)))
    svg = corner_charts.shell_chart(walk, Shell(*shells[:2]), Shell(*shells[2:]), (np.array([0, 500, 999]), expected),
                                    1000)
    assert_drawable(svg)


@settings(max_examples=60, deadline=None)
@given(series(), series(size=2))
def test_norms_histogram_draws_any_sample(sample, shell):
    assert_drawable(corner_charts.norms_histogram(sample, Shell(*shell), "norms"))


# ---------------------------------------------------------------- the 2-D page

@settings(max_examples=60, deadline=None)
@given(series(size=10), ANY_FLOAT)
def test_error_chart_draws_any_errors(relative, overall):
    err = EpsError(overall, np.arange(0, 1001, 100), relative, relative, relative)
    assert_drawable(toy_charts.error_t_chart(err))


@settings(max_examples=60, deadline=None)
@given(series(max_size=120), st.integers(1, 60))
def test_loss_chart_draws_any_losses(losses, window):
    assert_drawable(toy_charts.loss_chart(losses, window=window))


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 6).flatmap(lambda n: st.tuples(series(size=n, min_size=1), series(size=n), ANY_FLOAT)))
def test_guidance_sweep_chart_draws_any_sweep(args):
    scales, shares, scale = args
    finite_scales = tuple(float(s) for s in np.nan_to_num(scales, nan=0.0, posinf=10.0, neginf=-10.0))
    sweep = GuidanceSweep(finite_scales, {"exact": shares, "learned": shares[::-1]})
    assert_drawable(toy_charts.guidance_sweep_chart(sweep, float(np.nan_to_num(scale))))


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 8).flatmap(lambda n: st.tuples(series(size=n), series(size=n))))
def test_accuracy_chart_draws_any_errors(args):
    a, b = args
    acc = SamplerAccuracy(np.arange(1, len(a) + 1) * 2, {"DDIM": a, "DPM-Solver++": b}, 1000)
    assert_drawable(toy_charts.accuracy_chart(acc))


# ---------------------------------------------------------------- image space (exact integers)

@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(1, 10**18), min_size=1, max_size=5), st.integers(1, 10**18), st.integers(1, 10**18))
def test_digit_chart_draws_any_counts(pixels, you_pixels, you_digits):
    curve = sorted((p, p) for p in set(pixels))
    assert_drawable(digit_chart_svg(curve, [ChartPoint("a", 1, 1)], ChartPoint("you", you_pixels, you_digits), "c"))


# ---------------------------------------------------------------- the sentences beside the charts

@settings(max_examples=100, deadline=None)
@given(st.lists(ANY_FLOAT, min_size=8, max_size=8))
def test_descriptions_never_say_nan_or_inf(v):
    texts = [
        alt_text.error_over_t(v[0], "0 ≤ t < 100", v[1]),
        alt_text.loss_curve(10, v[2]),
        alt_text.memorisation_plot(v[3], v[4]),
        alt_text.memorisation_plot(v[3], None),
        alt_text.guidance_plot("blob", 2.0, {"exact": v[5], "learned": v[6]}),
        alt_text.sweep_plot("blob", 2.0, v[7]),
        alt_text.noise_histograms((v[0], v[1]), (v[2], v[3])),
        alt_text.bound_histograms(["held-out"], v[4]),
        alt_text.walk_norms(3, v[5], v[6], v[7], v[0]),
        alt_text.norms_spread(1000, v[1], v[2]),
        *alt_text.survival(5, v[3], v[4], 7, 10, abs(v[5]) if math.isfinite(v[5]) else 0.0, v[6]),
    ]
    for text in texts:
        assert_words(text)


def test_ticks_over_a_subnormal_range():
    """A range a few times 5e-324 wide (hypothesis found it through the corner page's norms histogram): its power of
    ten rounds away in float64, and the ticks are its two ends."""
    assert nice_ticks(-1e-323, 2e-323) == [-1e-323, 2e-323]
    assert_drawable(corner_charts.norms_histogram(np.array([]), Shell(5e-324, 5e-324), "norms"))
