"""The image-space page in a real browser: it renders without errors, the 12 MP preset shows 86,696,639,
and the settings land in the URL a teacher can share."""

from __future__ import annotations

from streamlit_browser import assert_no_exception, open_page, screenshot, wait_for_app


def test_image_space_page_and_12_megapixel_preset(app_url, page):
    open_page(page, app_url)
    page.get_by_role("link", name="How large is image space?").first.click()
    page.get_by_text("24,083 digits", exact=True).first.wait_for(timeout=60_000)
    wait_for_app(page)
    assert_no_exception(page)
    screenshot(page, "image_space_default")

    page.locator('[data-testid="stSelectbox"]').filter(has_text="Preset").click()
    page.get_by_role("option", name="12 MP photo (4000 x 3000 RGB)").click()
    page.get_by_text("86,696,639 digits", exact=True).first.wait_for(timeout=60_000)
    wait_for_app(page)
    assert_no_exception(page)
    assert "w=4000" in page.url and "h=3000" in page.url and "colour=rgb" in page.url
    screenshot(page, "image_space_12mp")


def test_random_index_shows_its_image(app_url, page):
    open_page(page, f"{app_url}/image-space?w=28&h=28&colour=gray&bits=8")
    page.get_by_text("1,889 digits", exact=True).first.wait_for(timeout=60_000)
    page.get_by_role("button", name="Draw a random index").click()
    page.get_by_text("index + 1").first.wait_for(timeout=60_000)
    wait_for_app(page)
    assert_no_exception(page)
    assert page.locator('[data-testid="stAlertContentError"]').count() == 0
    screenshot(page, "image_space_index")
