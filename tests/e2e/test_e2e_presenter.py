"""Issue 32 in a real browser at 1920 × 1080: a lesson built, opened by a student and taught, and the story presented.

One server of our own (``streamlit run app.py``) with a lesson store in a temporary folder (``IMAGE_SPACE_LESSON_DB``):

* the teacher builds a lesson on the forward page with the builder (a hidden control, a locked one, a task, a question
  and its answer) and gets a short link, whose QR code decodes (zxing-cpp) to the very link;
* a student opens the short link in a fresh browser context: the settings, the task and the question are there, the
  answer is not (not in the page's text at all), the hidden control is gone, the locked one cannot be used, and the
  task's control works;
* the teacher opens the teacher link: the answer is shown, the key leaves the address bar, and after Reveal the
  student's page shows the answer (it polls the store);
* presenter mode goes through every step with Page Down alone; on the way a slider is dragged with the mouse and Page
  Down still moves the step, not the slider, and with the focus on the forward page's frame player the arrows and
  Page Up/Down move the step, not the player; on every step the body text is at least 32 px, no text is under 24 px,
  captions are at full contrast, and Previous and Next are inside the window; the light projector theme too;
* the server is restarted on another port with the same store: the short link opens the same lesson.

Screenshots of each step (dark and light), the builder, the teacher's and the student's views (also on a phone,
390 × 844) go to test-artifacts/ for a person to look at.
"""

from __future__ import annotations

import io
import re
from urllib.parse import parse_qsl, urlsplit

import numpy as np
import pytest
from conftest import streamlit_server
from PIL import Image
from playwright.sync_api import expect
from streamlit_browser import ARTIFACTS, assert_no_exception, click_and_wait, fill_lesson_builder, keyed, open_page, wait_for_app

from diffusion_core.access.presenter import BODY_PX, SMALLEST_PX, STEPS
from diffusion_core.access.site_map import page as site_page

zxingcpp = pytest.importorskip("zxingcpp", reason="zxing-cpp decodes the QR codes (pip install -r requirements-dev.txt)")

PROJECTOR = {"width": 1920, "height": 1080}
PHONE = {"width": 390, "height": 844}
TIMEOUT = 180_000
TASK = "Move t until you can no longer see the face. Which t is it? **not bold** <b>no html</b>"
QUESTION = "At which t is the face gone, on the linear schedule?"
ANSWER = "Around t = 600: SECRET-ANSWER-42."

# Every visible text in the main area and the presenter's bar (open shadow roots included): its computed size, the
# body paragraphs' sizes, captions' colours against the body's, and whether Previous and Next are in the window.
MEASURE_JS = """() => {
  const texts = [];
  const skip = (el) => el.closest('svg, canvas, .katex-mathml, [data-testid="stSidebar"], [aria-hidden="true"]');
  const visit = (root) => {
    for (const el of root.querySelectorAll('*')) {
      if (el.shadowRoot) visit(el.shadowRoot);
      const own = [...el.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent).join('').trim();
      if (!own || skip(el) || !el.checkVisibility({visibilityProperty: true, opacityProperty: true})) continue;
      const r = el.getBoundingClientRect();
      if (r.width < 2 || r.height < 2) continue;
      texts.push({text: own.slice(0, 50), size: parseFloat(getComputedStyle(el).fontSize)});
    }
  };
  visit(document.querySelector('[data-testid="stMain"]'));
  const notBody = '[data-testid="stCaptionContainer"], [data-testid="stWidgetLabel"], label, [data-testid="stMetricLabel"], ' +
                  '[data-testid="stImageCaption"], .st-key-present_bar, [data-testid="stTooltipContent"]';
  const body = [...document.querySelectorAll('[data-testid="stMain"] [data-testid="stMarkdown"] p')]  // prose
    .filter(p => p.checkVisibility() && !p.closest(notBody)).map(p => parseFloat(getComputedStyle(p).fontSize));
  const bodyColour = getComputedStyle(document.querySelector('[data-testid="stMain"] h1')).color;
  const opacity = (el) => {
    let o = 1;
    for (let e = el; e; e = e.parentElement) o *= parseFloat(getComputedStyle(e).opacity);
    return o;
  };
  const captions = [...document.querySelectorAll('[data-testid="stMain"] [data-testid="stCaptionContainer"]')]
    .filter(c => c.checkVisibility()).map(c => ({text: c.innerText.slice(0, 40), colour: getComputedStyle(c).color,
                                                 opacity: opacity(c)}));
  const inWindow = ['present_prev', 'present_next'].map(k => {
    const r = document.querySelector(`.st-key-${k} button`).getBoundingClientRect();
    return r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth && r.height >= 24;
  });
  return {texts, body, bodyColour, captions, inWindow};
}"""


LIGHT_MARKS_JS = """() => {
  const style = (selector) => getComputedStyle(document.querySelector(`[data-testid="stMain"] ${selector}`));
  return [style('[data-testid="stSlider"] div[data-rac]:has(> div > input[type="range"])').backgroundColor,
          style('[data-testid="stTooltipHoverTarget"] svg circle').stroke];
}"""


def _measure(page, where: str) -> None:
    """The issue's bars on what is on screen now: body ≥ 32 px, nothing under 24 px, captions at full contrast,
    Previous and Next inside the window."""
    found = page.evaluate(MEASURE_JS)
    small = [t for t in found["texts"] if t["size"] < SMALLEST_PX - 0.01]
    assert not small, f"{where}: text under {SMALLEST_PX} px: {small[:8]}"
    assert found["body"] and min(found["body"]) >= BODY_PX - 0.01, f"{where}: body text {found['body'][:8]}"
    faint = [c for c in found["captions"] if c["colour"] != found["bodyColour"] or c["opacity"] < 0.999]
    assert not faint, f"{where}: captions not at full contrast ({found['bodyColour']}): {faint[:4]}"
    assert all(found["inWindow"]), f"{where}: Previous/Next outside the window: {found['inWindow']}"


# Each slide's key picture (open shadow roots pierced by Playwright's CSS): on screen above the fixed bar, and large.
KEY_PICTURES = {"": ".home-pair img", "forward": ".st-key-fw_player canvas", "direction": ".st-key-dir_field_view img",
                "denoiser": ".st-key-den_final img", "draw": '[class*="st-key-draw_pad"] canvas'}
LARGE_PX = 300  # at 1080 px high: the players draw 256 px pictures, which a slide enlarges


def _key_picture_fits(page, where: str, path: str) -> None:
    """The slide's key picture is whole above the bar of Previous/Next and at least LARGE_PX high."""
    if path not in KEY_PICTURES:
        return
    pictures = [p for p in page.locator(KEY_PICTURES[path]).all() if p.is_visible()]
    assert pictures, f"{where}: no key picture ({KEY_PICTURES[path]})"
    bar = keyed(page, "present_bar").bounding_box()
    box = pictures[0].bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= bar["y"] + 0.5, f"{where}: key picture {box}, bar at {bar['y']}"
    assert box["height"] >= LARGE_PX, f"{where}: key picture only {box['height']:.0f} px high"


def _step(page) -> str:
    return keyed(page, "present_bar").get_by_text(re.compile(r"^Step \d+ of \d+")).first.inner_text()


def _wait_for_step(page, number: int) -> None:
    title = STEPS[number - 1].title
    expect(keyed(page, "present_bar")).to_contain_text(f"Step {number} of {len(STEPS)}", timeout=TIMEOUT)
    expect(keyed(page, "present_bar")).to_contain_text(title, timeout=TIMEOUT)
    wait_for_app(page, TIMEOUT)
    expect(page).to_have_url(re.compile(rf"[?&]step={number}(&|$)"), timeout=TIMEOUT)


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def _decode_qr(page, locator) -> str:
    png = locator.screenshot()
    found = zxingcpp.read_barcodes(np.asarray(Image.open(io.BytesIO(png)).convert("L")))
    assert len(found) == 1, f"{len(found)} codes read"
    return found[0].text


# ---------------------------------------------------------------- the lesson
def _build(page, app_url: str) -> tuple[str, str]:
    """The teacher sets the forward page up and builds the lesson; returns (short link, teacher link)."""
    open_page(page, f"{app_url}/forward?t=300&schedule=linear&res=64", timeout_ms=TIMEOUT)
    side = page.get_by_test_id("stSidebar")
    click_and_wait(page, side.get_by_text("Make a lesson of this page", exact=True))
    builder = keyed(page, "lesson_builder")
    groups = builder.get_by_test_id("stButtonGroup")
    click_and_wait(page, groups.nth(0).get_by_role("button", name="Noise seed", exact=True))  # hidden
    click_and_wait(page, groups.nth(1).get_by_role("button", name="Noise schedule", exact=True))  # locked
    fill_lesson_builder(page, builder, TASK, QUESTION, ANSWER, TIMEOUT)
    preview = keyed(page, "lesson_preview_questions")
    expect(preview).to_contain_text(QUESTION)
    expect(preview).not_to_contain_text("SECRET")  # the preview is the student's view
    expect(keyed(page, "lesson_preview_task")).to_contain_text(TASK)
    _shot(page, "presenter_lesson_builder")
    click_and_wait(page, builder.get_by_role("button", name="Make the lesson link"))
    made = keyed(page, "lesson_made")
    expect(made).to_contain_text("is stored on this server", timeout=TIMEOUT)
    short = made.locator("pre.lesson_short").inner_text().strip()
    assert not made.locator("pre.lesson_teacher_link").is_visible()  # folded: the screen may be projected
    teacher = made.locator("pre.lesson_teacher_link").text_content().strip()
    assert re.fullmatch(rf"{re.escape(app_url)}/forward\?lesson=[2-9a-z]{{7}}", short), short
    assert teacher.startswith(short + "&teacher=")
    expect(made).to_contain_text("Students cannot open this link")  # 127.0.0.1: the warning and its fix
    expect(made).to_contain_text("IMAGE_SPACE_PUBLIC_URL")
    assert _decode_qr(page, keyed(page, "lesson_short_qr").get_by_role("img")) == short
    _shot(page, "presenter_lesson_made")
    return short, teacher


def _student(browser, short: str, viewport=PROJECTOR):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    open_page(page, short, timeout_ms=TIMEOUT)
    assert_no_exception(page)
    return context, page


def _check_student_view(page) -> None:
    query = dict(parse_qsl(urlsplit(page.url).query))
    assert query["t"] == "300" and query["schedule"] == "linear" and re.fullmatch("[2-9a-z]{7}", query["lesson"])
    assert "teacher" not in query and "hide" not in query and "task" not in query
    assert keyed(page, "lesson_task").get_by_test_id("stText").inner_text() == TASK  # plain text, as written
    assert keyed(page, "lesson_task").locator("strong, b").filter(has_text="not bold").count() == 0
    expect(keyed(page, "lesson_questions")).to_contain_text(QUESTION)
    assert "SECRET" not in page.content()  # not hidden: absent
    assert not page.locator(".st-key-fw_seed").is_visible()  # hidden
    schedule = page.locator(".st-key-fw_sched")  # locked: shown, disabled
    assert schedule.is_visible() and all(r.is_disabled() for r in schedule.get_by_role("radio").all())
    assert page.get_by_text("Make a lesson of this page").count() == 0


def test_a_lesson_built_opened_revealed_presented_and_kept_over_a_restart(browser, tmp_path, monkeypatch):
    monkeypatch.setenv("IMAGE_SPACE_LESSON_DB", str(tmp_path / "lessons.sqlite3"))
    monkeypatch.delenv("IMAGE_SPACE_PUBLIC_URL", raising=False)
    contexts = []
    with streamlit_server("presenter.log") as app_url:
        teacher_ctx = browser.new_context(viewport=PROJECTOR)
        contexts.append(teacher_ctx)
        short, teacher_link = _build(teacher_ctx.new_page(), app_url)

        # the student, in a fresh context: the lesson, without the answer
        student_ctx, student = _student(browser, short)
        contexts.append(student_ctx)
        _check_student_view(student)
        thumb = student.get_by_role("slider", name="Timestep t")  # the task's control works: t moves
        thumb.focus()
        student.keyboard.press("End")
        expect(student).to_have_url(re.compile(r"[?&]t=1000(&|$)"), timeout=TIMEOUT)
        wait_for_app(student, TIMEOUT)
        schedule = student.locator(".st-key-fw_sched")
        assert all(r.is_disabled() for r in schedule.get_by_role("radio").all())  # still locked after the rerun
        assert "SECRET" not in student.content()
        _shot(student, "presenter_lesson_student")

        # the teacher's view: the answer, the key gone from the address bar, and the reveal
        teacher = teacher_ctx.new_page()
        open_page(teacher, teacher_link, timeout_ms=TIMEOUT)
        assert_no_exception(teacher)
        expect(teacher).not_to_have_url(re.compile("teacher="), timeout=TIMEOUT)
        expect(keyed(teacher, "lesson_teacher")).to_contain_text(ANSWER)  # in the page, folded
        answer = keyed(teacher, "lesson_teacher").get_by_text(ANSWER)
        assert not answer.is_visible()  # not on a projected screen until the teacher opens it
        keyed(teacher, "lesson_teacher").get_by_text("Answer 1 (hidden from students)").click()
        expect(answer).to_be_visible()
        assert _decode_qr(teacher, keyed(teacher, "lesson_class_link_qr").get_by_role("img")) == short
        _shot(teacher, "presenter_lesson_teacher")
        click_and_wait(teacher, keyed(teacher, "lesson_teacher").get_by_role("button", name="Reveal the answer to students"))
        expect(keyed(teacher, "lesson_teacher")).to_contain_text("students see it", timeout=TIMEOUT)
        expect(keyed(student, "lesson_questions")).to_contain_text(ANSWER, timeout=60_000)  # the student's page polls
        _shot(student, "presenter_lesson_student_revealed")

        phone_ctx, phone = _student(browser, short, PHONE)  # a phone: the same lesson, now with the answer
        contexts.append(phone_ctx)
        expect(keyed(phone, "lesson_questions")).to_contain_text(ANSWER, timeout=60_000)
        _shot(phone, "presenter_lesson_phone")

        # presenter mode at 1920 x 1080, Page Down only
        presenter_ctx = browser.new_context(viewport=PROJECTOR)
        contexts.append(presenter_ctx)
        page = presenter_ctx.new_page()
        open_page(page, f"{app_url}/?present=1", timeout_ms=TIMEOUT)
        _wait_for_step(page, 1)
        for number in range(1, len(STEPS) + 1):
            assert_no_exception(page)
            where = f"step {number} ({STEPS[number - 1].page or 'home'})"
            _measure(page, where)
            _key_picture_fits(page, where, STEPS[number - 1].page)
            _shot(page, f"presenter_step{number}")
            if STEPS[number - 1].page == "direction":
                _drag_then_page_down(page, number)
            if STEPS[number - 1].page == "forward":
                _player_keys_move_the_step(page, number)
            if number < len(STEPS):
                page.keyboard.press("PageDown")
                _wait_for_step(page, number + 1)
        assert keyed(page, "present_next").get_by_role("button").is_disabled()
        _lesson_made_while_presenting(page)

        # the printable plan from the Options: every step's page with the app's own address (was a bare "/" for home)
        click_and_wait(page, keyed(page, "present_bar").get_by_role("button", name="Options"))
        with page.expect_download(timeout=TIMEOUT) as download:
            page.get_by_role("button", name="Lesson plan (HTML, to print)").click()
        plan = download.value.path().read_text()
        for path in ("", "forward", "corner"):
            assert f'<p class="address">{app_url}/{path}</p>' in plan, path
        page.keyboard.press("Escape")

        # the light projector theme
        click_and_wait(page, keyed(page, "present_bar").get_by_role("button", name="Options"))
        click_and_wait(page, page.get_by_text("Light projector theme", exact=True))
        expect(page).to_have_url(re.compile(r"[?&]theme=light(&|$)"), timeout=TIMEOUT)
        page.keyboard.press("Escape")
        page.keyboard.press("PageUp")
        _wait_for_step(page, len(STEPS) - 1)
        background = page.evaluate("() => getComputedStyle(document.querySelector('.stApp')).backgroundColor")
        assert background == "rgb(255, 255, 255)"  # everything above it is transparent: the page is white
        thumb, help_icon = page.evaluate(LIGHT_MARKS_JS)  # a slider's thumb and a help icon were white on white
        assert thumb == "rgb(35, 71, 184)" and help_icon == "rgb(0, 0, 0)", (thumb, help_icon)
        _measure(page, "light theme")
        _shot(page, "presenter_light")
        for context in contexts:
            context.close()
        contexts.clear()

    # a restart: another server process, another port, the same store
    with streamlit_server("presenter-restarted.log") as again:
        assert again != app_url
        context, page = _student(browser, again + urlsplit(short).path + "?" + urlsplit(short).query)
        try:
            expect(keyed(page, "lesson_questions")).to_contain_text(ANSWER, timeout=TIMEOUT)  # revealed before
            assert keyed(page, "lesson_task").get_by_test_id("stText").inner_text() == TASK
            assert dict(parse_qsl(urlsplit(page.url).query))["t"] == "300"
        finally:
            context.close()


def _drag_then_page_down(page, number: int) -> None:
    """On the 2-D page: drag its t slider with the mouse (the focus stays on it), press Page Down: the step moves and
    the slider keeps the dragged value (Page Up brings the step back to check it)."""
    slider = page.locator(".st-key-dir_t").get_by_role("slider")
    before = int(slider.input_value())
    track = page.locator(".st-key-dir_t [data-testid='stSliderTickBar']").bounding_box()  # as wide as the track
    group = page.locator(".st-key-dir_t [role='group']").first.bounding_box()
    y = group["y"] + group["height"] / 2
    page.mouse.move(track["x"] + track["width"] * before / 999, y)
    page.mouse.down()
    page.mouse.move(track["x"] + track["width"] * 0.7, y, steps=8)
    page.mouse.up()
    wait_for_app(page, TIMEOUT)
    dragged = slider.input_value()
    assert int(dragged) > before + 100, (before, dragged)
    expect(page).to_have_url(re.compile(rf"[?&]t={dragged}(&|$)"), timeout=TIMEOUT)
    assert page.evaluate("() => document.activeElement.matches('input[type=range], [role=slider]')")  # focused
    page.keyboard.press("PageDown")
    _wait_for_step(page, number + 1)
    page.keyboard.press("PageUp")
    _wait_for_step(page, number)
    assert page.locator(".st-key-dir_t").get_by_role("slider").input_value() == dragged


def _lesson_made_while_presenting(page) -> None:
    """On the last slide the teacher opens the sidebar, makes a lesson of the page with a task, and gets a QR code large
    enough to project (at least 35% of the window's height) that decodes to the short link; then closes it all."""
    page.get_by_test_id("stExpandSidebarButton").click()
    side = page.get_by_test_id("stSidebar")
    click_and_wait(page, side.get_by_text("Make a lesson of this page", exact=True))
    builder = keyed(page, "lesson_builder")
    box = builder.get_by_role("textbox", name=re.compile("^Task for the students"))
    box.fill("Is this digit inside the corner?")
    box.press("Control+Enter")
    wait_for_app(page, TIMEOUT)
    click_and_wait(page, builder.get_by_role("button", name="Make the lesson link"))
    made = keyed(page, "lesson_made")
    expect(made).to_contain_text("is stored on this server", timeout=TIMEOUT)
    short = made.locator("pre.lesson_short").inner_text().strip()
    qr = keyed(page, "lesson_short_qr").get_by_role("img")
    qr.evaluate("e => e.scrollIntoView({block: 'center'})")  # clear of the bar fixed to the bottom
    assert qr.bounding_box()["height"] >= 0.35 * PROJECTOR["height"], qr.bounding_box()
    assert _decode_qr(page, qr) == short
    _shot(page, "presenter_lesson_made_presenting")
    click_and_wait(page, side.get_by_text("Make a lesson of this page", exact=True))
    page.get_by_test_id("stSidebarCollapseButton").get_by_role("button").click()
    expect(keyed(page, "lesson_builder")).to_have_count(0)


def _player_keys_move_the_step(page, number: int) -> None:
    """On the forward page: with the focus on the frame player's scrubber, → and Page Down move to the next step and
    ← and Page Up back; the player's t never moves (its own keys are ← / →, which presenter mode takes first)."""
    scrub = page.get_by_role("slider", name="Timestep t", exact=True)
    before = scrub.input_value()
    for forward, back in (("ArrowRight", "ArrowLeft"), ("PageDown", "PageUp")):
        scrub.focus()
        page.keyboard.press(forward)
        _wait_for_step(page, number + 1)
        page.keyboard.press(back)
        _wait_for_step(page, number)
        scrub = page.get_by_role("slider", name="Timestep t", exact=True)
        assert scrub.input_value() == before
    expect(page).to_have_url(re.compile(rf"[?&]t={before}(&|$)"), timeout=TIMEOUT)


def test_presenter_mode_started_by_the_toggle_answers_the_arrow_keys_at_once(page, app_url):
    """The issue: right after the toggle, the arrow keys did nothing (the focus stayed on the folded toggle). Then the
    folded sidebar opens again by its button, and Previous and Next stay on top of it."""
    page.set_viewport_size(PROJECTOR)
    open_page(page, app_url, timeout_ms=TIMEOUT)
    click_and_wait(page, page.get_by_test_id("stSidebar").get_by_text("Presenter mode", exact=True))
    _wait_for_step(page, 1)
    page.keyboard.press("ArrowRight")
    _wait_for_step(page, 2)
    assert page.get_by_role("heading", level=1).first.inner_text() == site_page("image-space").title
    page.keyboard.press("ArrowLeft")
    _wait_for_step(page, 1)

    # the sidebar folded, and opens again by its button: the navigation and the lesson builder, with Previous and
    # Next still on top (the bar was under the open sidebar, and the header with the button was hidden)
    page.get_by_test_id("stExpandSidebarButton").click()
    expect(page.get_by_test_id("stSidebar").get_by_text("Make a lesson of this page", exact=True)).to_be_visible()
    page.keyboard.press("PageDown")  # on step 2 both buttons are enabled
    _wait_for_step(page, 2)
    for key in ("present_prev", "present_next"):
        button = keyed(page, key).get_by_role("button")
        assert button.evaluate("b => { const r = b.getBoundingClientRect(); "
                               "return b.contains(document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2)); }"
                               ), f"{key} is covered"
