"""Every page in the navigation renders in a real browser with no exception."""

from __future__ import annotations

import pytest
from streamlit_browser import assert_no_exception, open_page, screenshot

PAGES = {"home": "", "image-space": "image-space", "forward": "forward", "denoiser": "denoiser"}


@pytest.mark.parametrize("name", list(PAGES))
def test_page_renders(page, app_url, name):
    open_page(page, f"{app_url}/{PAGES[name]}", timeout_ms=180_000)
    assert_no_exception(page)
    assert page.locator('[data-testid="stSidebarNav"] a').count() == len(PAGES)
    assert page.locator('[role="dialog"]').count() == 0  # no "Page not found" notice
    screenshot(page, f"page_{name}")


def test_home_links_lead_to_every_page(page, app_url):
    open_page(page, app_url)
    links = page.locator('[data-testid="stMain"] [data-testid="stPageLink"] a')
    assert links.count() == 3
    hrefs = {links.nth(i).get_attribute("href").rstrip("/").rsplit("/", 1)[-1] for i in range(3)}
    assert hrefs == {"image-space", "forward", "denoiser"}
