"""The live denoiser in a real browser: generate, look, and reproduce a run from its shared link."""

from __future__ import annotations

import pytest
from streamlit_browser import assert_no_exception, click_and_wait, open_page, screenshot

from diffusion_core.model.weights import available_models

pytestmark = pytest.mark.skipif("digits" not in available_models(), reason="digits weights not shipped yet")
FINAL_IMAGE = ".st-key-den_final img"


def _final_image_bytes(page, app_url: str) -> bytes:
    src = page.locator(FINAL_IMAGE).first.get_attribute("src")
    url = src if src.startswith("http") else app_url + src
    response = page.request.get(url)
    assert response.ok, url
    return response.body()


def test_generate_then_shared_link_gives_the_same_image(page, app_url):
    open_page(page, f"{app_url}/denoiser?label=4&seed=5&steps=12", timeout_ms=180_000)
    assert_no_exception(page)
    click_and_wait(page, page.get_by_role("button", name="Generate", exact=True))
    assert_no_exception(page)
    page.wait_for_selector(FINAL_IMAGE)
    first = _final_image_bytes(page, app_url)
    assert first[:8] == b"\x89PNG\r\n\x1a\n"
    assert "12 steps" in page.get_by_text("Ran on").first.inner_text()
    screenshot(page, "denoiser_generate")

    shared_link = page.url
    assert "seed=5" in shared_link and "label=4" in shared_link
    second_tab = page.context.new_page()
    open_page(second_tab, shared_link, timeout_ms=180_000)
    second_tab.wait_for_selector(FINAL_IMAGE)
    assert_no_exception(second_tab)
    assert _final_image_bytes(second_tab, app_url) == first


def test_other_tabs_run(page, app_url):
    open_page(page, f"{app_url}/denoiser?steps=5", timeout_ms=180_000)
    page.get_by_role("tab", name="What guidance does").click()
    click_and_wait(page, page.get_by_role("button", name="Run the sweep", exact=True))
    assert_no_exception(page)
    assert page.get_by_text("s = 8").count() >= 1
    page.get_by_role("tab", name="One denoising step").click()
    assert page.get_by_text("the model's x̂₀").count() >= 1
    screenshot(page, "denoiser_tabs")
