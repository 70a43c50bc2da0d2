"""Journeys through the whole app in a real browser, as a reader makes them.

1. **Round trips** (one test per page, one browser session each): set several settings with the real
   widgets, then leave the page and come back by every route a reader has: the sidebar, the home page's
   links, the browser's back and forward buttons, a reload; and open the copied link in a second browser.
   After each return the widgets must show the reader's values, the URL must hold them, and the page
   must have finished its run without an exception.
2. **Uploads**: a real PNG, random bytes named ``.png`` and a truncated PNG, on both pages with a photo
   picker: a bad file gives an ``st.error`` saying what is wrong, never an exception.
3. **A seeded random walk** over navigation and every kind of widget on the page it is on, with awkward
   input (out-of-range numbers, ``1e100``, 120 nines, a 5,000-character paste, corrupt files). After every
   step: no exception, the app idle, the page's title shown. ``JOURNEY_STEPS`` (default 150) and
   ``JOURNEY_SEED`` set its length and seed; every step is logged to ``test-artifacts/journey_walk.log``
   and a failure names its step and leaves a screenshot.

Waiting: a widget's change reaches the server a moment after the click, so "the app is idle" right
after an action proves nothing. :data:`RUN_TRACKER_JS` watches the page's websocket instead: it counts
the rerun requests the browser sends and clears ``pending`` when the server reports the run finished;
:func:`settle` waits for that, then for Streamlit's idle marker and for every widget to be drawn. No
fixed sleeps, no timing assertions.
"""

from __future__ import annotations

import io
import os
import random
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect
from streamlit_browser import APP_IDLE, ARTIFACTS, NO_SKELETON_JS, wait_for_app

from diffusion_core.model.weights import available_models

# ---------------------------------------------------------------- the app's pages -----------------

PATHS = {"home": "", "image-space": "image-space", "forward": "forward", "denoiser": "denoiser", "direction": "direction",
         "corner": "corner"}
TITLES = {"home": "Image Space", "image-space": "How large is image space?", "forward": "The forward process",
          "denoiser": "Live denoiser", "direction": "Which direction to move", "corner": "How tiny is the corner?"}
NAV_LABELS = {"home": "Home", **{name: title for name, title in TITLES.items() if name != "home"}}
PAGE_OF_PATH = {path: name for name, path in PATHS.items()}

LOAD_TIMEOUT_MS = 180_000  # the first visit to the denoiser imports torch and loads a model
RUN_TIMEOUT_MS = 120_000  # one rerun, the heaviest being a 1,000-step DDPM comparison on a busy machine
needs_models = pytest.mark.skipif(not {"digits", "fashion"} <= set(available_models()),
                                  reason="the digits and fashion weights are not shipped")

# ---------------------------------------------------------------- waiting for Streamlit ----------

# Installed in every page before Streamlit's code runs. A BackMsg whose first byte is 0x5a (field 11,
# length-delimited) is a rerun request; a ForwardMsg's top-level field 6 is ``script_finished``, whose
# value 2 (FINISHED_EARLY_FOR_RERUN) means another run follows. ``doc`` tells documents apart (a reload
# starts the counts again).
RUN_TRACKER_JS = r"""
(() => {
  if (window.__journey) return;
  const state = { doc: Math.random().toString(36).slice(2), sent: 0, finished: 0, pending: false };
  window.__journey = state;
  const EARLY_FOR_RERUN = 2;
  function scriptFinished(bytes) {  // the status of a script_finished ForwardMsg, else -1
    let i = 0;
    const varint = () => {
      let value = 0, scale = 1, b;
      do { b = bytes[i++]; value += (b & 0x7f) * scale; scale *= 128; } while (b & 0x80 && i < bytes.length);
      return value;
    };
    while (i < bytes.length) {
      const tag = varint(), field = Math.floor(tag / 8), wire = tag % 8;
      if (field === 6 && wire === 0) return varint();
      if (field > 2 || wire !== 2) return -1;  // past hash (1) and metadata (2): another message type
      const length = varint();  // (not `i += varint()`: that reads i before varint moves it)
      i += length;
    }
    return -1;
  }
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (event) => {
        if (!(event.data instanceof ArrayBuffer)) return;
        const status = scriptFinished(new Uint8Array(event.data));
        if (status < 0) return;
        state.finished++;
        if (status !== EARLY_FOR_RERUN) state.pending = false;
      });
    }
    send(data) {
      const bytes = data instanceof ArrayBuffer ? new Uint8Array(data)
        : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : null;
      if (bytes && bytes.length && bytes[0] === 0x5a) { state.sent++; state.pending = true; }
      return super.send(data);
    }
  };
})();
"""
# Resolves after the next frame and one task more, i.e. after everything the page had already queued: a
# widget that commits in a React effect (a number or text input on Enter) has sent its rerun request by then,
# and after a run, Streamlit's message handling and React's render have drawn it.
AFTER_QUEUED_TASKS_JS = ("() => new Promise(resolve => requestAnimationFrame(() => { const c = new MessageChannel(); "
                         "c.port1.onmessage = () => resolve(); c.port2.postMessage(0); }))")
# Every widget drawn (no grey skeleton) and every image loaded: an image that arrives late moves what is
# below it, and a click aimed at a widget would land beside it (or close a just-opened selectbox list).
DRAWN_JS = f"() => ({NO_SKELETON_JS})() && Array.from(document.images).every(image => image.complete)"


def new_session(browser):
    """A fresh browser context (a new Streamlit session) with the run tracker installed; returns (context, page)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.add_init_script(RUN_TRACKER_JS)
    return context, context.new_page()


def mark(page) -> dict:
    """Where the run tracker stands; pass it to :func:`settle` after an action that must start a rerun."""
    return page.evaluate("() => ({doc: window.__journey.doc, sent: window.__journey.sent})")


def settle(page, since: dict | None = None, timeout_ms: int = RUN_TIMEOUT_MS, requests: int = 1) -> None:
    """Wait until every rerun the browser asked for has finished and been drawn.

    ``since``: a :func:`mark` taken before an action that must ask for ``requests`` reruns (a click, a
    changed slider, a navigation: one; replacing an uploaded file: two); we first wait for those requests,
    which some widgets send a moment later. Without it, an action that asked for nothing (an out-of-range
    number) passes straight through.
    """
    page.evaluate(AFTER_QUEUED_TASKS_JS)
    if since is not None:
        page.wait_for_function("m => window.__journey && (window.__journey.doc !== m.doc || "
                               "window.__journey.sent >= m.sent + m.requests)",
                               arg={**since, "requests": requests}, timeout=timeout_ms)
    page.wait_for_function(f"() => window.__journey && !window.__journey.pending && document.querySelector('{APP_IDLE}')",
                           timeout=timeout_ms)
    page.evaluate(AFTER_QUEUED_TASKS_JS)
    wait_for_app(page, timeout_ms)
    page.wait_for_function(DRAWN_JS, timeout=timeout_ms)


def act(page, action: Callable[[], object], must_rerun: bool = True, timeout_ms: int = RUN_TIMEOUT_MS) -> None:
    """Do ``action`` (a click, a key press) and wait for the rerun it causes to finish."""
    before = mark(page)
    action()
    settle(page, before if must_rerun else None, timeout_ms)


def open_url(page, url: str) -> None:
    """Open ``url`` (a new document, so a new Streamlit session) and wait for its first run to finish."""
    page.goto(url)
    settle(page, timeout_ms=LOAD_TIMEOUT_MS)


def current_page(page) -> str:
    path = urlsplit(page.url).path.strip("/")
    assert path in PAGE_OF_PATH, f"the browser left the app: {page.url}"
    return PAGE_OF_PATH[path]


def query(page) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(page.url).query, keep_blank_values=True))


def title(page):
    return page.get_by_test_id("stMain").locator("h1").first


def assert_page_ok(page, name: str, context: str = "") -> None:
    """The page ``name`` is on screen, idle, with its title and no exception."""
    where = f" ({context})" if context else ""
    assert current_page(page) == name, f"expected the {name} page{where}, got {page.url}"
    expect(title(page)).to_have_text(TITLES[name])
    errors = page.get_by_test_id("stException")
    assert errors.count() == 0, f"exception on the {name} page{where}:\n{errors.first.inner_text()}"
    assert page.locator(APP_IDLE).count() == 1, f"the app is still running{where}"


# ---------------------------------------------------------------- widgets, found by their label ---

def widget(page, testid: str, label: str):
    """The one widget of kind ``testid`` (stSlider, stSelectbox, ...) whose label reads exactly ``label``."""
    return page.get_by_test_id(testid).filter(has=page.get_by_test_id("stWidgetLabel").get_by_text(label, exact=True))


def slider_value(page, label: str) -> str:
    return widget(page, "stSlider", label).get_by_test_id("stSliderThumbValue").inner_text()


def press_slider(page, label: str, key: str, times: int = 1) -> None:
    """Press ``key`` (ArrowRight, ArrowLeft, Home, End) on the slider's thumb, waiting for each rerun.

    The thumb moves at once; its new value is sent when the key is released, so a rerun is awaited only
    when the value changed (Home on the minimum asks for nothing).
    """
    thumb = widget(page, "stSlider", label).get_by_role("slider")
    for _ in range(times):
        before, start = slider_value(page, label), mark(page)
        thumb.press(key)
        settle(page, start if slider_value(page, label) != before else None)


def selectbox_value(page, label: str) -> str:
    return widget(page, "stSelectbox", label).get_by_role("combobox").input_value()


def open_selectbox(page, label: str):
    """Open the selectbox's list and return it.

    The list closes on any scroll, and the browser reports a scroll only at its next frame: so first bring
    the field into view and let that frame pass, then focus it and press ArrowDown (a click could land on
    the label instead, which focuses the field without opening it, if the layout moved meanwhile).
    """
    box = widget(page, "stSelectbox", label).get_by_role("combobox")
    box.scroll_into_view_if_needed()
    page.evaluate(AFTER_QUEUED_TASKS_JS)
    box.focus()
    page.keyboard.press("ArrowDown")
    listbox = page.get_by_role("listbox")
    listbox.get_by_role("option").first.wait_for()
    return listbox


def choose_option(page, label: str, option: str) -> None:
    """Pick ``option`` in the selectbox ``label`` (a rerun when it differs from the current one)."""
    changes = selectbox_value(page, label) != option
    listbox = open_selectbox(page, label)
    act(page, lambda: listbox.get_by_role("option", name=option, exact=True).click(), changes)
    assert selectbox_value(page, label) == option


def radio_value(page, label: str) -> str:
    return widget(page, "stRadio", label).locator('[data-testid="stRadioOption"][data-selected="true"]').inner_text()


def radio_options(page, label: str) -> list[str]:
    return [o.inner_text() for o in widget(page, "stRadio", label).get_by_test_id("stRadioOption").all()]


def choose_radio(page, label: str, option: str) -> None:
    changes = radio_value(page, label) != option
    choice = widget(page, "stRadio", label).get_by_test_id("stRadioOption").filter(
        has=page.get_by_text(option, exact=True))
    act(page, choice.click, changes)
    assert radio_value(page, label) == option


def toggle_value(page, label: str) -> bool:
    return widget(page, "stCheckbox", label).get_by_role("switch").is_checked()


def set_toggle(page, label: str, on: bool) -> None:
    if toggle_value(page, label) != on:
        act(page, widget(page, "stCheckbox", label).locator("label").first.click)
    assert toggle_value(page, label) == on


def field(page, testid: str, label: str):
    """The text field of a number input, text input or text area."""
    inner = {"stNumberInput": "input", "stTextInput": "input", "stTextArea": "textarea"}[testid]
    return widget(page, testid, label).locator(inner)


def type_into(page, testid: str, label: str, text: str) -> None:
    """Type ``text`` into a number input, text input or text area and commit it (Enter; Ctrl+Enter in a
    text area), as a reader does. Streamlit sends it only if it is a valid, new value: no rerun otherwise."""
    box = field(page, testid, label)
    box.fill(text)
    act(page, lambda: box.press("Control+Enter" if testid == "stTextArea" else "Enter"), must_rerun=False)


def field_value(page, testid: str, label: str) -> str:
    return field(page, testid, label).input_value()


def button(page, name: str):
    """The button labelled ``name`` (a button with help text has a second, hidden copy: not that one)."""
    return page.get_by_test_id("stButton").filter(has=page.get_by_text(name, exact=True)).locator("button").filter(
        visible=True)


def go_sidebar(page, name: str) -> None:
    """Follow the sidebar's link to the page ``name`` and wait for it."""
    link = page.get_by_test_id("stSidebarNav").get_by_role("link").filter(
        has=page.get_by_text(NAV_LABELS[name], exact=True))
    act(page, link.click)
    expect(title(page)).to_have_text(TITLES[name])


def go_home_link(page, name: str) -> None:
    """On the home page, follow its st.page_link to the page ``name``."""
    link = page.get_by_test_id("stMain").get_by_test_id("stPageLink").get_by_role("link").filter(
        has=page.get_by_text(NAV_LABELS[name], exact=True))
    act(page, link.click)
    expect(title(page)).to_have_text(TITLES[name])


def press_history(page, direction: str) -> None:
    """One press of the browser's back or forward button (Streamlit reruns for that history entry)."""
    act(page, page.go_back if direction == "back" else page.go_forward)
    expect(title(page)).to_have_text(TITLES[current_page(page)])


def history_to_another_page(page, direction: str, max_presses: int = 12) -> int:
    """Press back (or forward) until another page is on screen; returns how many presses it took.

    One, since pages/browser_history.py: a page's settings update its history entry instead of adding
    entries (test_entering_a_page_adds_one_history_entry); the count is printed and checked by the caller.
    """
    start = current_page(page)
    for presses in range(1, max_presses + 1):
        press_history(page, direction)
        if current_page(page) != start:
            return presses
    raise AssertionError(f"{max_presses} presses of {direction} did not leave the {start} page")


def reload(page) -> None:
    """Reload: a new document and a new Streamlit session, which restores what the URL says."""
    act(page, page.reload, timeout_ms=LOAD_TIMEOUT_MS)
    expect(title(page)).to_have_text(TITLES[current_page(page)])


# ---------------------------------------------------------------- files to upload ------------------

def png_bytes(width: int = 48, height: int = 32, seed: int = 0) -> bytes:
    pixels = np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="PNG")
    return out.getvalue()


def one_colour_bytes(width: int, height: int, colour, mode: str = "RGB", fmt: str = "PNG") -> bytes:
    """A picture of one colour: what a blank page, a white wall or a scanned sheet looks like to the app."""
    out = io.BytesIO()
    Image.new(mode, (width, height), colour).save(out, format=fmt)
    return out.getvalue()


ONE_COLOUR = {  # issue 26: each crashed the forward page's survival chart (its correlation is NaN everywhere)
    "white.png": one_colour_bytes(256, 256, (255, 255, 255)),
    "black.jpg": one_colour_bytes(64, 48, (0, 0, 0), fmt="JPEG"),
    "one-pixel.png": one_colour_bytes(1, 1, (200, 30, 90)),
    "sliver.png": one_colour_bytes(1, 5000, 128, mode="L"),
    "transparent.png": one_colour_bytes(40, 40, (0, 0, 0, 0), mode="RGBA"),
}
UPLOADS = {  # name -> (bytes, is a readable image)
    **{name: (data, True) for name, data in ONE_COLOUR.items()},
    "small.png": (png_bytes(), True),
    "random-bytes.png": (np.random.default_rng(1).integers(0, 256, 3000, dtype=np.uint8).tobytes(), False),
    "truncated.png": (png_bytes(64, 64, seed=2)[:2000], False),
}


def upload(page, name: str) -> None:
    """Give the visible file uploader the file ``name`` of UPLOADS and wait for the page to take it.

    Replacing a file already in the uploader asks for two reruns: one as the old file goes, one when the
    new one has arrived on the server.
    """
    data, _ = UPLOADS[name]
    uploader = page.get_by_test_id("stFileUploader")
    replacing = uploader.get_by_test_id("stFileChipName").count() > 0
    before = mark(page)
    mime = "image/jpeg" if name.endswith(".jpg") else "image/png"
    uploader.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
        files=[{"name": name, "mimeType": mime, "buffer": data}])
    settle(page, before, requests=2 if replacing else 1)
    expect(uploader.get_by_test_id("stFileChipName")).to_have_text(name)


def assert_upload_outcome(page, name: str) -> None:
    """A readable file is shown without an error; a bad one gets an st.error that names it, not an exception."""
    errors = page.get_by_test_id("stAlertContentError").filter(has_text=name)
    if UPLOADS[name][1]:
        assert errors.count() == 0, f"{name} is a good PNG, yet: {errors.first.inner_text()}"
    else:
        # waited for, not counted at once: a text box that loses focus to the uploader may send its own
        # rerun, which settle() can take for one of the upload's two (seen once in 1,000 steps under load)
        expect(errors, f"no error message for the bad file {name}").to_have_count(1, timeout=RUN_TIMEOUT_MS)
        message = errors.first.inner_text()
        assert len(message) > len(name) + 20 and "bundled photo" in message, message


# ================================================================= 1. round trips ==================

def expect_same_settings(page, name: str, widgets: dict, url: dict, route: str) -> None:
    """The page ``name`` is back with the reader's values in its widgets and its URL."""
    assert_page_ok(page, name, route)
    for (kind, label), value in widgets.items():
        shown = READERS[kind](page, label)
        assert shown == value, f"after {route}: {label!r} shows {shown!r}, the reader set {value!r}"
    assert query(page) == url, f"after {route}: the URL says {query(page)}, the screen {url}"


def player_value(page, label: str) -> str:
    """The forward page's player: where its scrubber (``label``, "Timestep t") stands; it lives in the player's own
    document (a shadow root), which Playwright's role locators reach."""
    return page.get_by_role("slider", name=label, exact=True).input_value()


def press_player(page, label: str, key: str, times: int = 1) -> None:
    """Press ``key`` on the forward player's scrubber ``times`` times; each press is a step the player reports to the
    server (one rerun each), as a reader's would be."""
    scrub = page.get_by_role("slider", name=label, exact=True)
    for _ in range(times):
        act(page, lambda: scrub.press(key))


READERS = {"slider": slider_value, "player": player_value, "select": selectbox_value, "radio": radio_value,
           "toggle": toggle_value,
           "number": lambda page, label: field_value(page, "stNumberInput", label),
           "text": lambda page, label: field_value(page, "stTextInput", label),
           "area": lambda page, label: field_value(page, "stTextArea", label)}


def every_route(browser, page, name: str, other: str, kept: dict, linked: dict, url: dict,
                after_return: Callable[[str], None] | None = None) -> None:
    """Leave the page ``name`` and come back by every route, checking the settings after each return.

    kept: widgets kept for the session only (forgotten by a reload); linked: widgets the URL restores;
    url: the query string that must mirror them. ``other``: a second content page to visit on the way.
    """
    both = {**kept, **linked}

    def check(route: str) -> None:
        expect_same_settings(page, name, both, url, route)
        if after_return:
            after_return(route)

    check("changing the settings")
    go_sidebar(page, other)
    assert_page_ok(page, other, f"sidebar from {name}")
    go_sidebar(page, name)
    check(f"the sidebar to {other} and back")

    go_sidebar(page, "home")
    assert_page_ok(page, "home")
    go_home_link(page, name)
    check("the home page's link")

    presses = [history_to_another_page(page, "back")]
    assert_page_ok(page, "home", "browser back to the home page")
    presses.append(history_to_another_page(page, "forward"))
    check("the browser's forward button")

    go_sidebar(page, other)
    presses.append(history_to_another_page(page, "back"))
    check(f"the browser's back button from {other}")
    assert presses == [1, 1, 1], f"{name}: presses of back, forward, back needed to change page: {presses}"

    reload(page)
    expect_same_settings(page, name, linked, url, "a reload")
    shot(page, f"journey_{name}_after_reload")

    shared = page.url
    context, second = new_session(browser)
    try:
        open_url(second, shared)
        expect_same_settings(second, name, linked, url, "opening the copied link in a new browser")
    finally:
        context.close()


def shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture()
def session(browser):
    """One browser session (context) with the run tracker; yields its page."""
    context, page = new_session(browser)
    yield page
    context.close()


def test_image_space_settings_survive_every_route(session, browser, app_url):
    """A 640 x 480 RGB 4-bit format, the index view's size, photo, text and toggle: all kept on every route;
    the format (which is in the URL) also survives a reload and a shared link."""
    page = session
    open_url(page, f"{app_url}/image-space")
    assert_page_ok(page, "image-space", "first visit")
    choose_option(page, "Preset", "1080p frame (1920 x 1080 RGB)")
    assert (field_value(page, "stTextInput", "Width (pixels)"), radio_value(page, "Colour model")) == ("1920", "RGB")
    type_into(page, "stTextInput", "Width (pixels)", "640")
    type_into(page, "stTextInput", "Height (pixels)", "480")
    choose_radio(page, "Bits per channel", "4")
    press_slider(page, "Side of the small image (pixels)", "ArrowRight", 4)
    choose_option(page, "Photo", "Coffee")
    set_toggle(page, "Show the whole index", True)
    type_into(page, "stTextArea", area_label(page), "123456789")
    linked = {("text", "Width (pixels)"): "640", ("text", "Height (pixels)"): "480", ("radio", "Colour model"): "RGB",
              ("radio", "Bits per channel"): "4", ("select", "Preset"): "Custom"}
    kept = {("slider", "Side of the small image (pixels)"): "20", ("select", "Photo"): "Coffee",
            ("toggle", "Show the whole index"): True, ("area", area_label(page)): "123456789"}
    url = {"w": "640", "h": "480", "colour": "rgb", "bits": "4"}
    every_route(browser, page, "image-space", "forward", kept, linked, url)


def area_label(page) -> str:
    """The index text area's label names the current size ("An index for a 20 × 20 image ...")."""
    return (page.get_by_test_id("stTextArea").filter(has_text="An index for")  # not the lesson panel's task box
            .get_by_test_id("stWidgetLabel").inner_text())


def test_forward_settings_survive_every_route(session, browser, app_url):
    """Photo Chelsea, grey, 64 px, linear schedule, T = 500, t = 128, seed 7: kept on every route, in the URL,
    restored by a reload and a shared link (before the fix: T = 10, t = 0, linear, written into the URL)."""
    page = session
    open_url(page, f"{app_url}/forward")
    assert_page_ok(page, "forward", "first visit")
    choose_option(page, "Photo", "Chelsea")
    set_toggle(page, "Colour (RGB)", False)
    press_slider(page, "Resolution (short side, px)", "ArrowLeft", 2)
    choose_radio(page, "Noise schedule", "linear")
    type_into(page, "stNumberInput", "T, the number of steps", "500")
    assert player_value(page, "Timestep t") == "125"  # t kept its place: 250 of 1000 -> 125 of 500
    type_into(page, "stNumberInput", "Noise seed", "7")
    press_player(page, "Timestep t", "ArrowRight", 3)
    linked = {("select", "Photo"): "Chelsea", ("toggle", "Colour (RGB)"): False,
              ("slider", "Resolution (short side, px)"): "64", ("radio", "Noise schedule"): "linear",
              ("number", "T, the number of steps"): "500", ("number", "Noise seed"): "7", ("player", "Timestep t"): "128"}
    url = {"img": "photo:Chelsea", "colour": "gray", "res": "64", "schedule": "linear", "T": "500", "t": "128",
           "seed": "7"}
    every_route(browser, page, "forward", "denoiser", {}, linked, url)


@needs_models
def test_denoiser_settings_survive_every_route(session, browser, app_url):
    """Fashion model, DDIM with 12 steps and eta 0.3, guidance 2, prompt "3: Dress", seed 42, and the one-step
    tab's image number and class toggle: kept on every route (before the fix: a KeyError on return)."""
    page = session
    open_url(page, f"{app_url}/denoiser")
    assert_page_ok(page, "denoiser", "first visit")
    choose_option(page, "Model", "Clothes (Fashion-MNIST)")
    choose_option(page, "Sampler", "DDIM")
    assert slider_value(page, "Steps") == "50"
    press_slider(page, "Steps", "Home")
    press_slider(page, "Steps", "ArrowRight", 7)
    press_slider(page, "DDIM η (0 = deterministic)", "ArrowRight", 3)
    press_slider(page, "Guidance scale s", "ArrowRight", 2)
    choose_option(page, "Prompt (class)", "3: Dress")
    type_into(page, "stNumberInput", "Seed", "42")
    open_step_tab(page)
    type_into(page, "stNumberInput", "Held-out image #", "17")
    set_toggle(page, "Tell the model the class", False)
    open_generate_tab(page)  # a tab that is not selected is not drawn: its widgets cannot be read
    linked = {("select", "Model"): "Clothes (Fashion-MNIST)", ("select", "Sampler"): "DDIM", ("slider", "Steps"): "12",
              ("slider", "DDIM η (0 = deterministic)"): "0.30", ("slider", "Guidance scale s"): "2.00",
              ("radio", "Draw"): "One image", ("select", "Prompt (class)"): "3: Dress", ("number", "Seed"): "42"}
    url = {"model": "fashion", "label": "3", "guidance": "2", "sampler": "ddim", "steps": "12", "eta": "0.3",
           "seed": "42", "mode": "one"}

    def the_step_tab_kept_its_settings(route: str) -> None:
        open_step_tab(page)
        assert field_value(page, "stNumberInput", "Held-out image #") == "17", route
        assert toggle_value(page, "Tell the model the class") is False, route
        assert_page_ok(page, "denoiser", route)
        open_generate_tab(page)

    every_route(browser, page, "denoiser", "image-space", {}, linked, url,
                after_return=the_step_tab_kept_its_settings)


def open_step_tab(page) -> None:
    act(page, page.get_by_role("tab", name="One denoising step").click, must_rerun=False)


def open_generate_tab(page) -> None:
    act(page, page.get_by_role("tab", name="Generate").click, must_rerun=False)


@pytest.mark.parametrize("name", ["image-space", "forward", "denoiser"])
def test_entering_a_page_adds_one_history_entry(session, app_url, name):
    """Home, then a page by the sidebar: one new history entry, so one press of Back shows the home page as it was."""
    page = session
    open_url(page, app_url)
    entries = history_urls(page)
    go_sidebar(page, name)
    added = history_urls(page)[len(entries):]
    assert len(added) == 1, f"entering {name} by the sidebar added {len(added)} history entries: {added}"
    press_history(page, "back")
    assert_page_ok(page, current_page(page), "one press of Back")
    assert (current_page(page), query(page)) == ("home", {}), f"one press of Back from {name} showed {page.url}"


def test_a_query_sent_before_its_page_change_goes_with_the_new_page(session, app_url):
    """Streamlit sometimes applies a new page's query while the old path still shows, then pushes the new path with
    that query (pages/browser_history.py): the entry left behind keeps its own URL. A query the old page wrote for
    itself (a different one) stays on its entry."""
    page = session
    open_url(page, app_url)
    before = len(history_urls(page))
    page.evaluate("() => { history.pushState(null, '', '?model=digits&seed=1');"
                  " history.pushState(null, '', '/denoiser?model=digits&seed=1'); }")
    assert history_urls(page)[before - 1:] == [f"{app_url}/", f"{app_url}/denoiser?model=digits&seed=1"]
    page.evaluate("() => { history.pushState(null, '', '/forward?t=5'); history.pushState(null, '', '?t=6');"
                  " history.pushState(null, '', '/?x=2'); }")
    assert history_urls(page)[before:] == [f"{app_url}/denoiser?model=digits&seed=1", f"{app_url}/forward?t=6",
                                           f"{app_url}/?x=2"]


def test_a_class_picker_keeps_its_choice_when_the_class_names_change(session, app_url):
    """Streamlit 1.67 left a class picker's old label on screen when a new model or data set renamed the classes, and
    sent it back on the next run (pages/reader_state.keep_class_choice): the denoiser's prompt fell back to "none",
    and the 2-D page crashed on "0: blob 1". The choice survives, under its new name, and nothing breaks."""
    page = session
    open_url(page, f"{app_url}/denoiser?model=digits&label=7&steps=5")
    assert selectbox_value(page, "Prompt (class)") == "7"  # a digit reads "7", not "7: 7"
    choose_option(page, "Model", "Clothes (Fashion-MNIST)")
    assert_page_ok(page, "denoiser", "after the model changed")
    assert selectbox_value(page, "Prompt (class)") == "7: Sneaker"
    type_into(page, "stNumberInput", "Seed", "5")
    assert_page_ok(page, "denoiser", "after the next run")
    assert query(page)["label"] == "7" and selectbox_value(page, "Prompt (class)") == "7: Sneaker"

    go_sidebar(page, "direction")
    choose_option(page, "Data", "A swiss roll")
    first_roll_class = selectbox_value(page, "Class to ask for")
    choose_option(page, "Data", "Two unequal blobs")
    assert_page_ok(page, "direction", "after the data set changed")
    blob_class = selectbox_value(page, "Class to ask for")
    assert blob_class.startswith("0: ") and blob_class != first_roll_class
    press_slider(page, "Hidden width (units per layer)", "Home")
    assert_page_ok(page, "direction", "after the next run")
    assert selectbox_value(page, "Class to ask for") == blob_class


def history_urls(page) -> list[str]:
    return page.evaluate("() => navigation.entries().map(e => e.url)")


# ================================================================= 2. uploads =======================

@pytest.mark.parametrize("name,picker", [("image-space", "Picture"), ("forward", "Photo source")])
def test_uploads_good_and_bad(session, app_url, name, picker):
    """A real PNG is used; random bytes named .png and a truncated PNG each give an st.error naming the file
    and saying the bundled photo is shown instead, never an exception; the page keeps working after each."""
    page = session
    open_url(page, f"{app_url}/{PATHS[name]}")
    choose_radio(page, picker, "Upload your own")
    for file_name in ("small.png", "random-bytes.png", "truncated.png", "small.png"):
        upload(page, file_name)
        assert_page_ok(page, name, f"uploading {file_name}")
        assert_upload_outcome(page, file_name)
        if file_name == "truncated.png":
            page.get_by_test_id("stAlertContentError").filter(has_text=file_name).scroll_into_view_if_needed()
            shot(page, f"journey_{name}_bad_upload")


UPLOAD_PAGES = (("forward", "Photo source"), ("image-space", "Picture"), ("corner", "Picture"))


def test_one_colour_uploads_on_every_page_that_takes_uploads(session, app_url):
    """Issue 26: a white, black, one-pixel, sliver or transparent picture is used like any other on each page that
    takes uploads, the reader moving on from page to page in one session; the forward page says in words what is
    undefined for such a picture, and never shows an exception."""
    page = session
    for name, picker in UPLOAD_PAGES:
        open_url(page, f"{app_url}/{PATHS[name]}")
        if name == "corner":
            choose_radio(page, "Image", "A photo (bundled or yours)")
        choose_radio(page, picker, "Upload your own")
        for file_name in ONE_COLOUR:
            upload(page, file_name)
            assert_page_ok(page, name, f"uploading {file_name}")
            assert_upload_outcome(page, file_name)
            flat = file_name != "one-pixel.png"  # one value everywhere; (200, 30, 90) differs between channels
            if name == "forward" and flat:
                expect(page.get_by_text("Every number of this picture is the same", exact=False)).to_be_visible()
        shot(page, f"one_colour_{name}")
        go_sidebar(page, "home")
        assert_page_ok(page, "home", f"after the one-colour uploads on {name}")


# ================================================================= 3. the random walk ==============

JOURNEY_STEPS = int(os.environ.get("JOURNEY_STEPS", "150"))
JOURNEY_SEED = int(os.environ.get("JOURNEY_SEED", "20240611"))
AWKWARD_TEXT = ["", "-3", "abc", "1e100", "9" * 120, "0" * 5000, " 28 ", "1,920", "12 345", "٣"]
SIZES = ["1", "8", "28", "100", "640", "1920", "4000", "100000"]  # valid widths and heights
AWKWARD_NUMBERS = ["-3", "1" + "0" * 100, "1e100", "", "2.5", "abc"]
# How often each kind of action is picked, relative to the others on screen: the uploader (shown only after
# "Upload your own") and the text fields (one page) more, the many cheap expanders and tabs less.
KIND_WEIGHTS = {"navigate": 1.5, "stFileUploader": 3.0, "stTextInput": 2.0, "stTextArea": 1.5, "expander": 0.4,
                "tab": 0.6}
MAX_GENERATE_WORK = 250  # steps x images: above it, lower the Steps slider before pressing Generate
MAX_PREPARED_DIGITS = 200_000  # "Prepare a .txt file of all N digits" only for files this small

# What is on screen: every visible widget with its kind, label and whether it can be used; tabs; expanders.
DISCOVER_JS = r"""
() => {
  const controls = { stSlider: 'input[type="range"]', stSelectbox: 'input[role="combobox"]', stRadio: 'input[type="radio"]',
    stNumberInput: 'input[data-testid="stNumberInputField"]', stTextInput: 'input', stTextArea: 'textarea',
    stCheckbox: 'input[type="checkbox"]', stFileUploader: 'input[type="file"]', stButton: 'button' };
  const found = [];
  for (const [kind, control] of Object.entries(controls)) {
    for (const el of document.querySelectorAll(`[data-testid="${kind}"]`)) {
      // in a hidden tab, or a closed expander (its body is clipped, so still "visible", but inert: no reader can reach it)
      if (!el.checkVisibility() || el.closest('[inert]')) continue;
      const labelEl = kind === "stButton" ? el.querySelector('[data-testid="stMarkdownContainer"]')
                                          : el.querySelector('[data-testid="stWidgetLabel"]');
      const input = el.querySelector(control);
      found.push({ kind, label: (labelEl ? labelEl.innerText : el.innerText).trim(), enabled: !!input && !input.disabled });
    }
  }
  for (const tab of document.querySelectorAll('[data-testid="stMain"] [role="tab"]'))
    if (tab.checkVisibility() && !tab.closest('[inert]') && tab.getAttribute("aria-selected") !== "true")
      found.push({ kind: "tab", label: tab.innerText.trim(), enabled: true });
  for (const summary of document.querySelectorAll('[data-testid="stExpander"] summary'))  // the title, not its icon
    if (summary.checkVisibility() && !summary.closest('[inert]')) found.push({ kind: "expander", enabled: true,
      label: (summary.querySelector('[data-testid="stMarkdownContainer"]') || summary).innerText.trim() });
  return found;
}
"""


class Walk:
    """A seeded random walk through the app in one browser session; every step is one reader's action."""

    def __init__(self, page, app_url: str, rng: random.Random, log_path: Path):
        self.page, self.app_url, self.rng = page, app_url, rng
        self.log = open(log_path, "w", encoding="utf-8")
        self.lines: list[str] = []
        self.kinds: Counter[str] = Counter()

    def note(self, line: str) -> None:
        self.lines.append(line)
        self.log.write(line + "\n")
        self.log.flush()
        print(line)

    # ---- choosing a step
    def actions(self) -> dict[str, list[tuple[str, Callable[[], None]]]]:
        """The actions possible now, grouped by kind: {kind: [(description, do), ...]}."""
        page, here = self.page, current_page(self.page)
        groups: dict[str, list] = {"navigate": []}
        nav = groups["navigate"]
        for target in PATHS:
            if target != here:
                nav.append((f"sidebar link to {target}", lambda t=target: go_sidebar(page, t)))
        if here == "home":
            for target in (name for name in PATHS if name != "home"):
                nav.append((f"home page link to {target}", lambda t=target: go_home_link(page, t)))
        can_back, can_forward = page.evaluate("() => [navigation.canGoBack, navigation.canGoForward]")
        if can_back:
            nav.append(("browser back", lambda: press_history(page, "back")))
        if can_forward:
            nav.append(("browser forward", lambda: press_history(page, "forward")))
        nav.append(("reload", lambda: reload(page)))
        for item in page.evaluate(DISCOVER_JS):
            if not item["enabled"]:
                continue
            make = WIDGET_ACTIONS.get(item["kind"])
            entry = make(self, item["label"]) if make else None
            if entry is not None:
                groups.setdefault(item["kind"], []).append(entry)
        return {kind: entries for kind, entries in groups.items() if entries}

    def step(self, n: int) -> None:
        here = current_page(self.page)
        groups = self.actions()
        kinds = sorted(groups)
        kind = self.rng.choices(kinds, weights=[KIND_WEIGHTS.get(k, 1.0) for k in kinds])[0]
        description, do = self.rng.choice(groups[kind])
        self.kinds[kind] += 1
        self.note(f"step {n:4d} [{here}] {kind}: {description}")
        do()
        now = current_page(self.page)
        assert_page_ok(self.page, now, f"step {n}")

    # ---- one action per widget kind: (description, do); ``do`` makes the random choices when it runs
    def chosen(self, what: str) -> None:
        self.note(f"          -> {what}")

    def slider(self, label: str):
        def do():
            key = self.rng.choice(["ArrowRight", "ArrowLeft", "ArrowRight", "ArrowLeft", "Home", "End"])
            times = self.rng.randint(1, 3) if key.startswith("Arrow") else 1
            self.chosen(f"{key} x{times} (from {slider_value(self.page, label)})")
            press_slider(self.page, label, key, times)
        return f"slider {label!r}", do

    def selectbox(self, label: str):
        def do():
            listbox = open_selectbox(self.page, label)
            options = [o.inner_text() for o in listbox.get_by_role("option").all()]
            self.page.keyboard.press("Escape")
            expect(self.page.get_by_role("listbox")).to_have_count(0)
            option = self.rng.choice(options)
            self.chosen(repr(option))
            choose_option(self.page, label, option)
        return f"selectbox {label!r}", do

    def radio(self, label: str):
        def do():
            option = self.rng.choice(radio_options(self.page, label))
            self.chosen(repr(option))
            choose_radio(self.page, label, option)
        return f"radio {label!r}", do

    def number(self, label: str):
        def do():
            box = field(self.page, "stNumberInput", label)
            lo, hi = int(float(box.get_attribute("min"))), int(float(box.get_attribute("max")))
            value = self.rng.choice([str(self.rng.randint(lo, min(hi, lo + 3000))), str(self.rng.randint(lo, hi)),
                                     str(lo - 1), str(hi + 1), self.rng.choice(AWKWARD_NUMBERS)])
            self.chosen(short(value))
            if value == "abc":  # a number field takes no letters: the reader's typing is simply ignored
                box.press_sequentially(value)
                act(self.page, lambda: box.press("Enter"), must_rerun=False)
            else:
                type_into(self.page, "stNumberInput", label, value)
        return f"number {label!r}", do

    def text(self, label: str):
        def do():
            value = self.rng.choice(AWKWARD_TEXT + SIZES)
            self.chosen(short(value))
            type_into(self.page, "stTextInput", label, value)
        return f"text input {label!r}", do

    def area(self, label: str):
        def do():
            digits = "".join(self.rng.choice("0123456789") for _ in range(self.rng.randint(1, 200)))
            value = self.rng.choice(AWKWARD_TEXT + [digits, "123456789"])
            self.chosen(short(value))
            type_into(self.page, "stTextArea", label, value)
        return f"text area {label[:30]!r}…", do

    def toggle(self, label: str):
        if label == "Presenter mode":  # folds away the sidebar this walk navigates by (test_e2e_access.py walks it)
            return None
        return f"toggle {label!r}", lambda: act(self.page, widget(self.page, "stCheckbox", label).locator("label").first.click)

    def uploader(self, label: str):
        def do():
            name = self.rng.choice(sorted(UPLOADS))
            self.chosen(name)
            upload(self.page, name)
            assert_upload_outcome(self.page, name)
        return "file uploader", do

    def button(self, label: str):
        if label == "Play":
            return "Play, then Pause", lambda: play_then_pause(self.page)
        if label == "Generate":
            return "Generate (small settings)", lambda: generate_small(self.page)
        prepared = re.fullmatch(r"Prepare a \.txt file of all ([\d,]+) digits", label)
        if prepared and int(prepared.group(1).replace(",", "")) > MAX_PREPARED_DIGITS:
            return None
        return f"button {label!r}", lambda: act(self.page, button(self.page, label).click)

    def tab(self, label: str):
        return f"tab {label!r}", lambda: act(self.page, self.page.get_by_role("tab", name=label, exact=True).click,
                                             must_rerun=False)

    def expander(self, label: str):
        # several expanders may share a title (the forward, denoiser and draw pages each have several "The maths"):
        # one of those a reader can see, picked at random
        summaries = self.page.get_by_test_id("stExpander").locator("summary").filter(
            has=self.page.get_by_text(label, exact=True), visible=True)
        count = summaries.count()
        summary = summaries.nth(self.rng.randrange(count)) if count > 1 else summaries.first
        which = f" (one of {count} of that title)" if count > 1 else ""
        return f"expander {label!r}{which}", lambda: act(self.page, summary.click, must_rerun=False)


WIDGET_ACTIONS = {"stSlider": Walk.slider, "stSelectbox": Walk.selectbox, "stRadio": Walk.radio,
                  "stNumberInput": Walk.number, "stTextInput": Walk.text, "stTextArea": Walk.area,
                  "stCheckbox": Walk.toggle, "stFileUploader": Walk.uploader, "stButton": Walk.button,
                  "tab": Walk.tab, "expander": Walk.expander}


def short(text: str) -> str:
    return repr(text) if len(text) <= 24 else f"{text[:12]!r}… ({len(text):,} characters)"


def playing_caption(page):
    """The caption of what plays: the forward page's x_t ("x_t at t = … (playing)"), the 2-D page's field."""
    return page.get_by_test_id("stMain").get_by_text(re.compile(r"^(x_t at t|t = \d+: x_t keeps)"))


def play_then_pause(page) -> None:
    """Play loops until paused (the app stays "running" meanwhile), on the forward page and the 2-D page alike:
    press Pause once it plays."""
    button(page, "Play").click()
    expect(playing_caption(page).first).to_contain_text("(playing)", timeout=RUN_TIMEOUT_MS)
    act(page, button(page, "Pause").click)
    expect(button(page, "Play")).to_be_enabled()
    expect(playing_caption(page).first).not_to_contain_text("(playing)")


def generate_small(page) -> None:
    """Press Generate, first lowering Steps to its minimum if the run would be long (DDPM's 1,000 steps)."""
    settings = query(page)
    images = 10 if settings.get("mode") == "grid" else 1
    if int(settings.get("steps", "20")) * images > MAX_GENERATE_WORK:
        press_slider(page, "Steps", "Home")
    act(page, button(page, "Generate").click)


def server_log_tail(offset: int) -> str:
    path = ARTIFACTS / "streamlit.log"
    with open(path, encoding="utf-8", errors="replace") as f:
        f.seek(offset)
        return f.read()


def test_the_walk_offers_nothing_in_a_closing_expander(session, app_url):
    """While an expander folds away (a few hundred ms) its body is still "visible" but already inert: the walk
    must not offer its widgets (it once picked the lesson panel's task box there and timed out typing)."""
    page = session
    open_url(page, f"{app_url}/forward")
    # the forward page's patch controls (the lesson panel this test used is a toggle now, no expander)
    panel = page.get_by_test_id("stMain").get_by_test_id("stExpander").filter(has_text="Move the patch of numbers")
    box = "Top row"

    def offered() -> list[str]:
        return [item["label"] for item in page.evaluate(DISCOVER_JS) if item["kind"] == "stNumberInput"]

    panel.locator("summary").click()
    expect(panel.get_by_test_id("stNumberInput").first).to_be_visible()
    assert any(label.startswith(box) for label in offered()), "the open expander's number box is offered"
    panel.locator("summary").click()  # folding starts now; discover at once, mid-animation
    assert not any(label.startswith(box) for label in offered()), "a folding expander's number box was offered"


def test_random_walk(session, app_url):
    """Hundreds of random reader actions over every page, route and kind of widget never show an exception,
    never leave the app busy, always show the page's title, and put no traceback in the server's log."""
    page = session
    for old in ARTIFACTS.glob("journey_walk_failure_step*.png"):  # from an earlier run
        old.unlink()
    log_offset = (ARTIFACTS / "streamlit.log").stat().st_size
    walk = Walk(page, app_url, random.Random(JOURNEY_SEED), ARTIFACTS / "journey_walk.log")
    walk.note(f"random walk: JOURNEY_STEPS={JOURNEY_STEPS} JOURNEY_SEED={JOURNEY_SEED}")
    open_url(page, app_url)
    assert_page_ok(page, "home", "start of the walk")
    for n in range(1, JOURNEY_STEPS + 1):
        try:
            walk.step(n)
        except (AssertionError, PlaywrightError) as e:
            path = ARTIFACTS / f"journey_walk_failure_step{n:04d}.png"
            try:
                page.screenshot(path=str(path), full_page=True)
            except PlaywrightError:
                pass
            recent = "\n".join(walk.lines[-12:])
            raise AssertionError(f"random walk (seed {JOURNEY_SEED}) failed at step {n} on {page.url}: {e}\n"
                                 f"screenshot: {path}\nlast steps:\n{recent}\n"
                                 f"server log since the walk began:\n{server_log_tail(log_offset)[-4000:]}") from e
        if n % 50 == 0:
            shot(page, f"journey_walk_step{n:04d}")
    walk.note(f"actions by kind: {dict(sorted(walk.kinds.items()))}")
    log = server_log_tail(log_offset)
    logged = Counter(re.sub(r"^\S+ \S+ ", "", line) for line in log.splitlines() if re.match(r"\d{4}-\d\d-\d\d ", line))
    for message, count in sorted(logged.items()):
        walk.note(f"server log, {count} x: {message}")
    assert "Traceback" not in log, f"the server logged an error during the walk:\n{log[-4000:]}"
