"""The image-space page in a real browser: it renders without errors, the 12 MP preset shows 86,696,639,
and the settings land in the URL a teacher can share."""

from __future__ import annotations

from streamlit_browser import assert_no_exception, click_and_wait, open_page, screenshot, wait_for_app


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


def _index_section(page):
    """The "Every image is one number" part of the page (its picker, the picture and the index's digits)."""
    return page.get_by_test_id("stMain")


def _png(width: int, height: int) -> bytes:
    """A colour test picture: a red-to-blue ramp with a green bar, ``width`` × ``height``."""
    import io

    import numpy as np
    from PIL import Image

    x = np.linspace(0, 255, width, dtype=np.uint8)
    rgb = np.zeros((height, width, 3), np.uint8)
    rgb[..., 0], rgb[..., 2] = x, 255 - x
    rgb[height // 3: height // 2, :, 1] = 200
    out = io.BytesIO()
    Image.fromarray(rgb).save(out, format="PNG")
    return out.getvalue()


def test_upload_mode_shows_no_stale_index_and_says_how_an_upload_is_reduced(app_url, page):
    """Issue 27: after "Upload your own" and before a file arrives, neither the bundled photo's (greyed) picker nor
    its 616-digit index stays on screen; a 120 × 100 colour upload is said, in words, to be made grey and cut and
    shrunk to the 16 × 16 picture whose index is shown (it used to become one silently)."""
    open_page(page, f"{app_url}/image-space", timeout_ms=180_000)
    main = _index_section(page)
    main.get_by_test_id("stMetric").filter(has_text="Digits of its index").wait_for(timeout=60_000)  # the photo's
    assert main.get_by_role("combobox", name="Photo").count() == 1

    click_and_wait(page, main.get_by_text("Upload your own", exact=True))
    assert main.get_by_role("combobox", name="Photo").count() == 0, "the bundled photo's picker is still shown"
    assert main.get_by_test_id("stMetric").filter(has_text="Digits of its index").count() == 0, "a stale index"
    assert main.locator('pre[data-name*="digits of the index"]').count() == 0
    main.get_by_text("Upload a picture on the left: its index appears here.").wait_for(timeout=30_000)
    assert main.get_by_role("button", name="Use the picture's index").is_disabled()
    assert_no_exception(page)

    main.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
        {"name": "ramp.png", "mimeType": "image/png", "buffer": _png(120, 100)})
    main.get_by_test_id("stMetric").filter(has_text="Digits of its index").wait_for(timeout=60_000)
    wait_for_app(page, 120_000)
    assert_no_exception(page)
    said = main.get_by_text("The picture, 120 × 100 colour pixels, becomes a 16 × 16 grey one", exact=False)
    assert said.count() == 1
    words = said.inner_text()
    assert "red, green and blue are mixed into one grey value" in words
    assert "middle 100 × 100 square is cut out" in words and "shrunk to 16 × 16 pixels" in words
    assert main.get_by_role("img", name="Your picture", exact=False).count() >= 1
    assert not main.get_by_role("button", name="Use the picture's index").is_disabled()
    screenshot(page, "image_space_upload")


def test_on_a_phone_a_drawn_index_scrolls_its_image_into_view(browser, app_url):
    """390 × 844: the columns stack, and the image of a random index appeared below the fold, out of sight; after
    "Draw a random index" (or "Use the picture's index") the page brings it into view."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        open_page(page, f"{app_url}/image-space", timeout_ms=180_000)
        button = page.get_by_role("button", name="Draw a random index")
        button.scroll_into_view_if_needed()
        click_and_wait(page, button)
        page.get_by_text("index + 1").first.wait_for(timeout=60_000)
        page.wait_for_function("() => { const r = document.querySelector('.st-key-ix_result').getBoundingClientRect();"
                               " return r.top >= 0 && r.top < innerHeight / 2; }", timeout=15_000)
        screenshot(page, "image_space_phone_random_index")
    finally:
        context.close()


def test_the_upload_box_says_its_formats_whole_at_every_width(browser, app_url):
    """Issue 30: the upload box's line of formats ended in "…" in the index section's narrow column ("...BMP, TIF,
    W..."), from 768 to 1,400 px: it wraps (pages/accessible.py)."""
    truncated = """() => [...document.querySelectorAll('[data-testid="stFileUploader"] *')]
      .filter(e => e.children.length === 0 && e.innerText && e.scrollWidth > e.clientWidth + 1).map(e => e.innerText)"""
    for width in (390, 768, 1300, 1920):
        context = browser.new_context(viewport={"width": width, "height": 1000})
        page = context.new_page()
        try:
            open_page(page, f"{app_url}/image-space", timeout_ms=180_000)
            click_and_wait(page, page.get_by_test_id("stMain").get_by_text("Upload your own", exact=True))
            page.get_by_test_id("stFileUploaderDropzoneInstructions").wait_for(timeout=30_000)
            assert page.evaluate(truncated) == [], f"cut off at {width} px"
        finally:
            context.close()
