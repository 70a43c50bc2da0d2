"""Why small steps (Nakkiran et al. 2024): the closed-form reverse of a forward step on 1-D mixture data, checked
by simulation; nearly Gaussian for a small step, far from it for a big one."""

from __future__ import annotations

import re

import numpy as np
import pytest

from diffusion_core.forward.process import alpha_bar_with_zero
from diffusion_core.forward.schedules import NoiseSchedule
from diffusion_core.toy2d.charts import density_top, reverse_step_chart
from diffusion_core.toy2d.reverse_step import TWO_KINDS, LineMixture, reverse_step

AB = alpha_bar_with_zero(NoiseSchedule("cosine", 1000))


@pytest.mark.parametrize("t,s,x_t", [(600, 0, 0.2), (300, 200, 0.1), (600, 590, -0.4)])
def test_the_closed_form_matches_a_simulation(t, s, x_t):
    """Draw x_0, then x_s and x_t by the forward process; keep the draws whose x_t lands near the given value:
    their x_s follow p(x_s | x_t)."""
    rng = np.random.default_rng(0)
    n = 4_000_000
    k = rng.integers(0, 2, n)
    x0 = TWO_KINDS.means[k] + TWO_KINDS.stds[k] * rng.standard_normal(n)
    x_s = np.sqrt(AB[s]) * x0 + np.sqrt(1 - AB[s]) * rng.standard_normal(n)
    a2 = AB[t] / AB[s]
    xt = np.sqrt(a2) * x_s + np.sqrt(1 - a2) * rng.standard_normal(n)
    kept = x_s[np.abs(xt - x_t) < 0.01]
    step = reverse_step(TWO_KINDS, AB[t], AB[s], x_t)
    assert abs(kept.mean() - step.mean) < 4 * kept.std() / np.sqrt(len(kept)) + 0.01
    assert kept.var() == pytest.approx(step.var, rel=0.05)
    edges = np.linspace(-2.5, 2.5, 51)
    hist, _ = np.histogram(kept, bins=edges, density=True)
    exact = np.interp((edges[:-1] + edges[1:]) / 2, step.grid, step.exact)
    assert 0.5 * np.sum(np.abs(hist - exact)) * 0.1 < 0.05


def test_a_small_step_is_nearly_gaussian_and_a_big_one_is_not():
    small = reverse_step(TWO_KINDS, AB[600], AB[590], 0.2)
    big = reverse_step(TWO_KINDS, AB[600], AB[0], 0.2)
    assert small.total_variation < 0.001 < 0.5 < big.total_variation
    dx = small.grid[1] - small.grid[0]
    assert np.sum(small.exact) * dx == pytest.approx(1, abs=1e-3) and np.sum(big.exact) * dx == pytest.approx(1, abs=1e-3)
    tvs = [reverse_step(TWO_KINDS, AB[600], AB[s], 0.2).total_variation for s in (599, 590, 500, 300, 0)]
    assert tvs == sorted(tvs)  # the bigger the step, the less Gaussian


def test_one_kind_of_data_reverses_to_a_gaussian_at_any_step():
    single = LineMixture(np.array([1.0]), np.array([0.5]), np.array([0.3]))
    assert reverse_step(single, AB[900], AB[0], 0.3).total_variation < 1e-6
    with pytest.raises(ValueError):
        reverse_step(single, AB[100], AB[200], 0.0)


def test_the_chart_draws_both_steps():
    svg = reverse_step_chart([("small", reverse_step(TWO_KINDS, AB[600], AB[590], 0.2)),
                              ("big", reverse_step(TWO_KINDS, AB[600], AB[0], 0.2))], description="d")
    assert svg.count("exact reverse step") == 1 and "<title>d</title>" in svg


def test_charts_drawn_apart_share_one_density_scale():
    """The page draws the small step and the reader's step as two charts (a phone stacks them): drawn with
    density_top of both, their density axes end at the same height, which neither chart alone would give."""
    small = reverse_step(TWO_KINDS, AB[600], AB[590], 0.2)
    big = reverse_step(TWO_KINDS, AB[600], AB[0], 0.2)
    top = density_top([small, big])
    assert top == pytest.approx(1.08 * max(small.exact.max(), small.gaussian.max(), big.exact.max(), big.gaussian.max()))
    assert density_top([big]) < top  # the small step's narrow density is the taller one
    apart = [reverse_step_chart([(name, step)], "d", top) for name, step in (("small", small), ("big", big))]
    ticks = [[t for t in re.findall(r">([0-9.]+)</text>", svg)] for svg in apart]
    assert ticks[0][-1] == ticks[1][-1] and ticks[0] == ticks[1]  # same ticks on both density axes
    assert reverse_step_chart([("big", big)], "d") != apart[1]  # without the shared top, the big step's own scale
    assert 'width="450"' in apart[0]  # one panel, half the two-panel width
