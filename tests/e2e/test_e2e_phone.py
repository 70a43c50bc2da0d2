"""The app on a phone (issue 30): one reader at 390 × 844 opens every page in one session.

On every page: the sidebar is folded when the page arrives (``initial_sidebar_state="auto"`` folds it below
Streamlit's breakpoint; it used to open over the page and cover it), nothing reaches past the screen's right edge
outside a box that scrolls sideways by itself (measured element by element), the reader unfolds the sidebar, moves
on to the next page through it (which folds it again), and uses one control of the page, in the page or in the
sidebar, after which nothing reaches past the edge either; no button, link (outside a sentence) or radio or
checkbox label is under 24 × 24 px. Beside it: the same measure at 768, 1,300 and 1,920 px on
the home, image-space and glossary pages (issue 30's widths), and the home page's picture in the first screen of a
laptop (1,400 × 1,000).
"""

from __future__ import annotations

import pytest
from streamlit_browser import assert_no_exception, click_and_wait, open_page, screenshot, wait_for_app

from diffusion_core.access.site_map import PAGES

PHONE = {"width": 390, "height": 844}

# Every element of the page (outside the sidebar) whose box reaches past the right edge of the screen, unless a box
# between it and the page scrolls sideways (and itself ends within the screen): such a box is the reader's to
# scroll (a wide formula, a long number). Not counted: what no one sees (no size, hidden, or inside an element visually
# hidden the accessible way, clipped to nothing: a slider's input for screen readers), and the long strokes inside
# KaTeX's own clipped boxes (a square root's bar).
OVERFLOW_JS = """
() => {
  const vw = document.documentElement.clientWidth;
  const root = document.querySelector('[data-testid="stMainBlockContainer"]');
  const past = (el) => { const r = el.getBoundingClientRect(); return r.width > 1 && r.height > 1 && r.right > vw + 1; };
  const scrolls = (el) => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);
  const katexClip = (el) => el.closest('.katex') && getComputedStyle(el).overflowX !== 'visible';
  const unseen = (el) => { const s = getComputedStyle(el);
    return s.visibility === 'hidden' || s.opacity === '0' || s.clipPath === 'inset(50%)'
      || s.clip === 'rect(0px, 0px, 0px, 0px)'; };
  const out = [];
  for (const el of root.querySelectorAll('*')) {
    if (!past(el)) continue;
    let hidden = false;
    for (let a = el; a && a !== root; a = a.parentElement) if (unseen(a)) { hidden = true; break; }
    if (hidden) continue;
    if (el.parentElement !== root && past(el.parentElement)) continue;  // its parent is counted already
    let box = el.parentElement, boxed = false;
    while (box && box !== root) {
      if ((scrolls(box) || katexClip(box)) && !past(box)) { boxed = true; break; }
      box = box.parentElement;
    }
    if (!boxed) {
      const where = el.closest('[data-testid="stElementContainer"]');
      out.push(`${el.tagName.toLowerCase()} to x = ${Math.round(el.getBoundingClientRect().right)} in `
               + `${where ? where.className.split(' ').filter(c => c.startsWith('st-key-') || c === 'element-container')
                                                      .join(' ') : 'the page'}: ${(el.innerText || '').slice(0, 60)}`);
    }
  }
  return {page: document.documentElement.scrollWidth - vw, main: root.parentElement.scrollWidth - root.parentElement.clientWidth,
          offenders: out};
}
"""


def assert_nothing_past_the_right_edge(page, where: str) -> None:
    seen = page.evaluate(OVERFLOW_JS)
    assert seen["offenders"] == [], f"{where}: past the right edge: {seen['offenders']}"
    assert seen["page"] <= 0 and seen["main"] <= 1, f"{where}: the page scrolls sideways ({seen})"


# Every button and link of the page (not a link inside a sentence, which WCAG 2.5.8 exempts) whose box is smaller
# than 24 × 24 px; radio buttons and checkboxes are tapped through their labels, measured instead.
SMALL_TARGETS_JS = """
() => {
  const out = [];
  const main = document.querySelector('[data-testid="stMain"]');
  for (const el of main.querySelectorAll('a, button, label:has(input[type=radio]), label:has(input[type=checkbox])')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || getComputedStyle(el).visibility === 'hidden') continue;
    if (el.tagName === 'A' && el.closest('p, li, td')) continue;
    if (r.width < 24 || r.height < 24)
      out.push(`${el.tagName.toLowerCase()} ${Math.round(r.width)} x ${Math.round(r.height)}: `
               + `${(el.innerText || el.getAttribute('aria-label') || '').slice(0, 40)}`);
  }
  return out;
}
"""


FOLDED_JS = """() => { const s = document.querySelector('[data-testid="stSidebar"]');
  return s.getAttribute('data-collapsed') === 'true' && s.getBoundingClientRect().right <= 0; }"""


def sidebar_folded(page, timeout_ms: int = 5_000) -> bool:
    """Whether the sidebar is folded and out of sight (waiting up to ``timeout_ms`` for its slide to end)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    if timeout_ms <= 0:  # Playwright reads a timeout of 0 as none at all
        return page.evaluate(FOLDED_JS)
    try:
        page.wait_for_function(FOLDED_JS, timeout=timeout_ms)
    except PlaywrightTimeout:
        return False
    return True


def unfold_sidebar(page) -> None:
    page.get_by_test_id("stExpandSidebarButton").click()
    page.wait_for_function("() => document.querySelector('[data-testid=\"stSidebar\"]')"
                           ".getAttribute('data-collapsed') === 'false'", timeout=10_000)


def fold_sidebar(page) -> None:
    page.get_by_test_id("stSidebar").hover()
    page.get_by_test_id("stSidebarCollapseButton").get_by_role("button").click()
    page.wait_for_function("() => document.querySelector('[data-testid=\"stSidebar\"]')"
                           ".getAttribute('data-collapsed') === 'true'", timeout=10_000)


def in_sidebar(page, action) -> None:
    """Unfold the sidebar, do ``action`` there, fold it again."""
    unfold_sidebar(page)
    action(page.get_by_test_id("stSidebar"))
    wait_for_app(page, 120_000)
    if not sidebar_folded(page, timeout_ms=0):
        fold_sidebar(page)


def _home(page) -> None:
    moving = page.locator('img.home-moving')
    assert moving.count() == 2
    click_and_wait(page, page.get_by_text("Moving pictures", exact=True))
    assert moving.count() == 0 and page.locator('[data-testid="stHtml"] img').count() == 4


def _image_space(page) -> None:
    # The digits-against-pixels chart a phone sees is drawn for it: its 11-13 px text shown at 85% or more (the wide
    # chart, shrunk to the screen, drew it at 6 px)
    chart = page.locator('[class*="st-key-is_digit_chart"] img:visible')
    assert chart.count() == 1
    shown, drawn = chart.evaluate("img => [img.getBoundingClientRect().width, img.naturalWidth]")
    assert drawn > 0 and shown >= 0.85 * drawn, (shown, drawn)
    page.get_by_role("combobox", name="Preset").click()
    page.get_by_role("option", name="28 x 28 MNIST digit").click()
    page.get_by_text("1,889 digits", exact=True).first.wait_for(timeout=60_000)
    wait_for_app(page, 120_000)


def _forward(page) -> None:
    in_sidebar(page, lambda sidebar: sidebar.get_by_text("Colour (RGB)", exact=True).click())


def _direction(page) -> None:
    from playwright.sync_api import expect

    slider = page.get_by_role("slider", name="Timestep t")
    before = slider.input_value()
    slider.focus()
    page.keyboard.press("ArrowRight")
    expect(slider).not_to_have_value(before, timeout=10_000)
    wait_for_app(page, 120_000)


def _denoiser(page) -> None:
    click_and_wait(page, page.get_by_role("button", name="Generate", exact=True))
    page.get_by_role("img", name="generated by", exact=False).first.wait_for(timeout=120_000)


def _draw(page) -> None:
    click_and_wait(page, page.get_by_test_id("stMain").get_by_text("A held-out image", exact=True))


def _corner(page) -> None:
    in_sidebar(page, lambda sidebar: click_and_wait(page, sidebar.get_by_test_id("stNumberInputStepUp").first))


def _glossary(page) -> None:
    """The list of words jumps within the page: the word's entry comes into view."""
    page.get_by_test_id("stMain").get_by_role("link", name="score", exact=True).click()
    page.wait_for_function("() => { const a = document.getElementById('glossary-score'); if (!a) return false;"
                           " const r = a.getBoundingClientRect(), bar = document.querySelector('[data-testid=\"stHeader\"]');"
                           " return r.top >= bar.getBoundingClientRect().bottom && r.top < innerHeight / 2; }",
                           timeout=10_000)


CONTROLS = {"": _home, "image-space": _image_space, "forward": _forward, "direction": _direction, "denoiser": _denoiser,
            "draw": _draw, "corner": _corner, "glossary": _glossary}


def test_every_page_on_a_phone_in_one_session(browser, app_url):
    assert set(CONTROLS) == {p.path for p in PAGES}, "a page was added: give it a control here"
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        open_page(page, app_url, timeout_ms=180_000)
        for k, entry in enumerate(PAGES):
            where = f"/{entry.path} at 390 px"
            if k:  # to the next page through the sidebar, as a reader on a phone goes
                unfold_sidebar(page)
                assert not sidebar_folded(page, timeout_ms=0)
                click_and_wait(page, page.get_by_test_id("stSidebarNav").get_by_role("link", name=entry.title, exact=True))
                page.get_by_role("heading", level=1).first.wait_for(timeout=120_000)
                wait_for_app(page, 180_000)
                if not sidebar_folded(page, timeout_ms=2_000):  # Streamlit folds it after a page link on a phone
                    fold_sidebar(page)
            assert sidebar_folded(page), f"{where}: the sidebar covers the page"
            assert_no_exception(page)
            assert_nothing_past_the_right_edge(page, where)
            assert page.evaluate(SMALL_TARGETS_JS) == [], f"{where}: tap targets under 24 px"
            CONTROLS[entry.path](page)
            assert_no_exception(page)
            assert_nothing_past_the_right_edge(page, f"{where}, after its control")
            screenshot(page, f"phone_{entry.path or 'home'}")
    finally:
        context.close()


def test_a_new_visitor_on_a_phone_finds_the_sidebar_folded(browser, app_url):
    """A shared link opened on a phone: the page, not the sidebar, is what the student sees first."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        open_page(page, f"{app_url}/image-space", timeout_ms=180_000)
        assert sidebar_folded(page)
        unfold_sidebar(page)
        assert page.get_by_test_id("stSidebarNav").get_by_role("link").count() == len(PAGES)
    finally:
        context.close()


def test_a_laptop_opens_with_the_sidebar_and_the_home_picture_in_the_first_screen(page, app_url):
    """1,400 × 1,000: the sidebar is open, and the moving picture (both walks, both random pictures) lies within the
    first screen with the link to the live denoiser under it."""
    open_page(page, app_url, timeout_ms=180_000)
    assert page.get_by_test_id("stSidebar").get_attribute("data-collapsed") == "false"
    pictures = page.locator('[data-testid="stHtml"] img:visible')
    assert pictures.count() == 4
    for k in range(4):
        box = pictures.nth(k).bounding_box()
        assert box["width"] >= 150 and box["y"] >= 0 and box["y"] + box["height"] <= 1000, box
        assert pictures.nth(k).get_attribute("alt")
    link = page.get_by_test_id("stMain").get_by_role("link", name="Make this 3 yourself", exact=False)
    assert link.bounding_box()["y"] + link.bounding_box()["height"] <= 1000
    href = link.get_attribute("href")
    assert href.split("?")[0].rstrip("/").endswith("denoiser") and "label=3" in href, href
    screenshot(page, "home_first_screen_1400")


# Text that ends in "…" because its box is too narrow (a metric, a label, an upload box's line of formats)
CUT_WITH_ELLIPSIS_JS = """() => [...document.querySelectorAll('[data-testid="stMain"] *')].filter(e => {
  const s = getComputedStyle(e);
  return e.innerText && s.textOverflow === 'ellipsis' && e.scrollWidth > e.clientWidth + 1
    && e.getBoundingClientRect().width > 0; }).map(e => e.innerText.slice(0, 60))"""


@pytest.mark.parametrize("width", [390, 768, 1300, 1920])
def test_my_pages_fit_at_other_widths(browser, app_url, width):
    """Home, image space (its default and its largest preset's numbers) and the glossary at issue 30's widths: nothing
    past the right edge outside a box that scrolls, no text cut to "…"."""
    context = browser.new_context(viewport={"width": width, "height": 1000})
    page = context.new_page()
    try:
        for path in ("", "image-space", "image-space?w=4000&h=3000&colour=rgb&bits=8", "glossary"):
            open_page(page, f"{app_url}/{path}", timeout_ms=180_000)
            assert_nothing_past_the_right_edge(page, f"/{path} at {width} px")
            assert page.evaluate(CUT_WITH_ELLIPSIS_JS) == [], f"/{path} at {width} px: text cut to an ellipsis"
    finally:
        context.close()
