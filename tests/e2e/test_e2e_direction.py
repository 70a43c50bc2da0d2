"""The 2-D page in headless Chromium: one reader's walk (train, move t, play the particles, guidance, another page
and back: settings kept), the field's playback, a click that places a point, a tampered link.

Training uses the smallest network (width 32, 250 steps) so the walk stays short; screenshots go to
test-artifacts/ (direction_*.png).
"""

from __future__ import annotations

import re

from playwright.sync_api import expect
from streamlit_browser import assert_no_exception, click_and_wait, keyed, open_page, screenshot, wait_for_app

TIMEOUT_MS = 180_000
QUICK = "width=32&steps=250"


def _field_srcs(page) -> list[str]:
    return page.locator(".st-key-dir_field_view img").evaluate_all("els => els.map(e => e.src)")


def _open(page, app_url, query: str = QUICK) -> None:
    open_page(page, f"{app_url}/direction?{query}", timeout_ms=TIMEOUT_MS)
    expect(page.locator(".st-key-dir_field_view img").first).to_be_visible(timeout=TIMEOUT_MS)
    wait_for_app(page, TIMEOUT_MS)
    assert_no_exception(page)


def _train(page) -> None:
    button = page.get_by_role("button", name="Train the denoiser")
    if button.count():  # an earlier test of this server may have trained it (the shelf is the server's)
        click_and_wait(page, button, TIMEOUT_MS)
    expect(page.locator('[data-testid="stAlertContentSuccess"]').filter(has_text="Trained: 250 steps")).to_be_visible(
        timeout=TIMEOUT_MS)
    expect(page.locator(".st-key-dir_field_view img")).to_have_count(3, timeout=TIMEOUT_MS)
    wait_for_app(page, TIMEOUT_MS)


def _slider(page, label: str):
    return page.locator('[data-testid="stSlider"]').filter(has_text=label).get_by_role("slider")


def _press(page, label: str, key: str, times: int = 1) -> None:
    thumb = _slider(page, label)
    thumb.focus()
    for _ in range(times):
        page.keyboard.press(key)
    wait_for_app(page, TIMEOUT_MS)


def _nav(page, title: str) -> None:
    page.locator('[data-testid="stSidebarNav"] a').filter(has_text=title).click()
    page.wait_for_selector('[data-testid="stMain"] h1', timeout=TIMEOUT_MS)
    wait_for_app(page, TIMEOUT_MS)


def test_a_readers_walk_through_the_page_and_back(page, app_url):
    _open(page, app_url)
    screenshot(page, "direction_default")
    _train(page)
    assert_no_exception(page)
    page.locator(".st-key-dir_field_view").scroll_into_view_if_needed()
    screenshot(page, "direction_trained")

    # move t: the three pictures change, the caption and the link follow
    before = _field_srcs(page)
    _press(page, "Timestep t", "PageUp")
    expect(page.get_by_text(re.compile(r"^t = \d+: x_t keeps"))).not_to_contain_text("t = 200:", timeout=TIMEOUT_MS)
    wait_for_app(page, TIMEOUT_MS)
    t = int(re.search(r"^t = (\d+):", page.get_by_text(re.compile(r"^t = \d+: x_t keeps")).inner_text()).group(1))
    assert t > 200
    expect(page).to_have_url(re.compile(rf"[?&]t={t}(&|$)"), timeout=TIMEOUT_MS)
    after = _field_srcs(page)
    assert len(after) == 3 and not set(after) & set(before)

    # play the particles: the player's label runs through the steps and ends on the samples
    frame = page.frame_locator(".st-key-dir_particles iframe")
    frame.locator("#play").scroll_into_view_if_needed()
    expect(frame.locator("#label")).to_have_text("the samples", timeout=TIMEOUT_MS)
    frame.locator("#play").click()
    expect(frame.locator("#label")).to_contain_text("t = ", timeout=TIMEOUT_MS)
    expect(frame.locator("#play")).to_contain_text("Pause")
    expect(frame.locator("#label")).to_have_text("the samples", timeout=TIMEOUT_MS)  # played to the end
    expect(frame.locator("#play")).to_contain_text("Play")
    screenshot(page, "direction_particles")

    # guidance: a larger scale, the chart's title and the link follow
    page.locator('[data-testid="stSlider"]').filter(has_text="Guidance scale s").scroll_into_view_if_needed()
    _press(page, "Guidance scale s", "ArrowRight", times=4)
    expect(keyed(page, "dir_guidance_fig_exact").locator("img")).to_have_attribute("alt", re.compile("guidance s = 5"),
                                                                             timeout=TIMEOUT_MS)
    expect(page).to_have_url(re.compile(r"[?&]s=5(&|$)"), timeout=TIMEOUT_MS)
    assert_no_exception(page)
    screenshot(page, "direction_guidance")

    # another page and back through the navigation: the settings are kept and the link shows them again
    _nav(page, "The forward process")
    expect(page).to_have_url(re.compile(r"/forward(\?|$)"), timeout=TIMEOUT_MS)  # Streamlit writes the address after the run
    _nav(page, "Which direction to move")
    expect(page.locator(".st-key-dir_field_view img")).to_have_count(3, timeout=TIMEOUT_MS)
    wait_for_app(page, TIMEOUT_MS)
    for part in (f"t={t}", "s=5", "width=32", "steps=250"):
        expect(page).to_have_url(re.compile(rf"[?&]{part}(&|$)"), timeout=TIMEOUT_MS)
    expect(page.get_by_text(f"t = {t}: x_t keeps")).to_be_visible()
    assert_no_exception(page)


def test_charts_skipped_off_screen_draw_at_full_size_when_scrolled_to(page, app_url):
    """The page's Plotly charts are painted only on screen (``content-visibility: auto``, pages/common.py): each one,
    once scrolled to, is drawn as wide and as tall as its place on the page, as it was without the style. The still
    charts (SVG pictures) fill their column too."""
    _open(page, app_url)
    click_and_wait(page, page.get_by_text("Interactive chart (zoom, hover)"), TIMEOUT_MS)
    clicking = page.get_by_text("Add points by clicking on the chart")
    clicking.scroll_into_view_if_needed()
    click_and_wait(page, clicking, TIMEOUT_MS)
    charts = page.locator('[data-testid="stMain"] [data-testid="stPlotlyChart"]:visible')
    expect(charts).to_have_count(2, timeout=TIMEOUT_MS)  # the field, and the chart that takes clicks
    for i in range(charts.count()):
        chart = charts.nth(i)
        chart.scroll_into_view_if_needed()
        wait_for_app(page, TIMEOUT_MS)
        skipped_when_away = chart.evaluate(
            "e => getComputedStyle(e.closest('[data-testid=stElementContainer]')).contentVisibility")
        box, svg = chart.bounding_box(), chart.locator(".main-svg").first.bounding_box()
        assert skipped_when_away == "auto"
        assert box["width"] > 300 and box["height"] > 200, box
        assert abs(svg["width"] - box["width"]) < 2 and abs(svg["height"] - box["height"]) < 2, (i, box, svg)
    for key in ("dir_data_fig", "dir_guidance_fig_exact", "dir_sweep_fig", "dir_memory_fig_ideal"):
        picture = keyed(page, key).locator("img")
        picture.scroll_into_view_if_needed()
        shown, column = picture.bounding_box(), keyed(page, key).bounding_box()
        natural = picture.evaluate("e => e.naturalWidth")
        assert natural > 300 and abs(shown["width"] - column["width"]) < 2, (key, shown, column, natural)
    screenshot(page, "direction_last_chart")


def test_the_field_film_plays_and_pause_hands_its_t_to_the_slider(page, app_url):
    """Issue 32: the field over t plays in the browser at a pace to talk over (one pass in FILM_SECONDS at 1x, with
    a speed control), from t = 999 down; Pause stops on the frame shown, and turning the film off leaves the t slider
    (and the link) at that frame's t. Before, a server loop showed 30 frames in 6 s with no speed control."""
    _open(page, app_url, QUICK + "&t=500")
    click_and_wait(page, page.get_by_text("Play the field from t = 999 to 0"), TIMEOUT_MS)
    film = page.locator(".st-key-dir_film_view")
    caption = film.locator(".fp-caption")
    expect(caption).to_have_text(re.compile(r"^t = \d+: "), timeout=TIMEOUT_MS)
    expect(film.locator(".fp-speed")).to_have_count(3)  # 0.5x, 1x, 2x
    first = caption.inner_text()
    expect(caption).not_to_have_text(first, timeout=TIMEOUT_MS)  # it plays: the frame changes by itself
    alt = film.locator(".fp-stage").get_attribute("aria-label")
    assert alt.startswith("The field at t = ") and "of their signal" in alt
    film.locator(".fp-play").click()  # Pause
    expect(film.locator(".fp-play")).to_contain_text("Play", timeout=TIMEOUT_MS)
    wait_for_app(page, TIMEOUT_MS)
    paused = int(re.match(r"t = (\d+):", caption.inner_text()).group(1))
    assert paused < 999
    click_and_wait(page, page.get_by_text("Play the field from t = 999 to 0"), TIMEOUT_MS)  # the film off
    expect(page.locator(".st-key-dir_field_view img").first).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_text(f"t = {paused}: x_t keeps")).to_be_visible(timeout=TIMEOUT_MS)
    expect(page).to_have_url(re.compile(rf"[?&]t={paused}(&|$)"), timeout=TIMEOUT_MS)
    assert_no_exception(page)


# Everything in the page's main column that a reader could find cut off: a text cut short with an ellipsis (its
# content wider than its box: a metric's value or label); a box reaching past the viewport's right edge, unless a
# scrollable box (overflow-x auto or scroll, itself or an ancestor) holds it and itself fits. A formula is such a box
# (KaTeX's display scrolls): it may scroll on a phone; ``formulas_scroll`` lists those that do. KaTeX's square-root
# sign overhangs its box by about 2 px, so a formula counts as scrolling only beyond 4 px.
CUT_OFF_JS = """() => {
  const width = document.documentElement.clientWidth;
  const main = document.querySelector('[data-testid="stMain"]');
  const scroller = (el) => {
    for (let a = el; a && a !== main; a = a.parentElement) {
      const o = getComputedStyle(a).overflowX;
      if (o === 'auto' || o === 'scroll') return a;
    }
    return null;
  };
  const name = (el) => (el.getAttribute('data-testid') || el.tagName) + ': ' +
    (el.textContent || el.getAttribute('alt') || '').trim().slice(0, 60);
  const out = [];
  for (const el of main.querySelectorAll('*')) {
    if (el.closest('[data-stale="true"]')) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (getComputedStyle(el).textOverflow === 'ellipsis' && el.scrollWidth > el.clientWidth + 1) {
      out.push(`cut short (${el.scrollWidth} > ${el.clientWidth}): ` + name(el));
      continue;
    }
    if (!el.matches('p, li, figcaption, img, svg, .katex-display, h1, h2, h3, label, button, input[type=text], ' +
                    'input[type=number]')) continue;  // not a slider's range input, which sits on its thumb
    const box = scroller(el);
    if (box) {
      if (box.getBoundingClientRect().right > width + 1) out.push('scroll box past the edge: ' + name(el));
    } else if (r.right > width + 1) {
      out.push(`past the right edge (${Math.round(r.right)} > ${width}): ` + name(el));
    }
  }
  return out;
}"""

FORMULAS_SCROLL_JS = """() => [...document.querySelectorAll('[data-testid="stMain"] .katex-display')]
  .filter((e) => !e.closest('[data-stale="true"]') && e.getBoundingClientRect().width > 0)
  .filter((e) => e.scrollWidth > e.clientWidth + 4)
  .map((e) => `formula scrolls (${e.scrollWidth} > ${e.clientWidth}): ` + e.textContent.slice(0, 60))"""


def formulas_scroll(page) -> list[str]:
    """The formulas in the main column that need to scroll in their box to be read whole."""
    return page.evaluate(FORMULAS_SCROLL_JS)


# The help buttons ("?") beside labels, in the main column and the sidebar, that are smaller than 24 x 24 px to tap.
SMALL_HELP_JS = """() => [...document.querySelectorAll('[data-testid="stTooltipHoverTarget"] > button')]
  .filter((b) => !b.closest('[data-stale="true"]'))
  // under 24 px, with 0.01 px for sub-pixel layout (a 24 px box was once measured 23.99999 px wide)
  .map((b) => b.getBoundingClientRect()).filter((r) => r.width > 0 && (r.width < 23.99 || r.height < 23.99))
  .map((r) => `${r.width} x ${r.height}`)"""


def small_help_buttons(page) -> list[str]:
    """The sizes of the help buttons too small to tap (see SMALL_HELP_JS)."""
    return page.evaluate(SMALL_HELP_JS)


def cut_off(page) -> list[str]:
    """What the main column shows cut off at the current viewport (see CUT_OFF_JS)."""
    return page.evaluate(CUT_OFF_JS)


def test_the_new_sections_are_there_with_alt_text_and_nothing_is_cut_off(page, app_url):
    """Issues 28 and 30: "Why small steps", the words box, the loss formula and the error chart, at 1,400 px and on
    a 390 px phone: each picture described, no box past the right edge, no formula or number cut short (a formula
    may scroll in its own box on the phone). Before: the loss formula ran past the column at 1,400 px."""
    _open(page, app_url)
    _train(page)
    for width, height in ((1400, 1000), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        wait_for_app(page, TIMEOUT_MS)
        expect(page.get_by_role("heading", name="Why small steps")).to_be_attached()
        steps = keyed(page, "dir_steps_fig").locator("img")
        steps.scroll_into_view_if_needed()
        expect(keyed(page, "dir_steps_fig_small").locator("img")).to_have_attribute(
            "alt", re.compile(r"one bump, total variation distance below 0\.001"))
        expect(steps).to_have_attribute("alt", re.compile(r"two bumps, total variation distance 0\.\d{3}"))
        expect(keyed(page, "dir_error_t_fig").locator("img")).to_have_attribute("alt", re.compile("relative ε error"))
        expect(page.get_by_text("Words on this page")).to_be_attached()
        problems = cut_off(page) + (formulas_scroll(page) if width >= 1400 else [])  # a phone may scroll them
        assert not problems, (width, problems)
        assert not small_help_buttons(page), width  # were 16 x 16
        screenshot(page, f"direction_full_{width}")
    assert_no_exception(page)


def test_a_click_on_the_chart_places_a_point(page, app_url):
    _open(page, app_url, QUICK)
    expect(page.get_by_text("The small MLP for these 16 points is not trained yet.")).to_be_visible(timeout=TIMEOUT_MS)
    toggle = page.get_by_text("Add points by clicking on the chart")
    toggle.scroll_into_view_if_needed()
    click_and_wait(page, toggle, TIMEOUT_MS)
    chart = page.locator('[class*="st-key-dir_points_click_"]')
    chart.scroll_into_view_if_needed()
    area = chart.locator(".nsewdrag").first  # Plotly's plot area: a click there selects the nearest grid point
    box = area.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.52, box["y"] + box["height"] * 0.12)
    expect(page.get_by_text("The small MLP for these 17 points is not trained yet.")).to_be_visible(timeout=TIMEOUT_MS)
    wait_for_app(page, TIMEOUT_MS)
    assert_no_exception(page)
    expect(page).to_have_url(re.compile(r"[?&]pts=([^&;]+(%3B|;)){16}[^&;]+(&|$)"), timeout=TIMEOUT_MS)  # 17 points
    screenshot(page, "direction_points")


def test_a_tampered_link_shows_a_message_not_a_traceback(page, app_url):
    _open(page, app_url, "data=%3Cimg%3E&t=99999&pts=nan,nan&s=-1")
    warnings = page.locator('[data-testid="stAlertContentWarning"]')
    expect(warnings.first).to_be_visible(timeout=TIMEOUT_MS)
    text = " ".join(warnings.all_inner_texts())
    assert "data=" in text and "t=99999" in text and "pts=" in text and "s=-1" in text
    expect(page).to_have_url(re.compile(r"[?&]t=200(&|$)"), timeout=TIMEOUT_MS)
    expect(page).to_have_url(re.compile(r"[?&]data=ring8(&|$)"), timeout=TIMEOUT_MS)
    assert_no_exception(page)


# Each canvas of the particle player: its CSS width and how many of its pixels differ from the background (the data,
# the trails and the particles drawn on it). A canvas left at the browser's default 300 x 150 has no CSS width.
PARTICLE_CANVASES_JS = """() => [...document.querySelectorAll('canvas')].map((c) => {
  const pixels = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let drawn = 0;
  for (let i = 0; i < pixels.length; i += 4) {
    if (Math.abs(pixels[i] - pixels[0]) + Math.abs(pixels[i + 1] - pixels[1]) + Math.abs(pixels[i + 2] - pixels[2]) > 30)
      drawn += 1;
  }
  const box = c.getBoundingClientRect();
  return {width: box.width, bottom: box.bottom, css: c.style.width, drawn};
})"""


def test_the_particles_are_drawn_at_every_width(page, app_url):
    """The particle player sizes its canvases from the width its frame has. Before: it read that width once, while
    Streamlit's frame was still 0 px wide, so every panel stayed an empty 300 x 150 canvas with nothing drawn."""
    _open(page, app_url)
    for width, height in ((1400, 1000), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        wait_for_app(page, TIMEOUT_MS)
        player = keyed(page, "dir_particles").locator("iframe")
        player.scroll_into_view_if_needed()
        frame = player.element_handle().content_frame()
        expect(frame.locator("#label")).to_have_text("the samples", timeout=TIMEOUT_MS)
        room = player.bounding_box()
        page.wait_for_function("""(el) => [...el.contentDocument.querySelectorAll('canvas')]
            .every((c) => c.style.width !== '')""", arg=player.element_handle(), timeout=TIMEOUT_MS)
        canvases = frame.evaluate(PARTICLE_CANVASES_JS)
        assert len(canvases) in (2, 4), canvases  # DDPM and DDIM of the exact field, and of the learned one if an
        # earlier test of this server trained it (the shelf of trained networks is the server's)
        for c in canvases:
            # two a row, each as wide as half the frame allows (at most 420 px); on a phone one a row, larger
            assert min(420, room["width"] / 2 - 20) <= c["width"] <= min(420, room["width"]), (width, room, c)
            assert c["drawn"] > 500, (width, c)  # data, trails and 1,000 particles
            assert c["bottom"] <= room["height"] + 1, (width, room, c)  # nothing below the frame's edge
        controls = frame.evaluate("() => document.getElementById('controls').getBoundingClientRect().bottom")
        assert controls <= room["height"] + 1, (width, room, controls)  # the panels above leave the controls room
        screenshot(page, f"direction_particles_{width}")
    assert_no_exception(page)
