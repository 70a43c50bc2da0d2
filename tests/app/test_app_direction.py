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
import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from diffusion_core.access import alt_text
from diffusion_core.access.notation import FORBIDDEN_LATEX
from diffusion_core.model.samplers import DEFAULT_STEPS
from diffusion_core.model.weights import available_models
from diffusion_core.toy2d import frames
from diffusion_core.toy2d.mlp import MLPConfig, train
from diffusion_core.toy2d.settings import SCHEDULE
from pages.common import toy_models
from pages.direction_sections import mixture, small_step_pair

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
                                     "mem": "small", "jump": "600"}
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


def _table_on(at: AppTest) -> AppTest:
    """Show the points table (it is behind a toggle: its script is a large part of the page's download)."""
    at.toggle(key="dir_points_editing").set_value(True).run()
    _ok(at)
    return at


def test_a_shared_link_with_points_opens_them():
    at = _run({"data": "points", "pts": "0,0;1,1;-1,1.5"})
    assert not at.warning
    assert not at.data_editor  # the table comes on request
    _table_on(at)
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
    at = _table_on(_run({"data": "points"}))
    at = _edit_points(at, {"edited_rows": {0: {"x": None}}, "added_rows": [{"x": 9.0, "y": 9.0}, {"x": 0.5}]})
    warnings = " ".join(w.value for w in at.warning)
    assert "2 rows without two numbers" in warnings and "1 point outside the chart" in warnings
    assert "Your 15 points" in _captions(at)  # 16 hearts, one emptied; the far one and the half row left out
    assert len(at.query_params["pts"].split(";")) == 15


def test_fewer_than_two_points_keep_the_previous_ones():
    at = _table_on(_run({"data": "points"}))
    at = _edit_points(at, {"deleted_rows": list(range(1, 16))})
    assert any("Using the previous 16 points" in e.value for e in at.error)
    assert "Your 16 points" in _captions(at)
    assert any(m.label.startswith("ideal denoiser") for m in at.metric)  # the section still works


@pytest.mark.slow  # the ideal denoiser of 500 points, 600 particles, 200 steps
def test_thousands_of_points_are_cut_and_kept_out_of_the_link():
    at = _table_on(_run({"data": "points"}))
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
    table = next(m.value for m in at.markdown if m.value.startswith("| steps |"))
    assert not at.dataframe and len(table.splitlines()) == 5  # a markdown table: head, rule, 8, 50 and 200 steps


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


# ---------------------------------------------------------------- issues 27, 28, 30, 32: what the page says and shows
def _film(at: AppTest) -> dict:
    """The data the film of the field sends to the browser's frame player."""
    return json.loads(next(b.proto.json for b in at.get("bidi_component")
                           if b.proto.component_name == "image_space.frame_player"))


def _text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_the_field_plays_as_a_film_paced_for_talking_over(quick_model):
    """The field over t plays in the browser (pages/frame_player.py), one pass in at least 10 s with a speed control,
    from t = 999 down to 0, each frame carrying the three panels, a caption and an alt text; the stills and the
    slider give way to it while it is on. (Before: a server loop of 30 frames at 5 a second, 6 s a pass.)"""
    at = _trained(_run(QUICK))
    at.toggle(key="dir_film").set_value(True).run()
    _ok(at)
    film = _film(at)
    assert film["mode"] == "frames" and film["seconds"] >= 10 and film["autoplay"]
    assert len(film["frames"]) == 20 and all(len(f["images"]) == 3 for f in film["frames"])
    assert film["labels"] == ["learned direction −ε̂ over p_t", "exact direction −ε* over p_t",
                              "where it is wrong: p_t ‖ε̂ − ε*‖²"]
    captions = [f["caption"] for f in film["frames"]]
    assert captions[0].startswith("t = 999:") and captions[-1].startswith("t = 0:")
    assert all("weighted error at this t" in c for c in captions)
    assert "where it is wrong: p_t ‖ε̂ − ε*‖² (no arrows)" in film["frames"][3]["alt"]
    assert not _field_images(at) and at.slider(key="dir_t").disabled
    at.toggle(key="dir_film").set_value(False).run()
    _ok(at)
    assert len(_field_images(at)) == 3 and not at.get("bidi_component")


def test_the_error_map_is_not_described_as_arrows(quick_model):
    """Issue 28 item 6: the red map has no arrows, and its alt text no longer says it has."""
    at = _trained(_run(QUICK))
    alts = {img.proto.imgs[0].caption: img.proto.imgs[0].alt for img in _field_images(at)}
    assert "arrows show" in alts["learned direction −ε̂ over p_t"] and "arrows show" in alts["exact direction −ε* over p_t"]
    assert "arrows" not in alts["where it is wrong: p_t ‖ε̂ − ε*‖²"]


def test_the_loss_says_what_it_measures(quick_model):
    """Issue 28 item 5: the network predicts v with t drawn as T·u^1.5; the final loss, the chart and its caption say
    so (the loss is not ‖ε − ε̂‖²)."""
    at = _trained(_run(QUICK))
    trained = next(s.value for s in at.success if s.value.startswith("Trained:"))
    assert "the mean (v − v̂)² per batch over the last 100 batches" in trained
    assert any("mean (v − v̂)² per batch" in svg and "training step" in svg for svg in _svg_charts(at))
    assert "t = ⌊T·u<sup>1.5</sup>⌋" in _captions(at) and "squared error of v" in _captions(at)


def test_one_notation_on_the_page(empty_shelf):
    """Issue 28 item 7: x_t = √ᾱ_t x₀ + σ_t ε and v = √ᾱ_t ε − σ_t x₀, never α_t for √ᾱ_t; λ is half the log SNR."""
    at = _run()
    latex = [element.value for element in at.latex]
    for formula in latex:
        assert not re.search(r"(?<!\\bar)\\alpha", formula), formula
        for spelling in FORBIDDEN_LATEX:
            assert spelling not in formula, formula
    assert any(r"v = \sqrt{\bar\alpha_t}\,\varepsilon - \sigma_t\,x_0" in formula for formula in latex)
    assert any(r"\lambda = \tfrac12\log\mathrm{SNR}" in formula for formula in latex)
    assert "α_t" not in _text(at) + _captions(at)
    assert "at t = T the data are 5·10⁻⁵ of x_t (√ᾱ_T)" in _captions(at)  # √ᾱ_T of the cosine schedule: 4.93e-05


def test_why_small_steps_shows_the_measured_distances_and_follows_the_slider(empty_shelf):
    """The new section: the exact reverse of a small step beside the reader's, each against its Gaussian, with the
    total variation distances and the bumps computed (diffusion_core.toy2d.reverse_step), in the chart's alt text and
    its caption; the step size goes in the link."""
    at = _run()
    assert any(h.value == "Why small steps" for h in at.header)

    def expected(jump: int) -> tuple[str, str]:
        small, big = small_step_pair(jump)
        return alt_text.distance_words(small.total_variation), alt_text.distance_words(big.total_variation)

    small, big = expected(600)
    caption = next(c.value for c in at.caption if c.value.startswith("Total variation distance"))
    assert f"{small} for the step of 10 (one bump)" in caption and f"{big} for the step of 600 (two bumps)" in caption
    assert small == "below 0.001" and float(big) > 0.5
    small_chart, big_chart = [svg for svg in _svg_charts(at) if "exact reverse step" in svg]  # side by side
    assert f"one bump, total variation distance {small} from its Gaussian" in small_chart  # the alt, the SVG's title
    assert f"two bumps, total variation distance {big} from its Gaussian" in big_chart
    at.select_slider(key="dir_jump").set_value(100).run()
    _ok(at)
    assert at.query_params["jump"] == "100"
    caption = next(c.value for c in at.caption if c.value.startswith("Total variation distance"))
    assert f"{expected(100)[1]} for the step of 100 (one bump)" in caption
    assert "follow the probability-flow ODE, a smooth path with no random step to model" in _text(at)
    # the Live denoiser's own defaults (the draw page's DDPM takes 100 steps: "the picture pages" was not true)
    assert (f"on the Live denoiser DDPM takes all {DEFAULT_STEPS['ddpm']:,} by default" in _text(at)
            and f"lets the Live denoiser use {DEFAULT_STEPS['dpmpp']} steps of DPM-Solver++" in _text(at))


def test_guidance_says_what_the_data_themselves_score():
    """Issue 28 item 15: the share at s = 0 is set beside the data's own share inside the 95% ellipses (about 0.95
    of the class's weight), computed from fresh draws, not called "the class's share of the data"."""
    at = _run({"data": "blobs", "cls": "1"})
    mix = mixture("blobs", ())
    share = frames.data_share_in_class(mix, 1)
    assert f"The data themselves score {share:.1%}: the class holds 25.0% of the data" in _text(at)
    assert "the class's share of the data" not in _text(at)


@pytest.mark.skipif(not {"digits", "emoji"} <= set(available_models()), reason="needs the digits and emoji models")
def test_the_page_says_how_many_dimensions_the_pictures_have(empty_shelf):
    """Issue 28 item 15: not "784 dimensions" alone: 784 for the grey models, 3,072 for the colour one, from the
    shipped models (tests/unit/test_toy2d_dimensions.py holds those shapes equal to the models' own)."""
    at = _run()
    lead = at.markdown[0].value
    assert "784 for a 28 × 28 grey digit" in lead and "3,072 for a 32 × 32 colour emoji" in lead
    assert "In 784 dimensions" not in _text(at)


def test_the_points_table_and_the_words_box():
    """The points table's script is fetched only when asked for (page weight, issue 30); the page has its words
    box (issue 28; tests/app/test_app_glossary.py checks it holds every term the page uses)."""
    at = _run()
    assert not at.data_editor and at.toggle(key="dir_points_editing").value is False
    assert any(e.label == "Words on this page" for e in at.expander)
    assert not at.dataframe and not at.get("code")


def test_the_particle_distances_read_in_the_order_of_the_panels(empty_shelf):
    """The player draws DDPM on the left and DDIM on the right: the distances under it read in the same order
    (they were sorted by name, DDIM first)."""
    at = _run()
    labels = [m.label for m in at.metric if " field, DD" in m.label]
    assert labels == ["exact field, DDPM", "exact field, DDIM"]
