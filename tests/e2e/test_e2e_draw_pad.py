"""The drawing pad in a real browser: a mouse stroke, undo and clear from the keyboard, the picture Python receives
pixel for pixel, no rerun while drawing, the last picture back after the pad was gone, mask mode over a start
picture, and the layout at 1400 and 390 px.

Runs ``streamlit run tests/e2e/draw_pad_app.py`` with its own small server fixture (as test_e2e_frame_player.py
does: conftest.py's server runs only app.py). Screenshots go to test-artifacts/draw_pad_*.png.
"""

from __future__ import annotations

import base64
import contextlib
import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from draw_pad_app import start_picture
from streamlit_browser import APP_RUNNING, ARTIFACTS, assert_no_exception, keyed, open_page, wait_for_app

ROOT = Path(__file__).resolve().parents[2]
APP = "tests/e2e/draw_pad_app.py"


@contextlib.contextmanager
def _server(script: str):
    """``streamlit run script`` on a free loopback port, healthy; yields its URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    ARTIFACTS.mkdir(exist_ok=True)
    with open(ARTIFACTS / "streamlit-draw-pad.log", "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port), "--server.address",
             "127.0.0.1", "--server.headless", "true", "--client.showErrorDetails", "full",
             "--browser.gatherUsageStats", "false"], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        url, deadline = f"http://127.0.0.1:{port}", time.monotonic() + 60
        try:
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                        if r.status == 200:
                            break
                except OSError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"streamlit did not start; see {ARTIFACTS / 'streamlit-draw-pad.log'}")
                time.sleep(0.2)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture(scope="module")
def pad_url():
    with _server(APP) as url:
        yield url


# ---------------------------------------------------------------- reading a pad
PIXELS_JS = """(key) => {
  const host = document.querySelector(`.st-key-${key}:not([data-stale="true"]) [data-testid="stBidiComponentIsolated"]`);
  const root = host && host.shadowRoot && host.shadowRoot.querySelector('.dp');
  if (!root) return null;
  const canvas = root.querySelector('canvas.dp-paint');
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  return {width: canvas.width, height: canvas.height, rgba: Array.from(data), marked: Number(root.dataset.marked),
          sent: Number(root.dataset.sent || 0)};
}"""


def canvas(page, key: str, colour: bool = False) -> np.ndarray:
    """What the pad shows, at its own resolution: uint8 (H, W) grey or (H, W, 3)."""
    got = page.evaluate(PIXELS_JS, key)
    rgba = np.array(got["rgba"], np.uint8).reshape(got["height"], got["width"], 4)
    return rgba[..., :3] if colour else rgba[..., 0]


def wait_mounted(page, key: str) -> None:
    page.wait_for_function(f"() => ({PIXELS_JS})('{key}') !== null", timeout=30_000)


def summary(page, key: str) -> dict:
    return json.loads(keyed(page, f"summary_{key}").locator('[data-testid="stText"]').inner_text())


def runs(page) -> int:
    return int(page.get_by_text("runs:").inner_text().split(":")[1])


def surface(page, key: str):
    return keyed(page, f"pad_{key}").locator(".dp-surface")


def at_pixel(box: dict, x: float, y: float, side: int) -> tuple[float, float]:
    """Screen coordinates of picture coordinates (x, y) (pixel centres at i + 0.5)."""
    return box["x"] + x / side * box["width"], box["y"] + y / side * box["height"]


def stroke(page, key: str, points: list[tuple[float, float]], side: int = 28) -> None:
    surface(page, key).scroll_into_view_if_needed()
    box = surface(page, key).bounding_box()
    page.mouse.move(*at_pixel(box, *points[0], side))
    page.mouse.down()
    for p in points[1:]:
        page.mouse.move(*at_pixel(box, *p, side), steps=8)
    page.mouse.up()


def wait_rerun(page) -> None:
    """Wait for the run a send starts (it may be over before we look)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_selector(APP_RUNNING, timeout=3_000)
    except PlaywrightTimeout:
        pass
    wait_for_app(page)


def decoded(info: dict) -> np.ndarray:
    return np.frombuffer(base64.b64decode(info["pixels"]), np.uint8).reshape(info["shape"])


# ---------------------------------------------------------------- the tests
def test_draw_undo_clear_send_and_come_back(pad_url, page):
    open_page(page, pad_url)
    wait_mounted(page, "pad_grey")
    assert not canvas(page, "pad_grey").any()  # a blank grey pad is black, as MNIST is
    before = runs(page)

    stroke(page, "grey", [(5.5, 14.5), (22.5, 14.5)])
    first = canvas(page, "pad_grey")
    assert (first[14, 7:21] == 255).all(), first[14]  # the middle of a size-3 brush is full ink
    assert not first[:10].any() and not first[19:].any()  # and nothing far from the stroke
    stroke(page, "grey", [(14.5, 3.5), (14.5, 24.5)])
    second = canvas(page, "pad_grey")
    assert (second[5:23, 14] == 255).all() and not np.array_equal(first, second)
    assert runs(page) == before, "drawing must stay in the browser: no rerun per stroke"

    surface(page, "grey").focus()
    page.keyboard.press("Control+z")
    assert np.array_equal(canvas(page, "pad_grey"), first)
    page.keyboard.press("Delete")
    assert not canvas(page, "pad_grey").any()
    page.keyboard.press("Control+z")
    assert np.array_equal(canvas(page, "pad_grey"), first)
    assert runs(page) == before

    page.keyboard.press("Control+Enter")
    wait_rerun(page)
    got = summary(page, "grey")
    assert got["sent"] and got["shape"] == [28, 28] and got["marked"] == 0
    assert np.array_equal(decoded(got), first), "Python must receive exactly the pixels the pad shows"
    assert canvas(page, "pad_grey").tolist() == first.tolist()  # the rerun did not wipe or reload the pad

    page.keyboard.press("Space")  # keyboard drawing: a dot under the brush outline, not sent yet
    assert canvas(page, "pad_grey").sum() > first.sum()
    assert np.array_equal(decoded(summary(page, "grey")), first)

    # Gone and back (a page switch drops the widget's state): the pad shows the picture sent last.
    page.get_by_text("Hide the grey pad").click()
    wait_rerun(page)
    assert keyed(page, "pad_grey").count() == 0
    page.get_by_text("Hide the grey pad").click()
    wait_rerun(page)
    wait_mounted(page, "pad_grey")
    page.wait_for_function(f"() => ({PIXELS_JS})('pad_grey').rgba.some((v, i) => i % 4 === 0 && v > 0)")
    assert np.array_equal(canvas(page, "pad_grey"), first)
    assert np.array_equal(decoded(summary(page, "grey")), first)
    assert_no_exception(page)


def test_mask_mode_over_a_start_picture(pad_url, page):
    open_page(page, pad_url)
    wait_mounted(page, "pad_mask")
    start = start_picture()
    assert np.array_equal(canvas(page, "pad_mask", colour=True), start)  # the start picture, exactly
    stroke(page, "mask", [(8.5, 24.5), (24.5, 24.5), (24.5, 28.5)], side=32)
    assert np.array_equal(canvas(page, "pad_mask", colour=True), start)  # marks go on the overlay only
    marked = page.evaluate(PIXELS_JS, "pad_mask")["marked"]
    assert marked > 20
    keyed(page, "pad_mask").get_by_role("button", name="Fill in the marked part").click()
    wait_rerun(page)
    got = summary(page, "mask")
    assert got["sent"] and got["shape"] == [32, 32, 3] and got["marked"] == marked
    assert np.array_equal(decoded(got), start)
    assert_no_exception(page)


def test_every_control_is_named_and_shows_its_focus(pad_url, page):
    open_page(page, pad_url)
    wait_mounted(page, "pad_mask")
    names = page.evaluate("""() => [...document.querySelectorAll('[data-testid="stBidiComponentIsolated"]')]
        .flatMap((h) => [...h.shadowRoot.querySelectorAll('button, input')])
        .filter((b) => !b.hidden && b.offsetParent !== null)
        .map((b) => b.getAttribute('aria-label') || '')""")
    # grey pad: pen, eraser, two sizes, undo, clear, three inks, send; mask pad: the same without inks
    assert len(names) == 17 and all(names), names
    surface(page, "grey").focus()
    seen = set()
    for _ in range(12):  # Tab through the grey pad's controls: each outlined when it has the focus
        page.keyboard.press("Tab")
        style = page.evaluate("""() => { let a = document.activeElement;
            while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
            const s = getComputedStyle(a); return [a.getAttribute('aria-label'), s.outlineStyle, s.outlineWidth]; }""")
        if style[0]:
            seen.add(style[0])
            assert style[1] != "none" and style[2] != "0px", style
    assert {"Pen", "Eraser", "Smaller brush", "Larger brush", "Clear the picture", "Ink white",
            "Use this drawing (Control+Enter)"} <= seen, seen  # (Undo is disabled: nothing drawn yet)


@pytest.mark.parametrize("width", [1400, 390])
def test_layout_and_screenshots(pad_url, browser, width):
    context = browser.new_context(viewport={"width": width, "height": 2000})
    page = context.new_page()
    try:
        open_page(page, pad_url)
        wait_mounted(page, "pad_grey")
        wait_mounted(page, "pad_mask")
        stroke(page, "grey", [(9.5, 6.5), (18.5, 6.5), (12.5, 22.5)])
        stroke(page, "mask", [(6.5, 20.5), (26.5, 20.5)], side=32)
        box = surface(page, "grey").bounding_box()
        assert box["width"] == box["height"] and box["width"] % 28 == 0 and box["x"] + box["width"] <= width
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width  # nothing sticks out
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"draw_pad_{width}.png"), full_page=True)
    finally:
        context.close()


def test_axe_finds_no_serious_or_critical_violation(pad_url, page):
    axe = pytest.importorskip("axe_playwright_python.sync_playwright")
    open_page(page, pad_url)
    wait_mounted(page, "pad_grey")
    wait_mounted(page, "pad_mask")
    stroke(page, "mask", [(6.5, 20.5), (26.5, 20.5)], side=32)
    results = axe.Axe().run(page).response
    bad = [f"{v['id']} ({v['impact']}): {v['help']} {[n['html'][:100] for n in v['nodes'][:3]]}"
           for v in results["violations"] if v["impact"] in ("serious", "critical")]
    print("\naxe-core on the drawing pads: " + (", ".join(f"{v['id']} {v['impact']}" for v in results["violations"])
                                               or "no violations"))
    assert bad == [], bad
