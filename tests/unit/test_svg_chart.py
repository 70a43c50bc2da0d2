"""The small SVG charts: well-formed documents whose marks sit where the axes put them, legends that fit, and the
2-D page's still charts built from real runs."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from diffusion_core.svg_chart import Axis, Chart, Panel, log_range, log_ticks, nice_ticks, power_of_ten
from diffusion_core.toy2d import charts, frames
from diffusion_core.toy2d.datasets import dataset, heart_points, point_set
from diffusion_core.toy2d.metrics import EpsError
from diffusion_core.toy2d.mlp import MLPConfig, train
from diffusion_core.toy2d.settings import SCHEDULE as S

NS = "{http://www.w3.org/2000/svg}"


def _numbers(d: str) -> list[float]:
    return [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", d)]


def _paths(svg: str) -> list[ET.Element]:
    return ET.fromstring(svg).findall(f".//{NS}path")


def _texts(svg: str) -> list[str]:
    return [t.text for t in ET.fromstring(svg).iter(f"{NS}text")]


def test_ticks_and_ranges():
    assert power_of_ten(-3) == "10⁻³" and power_of_ten(12) == "10¹²"
    assert log_ticks(1e-4, 1e-1) == ([1e-4, 1e-3, 1e-2, 1e-1], ["10⁻⁴", "10⁻³", "10⁻²", "10⁻¹"])
    values, labels = log_ticks(0.1, 1.0)  # one decade: 2· and 5· ticks between
    assert values == pytest.approx([0.1, 0.2, 0.5, 1.0]) and labels == ["10⁻¹", "2·10⁻¹", "5·10⁻¹", "10⁰"]
    assert nice_ticks(0, 2000) == [0, 500, 1000, 1500, 2000] and nice_ticks(0, 10) == [0, 2, 4, 6, 8, 10]
    assert log_range(np.array([0.003, 0.2, 0.0, np.nan])) == (1e-3, 1.0)  # zero and NaN cannot sit on a log axis
    with pytest.raises(ValueError):
        Axis(1.0, 1.0)
    with pytest.raises(ValueError):
        Axis(0.0, 1.0, log=True)


def test_marks_sit_where_the_axes_put_them():
    panel = Panel(Axis(0, 10), Axis(1, 1000, log=True))
    panel.dots([0, 10, 5], [1, 1000, 10 ** 1.5], "#fff", size=4)
    chart = Chart(400, 300, [panel])
    left, top, w, h = chart._areas(0)[id(panel)]
    numbers = _numbers(_paths(chart.svg())[0].get("d"))  # "M x y h0" per dot: x, y, 0
    points = [(numbers[i], numbers[i + 1]) for i in range(0, len(numbers), 3)]
    assert points == pytest.approx([(left, top + h), (left + w, top), (left + w / 2, top + h / 2)], abs=0.06)


def test_a_nan_breaks_a_line_and_closes_a_shape():
    panel = Panel(Axis(0, 1), Axis(0, 1))
    panel.line([0, 1, np.nan, 0, 1], [0, 1, np.nan, 1, 0], "#fff")
    panel.fill([0, 1, 1, np.nan, 0, 0.5, 0], [0, 0, 1, np.nan, 1, 1, 0.5], "#0f0", "#0f0")
    line, shape = _paths(Chart(300, 200, [panel]).svg())
    assert line.get("d").count("M") == 2 and line.get("d").count("L") == 2
    assert shape.get("d").count("M") == 2 and shape.get("d").count("Z") == 2


def test_square_panels_keep_one_unit_equal_on_both_axes():
    panels = [Panel(Axis(-3, 3), Axis(-3, 3), square=True), Panel(Axis(-3, 3), Axis(-3, 3), square=True)]
    areas = Chart(900, 420, panels)._areas(1)
    for panel in panels:
        _, _, w, h = areas[id(panel)]
        assert w == pytest.approx(h)
    (l1, _, w1, _), (l2, _, _, _) = areas[id(panels[0])], areas[id(panels[1])]
    assert l1 + w1 < l2  # side by side, not overlapping


def test_the_legend_names_each_series_once_and_wraps_to_the_width():
    panels = [Panel(Axis(0, 1), Axis(0, 1)) for _ in range(2)]
    for panel in panels:
        for k in range(6):
            panel.line([0, 1], [k / 6, k / 6], "#fff", name=f"a rather long series name {k}")
        panel.dots([0.5], [0.5], "#fff")  # unnamed: no entry
    chart = Chart(500, 400, panels, legend="bottom")
    rows = chart._legend_rows()
    assert sum(len(r) for r in rows) == 6 and len(rows) > 1
    assert all(sum(24 + 7.0 * len(s.name) + 18 for s in row) <= 500 - 60 for row in rows)
    assert sum("rather long" in (t or "") for t in _texts(chart.svg())) == 6


def test_text_is_escaped_and_the_description_is_the_title():
    panel = Panel(Axis(0, 1, [0, 1], ["<0>", "1&"]), Axis(0, 1), title="a <b> & c")
    panel.bars([0.5], [0.5], "#fff", labels=["<5%>"])
    svg = Chart(300, 200, [panel], description="what <it> shows").svg()
    root = ET.fromstring(svg)  # would fail on an unescaped < or &
    assert root.find(f"{NS}title").text == "what <it> shows"
    assert {"<0>", "1&", "a <b> & c", "<5%>"} <= set(_texts(svg))


def test_a_chart_too_small_for_its_panels_is_refused():
    with pytest.raises(ValueError, match="no room"):
        Chart(60, 40, [Panel(Axis(0, 1, title="x"), Axis(0, 1, title="y"))], legend="top").svg()


@pytest.fixture(scope="module")
def model():
    return train(dataset("blobs"), S, MLPConfig(width=32, steps=300)).model


def test_the_2d_still_charts_from_real_runs(model):
    mix = dataset("blobs")
    x0, y0 = mix.sample(300, np.random.default_rng(0))
    data = charts.data_chart(mix, x0, y0, description="d")
    dots = _paths(data)
    assert len(dots) == mix.num_classes and sum(p.get("d").count("h0") for p in dots) == 300
    assert set(mix.class_names) <= set(_texts(data))

    runs = frames.guidance_runs(mix, S, model, label=1, scale=4.0, n=60, steps=10, seed=0)
    guided = charts.guidance_chart(mix, runs, trails=5)
    assert sum(t.startswith("exact field, guidance s = 4:") or t.startswith("learned field, guidance s = 4:")
               for t in _texts(guided)) == 2
    assert {"paths", "samples", "the class asked for"} <= set(_texts(guided))

    acc = frames.sampler_accuracy(mix, S, n=20, steps=(4, 8), reference_steps=50)
    accuracy = _texts(charts.accuracy_chart(acc))
    assert set(acc.errors) | {"∝ 1/n", "∝ 1/n²"} <= set(accuracy)

    err = EpsError(overall=0.01, edges=np.arange(0, 1001, 100), relative=np.geomspace(0.1, 1e-4, 10),
                   mse=np.ones(10), signal=np.ones(10))
    bars = ET.fromstring(charts.error_t_chart(err)).findall(f".//{NS}rect")
    assert len(bars) >= 10 and "10%" in _texts(charts.error_t_chart(err))

    loss = charts.loss_chart(np.linspace(2, 1, 8000))
    faint = _paths(loss)[0].get("d")
    assert faint.count("L") < 1100  # 8,000 steps drawn with about a thousand points

    mem = frames.memorisation(point_set(heart_points()), S, None, n=40, steps=20, seed=3)
    assert "ideal denoiser: the exact field of your points" in _texts(charts.memorisation_chart(mem))


def test_the_forward_charts_follow_t():
    from diffusion_core.forward.charts import CROSSOVER_NAME, histogram_chart, schedule_chart, survival_chart
    from diffusion_core.forward.schedules import NoiseSchedule

    svg = schedule_chart(NoiseSchedule("cosine", 1000), 400, NoiseSchedule("linear", 1000))
    assert {"t = 400", "ᾱ_t", "ᾱ_t (linear)", "log SNR (linear)"} <= set(_texts(svg))
    longest = max(p.get("d").count("L") for p in _paths(svg))
    assert 400 < longest < 520  # 1,001 values of t drawn with about 500 points
    centres = np.linspace(-3.9, 3.9, 40)
    hist = histogram_chart(centres, np.exp(-centres**2 / 2) / 2.5, 7, second=(np.ones(40) / 8, "steps"))
    assert {"Values at t = 7", "steps", "N(0, 1) density"} <= set(_texts(hist))
    corr = np.linspace(1, 0, 1001)
    survival = survival_chart(corr, np.r_[np.inf, np.linspace(40, 0, 1000)], 10, 600)
    # the dashed marker is named for what it is (issue 27): the per-pixel powers meet, not "the picture is gone"
    assert CROSSOVER_NAME == "signal power = noise power per pixel"
    assert {"t = 10", CROSSOVER_NAME} <= set(_texts(survival)) and "noise outgrows the picture" not in _texts(survival)


def test_the_corner_charts_name_every_mark():
    from diffusion_core.likelihood.charts import histogram_chart, norms_histogram, profile_chart, shell_chart
    from diffusion_core.likelihood.typical import Shell, WalkNorms

    rng = np.random.default_rng(0)
    sets = {"real": ("held-out", rng.uniform(1, 2, 50)), "noise": ("noise", rng.uniform(20, 30, 10))}
    hist = _texts(histogram_chart(sets, (1.5, 1.4, 1.6), 3.0))
    assert {"held-out (50)", "noise (10)", "this image", "compressor (mean)", "8 bits/dim: all images"} <= set(hist)
    profile = _texts(profile_chart({"mean": (rng.uniform(0, 1, 1000), "#fff", "dash")}))
    assert "mean" in profile and "10³" in profile
    walk = WalkNorms(np.r_[np.arange(999, -1, -100), -1], rng.uniform(10, 30, (11, 3)), rng.uniform(0, 30, (11, 3)),
                     np.zeros((3, 1, 2, 2)))
    shells = shell_chart(walk, Shell(28, 0.7), Shell(16, 0.3), (np.arange(1, 1001), np.full(1000, 27.0)), 1000)
    assert any(t.startswith("Gaussian noise: ‖ε‖ = 28.00") for t in _texts(shells))
    x_of = {t.text: float(t.get("x")) for t in ET.fromstring(shells).iter(f"{NS}text")
            if t.text in {"0", "1000"} and t.get("text-anchor") == "middle"}
    assert x_of["1000"] < x_of["0"]  # t = T on the left: the walk runs left to right
    assert "predicted shell, mean ± 3 sd" in _texts(norms_histogram(rng.normal(16, 0.3, 1000), Shell(16, 0.3), "n"))


def test_the_share_of_norms_inside_a_shell_is_counted():
    from diffusion_core.likelihood.typical import Shell

    assert Shell(10.0, 1.0).share_within(np.array([6.9, 7.0, 10.0, 13.0, 13.1])) == pytest.approx(0.6)
    assert Shell(10.0, 1.0).share_within(np.array([])) == 0.0
