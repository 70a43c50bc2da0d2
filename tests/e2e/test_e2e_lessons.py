"""Lesson links in a real browser: what they hide is gone, what they lock cannot be used, the task is plain text, and
the same link shows the same picture in another browser, on every page with a lesson."""

from __future__ import annotations

import io
import re
from typing import NamedTuple
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import numpy as np
import pytest
from conftest import streamlit_server
from PIL import Image
from playwright.sync_api import expect
from streamlit_browser import ARTIFACTS, NO_SKELETON_JS, assert_no_exception, open_page, screenshot, wait_for_app

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


def _pick(group, options: list[str]) -> None:
    """Pick ``options`` among the builder's pills ``group`` (they stay open for several choices)."""
    for option in options:
        group.get_by_role("button", name=option, exact=True).click()
        wait_for_app(group.page)


def test_without_a_store_the_builder_gives_the_long_link_of_the_view_on_screen(browser, monkeypatch):
    """No lesson store (IMAGE_SPACE_LESSON_DB=off): the builder, used in the browser, gives the long link of the same
    lesson and settings as built here, on this page's address (short links need the store; the long one never does)."""
    monkeypatch.setenv("IMAGE_SPACE_LESSON_DB", "off")
    monkeypatch.delenv("IMAGE_SPACE_PUBLIC_URL", raising=False)
    with streamlit_server("lessons-no-store.log") as app_url:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        try:
            page = context.new_page()
            expected = _teachers_link(page, app_url)
            page.get_by_test_id("stSidebar").get_by_text("Make a lesson of this page", exact=True).click()
            builder = page.locator('.st-key-lesson_builder:not([data-stale="true"])')
            expect(builder).to_contain_text("Questions need the server's lesson store", timeout=60_000)
            wait_for_app(page)
            groups = builder.get_by_test_id("stButtonGroup")
            _pick(groups.nth(0), ["Noise seed", "T, the number of steps"])
            _pick(groups.nth(1), ["Timestep t", "Noise schedule"])
            task = builder.get_by_role("textbox", name=re.compile("^Task for the students"))
            task.fill(TASK)
            task.press("Control+Enter")
            # the rerun that takes the task may start after wait_for_app has already seen the page idle: wait for it
            expect(page.locator("pre.lesson_long")).to_contain_text("task=", timeout=60_000)
            wait_for_app(page)
            expect(builder).to_contain_text("Short links are not available")
            assert builder.get_by_role("textbox", name="Question 1").count() == 0  # answers would be in the link
            link = page.locator("pre.lesson_long").inner_text().replace("\n", "")
            assert link.split("?")[0] == f"{app_url}/forward"
            made, wanted = dict(parse_qsl(urlsplit(link).query)), dict(parse_qsl(urlsplit(expected).query))
            assert made == wanted
        finally:
            context.close()


def _main_png(page, mask=()) -> np.ndarray:
    page.wait_for_function(NO_SKELETON_JS, timeout=30_000)
    page.wait_for_function("() => [...document.images].every(i => i.complete && i.naturalWidth > 0)", timeout=30_000)
    # a Plotly chart draws after the run is idle: wait until every chart on the page has its SVG
    page.wait_for_function("() => [...document.querySelectorAll('[data-testid=\"stPlotlyChart\"]')]"
                           ".every(c => c.querySelector('.main-svg'))", timeout=60_000)
    png = page.get_by_test_id("stMain").screenshot(animations="disabled", caret="hide", mask=list(mask))
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
    slider = page.get_by_role("slider", name="Timestep t", exact=True)  # the frame player's scrubber
    assert slider.is_visible() and slider.is_disabled() and slider.input_value() == "300"
    schedule = page.locator(".st-key-fw_sched")
    assert schedule.is_visible() and all(r.is_disabled() for r in schedule.get_by_role("radio").all())
    assert not page.get_by_role("switch", name="Colour (RGB)").is_disabled()  # not in the lesson
    # the task, exactly as written: no bold, no HTML
    task = page.locator(".st-key-lesson_task")
    assert task.get_by_test_id("stText").inner_text() == TASK
    assert task.locator("strong, b").filter(has_text="Move").count() == 0
    assert page.get_by_text("Make a lesson of this page").count() == 0  # the student's view has no builder
    # the URL still holds the lesson (and its check) while the student works
    assert read_lesson(dict(parse_qsl(urlsplit(page.url).query)), FORWARD_CONTROLS) == (LESSON, [])
    screenshot(page, "lesson_forward")
    context.close()


class PageLesson(NamedTuple):
    """A page's lesson for the two-browser test: its route, the teacher's settings in the link, the lesson."""

    route: str
    settings: str
    lesson: Lesson


# One lesson per page with a lesson (``lesson_for(`` in pages/*.py): some settings, one control (by its name in the
# page's LESSON_CONTROLS) hidden, one locked, a short task. The home page has no controls: only a task.
PAGE_LESSONS = {
    "home": PageLesson("", "", Lesson(task="Read the story, then open the page on image space.")),
    "image-space": PageLesson("image-space", "w=64&h=48&colour=gray&bits=8", Lesson(
        hidden=frozenset({"preset"}), locked=frozenset({"bits"}), task="How many digits has a 64 x 48 gray image?")),
    "forward": PageLesson("forward", "schedule=linear&t=300&res=64", LESSON),
    "denoiser": PageLesson("denoiser", "model=digits&mode=one&sampler=ddim&steps=20&seed=7&label=3", Lesson(
        hidden=frozenset({"seed"}), locked=frozenset({"guidance"}), task="Scrub the run: when does the 3 appear?")),
    "direction": PageLesson("direction", "data=moons&t=400", Lesson(
        hidden=frozenset({"width"}), locked=frozenset({"data"}), task="Move t: when do the arrows split the moons?")),
    "corner": PageLesson("corner", "model=digits&img=held:3&calls=96", Lesson(
        hidden=frozenset({"calls"}), locked=frozenset({"model"}), task="Is this digit inside the corner?")),
}


def _lesson_link(page, app_url: str, name: str) -> str:
    """The teacher opens ``name`` with its settings, and the lesson link of that view is made from the page's URL."""
    route, wanted, lesson = PAGE_LESSONS[name]
    open_page(page, f"{app_url}/{route}" + (f"?{wanted}" if wanted else ""), timeout_ms=180_000)
    assert_no_exception(page)
    settings = dict(parse_qsl(urlsplit(page.url).query))
    assert dict(parse_qsl(wanted)).items() <= settings.items(), settings  # the page took the teacher's settings
    return f"{app_url}/{route}?" + urlencode(lesson_link_query(settings, lesson), quote_via=quote)


def _varying_parts(page, name: str) -> list:
    """What may legitimately differ between two readers of the same link, masked in the screenshot."""
    if name == "denoiser":
        # "Ran on CPU in 0.42 s (first frame after 31 ms)", and the second reader's run may be the first one's,
        # replayed ("Computed once for every reader ..."): a timing and a provenance note, not the view
        return [page.get_by_test_id("stCaptionContainer").filter(has_text="Ran on")]
    return []  # the forward page (as before) and the others: nothing masked


@pytest.mark.parametrize("name", list(PAGE_LESSONS))
def test_the_same_lesson_link_shows_the_same_view_in_another_browser(browser, app_url, name):
    """The teacher makes the link in one browser context; two fresh ones (no cookies, no session) open it."""
    teacher = browser.new_context(viewport={"width": 1400, "height": 1000})
    link = _lesson_link(teacher.new_page(), app_url, name)
    teacher.close()
    pictures = []
    for _ in range(2):  # a tall window: the main area shows the pictures, the patch of numbers and the filmstrip
        # reduced motion: a run that plays in the browser (the denoiser's) shows its finished picture at once instead
        # of a frame that depends on when the screenshot is taken
        context = browser.new_context(viewport={"width": 1400, "height": 2200}, reduced_motion="reduce")
        page = context.new_page()
        open_page(page, link, timeout_ms=180_000)
        assert_no_exception(page)
        task = PAGE_LESSONS[name].lesson.task
        assert page.locator(".st-key-lesson_task").get_by_test_id("stText").inner_text() == task
        masked = _varying_parts(page, name)
        for part in masked:  # a mask that no longer matches anything would hide nothing: it must be on screen
            expect(part).to_have_count(1)
            expect(part).to_be_visible()
        pictures.append(_main_png(page, masked))
        ARTIFACTS.mkdir(exist_ok=True)  # the pair, for a person to look at
        Image.fromarray(pictures[-1].astype(np.uint8)).save(ARTIFACTS / f"lesson_same_{name}_{len(pictures)}.png")
        context.close()
    first, second = pictures
    assert first.shape == second.shape
    differs = np.abs(first - second).max(axis=2) > 8
    print(f"\n{name}: main area {first.shape[1]} x {first.shape[0]} px: {differs.mean():.4%} of pixels differ by more "
          "than 8 levels")
    assert differs.mean() < 0.002
