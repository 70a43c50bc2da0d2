"""Lesson links in a real browser: what they hide is gone, what they lock cannot be used, the task is plain text, and
the same link shows the same picture in another browser."""

from __future__ import annotations

import io
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import numpy as np
from PIL import Image
from playwright.sync_api import expect
from streamlit_browser import assert_no_exception, open_page, screenshot, wait_for_app

from diffusion_core.access.lessons import Lesson, lesson_link_query, read_lesson

TASK = "**Move** the timestep: when is the face gone? <b>not bold</b>"
LESSON = Lesson(hidden=frozenset({"seed", "T"}), locked=frozenset({"t", "schedule"}), task=TASK)
FORWARD_CONTROLS = ["picture", "photo", "index", "colour", "res", "schedule", "T", "seed", "t", "play"]


def _teachers_link(page, app_url: str) -> str:
    """The teacher sets the page up (t = 300, linear schedule), and the lesson link of that view is made."""
    open_page(page, f"{app_url}/forward?schedule=linear&t=300&res=64", timeout_ms=180_000)
    settings = dict(parse_qsl(urlsplit(page.url).query))
    assert settings["t"] == "300" and settings["schedule"] == "linear"
    return f"{app_url}/forward?" + urlencode(lesson_link_query(settings, LESSON), quote_via=quote)


def _choose(page, label: str, options: list[str]) -> None:
    """Pick ``options`` in the sidebar's multiselect ``label`` by typing each and pressing Enter."""
    box = page.get_by_test_id("stSidebar").get_by_test_id("stMultiSelect").filter(
        has=page.get_by_test_id("stWidgetLabel").get_by_text(label, exact=True)).locator("input")
    for option in options:
        box.click()
        box.fill(option)
        page.get_by_role("option", name=option, exact=True).wait_for()
        box.press("Enter")
        wait_for_app(page)
    page.keyboard.press("Escape")


def test_the_teachers_panel_gives_the_link_of_the_view_on_screen(page, app_url):
    """Made in the browser, through the panel: the same lesson and settings as built here, on this page's address."""
    expected = _teachers_link(page, app_url)
    panel = page.get_by_test_id("stSidebar").get_by_test_id("stExpander").filter(has_text="Make a lesson link")
    panel.locator("summary").click()
    _choose(page, "Hidden", ["Noise seed", "T, the number of steps"])
    _choose(page, "Shown but locked", ["Timestep t", "Noise schedule"])
    task = panel.get_by_role("textbox", name="Task for the students (plain text)")
    task.fill(TASK)
    task.press("Control+Enter")
    # the rerun that takes the task may start after wait_for_app has already seen the page idle: wait for it
    expect(panel.get_by_test_id("stCode")).to_contain_text("task=", timeout=60_000)
    wait_for_app(page)
    link = panel.get_by_test_id("stCode").inner_text().replace("\n", "")
    assert link.split("?")[0] == f"{app_url}/forward"
    made, wanted = dict(parse_qsl(urlsplit(link).query)), dict(parse_qsl(urlsplit(expected).query))
    assert made == wanted


def _main_png(page) -> np.ndarray:
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stSkeleton\"]')", timeout=30_000)
    page.wait_for_function("() => [...document.images].every(i => i.complete && i.naturalWidth > 0)", timeout=30_000)
    png = page.get_by_test_id("stMain").screenshot(animations="disabled", caret="hide")
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def test_a_lesson_link_hides_locks_and_gives_its_task(browser, app_url):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    link = _teachers_link(page, app_url)
    open_page(page, link, timeout_ms=180_000)
    assert_no_exception(page)
    # hidden: not drawn for the reader, and out of the keyboard's reach
    assert not page.locator(".st-key-fw_seed").is_visible() and not page.locator(".st-key-fw_T").is_visible()
    # locked: shown, but disabled
    slider = page.get_by_role("slider", name="Timestep t")
    assert page.locator(".st-key-fw_t").is_visible() and slider.is_disabled() and slider.input_value() == "300"
    schedule = page.locator(".st-key-fw_sched")
    assert schedule.is_visible() and all(r.is_disabled() for r in schedule.get_by_role("radio").all())
    assert not page.get_by_role("switch", name="Colour (RGB)").is_disabled()  # not in the lesson
    # the task, exactly as written: no bold, no HTML
    task = page.locator(".st-key-lesson_task")
    assert task.get_by_test_id("stText").inner_text() == TASK
    assert task.locator("strong, b").filter(has_text="Move").count() == 0
    assert page.get_by_text("Make a lesson link").count() == 0  # the student's view has no teacher's panel
    # the URL still holds the lesson (and its check) while the student works
    assert read_lesson(dict(parse_qsl(urlsplit(page.url).query)), FORWARD_CONTROLS) == (LESSON, [])
    screenshot(page, "lesson_forward")
    context.close()


def test_the_same_lesson_link_shows_the_same_view_in_another_browser(browser, app_url):
    pictures = []
    for _ in range(2):  # a tall window: the main area shows the pictures, the patch of numbers and the filmstrip
        context = browser.new_context(viewport={"width": 1400, "height": 2200})
        page = context.new_page()
        if not pictures:
            link = _teachers_link(page, app_url)
        open_page(page, link, timeout_ms=180_000)
        assert_no_exception(page)
        pictures.append(_main_png(page))
        context.close()
    first, second = pictures
    assert first.shape == second.shape
    differs = np.abs(first - second).max(axis=2) > 8
    print(f"\nmain area {first.shape[1]} x {first.shape[0]} px: {differs.mean():.4%} of pixels differ by more than 8 levels")
    assert differs.mean() < 0.002
