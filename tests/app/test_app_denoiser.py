"""The live denoiser page under Streamlit's AppTest: a short sampling run, shared links, broken weights."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import streamlit as st
import torch
from apptest_media import image_pixels, image_with_caption
from streamlit.testing.v1 import AppTest

from diffusion_core import ASSETS
from diffusion_core.model.samplers import run_sampler
from diffusion_core.model.weights import available_models, load_model

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "denoiser.py")
pytestmark = pytest.mark.skipif("digits" not in available_models(), reason="digits weights not shipped yet")


def _run(query: dict[str, str]) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=180)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def _final_caption(at: AppTest) -> str:
    return next(c.value for c in at.caption if "Ran on" in c.value)


def test_short_run_shows_an_image_and_its_settings(served_media):
    """The result shown is exactly the image the sampler draws for the link's settings (DPM-Solver++, 5 steps,
    class 3, guidance 1.5, seed 11), sampled again here from the shipped weights, outside the page."""
    at = _run({"steps": "5", "label": "3", "seed": "11"})
    assert not at.exception, [e.value for e in at.exception]
    caption = _final_caption(at)
    assert "5 steps" in caption and "seed 11" in caption and "CPU" in caption
    shipped = load_model("digits")
    *_, last = run_sampler("dpmpp", shipped.runner, shipped.schedule, torch.tensor([3]), num_steps=5, guidance=1.5,
                           generator=torch.Generator().manual_seed(11), eta=0.0)
    expected = np.clip(np.rint((last.x_prev.clamp(-1, 1).numpy()[0, 0] + 1) * 127.5), 0, 255).astype(np.uint8)
    shown = image_pixels(served_media, image_with_caption(at, "Prompt: 3"))
    assert shown.shape == (28, 28) and np.array_equal(shown, expected)
    assert expected.std() > 20  # a picture, not a blank: the comparison means something
    assert at.query_params["steps"] == "5" and at.query_params["seed"] == "11"
    verdict = next(m.value for m in at.markdown if "distance to the nearest training image" in m.value)
    assert "for real “3” images that the model never saw it is typically" in verdict  # judged against its own class


def test_invalid_link_falls_back_with_messages():
    at = _run({"steps": "100000", "guidance": "banana", "sampler": "magic", "model": "../etc"})
    assert not at.exception
    warnings = " ".join(w.value for w in at.warning)
    for key in ("steps", "guidance", "sampler", "model"):
        assert f"Ignored {key}=" in warnings
    assert "DPM-Solver++(2M), 20 steps" in _final_caption(at)
    assert dict(at.query_params) == {"model": "digits", "label": "7", "guidance": "1.5", "sampler": "dpmpp",
                                     "steps": "20", "eta": "0", "seed": "1", "mode": "one"}  # the defaults


@pytest.mark.skipif("emoji" not in available_models(), reason="emoji weights not shipped")
def test_choosing_a_model_sets_its_own_guidance():
    at = _run({"steps": "5"})
    at.selectbox(key="den_model").set_value("emoji").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.slider(key="den_guidance").value == 4.0 and at.query_params["guidance"] == "4"
    at.slider(key="den_guidance").set_value(2.5).run()
    at.selectbox(key="den_model").set_value("fashion").run()
    assert at.slider(key="den_guidance").value == 1.5 and "guidance 1.5" in _final_caption(at)


def test_a_grid_is_not_recomputed_by_a_rerun_and_says_where_its_walks_ended():
    at = _run({"mode": "grid", "steps": "5"})
    assert not at.exception
    first = _final_caption(at)
    at.run()
    assert not at.exception
    assert _final_caption(at) == first  # same run, same timing: nothing was resampled
    assert not [c for c in at.caption if "Settings changed" in c.value]  # the result is the settings on screen
    walk = next(m.value for m in at.markdown if m.value.startswith("The walks start at pure noise"))
    assert "walks asked for a class end nearest a training image of that class" in walk


def test_a_heavier_run_waits_for_generate_and_the_notice_names_the_change():
    """Over the work the page runs by itself (a grid of 26 DDIM steps), a new seed leaves the result as it was and
    says so, naming the seed; Generate runs the new seed and the notice goes."""
    at = _run({"mode": "grid", "sampler": "ddim", "steps": "26", "seed": "5"})
    assert not at.exception and not [c for c in at.caption if "Ran on" in c.value]  # nothing ran yet
    next(b for b in at.button if b.label == "Generate").click().run()
    assert "seed 5." in _final_caption(at)
    at.number_input(key="den_seed").set_value(42).run()
    notice = [c.value for c in at.caption if "Settings changed" in c.value]
    assert notice == ["Settings changed since this run (seed 5 → 42): press **Generate** to run them."]
    next(b for b in at.button if b.label == "Generate").click().run()
    assert "seed 42." in _final_caption(at) and not [c for c in at.caption if "Settings changed" in c.value]


@pytest.mark.skipif("emoji" not in available_models(), reason="emoji weights not shipped")
def test_a_prompt_is_kept_across_models_only_when_it_names_the_same_class():
    at = _run({"steps": "5", "label": "3"})
    assert at.selectbox(key="den_label").format_func(3) == "3"  # digits read "3", not "3: 3"
    at.selectbox(key="den_model").set_value("emoji").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="den_label").value == 7 and at.query_params["label"] == "7"
    notes = [i.value for i in at.info]
    assert "This model has no class “3”: the prompt is now “building”." in notes
    assert any(n.startswith("Guidance set to this model's own default, s = 4 (it was 1.5)") for n in notes)
    at.selectbox(key="den_label").set_value(9).run()
    at.selectbox(key="den_model").set_value("digits").run()  # "heart" is no digit either
    assert at.selectbox(key="den_label").value == 7
    at.run()
    assert not at.info  # each note is said once


def test_random_seed_button_picks_a_new_seed_and_runs_it():
    at = _run({"steps": "5", "seed": "11"})
    next(b for b in at.button if b.label == "Random seed").click().run()
    assert not at.exception, [e.value for e in at.exception]
    seed = at.number_input(key="den_seed").value
    assert seed != 11
    assert at.query_params["seed"] == str(seed)
    assert f"seed {seed}" in _final_caption(at)  # a cheap run follows the new settings at once


@pytest.fixture()
def broken_assets(tmp_path, monkeypatch):
    """A copy of assets/ whose digits weights are corrupt; caches cleared so the page reloads."""
    (tmp_path / "manifest.json").write_text((ASSETS / "manifest.json").read_text())
    entry = json.loads((ASSETS / "manifest.json").read_text())["digits"]
    data = bytearray((ASSETS / entry["file"]).read_bytes())
    data[len(data) // 2] ^= 0xFF
    (tmp_path / entry["file"]).write_bytes(bytes(data))
    for name in json.loads((ASSETS / "manifest.json").read_text()):
        if name != "digits":
            shutil.copy(ASSETS / f"{name}.pt", tmp_path / f"{name}.pt")
    monkeypatch.setenv("IMAGE_SPACE_ASSETS", str(tmp_path))
    st.cache_resource.clear()
    yield tmp_path
    st.cache_resource.clear()


def test_corrupt_weights_explain_and_do_not_crash(broken_assets):
    at = _run({"model": "digits"})
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "corrupt" in errors and "git checkout" in errors


def test_every_picture_of_a_run_is_served_as_lossless_png(served_media):
    """The frames, the result, the walk and the nearest-image pairs all go out as PNG. A still picture handed to
    Streamlit as bytes without ``output_format`` is re-encoded as JPEG (its "auto" format for pictures without
    alpha) in every session: JPEG artefacts on a chart of dots, and a decode plus an encode per reader."""
    at = _run({"steps": "5", "label": "3", "seed": "11"})
    assert not at.exception, [e.value for e in at.exception]
    walk = [i for i in at.get("image") if "walk" in i.proto.imgs[0].alt.lower()]
    assert len(walk) == 1  # the still walk picture is among the images checked below
    served = {element.proto.imgs[0].url: served_media[element.proto.imgs[0].url].mimetype
              for element in at.get("image") if not element.proto.imgs[0].url.startswith("data:image/svg+xml")}
    assert len(served) >= 4 and set(served.values()) == {"image/png"}, served  # the settling chart: an SVG, lossless


@pytest.mark.skipif("emoji" not in available_models(), reason="emoji weights not shipped")
def test_the_emoji_model_is_asked_by_its_ten_prompts_and_says_which_kind_a_seed_draws():
    """A kinds model's picker lists its prompts (not its 25 kinds), and the page says which kind the seed drew."""
    at = _run({"model": "emoji", "label": "3", "seed": "1", "steps": "5"})
    assert not at.exception, [e.value for e in at.exception]
    loaded = load_model("emoji", use_onnx=False)
    options = at.selectbox(key="den_label").options
    assert len(options) == len(loaded.class_names) + 1 and "animal" in " ".join(options)
    assert not any(": " in option.split(" ", 1)[-1] for option in options if "animal" in option)  # no kind names
    drawn = loaded.kinds.kind_names[int(loaded.network_labels([3], 1)[0])]
    assert any(f"This seed drew “{drawn}”" in c.value for c in at.caption), [c.value for c in at.caption]


@pytest.mark.skipif("emoji" not in available_models(), reason="emoji weights not shipped")
def test_one_denoising_step_tells_the_emoji_model_the_pictures_own_kind():
    """On a real held-out emoji the kinds model is told the picture's own kind, and the caption names it."""
    from diffusion_core.model.shipped_data import held_out, held_out_kinds

    at = _run({"model": "emoji", "steps": "5"})
    assert not at.exception, [e.value for e in at.exception]
    index = int(np.nonzero(held_out("emoji")[1] == 3)[0][0])  # the first held-out animal
    at.number_input(key="den_step_index").set_value(index).run()
    kind = load_model("emoji", use_onnx=False).kinds.kind_names[int(held_out_kinds("emoji")[index])]
    assert kind.startswith("animal: ")
    assert any(f"Real image of class “animal” (its kind: “{kind}”)" in c.value for c in at.caption), \
        [c.value for c in at.caption if "Real image" in c.value]


@pytest.mark.skipif("emoji" not in available_models(), reason="emoji weights not shipped")
def test_the_emoji_models_average_guess_is_its_kinds_guesses_in_their_shares():
    at = _run({"model": "emoji", "label": "3", "seed": "1", "steps": "5"})
    assert not at.exception, [e.value for e in at.exception]
    assert any("learned “animal” as 5 kinds: its guess for the prompt is the average of its guesses for each kind"
               in c.value for c in at.caption), [c.value for c in at.caption if "held-out picture" in c.value]
