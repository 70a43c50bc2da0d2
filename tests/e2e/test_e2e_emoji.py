"""The colour model in a real browser, in one session: generate an emoji, bury an emoji in noise on the forward
page, measure one on the corner page, then go back through the browser's history and find each page as it was.
Screenshots go to test-artifacts/ (emoji_denoiser, emoji_forward, emoji_corner)."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import expect
from streamlit_browser import assert_no_exception, click_and_wait, open_page, screenshot, wait_for_app

from diffusion_core.model.weights import available_models

TIMEOUT_MS = 180_000
pytestmark = pytest.mark.skipif("emoji" not in available_models(), reason="emoji weights not shipped")


def _picture(page, app_url: str, selector: str) -> np.ndarray:
    """The first picture under ``selector`` as fetched by the browser: (H, W, 3) uint8."""
    img = page.locator(selector).first
    expect(img).to_have_js_property("complete", True, timeout=TIMEOUT_MS)
    src = img.get_attribute("src")
    response = page.request.get(src if src.startswith("http") else app_url + src)
    assert response.ok, src
    return np.asarray(Image.open(io.BytesIO(response.body())).convert("RGB"))


def _is_colourful(rgb: np.ndarray) -> bool:
    """Some pixels far from gray: the channels differ by more than 60 levels somewhere."""
    spread = rgb.max(axis=2).astype(int) - rgb.min(axis=2)
    return bool((spread > 60).mean() > 0.02)


def _nav(page, name: str):
    return page.locator('[data-testid="stSidebarNav"] a').filter(has_text=name)


def test_the_colour_model_on_every_page_that_shows_a_model(page, app_url):
    open_page(page, f"{app_url}/denoiser?model=emoji&label=9&seed=3", timeout_ms=TIMEOUT_MS)
    assert_no_exception(page)
    click_and_wait(page, page.get_by_role("button", name="Generate", exact=True), timeout_ms=TIMEOUT_MS)
    assert_no_exception(page)
    heart = _picture(page, app_url, ".st-key-den_final img")
    assert _is_colourful(heart)
    assert "model=emoji" in page.url
    screenshot(page, "emoji_denoiser")

    click_and_wait(page, _nav(page, "The forward process"), timeout_ms=TIMEOUT_MS)
    click_and_wait(page, page.locator('[data-testid="stSidebar"] [data-testid="stRadio"] label').filter(
        has_text="Emoji (colour, 32 × 32)"), timeout_ms=TIMEOUT_MS)
    assert_no_exception(page)
    assert "img=emoji" in page.url
    screenshot(page, "emoji_forward")

    click_and_wait(page, _nav(page, "How tiny is the corner?"), timeout_ms=TIMEOUT_MS)
    model_box = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(has_text="Model")
    model_box.click()
    click_and_wait(page, page.get_by_role("option").filter(has_text="moji"), timeout_ms=TIMEOUT_MS)
    assert_no_exception(page)
    assert "model=emoji" in page.url
    expect(page.locator('[data-testid="stMetric"]').filter(has_text="The model's bound")).to_contain_text(
        "±", timeout=TIMEOUT_MS)
    expect(page.get_by_text("32 × 32", exact=False).first).to_be_visible()
    wait_for_app(page)
    screenshot(page, "emoji_corner")

    page.go_back()  # the settings replace the page's history entry: one step back per page
    wait_for_app(page, TIMEOUT_MS)
    assert_no_exception(page)
    expect(page.locator("h1").first).to_have_text("The forward process")
    expect(page.locator('[data-testid="stSidebar"] [data-testid="stRadio"] label').filter(
        has_text="Emoji (colour, 32 × 32)").locator("input")).to_be_checked()
    assert "img=emoji" in page.url
    page.go_back()
    wait_for_app(page, TIMEOUT_MS)
    assert_no_exception(page)
    expect(page.locator("h1").first).to_have_text("Live denoiser")
    assert "model=emoji" in page.url
