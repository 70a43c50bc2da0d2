"""The 2-D page ("Which direction to move") under Streamlit's AppTest: training, the field, the link, bad input.

Interactions run the page file itself: through app.py, AppTest reruns a page that calls ``run_through_app`` once
more, and a button without a callback loses its click in that rerun (this page's buttons have callbacks; the
other pages' tests also run their page files).

The trained models live on a shelf shared by every session of the process (``pages.common.toy_models``), as they do
on a server. So that no test depends on what an earlier one trained, or left untrained, each test starts from an
empty shelf (``empty_shelf``) or from one holding the smallest network the sidebar offers, trained once for the
module (``quick_model``: width 32, 250 steps, about a second).
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from diffusion_core.toy2d.mlp import MLPConfig, train
from diffusion_core.toy2d.settings import SCHEDULE
from pages.common import toy_models
from pages.direction_sections import mixture

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "pages" / "direction.py")
QUICK = {"width": "32", "steps": "250"}


@pytest.fixture
def empty_shelf():
    """No trained model on the shelf."""
    toy_models.clear()


@pytest.fixture(scope="module")
def quick_trained():
    mix = mixture("ring8", ())
    return mix, train(mix, SCHEDULE, MLPConfig(width=32, steps=250))


@pytest.fixture
def quick_model(empty_shelf, quick_trained):
    """The shelf holds the width-32, 250-step network for the ring of 8, as if a reader had just trained it."""
    mix, trained = quick_trained
    toy_models().put((mix.key, trained.config), trained)


def _run(query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=600)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    _ok(at)
    return at


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def _field_images(at: AppTest) -> list:
    """The field's panels (still pictures), as image elements with their captions."""
    return [img for img in at.get("image") if any(w in img.proto.imgs[0].caption for w in ("direction", "wrong", "over"))]


def _svg_charts(at: AppTest) -> list[str]:
    """The still charts the page shows (SVG documents sent as data URLs), decoded."""
    urls = [img.proto.imgs[0].url for img in at.get("image")]
    return [base64.b64decode(u.split(",", 1)[1]).decode() for u in urls if u.startswith("data:image/svg+xml;base64,")]


def _captions(at: AppTest) -> str:
    return "\n".join(c.value for c in at.caption)


def _trained(at: AppTest) -> AppTest:
    assert any(s.value.startswith("Trained: 250 steps") for s in at.success)
    return at


def test_default_page_shows_the_exact_field_and_writes_its_link(empty_shelf):
    at = _run()
    assert at.title[0].value == "Which direction to move"
    assert len(at.latex) >= 8
    assert dict(at.query_params) == {"data": "ring8", "width": "96", "steps": "2000", "cond": "1", "t": "200",
                                     "view": "side", "n": "1000", "k": "50", "seed": "0", "cls": "0", "s": "3",
                                     "mem": "small"}
    captions = [img.proto.imgs[0].caption for img in _field_images(at)]
    assert captions == ["exact direction −ε* over p_t"]  # no model yet: the exact field alone
    assert any("Train the denoiser above" in i.value for i in at.info)
    assert len(at.get("iframe")) == 1 and "const spec" in at.get("iframe")[0].proto.srcdoc  # the particle player
    assert at.button(key="dir_train").label == "Train the denoiser"


def test_training_adds_the_learned_field_its_error_and_the_learned_particles(empty_shelf):
    at = _run(QUICK)
    at.button(key="dir_train").click().run()
    _ok(at)
    _trained(at)
    captions = [img.proto.imgs[0].caption for img in _field_images(at)]
    assert captions == ["learned direction −ε̂ over p_t", "exact direction −ε* over p_t",
                        "where it is wrong: p_t ‖ε̂ − ε*‖²"]
    assert any(m.label == "weighted ε error over all t" and m.value.endswith("%") for m in at.metric)
    assert "Weighted error at this t:" in _captions(at)
    assert '"learned field, DDPM"' in at.get("iframe")[0].proto.srcdoc
    assert any(m.label.startswith("learned field, DDIM") for m in at.metric)


def test_moving_t_redraws_the_field_and_follows_in_the_link(quick_model):
    at = _trained(_run(QUICK))
    before = [img.proto.imgs[0].url for img in _field_images(at)]
    at.slider(key="dir_t").set_value(700).run()
    _ok(at)
    assert at.query_params["t"] == "700"
    assert "t = 700: x_t keeps √ᾱ = " in _captions(at)
    after = [img.proto.imgs[0].url for img in _field_images(at)]
    assert len(after) == 3 and not set(after) & set(before)


def test_overlay_and_the_interactive_chart(quick_model):
    at = _trained(_run(QUICK))
    at.toggle(key="dir_overlay").set_value(True).run()
    _ok(at)
    assert at.query_params["view"] == "overlay"
    assert [img.proto.imgs[0].caption for img in _field_images(at)][0].startswith("learned (orange) over exact")
    assert len(_field_images(at)) == 2
    at.toggle(key="dir_interactive").set_value(True).run()
    _ok(at)
    assert not _field_images(at) and any(c.key == "dir_field_fig" for c in at.get("plotly_chart"))


def test_a_tampered_link_is_named_and_the_defaults_used():
    at = _run({"data": "<script>", "t": "5000", "s": "abc", "pts": "1,2;3", "cls": "99", "n": "1e9"})
    warnings = " ".join(w.value for w in at.warning)
    for key in ("data", "t", "s", "pts", "cls", "n"):
        assert f"Ignored {key}=" in warnings
    assert at.selectbox(key="dir_data").value == "ring8" and at.slider(key="dir_t").value == 200
    assert at.query_params["t"] == "200" and at.query_params["data"] == "ring8"


def test_a_shared_link_with_points_opens_them():
    at = _run({"data": "points", "pts": "0,0;1,1;-1,1.5"})
    assert not at.warning
    assert at.data_editor(key="dir_points_table_0").value.shape == (3, 2)
    assert "Your 3 points" in _captions(at)
    assert any("single class" in i.value for i in at.info)  # guidance needs classes
    assert at.query_params["pts"] == "0,0;1,1;-1,1.5"


def _edit_points(at: AppTest, edits: dict) -> AppTest:
    at.session_state["dir_points_table_0"] = {"edited_rows": {}, "added_rows": [], "deleted_rows": []} | edits
    at.run()
    _ok(at)
    return at


def test_nan_and_far_away_points_are_left_out_with_a_message():
    at = _run({"data": "points"})
    at = _edit_points(at, {"edited_rows": {0: {"x": None}}, "added_rows": [{"x": 9.0, "y": 9.0}, {"x": 0.5}]})
    warnings = " ".join(w.value for w in at.warning)
    assert "2 rows without two numbers" in warnings and "1 point outside the chart" in warnings
    assert "Your 15 points" in _captions(at)  # 16 hearts, one emptied; the far one and the half row left out
    assert len(at.query_params["pts"].split(";")) == 15


def test_fewer_than_two_points_keep_the_previous_ones():
    at = _run({"data": "points"})
    at = _edit_points(at, {"deleted_rows": list(range(1, 16))})
    assert any("Using the previous 16 points" in e.value for e in at.error)
    assert "Your 16 points" in _captions(at)
    assert any(m.label.startswith("ideal denoiser") for m in at.metric)  # the section still works


@pytest.mark.slow  # the ideal denoiser of 500 points, 600 particles, 200 steps
def test_thousands_of_points_are_cut_and_kept_out_of_the_link():
    at = _run({"data": "points"})
    rows = [{"x": (i % 50) / 10 - 2.5, "y": (i // 50) / 25 - 2.5} for i in range(3000)]
    at = _edit_points(at, {"added_rows": rows})
    assert any("the first 500 are used" in w.value for w in at.warning)
    assert "Your 500 points" in _captions(at)
    assert "pts" not in at.query_params and "too many for the page's link" in _captions(at)


def test_reset_brings_the_heart_back():
    at = _run({"data": "points", "pts": "0,0;1,1"})
    at.button(key="dir_points_reset").click().run()
    _ok(at)
    assert "Your 16 points" in _captions(at) and "pts" not in at.query_params


def test_guidance_scale_and_class_follow_in_the_link():
    at = _run({"data": "blobs"})
    at.selectbox(key="dir_label").select(1).run()
    at.slider(key="dir_scale").set_value(6.0).run()
    _ok(at)
    assert (at.query_params["cls"], at.query_params["s"]) == ("1", "6")
    assert any("exact field, guidance s = 6: " in svg for svg in _svg_charts(at))


def test_the_class_is_kept_in_range_when_the_data_change():
    at = _run({"data": "grid9", "cls": "8"})
    at.selectbox(key="dir_data").select("blobs").run()
    _ok(at)
    assert at.selectbox(key="dir_label").value == 0 and at.query_params["cls"] == "0"


def test_sampler_accuracy_on_request():
    at = _run({"data": "blobs"})
    assert not any("steps n" in svg for svg in _svg_charts(at))
    at.button(key="dir_accuracy_go").click().run()
    _ok(at)
    assert sum("steps n" in svg and "DPM-Solver++(2M), trailing steps" in svg for svg in _svg_charts(at)) == 1
    assert at.dataframe[-1].value.shape == (3, 3)


def test_memorisation_trains_the_small_network_on_the_points(empty_shelf):
    at = _run()
    assert not any(m.label.startswith("MLP: samples") for m in at.metric)
    assert "The small MLP for these 16 points is not trained yet." in " ".join(m.value for m in at.markdown)
    at.button(key="dir_train_points").click().run()
    _ok(at)
    on_points = next(m for m in at.metric if m.label.startswith("MLP: samples on a training point"))
    assert on_points.value == "0%"  # the small network fills the heart instead of copying its points
    at.radio(key="dir_memory").set_value("large").run()
    _ok(at)
    assert at.query_params["mem"] == "large" and any(b.key == "dir_train_points" for b in at.button)


@pytest.mark.parametrize("name", ["moons", "swiss", "smiley", "grid9"])
def test_every_data_set_renders(name):
    at = _run({"data": name, "n": "200", "k": "10"})
    assert len(_field_images(at)) == 1


def test_the_page_opens_with_still_charts_and_the_click_chart_comes_on_request():
    """Opening the page builds no Plotly chart (in a browser each one costs a few hundred ms to draw); the chart
    that takes clicks to add points is there once the reader asks for it, and still pictures stand in before."""
    at = _run({"data": "blobs"})
    assert not at.get("plotly_chart")
    titles = [svg.split("<title>", 1)[1].split("</title>", 1)[0] for svg in _svg_charts(at)]
    assert any(t.startswith("Scatter plot of 2,000 points") for t in titles)
    assert any(t.startswith("Scatter plot of 16 points of the 2-D data set “your points”") for t in titles)
    at.toggle(key="dir_points_clicking").set_value(True).run()
    _ok(at)
    assert [c.key.startswith("dir_points_click_") for c in at.get("plotly_chart")] == [True]
