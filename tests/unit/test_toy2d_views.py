"""What the 2-D page computes and draws: the field frame, memorisation, guidance, sampler accuracy, the pictures,
the particle player and the figures; and the page's link."""

from __future__ import annotations

import base64
import json
import re

import numpy as np
import pytest

from diffusion_core import MAX_SEED
from diffusion_core.toy2d import canvas, frames, player, plots
from diffusion_core.toy2d.datasets import dataset, heart_points, point_set
from diffusion_core.toy2d.mlp import MLPConfig, train
from diffusion_core.toy2d.settings import SCHEDULE as S
from diffusion_core.toy2d.settings import URL_POINTS, DirectionSettings, points_from_text, points_to_text


@pytest.fixture(scope="module")
def model():
    return train(dataset("ring8"), S, MLPConfig(width=32, steps=300)).model


def test_field_frame_without_and_with_a_model(model):
    mix = dataset("ring8")
    alone = frames.field_frame(mix, S, 250, None)
    assert alone.learned_eps is None and alone.error is None and alone.relative_error is None
    assert alone.density.shape == (frames.HEAT_CELLS, frames.HEAT_CELLS) and alone.arrow_at.shape == (frames.ARROWS**2, 2)
    both = frames.field_frame(mix, S, 250, model)
    assert both.learned_eps.shape == both.exact_eps.shape and np.all(both.error >= 0)
    assert 0 < both.relative_error < 1
    np.testing.assert_array_equal(both.exact_eps, alone.exact_eps)
    with pytest.raises(ValueError):
        frames.field_frame(mix, S, S.T, None)


def test_field_pictures_have_one_panel_per_view(model):
    mix = dataset("ring8")
    frame = frames.field_frame(mix, S, 100, model)
    side, over = canvas.field_pictures(frame), canvas.field_pictures(frame, overlay=True)
    assert [len(side), len(over), len(canvas.field_pictures(frames.field_frame(mix, S, 100, None)))] == [3, 2, 1]
    size = canvas.PANEL + canvas.MARGIN
    assert all(p.shape == (size, size, 3) and p.dtype == np.uint8 for _, p in side)
    assert "learned" in side[0][0] and "exact" in side[1][0] and "wrong" in side[2][0]
    assert not np.array_equal(side[0][1], side[1][1])  # orange arrows against white ones
    assert canvas.jpeg_bytes(side[0][1])[:2] == b"\xff\xd8"


def test_arrow_mask_covers_the_arrows_only():
    tails = np.array([[0.0, 0.0]])
    mask = np.asarray(canvas.arrow_mask(tails, np.array([[1.0, 0.0]]), 1.0)) / 255.0
    cy, cx = canvas.PANEL // 2, canvas.PANEL // 2
    assert mask[cy, cx + 20] > 0.5  # on the shaft, a sixth of the way to x = 1
    assert mask[cy + 60, cx] == 0 and mask.max() <= 1.0


def test_colour_table_runs_between_its_stops():
    lut = canvas.colour_table([[0.0, "#000000"], [1.0, "#ff8000"]])
    assert lut.shape == (256, 3) and tuple(lut[0]) == (0, 0, 0) and tuple(lut[-1]) == (255, 128, 0)


def test_ideal_denoiser_only_returns_training_points(model):
    points = point_set(heart_points())
    mem = frames.memorisation(points, S, None, n=300, steps=200, seed=1)
    assert mem.ideal_on_points == 1.0 and mem.learned is None
    learned = train(points, S, MLPConfig(width=64, steps=800)).model
    mem = frames.memorisation(points, S, learned, n=300, steps=200, seed=1)
    assert mem.learned_on_points < 0.5  # the network fills the shape between the points
    assert 0 < mem.learned_median_gap < 0.5  # ... close to them, not scattered anywhere


def test_guidance_bends_samples_into_the_class_then_past_it(model):
    mix = dataset("ring8")
    sweep = frames.guidance_sweep(mix, S, model, label=2, n=150, steps=50, seed=0)
    inside = dict(zip(frames.GUIDANCE_SCALES, sweep.shares["exact"]))
    assert inside[0.0] < 0.3  # unguided: about the class's share, 1/8
    assert inside[1.0] > 0.85  # the class's own distribution
    assert inside[10.0] < inside[1.0] - 0.3  # pushed past its blob
    assert set(sweep.shares) == {"exact", "learned"}
    assert sweep.share(1.0) == inside[1.0] and sweep.best() == max(inside, key=inside.get)
    runs = frames.guidance_runs(mix, S, model, label=2, scale=1.0, n=150, steps=50, seed=0)
    assert runs.inside["exact"] == pytest.approx(inside[1.0])  # one run per scale, or all at once: the same


def test_the_best_scale_of_a_sweep_is_its_first_highest_share():
    sweep = frames.GuidanceSweep((0.0, 1.0, 2.0, 3.0), {"exact": np.array([0.1, 0.9, 0.9, 0.4]),
                                                        "learned": np.array([0.2, 0.3, 0.95, 0.5])})
    assert (sweep.best(), sweep.best("learned"), sweep.share(3.0), sweep.share(0.0, "learned")) == (1.0, 2.0, 0.4, 0.2)


def test_in_class_blob():
    mix = dataset("ring8")
    assert frames.in_class_blob(mix, mix.means, 0).tolist() == [True] + [False] * 7
    dots = point_set(np.array([[0.0, 0.0], [1.0, 1.0]]))
    assert frames.in_class_blob(dots, np.array([[0.01, 0.0], [0.5, 0.5]]), 0).tolist() == [True, False]


def test_sampler_accuracy_improves_with_steps():
    acc = frames.sampler_accuracy(dataset("blobs"), S, n=50, steps=(4, 16, 64), reference_steps=200)
    for errors in acc.errors.values():
        assert errors[0] > errors[1] > errors[2] or errors[2] < 5e-3
    ddim, dpm = acc.errors["DDIM"], acc.errors["DPM-Solver++(2M), trailing steps"]
    assert dpm[-1] < ddim[-1]


def test_particle_runs_and_their_player(model):
    runs = frames.particle_runs(dataset("ring8"), S, model, n=300, steps=20, seed=4)
    assert set(runs.paths) == {("learned", "ddpm"), ("learned", "ddim"), ("exact", "ddpm"), ("exact", "ddim")}
    np.testing.assert_array_equal(runs.paths[("learned", "ddim")].states[0], runs.paths[("exact", "ddpm")].states[0])
    assert all(d >= 0 for d in runs.distances.values()) and runs.floor > 0
    page = player.player_html(runs, frames=11)
    spec = json.loads(re.search(r"const spec = (\{.*?\});\n", page).group(1))
    assert spec["frames"] == 11 and spec["n"] == 300 and len(spec["panels"]) == 4
    states = np.frombuffer(base64.b64decode(spec["panels"][3]["states"]), dtype="<f4").reshape(11, 300, 2)
    np.testing.assert_allclose(states[-1], runs.paths[("exact", "ddim")].final, atol=1e-3)
    assert spec["labels"][0].startswith("x_T") and spec["labels"][-1] == "the samples"
    assert player.player_height(runs) > player.player_height(frames.particle_runs(
        dataset("ring8"), S, None, n=50, steps=10, seed=0))  # two rows of panels with a model, one without
    assert list(player.frame_indices(51, 11)) == list(range(0, 51, 5))



def test_what_the_page_keeps_of_a_particle_run_is_small(model):
    """The server-wide cache keeps the animation and the distances, not the paths (measured: ~12 MB per field at
    2,000 particles x 200 steps; six cached runs could hold ~150 MB after a class had left)."""
    runs = frames.particle_runs(dataset("ring8"), S, model, n=2000, steps=200, seed=1)
    shown = player.particles_shown(runs)
    paths_bytes = sum(p.states.nbytes for p in runs.paths.values())
    kept_bytes = len(shown.html) + shown.floors.nbytes
    assert paths_bytes > 25e6 and kept_bytes < paths_bytes / 4
    assert not any(isinstance(v, np.ndarray) and v.size > 1000 for v in vars(shown).values())
    assert shown.html == player.player_html(runs) and shown.height == player.player_height(runs)
    assert shown.distances == runs.distances and shown.floor == runs.floor

def test_figures_build(model):
    mix = dataset("moons")
    frame = frames.field_frame(mix, S, 400, model)
    assert len(plots.field_figure(frame).data) == 5  # heat + arrows twice, and the error map
    assert len(plots.field_figure(frame, overlay=True).data) == 4
    x, y = plots.arrow_paths(frame.arrow_at, -frame.exact_eps, 0.1)
    assert len(x) == 7 * len(frame.arrow_at) and np.isnan(x[2])
    pts = point_set(heart_points())
    grid_and_points = plots.points_figure(pts, frames.grid(5, 3)[1]).data
    assert [len(trace.x) for trace in grid_and_points] == [25, len(pts.means)]  # the click grid, then the points


# ---------------------------------------------------------------- the link
def test_default_link_round_trips():
    s = DirectionSettings()
    q = s.to_query()
    assert "pts" not in q  # the default points need no room in the link
    assert DirectionSettings.from_query(q) == (s, [])


def test_a_full_link_is_read():
    q = {"data": "moons", "width": "128", "steps": "4000", "cond": "0", "t": "999", "view": "overlay", "n": "2000",
         "k": "200", "seed": str(MAX_SEED), "cls": "1", "s": "7.5", "pts": "0.5,1;-1,-2.25;2,2", "mem": "large"}
    s, problems = DirectionSettings.from_query(q)
    assert problems == []
    assert (s.data, s.width, s.steps, s.classes, s.t, s.view, s.n, s.k, s.label, s.scale, s.memory) == (
        "moons", 128, 4000, False, 999, "overlay", 2000, 200, 1, 7.5, "large")
    assert (s.memory_config.width, s.memory_config.steps, s.memory_config.conditional) == (128, 4000, False)
    assert s.points == ((0.5, 1.0), (-1.0, -2.25), (2.0, 2.0))
    assert DirectionSettings.from_query(s.to_query())[0] == s


@pytest.mark.parametrize("key, value", [("data", "../etc"), ("width", "97"), ("steps", "1e9"), ("cond", "yes"),
                                        ("t", "1000"), ("t", "-1"), ("view", "3d"), ("n", "10"), ("k", "abc"),
                                        ("seed", "9" * 40), ("cls", "8"), ("s", "nan"), ("s", "2.25"), ("s", "11"),
                                        ("pts", "1,2;3"), ("pts", "1,2"), ("pts", "nan,1;2,2"), ("pts", "9,9;1,1"),
                                        ("mem", "huge")])
def test_a_tampered_value_falls_back_with_a_message(key, value):
    q = {"data": "blobs"} if key == "cls" else {}  # two classes: cls=8 is out of range
    s, problems = DirectionSettings.from_query(q | {key: value})
    default = DirectionSettings(data=q.get("data", DirectionSettings.data))
    field = {"cond": "classes", "cls": "label", "s": "scale", "pts": "points", "mem": "memory"}.get(key, key)
    assert getattr(s, field) == getattr(default, field)
    assert len(problems) == 1 and problems[0].startswith(f"Ignored {key}=") and len(problems[0]) < 400


def test_points_text_round_trips_and_refuses_long_lists():
    pts = ((0.5, -1.25), (2.0, 0.0))
    assert points_to_text(pts) == "0.5,-1.25;2,0"
    assert points_from_text(points_to_text(pts)) == (pts, "")
    many = ";".join(["1,1"] * (URL_POINTS + 1))
    assert points_from_text(many)[0] is None


def test_each_field_and_each_denoiser_can_be_its_own_chart(model):
    """The page draws guidance's exact and learned fields, and memorisation's ideal and learned samples, as charts of
    their own, so a phone stacks them: each holds its one panel, at half the width of the pair."""
    from diffusion_core.toy2d import charts

    mix = dataset("ring8")
    runs = frames.guidance_runs(mix, S, model, label=2, scale=3.0, n=40, steps=10, seed=0)
    both = charts.guidance_chart(mix, runs, trails=5)
    exact, learned = (charts.guidance_chart(mix, runs, trails=5, fields=(name,)) for name in ("exact", "learned"))
    assert "exact field, guidance s = 3" in exact and "learned field" not in exact
    assert "learned field, guidance s = 3" in learned and "exact field" not in learned
    assert 'width="450"' in exact and 'width="900"' in both
    points = point_set(heart_points())
    mem = frames.memorisation(points, S, model, n=40, steps=20, seed=3)
    ideal = charts.memorisation_chart(mem, which=("ideal",))
    mlp = charts.memorisation_chart(mem, which=("learned",))
    assert charts.MEMORY_PANELS["ideal"] in ideal and charts.MEMORY_PANELS["learned"] not in ideal
    assert charts.MEMORY_PANELS["learned"] in mlp and 'width="450"' in mlp
    alone = frames.memorisation(points, S, None, n=40, steps=20, seed=3)  # no network: its panel is left out
    assert charts.MEMORY_PANELS["learned"] not in charts.memorisation_chart(alone)
