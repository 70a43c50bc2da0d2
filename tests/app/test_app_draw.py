"""The "Draw your own" page under Streamlit's AppTest: runs from a held-out image, a fill of marked pixels, and bad
input (an empty pad, nothing marked, a damaged or one-colour upload, missing weights), each with a message and no
traceback. (Drawing with the mouse and a finger, page switches and reloads: tests/e2e/test_e2e_draw.py.)

The page file is run on its own, as the denoiser's AppTests do: a button pressed in a page run through app.py's
navigation does not reach the page under AppTest."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import streamlit as st
from apptest_media import image_pixels
from PIL import Image
from streamlit.testing.v1 import AppTest

from diffusion_core import ASSETS
from diffusion_core.images.pad_value import DrawPadValue, content_digest
from diffusion_core.live.inpaint import DEFAULT_RESAMPLE
from diffusion_core.model.shipped_data import held_out
from diffusion_core.model.weights import available_models

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "draw.py")
pytestmark = pytest.mark.skipif("digits" not in available_models(), reason="no weights")


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def _page(query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=300)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return _ok(at.run())


def _run(at: AppTest) -> AppTest:
    return _ok(at.button(key="draw_go").click().run())


def _png(pixels: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, format="PNG")
    return buf.getvalue()


def _warnings(at: AppTest) -> str:
    return " ".join(w.value for w in at.warning)


def _sent(at: AppTest, picture: np.ndarray, fill: np.ndarray, start: np.ndarray) -> None:
    """Put ``picture`` with the marks ``fill`` in the pad as if the reader had sent it (the pad keeps what was sent
    last under ``<key>__pad``; ``start`` is the picture the pad was started from)."""
    at.session_state["draw_pad__pad"] = {"start": content_digest(start), "generation": 1,
                                         "value": DrawPadValue(picture, fill, "sent-1"), "seen": "sent-1"}


def test_an_empty_pad_says_what_to_do():
    at = _run(_page())
    assert "Nothing is drawn" in _warnings(at) and "Send the drawing" in _warnings(at)
    assert not at.metric  # no run


def test_a_held_out_digit_runs_and_the_link_keeps_the_settings_not_the_picture():
    at = _page({"start": "held:3", "label": "none", "seed": "5", "sampler": "ddim", "steps": "20"})
    at = _run(at)
    moved = next(m for m in at.metric if m.label == "How far it moved")
    assert moved.value.endswith("grey levels") and float(moved.value.split()[0].replace(",", "")) > 0
    text = "\n".join(m.value for m in at.markdown)
    assert "| Your picture |" in text and "| The result |" in text  # both bounds, with intervals
    assert "distance to the nearest training image" in text.lower()  # the copy check
    assert "ends nearest a training image of class" in text  # where it landed
    caption = " ".join(c.value for c in at.caption)
    assert "DDIM, 12 steps from t₀ = 600" in caption and "seed 5" in caption  # 0.6 of 20 steps
    assert "not your drawing" in caption  # the page says the link does not hold the picture
    # with no class the guidance scale changes nothing: the run's caption said "guidance 5" all the same
    assert "no class, so no guidance" in caption and "guidance 5" not in caption
    query = dict(at.query_params)
    assert query["start"] == "held:3" and query["strength"] == "0.6" and query["seed"] == "5"
    assert not set(query) & {"picture", "pixels", "fill", "drawing"}


def test_a_run_with_a_class_gives_its_guidance():
    at = _run(_page({"start": "held:3", "label": "3", "seed": "5", "sampler": "ddim", "steps": "20"}))
    caption = " ".join(c.value for c in at.caption)
    assert "guidance 5, seed 5" in caption and "no guidance" not in caption


def test_two_walks_from_a_link_run_twice_the_steps_and_say_so():
    at = _run(_page({"start": "held:3", "label": "3", "seed": "5", "sampler": "ddim", "steps": "20", "repeats": "2"}))
    caption = " ".join(c.value for c in at.caption)
    assert "Then the same again from the result, 2 walks in all" in caption and "24 steps" in caption
    assert "DDIM, 24 steps from t₀ = 600 in 2 walks (24 network calls)" in caption
    assert "it does so 2 times" in caption  # the walk's picture on the PCA plane
    assert at.query_params["repeats"] in ("2", ["2"])


def test_nothing_marked_says_what_to_do():
    at = _page({"start": "held:0", "mode": "fill"})
    at = _run(at)
    assert "Nothing is marked to fill in" in _warnings(at)


def test_a_fill_keeps_every_unmarked_pixel_exactly(served_media):
    at = _page({"start": "held:7", "mode": "fill", "fills": "2", "sampler": "dpmpp", "steps": "5", "label": "none"})
    digit = held_out("digits")[0][7]
    fill = np.zeros((28, 28), bool)
    fill[14:] = True  # the bottom half, to fill in
    _sent(at, digit, fill, digit)
    at = _run(at.run())
    shown = next(i for i in at.get("image") if i.proto.imgs[0].caption.startswith("Left: your picture."))
    pixels = image_pixels(served_media, shown)  # picture | gap | fill 1 | gap | fill 2, each 28 wide (not enlarged)
    assert pixels.shape == (28, 28 + 4 + 28 + 2 + 28)
    picture, fills = pixels[:, :28], [pixels[:, 32:60], pixels[:, 62:90]]
    assert np.array_equal(picture, digit)
    for made in fills:
        assert np.array_equal(made[:14], digit[:14])  # the kept half, bit for bit
    assert not np.array_equal(fills[0][14:], fills[1][14:])  # two fills, each from its own noise
    captions = " ".join(c.value for c in at.caption)
    assert f"{DEFAULT_RESAMPLE} times" in captions  # RePaint's rounds, said
    # the walk's caption is the fills', zigzags explained (it said "jumps to the noised picture at t₀ … to the result")
    assert "the lines are the walks of the fills" in captions and "The zigzags are the resampling" in captions
    assert "carry it to the result" not in captions


def test_a_damaged_upload_says_so_and_the_page_goes_on():
    at = _page({"start": "upload"})
    at.file_uploader(key="draw_image_upload").upload("cut.png", _png(np.zeros((40, 40, 3), np.uint8))[:60],
                                                     "image/png").run()
    _ok(at)
    assert at.error and "damaged or truncated" in at.error[0].value and "bundled photo" in at.error[0].value


@pytest.mark.parametrize("colour, expect", [
    ((255, 255, 255), "Nothing is drawn"),  # white paper: swapped to black, the blank pad's colour: nothing to run
    ((200, 30, 90), "Every pixel of this picture is the same grey level"),  # one colour: runs, and says so
])
def test_a_one_colour_upload(colour, expect):
    at = _page({"start": "upload"})
    at.file_uploader(key="draw_image_upload").upload("flat.png", _png(np.full((50, 70, 3), colour, np.uint8)),
                                                     "image/png").run()
    at = _run(_ok(at))
    said = _warnings(at) + " ".join(i.value for i in at.info)
    assert expect in said, said


@pytest.fixture()
def missing_weights(tmp_path, monkeypatch):
    """A copy of assets/ without the digits weights file; caches cleared so the page reloads."""
    manifest = json.loads((ASSETS / "manifest.json").read_text())
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    for name, entry in manifest.items():
        if name != "digits":
            shutil.copy(ASSETS / entry["file"], tmp_path / entry["file"])
    monkeypatch.setenv("IMAGE_SPACE_ASSETS", str(tmp_path))
    st.cache_resource.clear()
    yield tmp_path
    st.cache_resource.clear()


def test_a_missing_weights_file_explains_and_does_not_crash(missing_weights):
    at = _page({"model": "digits"})
    errors = " ".join(e.value for e in at.error)
    assert "cannot be used" in errors and "digits" in errors
