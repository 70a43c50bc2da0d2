"""The corner page in headless Chromium: a held-out digit, uniform noise, a bad upload, and a walk through other
pages and back in one session; screenshots go to test-artifacts/."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from streamlit_browser import assert_no_exception, click_and_wait, open_page, screenshot, wait_for_app
from test_e2e_direction import cut_off, small_help_buttons

from diffusion_core.likelihood.charts import NARROW, WIDTH
from diffusion_core.model.weights import available_models

TIMEOUT_MS = 120_000
pytestmark = pytest.mark.skipif("digits" not in available_models(), reason="no weights")


def _metric(page, label: str):
    return page.locator('[data-testid="stMetric"]').filter(has_text=label)


def _chart(page, key: str):
    """The chart under ``key`` that the reader sees: the wide charts are drawn twice, one shown (the page's CSS)."""
    return page.locator(f".st-key-{key} img:visible")


def _sidebar_radio(page, label: str):
    return page.locator('[data-testid="stSidebar"] [data-testid="stRadio"] label').filter(has_text=label)


def test_held_out_digit_then_noise(page, app_url):
    open_page(page, f"{app_url}/corner?model=digits&img=held:3", timeout_ms=180_000)
    assert_no_exception(page)
    expect(page.locator("h1").first).to_have_text("How tiny is the corner?")
    expect(_metric(page, "The model's bound")).to_contain_text("±", timeout=TIMEOUT_MS)
    expect(page.get_by_text("What the model proves, with 95% confidence.")).to_be_visible()
    for key in ("co_hist", "co_profile", "co_shell", "co_uniform"):  # the charts: SVG pictures, drawn at full width
        expect(_chart(page, key)).to_have_js_property("complete", True, timeout=TIMEOUT_MS)
        assert _chart(page, key).evaluate("i => i.naturalWidth") >= 600
    wait_for_app(page)
    screenshot(page, "corner_held_out")

    click_and_wait(page, _sidebar_radio(page, "Uniform noise"))
    assert_no_exception(page)
    expect(page.get_by_text("The bound proves nothing here.")).to_be_visible(timeout=TIMEOUT_MS)
    assert "img=noise" in page.url
    screenshot(page, "corner_noise")


def test_bad_upload_shows_an_error_and_the_page_keeps_working(page, app_url):
    open_page(page, f"{app_url}/corner?img=photo:Camera", timeout_ms=180_000)
    assert_no_exception(page)
    expect(page.get_by_text("Camera, reduced to 28 × 28 grayscale")).to_be_visible(timeout=TIMEOUT_MS)
    screenshot(page, "corner_photo")
    click_and_wait(page, page.locator('[data-testid="stSidebar"]').get_by_text("Upload your own"))
    uploader = page.locator('[data-testid="stSidebar"] input[type="file"]')
    uploader.wait_for(state="attached", timeout=TIMEOUT_MS)
    uploader.set_input_files(files=[{"name": "bad.png", "mimeType": "image/png", "buffer": b"not an image"}])
    error = page.locator('[data-testid="stAlertContentError"]')
    expect(error).to_contain_text("not an image", timeout=TIMEOUT_MS)
    wait_for_app(page)
    assert_no_exception(page)
    expect(_metric(page, "The model's bound")).to_contain_text("±")


def test_a_walk_through_the_app_keeps_the_corner_settings(page, app_url):
    open_page(page, app_url, timeout_ms=180_000)
    click_and_wait(page, page.locator('[data-testid="stMain"] [data-testid="stPageLink"] a').filter(
        has_text="How tiny is the corner?"))
    assert_no_exception(page)
    expect(_metric(page, "The model's bound")).to_contain_text("±", timeout=TIMEOUT_MS)
    click_and_wait(page, _sidebar_radio(page, "A freshly generated image"))
    expect(page.get_by_text("A fresh sample of class")).to_be_visible(timeout=TIMEOUT_MS)
    for name in ("The forward process", "Live denoiser"):
        click_and_wait(page, page.locator('[data-testid="stSidebarNav"] a').filter(has_text=name))
        assert_no_exception(page)
    click_and_wait(page, page.locator('[data-testid="stSidebarNav"] a').filter(has_text="How tiny is the corner?"))
    assert_no_exception(page)
    expect(page.get_by_text("A fresh sample of class")).to_be_visible(timeout=TIMEOUT_MS)
    assert "img=generated" in page.url
    screenshot(page, "corner_generated_after_walk")


def test_the_bound_and_the_page_fit_at_every_width(page, app_url):
    """Issue 30: the bound showed as "0.705 ± 0.…" at 1,300 px. At 1,300 and 1,400 px (the sidebar open) and on a
    390 px phone, for a held-out digit and for noise (the longest figure, "27.488 ± 0.278"), no metric, caption or
    formula is cut off (a formula may scroll in its own box on the phone), and the pictures are described."""
    for query in ("img=held:0", "img=noise&seed=5"):
        open_page(page, f"{app_url}/corner?model=digits&{query}&calls=96", timeout_ms=180_000)
        expect(_metric(page, "The model's bound")).to_contain_text("±", timeout=TIMEOUT_MS)
        for width, height in ((1300, 900), (1400, 1000), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            wait_for_app(page)
            value = _metric(page, "The model's bound").locator('[data-testid="stMetricValue"]')
            value.scroll_into_view_if_needed()
            full = value.evaluate("e => [e, ...e.querySelectorAll('*')].every(x => x.scrollWidth <= x.clientWidth + 1)")
            assert full, (query, width, value.inner_text())
            problems = cut_off(page)
            assert not problems, (query, width, problems)
            assert not small_help_buttons(page), width  # were 16 x 16
            for key in ("co_hist", "co_profile", "co_shell", "co_uniform"):
                assert _chart(page, key).get_attribute("alt")
            for key in ("co_hist", "co_profile", "co_shell", "co_uniform"):  # on a phone, drawn narrow: text not 5 px
                drawn = _chart(page, key).evaluate("i => i.naturalWidth")
                full = 600 if key == "co_uniform" else WIDTH  # the norms sit in a column
                assert drawn == (NARROW if width < 700 else full), (key, width, drawn)
            screenshot(page, f"corner_{query.split('&')[0].replace('img=', '').replace(':', '')}_{width}")
        page.set_viewport_size({"width": 1400, "height": 1000})
    assert_no_exception(page)
