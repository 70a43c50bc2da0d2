"""The forward-process page in headless Chromium: renders, the slider changes the picture, Play/Pause,
a bad upload shows an error; screenshots go to test-artifacts/."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from streamlit_browser import assert_no_exception, open_page, screenshot, wait_for_app

TIMEOUT_MS = 60_000


def _noisy(page):
    """The x_t picture (the player's slot): the stImage whose caption starts with 'x_t at t'."""
    return page.locator('[data-testid="stImage"]').filter(has_text=re.compile(r"^x_t at t"))


def _open(page, app_url, query: str = "") -> None:
    open_page(page, f"{app_url}/forward{query}")
    expect(_noisy(page)).to_be_visible(timeout=TIMEOUT_MS)
    wait_for_app(page)
    assert_no_exception(page)
    expect(page.get_by_role("dialog")).to_have_count(0)  # no "Page not found" notice over a deep link


def test_page_renders_and_slider_changes_the_image(page, app_url):
    _open(page, app_url)
    for key in ("fw_schedule_fig", "fw_hist_fig", "fw_survival_fig"):  # still charts: SVG pictures, no Plotly
        expect(page.locator(f".st-key-{key} img")).to_have_attribute("src", re.compile("^data:image/svg"),
                                                                     timeout=TIMEOUT_MS)
    expect(page.locator('[data-testid="stPlotlyChart"]')).to_have_count(0)
    screenshot(page, "forward_default")
    before = _noisy(page).locator("img").get_attribute("src")
    thumb = page.locator('[data-testid="stSlider"]').filter(has_text="Timestep t").get_by_role("slider")
    thumb.focus()
    page.keyboard.press("End")
    expect(_noisy(page)).to_contain_text("x_t at t = 1000", timeout=TIMEOUT_MS)
    wait_for_app(page)
    assert_no_exception(page)
    assert _noisy(page).locator("img").get_attribute("src") != before
    assert "t=1000" in page.url  # the shareable link follows the slider
    screenshot(page, "forward_t_end")


def test_play_then_pause_moves_the_slider(page, app_url):
    _open(page, app_url, "?t=0&T=100&res=64")
    page.get_by_role("button", name="Play", exact=True).click()
    expect(_noisy(page)).to_contain_text("(playing)", timeout=TIMEOUT_MS)
    src_first = _noisy(page).locator("img").get_attribute("src")
    expect(_noisy(page).locator("img")).not_to_have_attribute("src", src_first, timeout=TIMEOUT_MS)
    page.get_by_role("button", name="Pause", exact=True).click()
    expect(page.get_by_role("button", name="Play", exact=True)).to_be_enabled(timeout=TIMEOUT_MS)
    expect(_noisy(page)).not_to_contain_text("(playing)", timeout=TIMEOUT_MS)
    wait_for_app(page)
    assert_no_exception(page)
    paused_t = int(re.search(r"x_t at t = (\d+)", _noisy(page).inner_text()).group(1))
    assert paused_t > 0
    expect(page.locator('[data-testid="stSlider"]').filter(has_text="Timestep t")).to_contain_text(str(paused_t))


def test_bad_upload_shows_an_error_and_page_keeps_working(page, app_url):
    _open(page, app_url)
    page.locator('[data-testid="stSidebar"]').get_by_text("Upload your own").click()
    uploader = page.locator('[data-testid="stSidebar"] input[type="file"]')
    uploader.wait_for(state="attached", timeout=TIMEOUT_MS)
    uploader.set_input_files(files=[{"name": "bad.png", "mimeType": "image/png", "buffer": b"not an image"}])
    error = page.locator('[data-testid="stAlertContentError"]')
    expect(error).to_contain_text("not an image", timeout=TIMEOUT_MS)
    expect(error).to_contain_text("bundled photo")
    wait_for_app(page)
    assert_no_exception(page)
    expect(_noisy(page)).to_be_visible()
    screenshot(page, "forward_bad_upload")
