"""Accessibility in a real browser: axe-core on every page, and the main controls operated with the keyboard alone.

axe-core (through axe-playwright-python) checks the rendered page against WCAG 2.x rules; the bar (DESIGN.md) is
no serious or critical violation on any page. The counts per page and impact are printed (``-s`` shows them).
"""

from __future__ import annotations

import collections

import pytest
from streamlit_browser import APP_IDLE, NO_SKELETON_JS, assert_no_exception, click_and_wait, open_page, wait_for_app

from diffusion_core.access.presenter import STEPS
from diffusion_core.access.site_map import PAGES

axe_playwright = pytest.importorskip("axe_playwright_python.sync_playwright")

# The story's order, as the sidebar's navigation lists it (app.py reads the page registry).
WALK = [(entry.path or "home", entry.title) for entry in PAGES]
IMPACTS = ("critical", "serious", "moderate", "minor")


def axe_counts(page) -> tuple[collections.Counter, list[str]]:
    """Run axe-core on ``page`` once it has drawn: (nodes in violation per impact, a line per violation)."""
    page.wait_for_function(NO_SKELETON_JS, timeout=60_000)
    results = axe_playwright.Axe().run(page).response
    counts, lines = collections.Counter(), []
    for v in results["violations"]:
        counts[v["impact"]] += len(v["nodes"])
        targets = "; ".join(n["html"][:120] + " " + (n.get("failureSummary") or "").replace("\n", " ")[-160:]
                            for n in v["nodes"][:3])
        lines.append(f"{v['id']} ({v['impact']}, {len(v['nodes'])}): {v['help']} — {targets}")
    return counts, lines


def _go(page, label: str) -> None:
    link = page.get_by_test_id("stSidebarNav").get_by_role("link").filter(has=page.get_by_text(label, exact=True))
    click_and_wait(page, link)
    page.get_by_role("heading", level=1).first.wait_for()


def test_axe_finds_no_serious_or_critical_violation_on_any_page(page, app_url):
    """One browser session walks the story page by page (the sidebar's links), running axe on each."""
    open_page(page, app_url, timeout_ms=180_000)
    report, serious = [], []
    for name, label in WALK:
        if name != "home":
            _go(page, label)
        if name == "denoiser":  # the results too: frames, the grid, the walk, the memorisation check
            click_and_wait(page, page.get_by_role("button", name="Generate", exact=True))
            page.get_by_test_id("stImage").first.wait_for()
        assert_no_exception(page)
        counts, lines = axe_counts(page)
        report.append(f"{name:12} " + "  ".join(f"{impact} {counts[impact]}" for impact in IMPACTS))
        serious += [f"{name}: {line}" for line in lines if "(serious" in line or "(critical" in line]
    print("\naxe-core violations (nodes) per page:\n" + "\n".join(report))
    assert serious == [], "\n".join(serious)


# The focused element, inside the shadow roots of components of our own (the frame player) too.
FOCUSED_JS = "(() => { let a = document.activeElement; while (a && a.shadowRoot && a.shadowRoot.activeElement) " \
             "a = a.shadowRoot.activeElement; return a; })()"


def _tab_to(page, predicate_js: str, max_presses: int = 200) -> None:
    """Press Tab until the focused element ``el`` (inside a component's shadow root too) satisfies ``predicate_js``."""
    for _ in range(max_presses):
        page.keyboard.press("Tab")
        if page.evaluate(f"(el => {predicate_js})({FOCUSED_JS})"):
            return
    raise AssertionError(f"Tab never reached an element where {predicate_js}")


def _settle(page) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_selector('[data-testid="stApp"][data-test-script-state="running"]', timeout=3_000)
    except PlaywrightTimeout:
        pass
    wait_for_app(page, 120_000)


def test_keyboard_alone_runs_the_main_controls(page, app_url):
    """Tab, arrows, Enter and Space only: the forward page's timestep, the image-space preset, Generate."""
    # The forward page: Tab to the player's timestep scrubber (in the player's shadow root), step it with the arrow
    # keys; each step is reported to the server, which draws its own x_t at the new t further down.
    open_page(page, f"{app_url}/forward?t=250", timeout_ms=180_000)
    _tab_to(page, "el.tagName === 'INPUT' && el.type === 'range' && el.labels.length > 0 "
                  "&& el.labels[0].textContent === 'Timestep t'")
    for _ in range(5):
        page.keyboard.press("ArrowRight")
        _settle(page)
    assert page.get_by_role("slider", name="Timestep t", exact=True).input_value() == "255"
    page.locator('img[alt^="x_t at t = 255 "]').first.wait_for(timeout=60_000)
    assert "t=255" in page.url

    # The image-space page: Tab to the preset picker, open it with the keyboard, choose with arrows and Enter.
    open_page(page, f"{app_url}/image-space", timeout_ms=180_000)
    _tab_to(page, "el.getAttribute('role') === 'combobox' && el.getAttribute('aria-label') === 'Preset'")
    before = page.get_by_role("combobox", name="Preset").input_value()
    page.keyboard.press("ArrowDown")
    page.get_by_role("listbox").get_by_role("option").first.wait_for()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    _settle(page)
    after = page.get_by_role("combobox", name="Preset").input_value()
    assert after != before

    # The denoiser: Tab to Generate and press Space; the result appears. (A 10-class grid of 30 steps is more work
    # than the page starts without a click.)
    open_page(page, f"{app_url}/denoiser?mode=grid&steps=30", timeout_ms=180_000)
    assert page.get_by_role("img", name="generated by", exact=False).count() == 0
    _tab_to(page, "el.tagName === 'BUTTON' && el.innerText.trim() === 'Generate'")
    page.keyboard.press("Space")
    _settle(page)
    page.get_by_role("img", name="generated by the", exact=False).first.wait_for(timeout=120_000)
    assert page.locator(APP_IDLE).count() == 1
    assert_no_exception(page)


def _step_text(page) -> str:
    return page.locator(".st-key-present_bar").get_by_text("Step ", exact=False).first.inner_text()


def test_presenter_mode_large_type_folded_sidebar_keyboard_steps_and_axe(page, app_url):
    open_page(page, f"{app_url}/?present=1", timeout_ms=180_000)
    assert _step_text(page).startswith(f"Step 1 of {len(STEPS)}")
    page.wait_for_function("() => document.querySelector('[data-testid=\"stSidebar\"]')"
                           ".getAttribute('data-collapsed') === 'true'", timeout=10_000)
    size = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector("
                         "'[data-testid=\"stMain\"] [data-testid=\"stMarkdownContainer\"] p')).fontSize)")
    assert size >= 20, size  # 1.3rem; the normal page's text is 16 px
    counts, lines = axe_counts(page)
    serious = [line for line in lines if "(serious" in line or "(critical" in line]
    print("\naxe-core, presenter mode (home): " + "  ".join(f"{i} {counts[i]}" for i in IMPACTS))
    # Page Down (a presentation remote), then the arrow keys, with no control focused
    page.locator("body").focus()
    for key, expected_title, expected_step in (("PageDown", "How large is image space?", 2),
                                               ("ArrowRight", "The forward process", 3),
                                               ("PageUp", "How large is image space?", 2)):
        page.evaluate("() => document.activeElement && document.activeElement.blur()")
        page.keyboard.press(key)
        page.get_by_role("heading", level=1, name=expected_title).wait_for(timeout=120_000)
        wait_for_app(page, 120_000)
        assert _step_text(page).startswith(f"Step {expected_step} of {len(STEPS)}"), key
        assert "present=1" in page.url and f"step={expected_step}" in page.url
    counts, lines = axe_counts(page)
    serious += [line for line in lines if "(serious" in line or "(critical" in line]
    print("axe-core, presenter mode (image space): " + "  ".join(f"{i} {counts[i]}" for i in IMPACTS))
    assert serious == [], "\n".join(serious)
    assert_no_exception(page)
