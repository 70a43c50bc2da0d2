"""Every widget of every page, moved to each of its options and extremes, leaves the page without a traceback.

One fresh AppTest per action, so a failure names the one widget and value that caused it. The raw options
of radios, select boxes and select sliders are recorded while the page runs (AppTest only sees their
formatted labels). This is the test that would have caught the random-seed button raising on every click.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.elements.widgets.radio import RadioMixin
from streamlit.elements.widgets.select_slider import SelectSliderMixin
from streamlit.elements.widgets.selectbox import SelectboxMixin
from streamlit.testing.v1 import AppTest

from diffusion_core.model.weights import available_models

PAGES = Path(__file__).resolve().parents[2] / "pages"
KINDS = ("button", "selectbox", "radio", "select_slider", "slider", "number_input", "text_input", "toggle", "checkbox")
AWKWARD_TEXT = ("", "-3", "0", "abc", "1e100", "9" * 120)


@pytest.fixture
def raw_options(monkeypatch) -> dict[str, list]:
    """label -> the raw options each choice widget was created with, filled in as pages run."""
    recorded: dict[str, list] = {}

    def recording(create):
        def wrapped(*args, **kwargs):  # (self,) label, options: how every page calls them
            label, options = args[-2:]
            recorded[label] = list(options)
            return create(*args, **kwargs)
        return wrapped

    for mixin, name in ((RadioMixin, "radio"), (SelectboxMixin, "selectbox"), (SelectSliderMixin, "select_slider")):
        monkeypatch.setattr(mixin, name, recording(getattr(mixin, name)))  # container.radio(...)
        monkeypatch.setattr(st, name, recording(getattr(st, name)))  # st.radio(...): bound to the main container
    return recorded


def _actions(kind: str, widget, raw_options: dict[str, list]) -> list[tuple[str, object]]:
    """(description, value or None for a click) for each thing a reader could do to ``widget``."""
    if kind == "button":
        return [("click", None)]
    if kind in ("selectbox", "radio", "select_slider"):
        options = raw_options[widget.label]
        return [(f"= {o!r}", o) for o in (options if kind != "select_slider" else [options[0], options[-1]])]
    if kind in ("slider", "number_input"):
        return [("min", widget.min), ("max", widget.max)]
    if kind == "text_input":
        return [(f"= {t!r}", t) for t in AWKWARD_TEXT]
    return [("flip", not widget.value)]  # toggle, checkbox


def _fresh(page: str) -> AppTest:
    return AppTest.from_file(str(PAGES / page), default_timeout=300).run()


@pytest.mark.parametrize("page, at_least", [("image-space.py", 25), ("forward.py", 15), ("direction.py", 20),
                                            pytest.param("denoiser.py", 15, marks=pytest.mark.skipif(
                                                "digits" not in available_models(), reason="no weights"))])
def test_every_widget_at_every_option_and_extreme(page, at_least, raw_options):
    first = _fresh(page)
    assert not first.exception, [e.value for e in first.exception]
    plan = [(kind, w.id, w.label, what, value)  # auto-generated ids are stable from run to run
            for kind in KINDS for w in first.get(kind) if not w.disabled
            for what, value in _actions(kind, w, raw_options)]
    assert len(plan) >= at_least, f"only {len(plan)} actions found: the page's widgets were not seen"

    failures = []
    for kind, widget_id, label, what, value in plan:
        at = _fresh(page)
        widget = next(w for w in at.get(kind) if w.id == widget_id)
        if kind == "button":
            widget.click()
        elif kind == "text_input":
            widget.input(value)
        else:
            widget.set_value(value)
        at.run()
        if at.exception:
            failures.append(f"{kind} {label!r} {what}: {[e.value for e in at.exception]}")
    assert not failures, "\n".join(failures)
