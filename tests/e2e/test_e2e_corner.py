"""The corner page in headless Chromium: a held-out digit, uniform noise, a bad upload, and a walk through other
pages and back in one session; screenshots go to test-artifacts/."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from streamlit_browser import assert_no_exception, click_and_wait, open_page, screenshot, wait_for_app

from diffusion_core.model.weights import available_models

TIMEOUT_MS = 120_000
pytestmark = pytest.mark.skipif("digits" not in available_models(), reason="no weights")


def _metric(page, label: str):
    return page.locator('[data-testid="stMetric"]').filter(has_text=label)


def _sidebar_radio(page, label: str):
    return page.locator('[data-testid="stSidebar"] [data-testid="stRadio"] label').filter(has_text=label)


def test_held_out_digit_then_noise(page, app_url):
    open_page(page, f"{app_url}/corner?model=digits&img=held:3", timeout_ms=180_000)
    assert_no_exception(page)
    expect(page.locator("h1").first).to_have_text("How tiny is the corner?")
    expect(_metric(page, "The model's bound")).to_contain_text("±", timeout=TIMEOUT_MS)
    expect(page.get_by_text("What the model proves.")).to_be_visible()
    for key in ("co_hist", "co_profile", "co_shell", "co_uniform"):  # the charts: SVG pictures, drawn at full width
        expect(page.locator(f".st-key-{key} img")).to_have_js_property("complete", True, timeout=TIMEOUT_MS)
        assert page.locator(f".st-key-{key} img").evaluate("i => i.naturalWidth") >= 600
    wait_for_app(page)
    screenshot(page, "corner_held_out")

    click_and_wait(page, _sidebar_radio(page, "Uniform noise"))
    assert_no_exception(page)
    expect(page.get_by_text("The model proves nothing here.")).to_be_visible(timeout=TIMEOUT_MS)
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
