"""A reader's journey through app.py's navigation in one session: every page keeps its settings when left and
re-entered, and its URL shows them again.

Streamlit deletes a widget's value at the end of a run that does not draw it, as every run of another page
does. Before pages/reader_state.py the denoiser crashed on re-entry (``KeyError: den_model``), the forward page
came back at its widgets' minimum values, and the image-space page forgot the reader's size.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from diffusion_core.model.weights import available_models

APP = str(Path(__file__).resolve().parents[2] / "app.py")
OTHER_PAGES = ("pages/home.py", "pages/image-space.py", "pages/forward.py", "pages/denoiser.py", "pages/direction.py",
               "pages/corner.py")


def _app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=300).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _visit(at: AppTest, page: str) -> AppTest:
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _leave_and_return(at: AppTest, page: str) -> AppTest:
    """Go to each other page in turn, then back to ``page``."""
    for other in OTHER_PAGES:
        if other != page:
            _visit(at, other)
    return _visit(at, page)


@pytest.mark.skipif("fashion" not in available_models(), reason="no weights")
def test_denoiser_keeps_its_settings_after_a_visit_elsewhere():
    at = _visit(_app(), "pages/denoiser.py")
    at.selectbox(key="den_model").select("fashion").run()
    at.selectbox(key="den_sampler").select("ddim").run()
    at.slider(key="den_steps").set_value(30).run()
    at.number_input(key="den_seed").set_value(42).run()
    at = _leave_and_return(at, "pages/denoiser.py")
    assert at.selectbox(key="den_model").value == "fashion"
    assert at.selectbox(key="den_sampler").value == "ddim"
    assert at.slider(key="den_steps").value == 30
    assert at.number_input(key="den_seed").value == 42
    assert {k: at.query_params[k] for k in ("model", "sampler", "steps", "seed")} == {
        "model": "fashion", "sampler": "ddim", "steps": "30", "seed": "42"}


def test_forward_page_keeps_its_settings_not_the_widgets_minimums():
    at = _visit(_app(), "pages/forward.py")
    assert at.slider(key="fw_t").value == 250 and at.number_input(key="fw_T").value == 1000  # the app's defaults
    at.radio(key="fw_sched").set_value("linear").run()
    at.number_input(key="fw_T").set_value(500).run()
    at.slider(key="fw_t").set_value(400).run()
    at.select_slider(key="fw_res").set_value(64).run()
    at = _leave_and_return(at, "pages/forward.py")
    assert at.radio(key="fw_sched").value == "linear"
    assert at.number_input(key="fw_T").value == 500
    assert at.slider(key="fw_t").value == 400
    assert at.select_slider(key="fw_res").value == 64
    assert at.toggle(key="fw_colour").value is True
    assert {k: at.query_params[k] for k in ("schedule", "T", "t", "res", "colour")} == {
        "schedule": "linear", "T": "500", "t": "400", "res": "64", "colour": "rgb"}


def test_image_space_page_keeps_the_readers_size():
    at = _visit(_app(), "pages/image-space.py")
    at.text_input(key="is_w").input("640").run()
    at.text_input(key="is_h").input("480").run()
    at.radio(key="is_colour").set_value("RGB").run()
    at.slider(key="ix_size").set_value(24).run()
    at = _leave_and_return(at, "pages/image-space.py")
    assert (at.text_input(key="is_w").value, at.text_input(key="is_h").value) == ("640", "480")
    assert at.radio(key="is_colour").value == "RGB"
    assert at.slider(key="ix_size").value == 24
    assert {k: at.query_params[k] for k in ("w", "h", "colour")} == {"w": "640", "h": "480", "colour": "rgb"}
    assert "2,219,434 digits" in " ".join(m.value for m in at.markdown)  # 256^(640·480·3), the count shown


def test_a_link_is_read_on_entry_and_a_tampered_value_is_named():
    at = AppTest.from_file(APP, default_timeout=300)
    at.query_params.update({"schedule": "linear", "T": "400", "t": "999999"})
    at = _visit(at.run(), "pages/forward.py")
    assert at.radio(key="fw_sched").value == "linear" and at.number_input(key="fw_T").value == 400
    assert at.slider(key="fw_t").value == 250  # the tampered t fell back to its default ...
    assert any("t=999999" in w.value for w in at.warning)  # ... and the reader is told why
    at = _leave_and_return(at, "pages/forward.py")
    assert not at.warning  # the session's own settings now; the old link is not re-read
