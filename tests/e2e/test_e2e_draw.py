"""The "Draw your own" page in Chromium, as a reader uses it: draw a digit with the mouse, send it, start the walk from
it (SDEdit), mark its bottom half and fill it in, go to another page and come back (the drawing and the result are
still there), reload (the settings come back from the link, and the page says the drawing is not in it); and the same
on a phone (390 px wide, touch events) with nothing cut off. Screenshots: test-artifacts/draw_*.png.
"""

from __future__ import annotations

import numpy as np
from streamlit_browser import APP_RUNNING, ARTIFACTS, assert_no_exception, keyed, open_page, wait_for_app

RUN_TIMEOUT_MS = 240_000  # a run and two bound estimates, on a machine shared with other tests and a training run
PAD = "draw_pad"
# What the pad shows, at its own resolution (the canvas's red channel: the grey pad's value)
PIXELS_JS = """(key) => {
  const host = document.querySelector(`.st-key-${key}:not([data-stale="true"]) [data-testid="stBidiComponentIsolated"]`);
  const root = host && host.shadowRoot && host.shadowRoot.querySelector('.dp');
  if (!root) return null;
  const canvas = root.querySelector('canvas.dp-paint');
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  return {width: canvas.width, height: canvas.height, rgba: Array.from(data), marked: Number(root.dataset.marked)};
}"""
SEVEN = [(7.5, 6.5), (20.5, 6.5), (17.5, 13.5), (13.5, 22.5)]  # a 7, in pad pixels


def settle(page, timeout_ms: int = RUN_TIMEOUT_MS) -> None:
    """Wait for the rerun an action started (it may be over before we look), then for every widget to be drawn."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_selector(APP_RUNNING, timeout=5_000)
    except PlaywrightTimeout:
        pass
    wait_for_app(page, timeout_ms)


def pad_state(page) -> dict:
    page.wait_for_function(f"() => ({PIXELS_JS})('{PAD}') !== null", timeout=60_000)
    return page.evaluate(PIXELS_JS, PAD)


def pad_pixels(page) -> np.ndarray:
    got = pad_state(page)
    return np.array(got["rgba"], np.uint8).reshape(got["height"], got["width"], 4)[..., 0]


def surface(page):
    return keyed(page, PAD).locator(".dp-surface")


def screen_point(box: dict, x: float, y: float) -> tuple[float, float]:
    return box["x"] + x / 28 * box["width"], box["y"] + y / 28 * box["height"]


def mouse_stroke(page, points) -> None:
    surface(page).scroll_into_view_if_needed()
    box = surface(page).bounding_box()
    page.mouse.move(*screen_point(box, *points[0]))
    page.mouse.down()
    for p in points[1:]:
        page.mouse.move(*screen_point(box, *p), steps=10)
    page.mouse.up()


def touch_stroke(page, points) -> None:
    """A finger drawing ``points``: touch events sent as a phone's screen sends them (Chromium makes them pointer
    events of type touch)."""
    surface(page).scroll_into_view_if_needed()
    box = surface(page).bounding_box()
    cdp = page.context.new_cdp_session(page)
    first = screen_point(box, *points[0])
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": first[0], "y": first[1]}]})
    for a, b in zip(points, points[1:]):
        for k in range(1, 11):
            x, y = screen_point(box, a[0] + (b[0] - a[0]) * k / 10, a[1] + (b[1] - a[1]) * k / 10)
            cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


def send(page) -> None:
    keyed(page, PAD).get_by_role("button", name="Send the drawing").click()
    settle(page)


def run(page) -> None:
    page.get_by_role("button", name="Run from my drawing").click()
    settle(page)
    page.get_by_test_id("stMetric").filter(has_text="How far it moved").wait_for(timeout=RUN_TIMEOUT_MS)
    page.get_by_text("How plausible the model finds each").wait_for(timeout=RUN_TIMEOUT_MS)
    wait_for_app(page, RUN_TIMEOUT_MS)
    assert_no_exception(page)


def choose(page, group: str, option: str) -> None:
    radio = page.get_by_test_id("stRadio").filter(has=page.get_by_test_id("stWidgetLabel").get_by_text(group, exact=True))
    radio.get_by_test_id("stRadioOption").filter(has=page.get_by_text(option, exact=True)).click()
    settle(page)
    assert radio.locator('[data-testid="stRadioOption"][data-selected="true"]').inner_text() == option


def chosen(page, group: str) -> str:
    radio = page.get_by_test_id("stRadio").filter(has=page.get_by_test_id("stWidgetLabel").get_by_text(group, exact=True))
    return radio.locator('[data-testid="stRadioOption"][data-selected="true"]').inner_text()


def moved(page) -> str:
    return page.get_by_test_id("stMetric").filter(has_text="How far it moved").get_by_test_id("stMetricValue").inner_text()


def go_sidebar(page, title: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link").filter(has=page.get_by_text(title, exact=True)).click()
    page.get_by_test_id("stMain").locator("h1").filter(has_text=title).wait_for(timeout=RUN_TIMEOUT_MS)
    settle(page)


def shoot(page, name: str, shots: int = 6) -> None:
    """Screenshots of the main area one viewport at a time (Streamlit scrolls it inside the page, so a full-page
    screenshot would show only the first screen)."""
    ARTIFACTS.mkdir(exist_ok=True)
    main = '[data-testid="stMain"]'
    height = page.evaluate(f"() => document.querySelector('{main}').scrollHeight")
    step = page.viewport_size["height"] - 80
    for i, y in enumerate(range(0, height, step)):
        if i == shots:
            break
        page.evaluate(f"() => document.querySelector('{main}').scrollTo(0, {y})")
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        page.screenshot(path=str(ARTIFACTS / f"{name}_{i}.png"))


def nothing_sticks_out(page, width: int) -> None:
    wide = page.evaluate(f"""() => [...document.querySelectorAll('[data-testid="stMain"] *')]
        .filter(e => e.getBoundingClientRect().right > {width} + 1 && e.getBoundingClientRect().width > 0
                     && !e.closest('.katex-display, [data-testid="stSidebar"]') && e.checkVisibility())
        .map(e => (e.getAttribute('data-testid') || e.tagName) + ' ' + Math.round(e.getBoundingClientRect().right))""")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    assert wide == [], wide[:10]


def test_draw_walk_fill_leave_come_back_and_reload(app_url, page):
    open_page(page, f"{app_url}/draw", timeout_ms=RUN_TIMEOUT_MS)
    assert not pad_pixels(page).any()  # a blank grey pad: black

    # 1. Draw a 7 with the mouse, send it, start the walk from it.
    mouse_stroke(page, SEVEN)
    drawn = pad_pixels(page)
    assert drawn[6, 10:18].min() == 255 and drawn.sum() > 20 * 255
    send(page)
    assert np.array_equal(pad_pixels(page), drawn)  # the rerun after sending keeps the drawing
    run(page)
    assert page.get_by_text("Step of the walk").count() >= 1  # the frame player, from the drawing to the result
    assert moved(page).endswith("grey levels")
    query = dict(part.split("=", 1) for part in page.url.split("?", 1)[1].split("&"))
    assert query["mode"] == "sdedit" and query["strength"] == "0.6" and query["start"] == "blank"
    shoot(page, "draw_1400_walk")

    # 2. Mark the bottom half of the drawing and fill it in.
    choose(page, "What to do", "Fill in what I marked")
    keyed(page, PAD).get_by_role("button", name="Larger brush").click()
    for row in (15.5, 18.5, 21.5, 24.5, 27.0):
        mouse_stroke(page, [(0.5, row), (27.5, row)])
    assert pad_state(page)["marked"] >= 12 * 28
    assert np.array_equal(pad_pixels(page), drawn)  # marks go on the overlay, the picture stays
    send(page)
    run(page)
    filled = moved(page)
    assert "–" in filled  # three fills, a range of distances
    assert page.get_by_text("Left: your picture. Right: the fills, each from its own noise.").count() == 1
    shoot(page, "draw_1400_fill")

    # 3. Another page and back: the drawing (with its marks) and the result are still there.
    go_sidebar(page, "Live denoiser")
    go_sidebar(page, "Draw your own")
    page.wait_for_function(f"() => ({PIXELS_JS})('{PAD}') && ({PIXELS_JS})('{PAD}').rgba.some(v => v === 255)",
                           timeout=60_000)
    assert np.array_equal(pad_pixels(page), drawn) and pad_state(page)["marked"] >= 12 * 28
    assert chosen(page, "What to do") == "Fill in what I marked"
    page.get_by_test_id("stMetric").filter(has_text="How far it moved").wait_for(timeout=RUN_TIMEOUT_MS)
    assert moved(page) == filled
    assert_no_exception(page)

    # 4. Reload: a new session. The settings come back from the link; the drawing does not, and the page says so.
    page.reload()
    page.wait_for_selector('[data-testid="stApp"]', timeout=RUN_TIMEOUT_MS)
    page.get_by_test_id("stMain").locator("h1").filter(has_text="Draw your own").wait_for(timeout=RUN_TIMEOUT_MS)
    settle(page)
    assert chosen(page, "What to do") == "Fill in what I marked" and chosen(page, "Start from") == "A blank pad"
    assert not pad_pixels(page).any()
    assert page.get_by_text("but not your drawing or your marks", exact=False).count() == 1
    assert page.get_by_test_id("stMetric").count() == 0  # no result before a run
    assert_no_exception(page)


def test_on_a_phone_a_finger_draws_and_nothing_is_cut_off(app_url, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True,
                                  device_scale_factor=2)
    page = context.new_page()
    try:
        open_page(page, f"{app_url}/draw?start=held:4&strength=0.5", timeout_ms=RUN_TIMEOUT_MS)
        before = pad_pixels(page)
        assert before.any()  # held-out image 4, from the link
        touch_stroke(page, [(3.5, 3.5), (24.5, 3.5)])
        after = pad_pixels(page)
        assert after[3, 6:22].min() == 255 and not np.array_equal(after, before)  # the finger drew
        assert page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollTop") >= 0
        box = surface(page).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390 and box["width"] % 28 == 0
        send(page)
        run(page)
        nothing_sticks_out(page, 390)
        small = page.evaluate("""() => [...document.querySelectorAll('[data-testid="stMain"] button')]
            .filter(e => e.checkVisibility()).map(e => [e.getBoundingClientRect(), e.getAttribute('aria-label')
                                                        || e.getAttribute('data-testid') || e.innerText])
            .filter(([r]) => r.width > 0 && (r.width < 24 || r.height < 24))
            .map(([r, name]) => `${name} ${Math.round(r.width)}x${Math.round(r.height)}`)""")
        assert small == [], f"tap targets smaller than 24 px: {small}"
        # the walk's legend is text at the page's size (drawn in the picture it shrank to about 6 px at 390)
        legend = page.get_by_test_id("stMain").get_by_text("start: your picture")
        legend.scroll_into_view_if_needed()
        assert legend.is_visible()
        assert float(legend.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 14
        shoot(page, "draw_390", shots=10)
    finally:
        context.close()
