"""Every widget, every link parameter and every page switch, at awkward values: no traceback, and the right answer.

Four parts, with one fresh AppTest per action throughout, so a failure names the one widget or parameter and the
value that caused it:

1. **Every widget** of every page moved to each of its options and extremes (text boxes to awkward text). The raw
   options of radios, select boxes and select sliders are recorded while the page runs (AppTest only sees their
   formatted labels). This is the test that would have caught the random-seed button raising on every click. The
   index text area gets awkward indices (empty, blank, letters, signs, exponents, 49,990 zeros, 60,000 characters,
   a valid index, commas and spaces), each with the message or the exact images it must give.
2. **Link parameters** in combinations: the page names each bad parameter in a warning, keeps the good ones, and
   leaves only valid values in the URL. Each parameter alone at every awkward value (empty, signs, exponents, a googol,
   nan, inf, 5,000 characters, Arabic-Indic digits, a path, a script tag) is the settings classes' business, checked
   without a page for all of them at once (``tests/unit/test_link_values.py``): every page reads its link through
   the same mechanism (``pages/reader_state.PageSettings``).
3. **Page switches** through app.py: one action per widget of each page, then another page, then back: the widget
   kept its value and the URL is the one the reader left.
4. Bugs found this way stay as tests: a paste past the length cap is refused, not silently cut; a link's value
   cannot put a link into the app's warning about it; a long value is quoted briefly.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import streamlit as st
from apptest_media import index_image, plus_one_caption, shown_index_image
from streamlit.elements.widgets.radio import RadioMixin
from streamlit.elements.widgets.select_slider import SelectSliderMixin
from streamlit.elements.widgets.selectbox import SelectboxMixin
from streamlit.testing.v1 import AppTest

from diffusion_core.model.weights import available_models
from pages.common import toy_models

ROOT = Path(__file__).resolve().parents[2]
PAGES = ROOT / "pages"
APP = str(ROOT / "app.py")
KINDS = ("button", "selectbox", "radio", "select_slider", "slider", "number_input", "text_input", "text_area",
         "toggle", "checkbox")
VALUE_KINDS = tuple(k for k in KINDS if k != "button")
AWKWARD_TEXT = ("", "-3", "0", "abc", "1e100", "9" * 120)
NO_WEIGHTS = pytest.mark.skipif("digits" not in available_models(), reason="no weights")

# The index text area (image-space page, 16 x 16 by default): name -> (text, what the page must show).
# ("info", message) / ("error", message): that message and no image; ("index", n): the images of n and n + 1.
TOO_LONG = "7" * 60_000  # over the 50,000-character cap
AWKWARD_INDEX = {
    "empty": ("", ("info", "Paste an index, draw a random one, or use the picture's: its image appears here.")),
    "spaces only": ("   ", ("info", "Paste an index, draw a random one, or use the picture's: its image appears here.")),
    "letters": ("abc", ("error", "An index is a whole number made of the digits 0-9; “a” is not a digit.")),
    "negative": ("-5", ("error", "An index is a whole number made of the digits 0-9; “-” is not a digit.")),
    "exponent": ("1e100", ("error", "An index is a whole number made of the digits 0-9; “e” is not a digit.")),
    "49,990 zeros then 7": ("0" * 49_990 + "7", ("index", 7)),
    # Streamlit cuts the value to max_chars (50,001) before the page sees it; one past the cap: refused.
    "60,000 characters": (TOO_LONG, ("error", "That text is longer than 50,000 characters; an index of a 16 x 16 image "
                                              "has at most 617 digits.")),
    "a 617-digit index": (str(200 * 256**255 + 5), ("index", 200 * 256**255 + 5)),  # first pixel 200, last 5
    "commas and spaces": ("1,234 567", ("index", 1_234_567)),
}
# Widgets whose awkward inputs have their own test below, outcome by outcome: the sweep does not repeat them.
CHECKED_ELSEWHERE = {"ix_text"}


# ================================================================= 1. every widget =====

@pytest.fixture
def raw_options(monkeypatch) -> dict[str, list]:
    """key (or label, for a widget without a key) -> the raw options each choice widget was created with."""
    recorded: dict[str, list] = {}

    def recording(create):
        def wrapped(*args, **kwargs):  # (self,) label, options: how every page calls them
            label, options = args[-2:]
            recorded[kwargs.get("key") or label] = list(options)
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
        options = raw_options[widget.key or widget.label]
        return [(f"= {o!r}", o) for o in (options if kind != "select_slider" else [options[0], options[-1]])]
    if kind in ("slider", "number_input"):
        return [("min", widget.min), ("max", widget.max)]
    if kind == "text_input":
        return [(f"= {t!r}", t) for t in AWKWARD_TEXT]
    if kind == "text_area":
        return [(f"= {name}", text) for name, (text, _) in AWKWARD_INDEX.items()]
    return [("flip", not widget.value)]  # toggle, checkbox


def _act(widget, kind: str, value) -> None:
    if kind == "button":
        widget.click()
    elif kind == "text_input":
        widget.input(value)  # as typed: AppTest refuses more than max_chars, as the browser does
    else:
        widget.set_value(value)  # a text area's over-long paste reaches the server, which cuts it to max_chars


def _fresh(page: str) -> AppTest:
    """The page in a new session; the 2-D page with no trained model on the server's shelf (an earlier action or
    test may have trained one), so that every action starts from what the plan saw."""
    if page == "direction.py":
        toy_models.clear()
    return AppTest.from_file(str(PAGES / page), default_timeout=300).run()


def _errors(at: AppTest) -> list:
    return [e.value for e in at.exception]


@pytest.mark.slow
@pytest.mark.parametrize("page, at_least", [("image-space.py", 25), ("forward.py", 15), ("direction.py", 20),
                                            pytest.param("denoiser.py", 15, marks=NO_WEIGHTS),
                                            pytest.param("corner.py", 10, marks=NO_WEIGHTS)])
def test_every_widget_at_every_option_and_extreme(page, at_least, raw_options):
    """No action on any widget of the page, at any of its options or extremes, raises (text areas: the awkward
    index inputs, unless a test below checks that text area's answers input by input)."""
    first = _fresh(page)
    assert not first.exception, _errors(first)
    plan = [(kind, w.id, w.label, what, value)  # auto-generated ids are stable from run to run
            for kind in KINDS for w in first.get(kind) if not w.disabled and w.key not in CHECKED_ELSEWHERE
            for what, value in _actions(kind, w, raw_options)]
    assert len(plan) >= at_least, f"only {len(plan)} actions found: the page's widgets were not seen"

    failures = []
    for kind, widget_id, label, what, value in plan:
        at = _fresh(page)
        _act(next(w for w in at.get(kind) if w.id == widget_id), kind, value)
        at.run()
        if at.exception:
            failures.append(f"{kind} {label!r} {what}: {_errors(at)}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("name", list(AWKWARD_INDEX))
def test_the_index_text_area_answers_every_awkward_input(name, served_media):
    """Each awkward index gives its message and no image, or exactly the images of that index and the next
    (pixels from the served PNGs against the index's base-256 digits) with the right caption."""
    text, (outcome, expected) = AWKWARD_INDEX[name]
    at = _fresh("image-space.py")
    at.text_area(key="ix_text").set_value(text).run()
    assert not at.exception, _errors(at)
    captions = [i.proto.imgs[0].caption for i in at.get("image")]
    if outcome == "info":
        assert not at.error and expected in [i.value for i in at.info]
        assert "this index" not in captions
    elif outcome == "error":
        assert [e.value for e in at.error] == [expected]
        assert "this index" not in captions
    else:
        assert not at.error
        assert np.array_equal(shown_index_image(served_media, at, "this index"), index_image(expected))
        assert np.array_equal(shown_index_image(served_media, at, "index + 1"), index_image(expected + 1))
        assert plus_one_caption(expected) in [c.value for c in at.caption]


def test_an_over_long_paste_is_refused_not_cut():
    at = _fresh("image-space.py")
    at.text_area(key="ix_text").set_value("0" * 59_995 + "12345").run()  # 60,000 characters: 12,345
    assert not at.exception
    assert at.error, [c.value for c in at.caption]


# ================================================================= 2. every link parameter =====

# The URL each page writes when its link says nothing: its defaults.
DEFAULT_URLS = {
    "image-space.py": {"w": "100", "h": "100", "colour": "gray", "bits": "8"},
    "forward.py": {"img": "photo:Astronaut", "colour": "rgb", "res": "128", "schedule": "cosine", "T": "1000",
                   "t": "250", "seed": "0"},
    "denoiser.py": {"model": "digits", "label": "7", "guidance": "1.5", "sampler": "dpmpp", "steps": "20", "eta": "0",
                    "seed": "1", "mode": "one"},
}


def _linked(page: str, query: dict[str, str]) -> AppTest:
    at = AppTest.from_file(str(PAGES / page), default_timeout=300)
    at.query_params.update(query)
    return at.run()


def _widget(at: AppTest, key: str):
    found = [w for kind in VALUE_KINDS for w in at.get(kind) if w.key == key]
    assert len(found) == 1, f"no single widget with key {key!r}"
    return found[0]


COMBINATIONS = [  # (page, link, the warnings (substrings, in order), the URL after the run)
    # The image-space page judges each value alone and keeps the good ones; a format too large falls back whole.
    ("image-space.py", {"w": "abc", "h": "-3"}, ["Ignored w=abc", "Ignored h=-3"], DEFAULT_URLS["image-space.py"]),
    ("image-space.py", {"w": "640", "h": "480", "colour": "<script>alert(1)</script>"},
     ["Ignored colour=\\<script\\>"], {**DEFAULT_URLS["image-space.py"], "w": "640", "h": "480"}),
    ("image-space.py", {"w": "1000000000000", "h": "1000000000000"}, ["values is more than 10^18"],
     DEFAULT_URLS["image-space.py"]),
    ("image-space.py", {"w": " 1,920 ", "h": "+1080", "colour": "RGB", "bits": "16"}, [],
     {"w": "1920", "h": "1080", "colour": "rgb", "bits": "16"}),  # written the page's way
    # The forward page judges each value alone; t is checked against the T it ends up with.
    ("forward.py", {"T": "500", "t": "600"}, ["Ignored t=600"], {**DEFAULT_URLS["forward.py"], "T": "500"}),
    ("forward.py", {"T": "nan", "t": "1500"}, ["Ignored T=nan", "Ignored t=1500"], DEFAULT_URLS["forward.py"]),
    ("forward.py", {"img": "digits:999", "colour": "rgb", "res": "64"}, [],
     {**DEFAULT_URLS["forward.py"], "img": "digits:999", "colour": "gray", "res": "64"}),  # data sets are gray
    ("forward.py", {"img": "photo:../../etc/passwd", "seed": "<script>alert(1)</script>"},
     ["Ignored img=photo:../../etc/passwd", "Ignored seed=\\<script\\>"], DEFAULT_URLS["forward.py"]),
    ("forward.py", {"img": "fashion:1000"}, ["Ignored img=fashion:1000"], DEFAULT_URLS["forward.py"]),
    ("forward.py", {"img": "digits:\u0663"}, ["Ignored img=digits:\u0663"], DEFAULT_URLS["forward.py"]),
    ("forward.py", dict.fromkeys(DEFAULT_URLS["forward.py"], ""),
     [f"Ignored {p}= in the link" for p in DEFAULT_URLS["forward.py"]], DEFAULT_URLS["forward.py"]),
    # The denoiser: steps are judged against the sampler and layout the link ends up with.
    pytest.param("denoiser.py", {"sampler": "ddpm", "mode": "grid", "steps": "1000"}, ["Ignored steps=1000"],
                 {**DEFAULT_URLS["denoiser.py"], "sampler": "ddpm", "mode": "grid", "steps": "200"}, marks=NO_WEIGHTS),
    pytest.param("denoiser.py", {"model": "fashion", "label": "12"}, ["Ignored label=12"],
                 {**DEFAULT_URLS["denoiser.py"], "model": "fashion"},
                 marks=pytest.mark.skipif("fashion" not in available_models(), reason="no weights")),
    pytest.param("denoiser.py", {"sampler": "ddim", "eta": "2"}, ["Ignored eta=2"],
                 {**DEFAULT_URLS["denoiser.py"], "sampler": "ddim", "steps": "50"}, marks=NO_WEIGHTS),
    pytest.param("denoiser.py", {"label": "none", "guidance": "nan", "seed": "9" * 5000},
                 ["Ignored guidance=nan", "Ignored seed=999"], {**DEFAULT_URLS["denoiser.py"], "label": "-1"},
                 marks=NO_WEIGHTS),
    pytest.param("denoiser.py", dict.fromkeys(DEFAULT_URLS["denoiser.py"], ""),
                 [f"Ignored {p}= in the link" for p in ("model", "label", "guidance", "sampler", "eta", "seed", "mode",
                                                        "steps")],
                 DEFAULT_URLS["denoiser.py"], marks=NO_WEIGHTS),
]


@pytest.mark.parametrize("page, query, warned, url", COMBINATIONS)
def test_tampered_link_combinations(page, query, warned, url):
    """Several values at once: each bad one is named (in order), the good ones are kept, and the URL after the
    run holds exactly the values on screen (the page mirrors its widgets into it)."""
    at = _linked(page, query)
    assert not at.exception, _errors(at)
    warnings = [w.value for w in at.warning]
    assert len(warnings) == len(warned) and all(w in got for w, got in zip(warned, warnings)), warnings
    assert dict(at.query_params) == url


def _links_outside_code(markdown: str) -> list[str]:
    """Web addresses that Markdown would make clickable in ``markdown``: http(s):// or www. outside code spans
    (GitHub-flavoured Markdown, as Streamlit renders, links bare addresses; a run of n backticks opens a code
    span that the next run of exactly n closes)."""
    outside, i = [], 0
    while i < len(markdown):
        run = re.match(r"`+", markdown[i:])
        if run:
            close = re.search(rf"(?<!`){run.group()}(?!`)", markdown[i + run.end():])
            if close:  # a code span: rendered as text
                i += run.end() + close.end()
                continue
            outside.append(run.group())
            i += run.end()
            continue
        outside.append(markdown[i])
        i += 1
    return re.findall(r"(?:https?://|www\.)\S+", "".join(outside))


MARKDOWN_BAIT = {  # a parameter each page validates, set to text that would render as a link
    "image-space.py": ("w", "[x](https://e.vil)"),
    "forward.py": ("seed", "x` [x](https://e.vil) `"),
    "denoiser.py": ("model", "[x](https://e.vil)"),
}


@pytest.mark.parametrize("page", ["image-space.py", "forward.py", pytest.param("denoiser.py", marks=NO_WEIGHTS)])
def test_a_links_value_cannot_put_a_link_in_the_warning(page):
    param, value = MARKDOWN_BAIT[page]
    at = _linked(page, {param: value})
    assert not at.exception and at.warning
    assert [_links_outside_code(w.value) for w in at.warning] == [[]] * len(at.warning)


@pytest.mark.parametrize("page, param", [
    ("image-space.py", "w"),
    ("forward.py", "seed"),
    pytest.param("denoiser.py", "seed", marks=NO_WEIGHTS),
])
def test_a_long_link_value_is_quoted_briefly(page, param):
    """A 5,000-character value is not repeated in full: the warning quotes at most 100 characters of it."""
    at = _linked(page, {param: "9" * 5000})
    assert not at.exception and at.warning
    assert all("9" * 101 not in w.value for w in at.warning), [len(w.value) for w in at.warning]


# ================================================================= 3. page switches =====

APP_PAGES = ("pages/home.py", "pages/image-space.py", "pages/forward.py", "pages/denoiser.py", "pages/direction.py",
             "pages/corner.py")
SWITCH_TEXT = "12345"  # a valid width, height and index alike


def _visit(at: AppTest, page: str) -> AppTest:
    at.switch_page(page).run()
    assert not at.exception, (page, _errors(at))
    return at


def _entered(page: str) -> AppTest:
    return _visit(AppTest.from_file(APP, default_timeout=300).run(), page)


def _switch_value(kind: str, widget, raw_options: dict[str, list]):
    """One value a reader might leave ``widget`` at: different from what it shows now (the last such option or
    extreme; for text, a valid number)."""
    if kind in ("text_input", "text_area"):
        return SWITCH_TEXT
    return [value for _, value in _actions(kind, widget, raw_options) if value != widget.value][-1]


@pytest.mark.slow
@pytest.mark.parametrize("page", ["pages/image-space.py", "pages/forward.py",
                                  pytest.param("pages/denoiser.py", marks=NO_WEIGHTS)])
def test_every_widget_keeps_its_value_across_a_page_switch(page, raw_options):
    """Through app.py: set one widget, visit another page (each in turn), come back: the widget shows the
    value it was left at, and the URL is the one the reader left (the same view, the same link)."""
    first = _entered(page)
    plan = [(kind, w.key, _switch_value(kind, w, raw_options))
            for kind in VALUE_KINDS for w in first.get(kind) if not w.disabled]
    assert all(key for _, key, _ in plan), "a setting widget without a key cannot be found again"
    assert len(plan) >= 9, plan
    others = [p for p in APP_PAGES if p != page]

    failures = []
    for n, (kind, key, value) in enumerate(plan):
        other = others[n % len(others)]
        at = _entered(page)
        _act(_widget(at, key), kind, value)
        at.run()
        left_url = dict(at.query_params)
        try:
            _visit(_visit(at, other), page)
        except AssertionError as e:
            failures.append(f"{kind} {key} = {value!r}, via {other}: {e}")
            continue
        kept = _widget(at, key).value
        if kept != value:
            failures.append(f"{kind} {key} = {value!r}, via {other}: came back as {kept!r}")
        elif dict(at.query_params) != left_url:
            failures.append(f"{kind} {key} = {value!r}, via {other}: URL {dict(at.query_params)} != {left_url}")
    assert not failures, "\n".join(failures)
