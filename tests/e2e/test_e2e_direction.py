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
    expect(keyed(page, "dir_guidance_fig").locator("img")).to_have_attribute("alt", re.compile("guidance s = 5"),
                                                                             timeout=TIMEOUT_MS)
    expect(page).to_have_url(re.compile(r"[?&]s=5(&|$)"), timeout=TIMEOUT_MS)
    assert_no_exception(page)
    screenshot(page, "direction_guidance")

    # another page and back through the navigation: the settings are kept and the link shows them again
    _nav(page, "The forward process")
    assert "/forward" in page.url
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
    for key in ("dir_data_fig", "dir_guidance_fig", "dir_sweep_fig", "dir_memory_fig"):
        picture = keyed(page, key).locator("img")
        picture.scroll_into_view_if_needed()
        shown, column = picture.bounding_box(), keyed(page, key).bounding_box()
        natural = picture.evaluate("e => e.naturalWidth")
        assert natural > 300 and abs(shown["width"] - column["width"]) < 2, (key, shown, column, natural)
    screenshot(page, "direction_last_chart")


def test_field_playback_then_pause(page, app_url):
    _open(page, app_url, QUICK + "&t=999")
    before = _field_srcs(page)
    page.get_by_role("button", name="Play", exact=True).click()
    expect(page.get_by_text(re.compile(r"\(playing\)"))).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.locator(".st-key-dir_field_view img").first).not_to_have_attribute("src", before[0],
                                                                                   timeout=TIMEOUT_MS)
    page.get_by_role("button", name="Pause", exact=True).click()
    expect(page.get_by_role("button", name="Play", exact=True)).to_be_enabled(timeout=TIMEOUT_MS)
    wait_for_app(page, TIMEOUT_MS)
    assert_no_exception(page)
    paused = int(re.search(r"^t = (\d+):", page.get_by_text(re.compile(r"^t = \d+: x_t keeps")).inner_text()).group(1))
    assert paused < 999  # playback walks t down, as sampling does; the slider keeps the t shown
    expect(page).to_have_url(re.compile(rf"[?&]t={paused}(&|$)"), timeout=TIMEOUT_MS)


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
