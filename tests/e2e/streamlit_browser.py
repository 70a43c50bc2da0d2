"""Helpers for the browser tests: wait for Streamlit to finish a run, check for errors, take screenshots."""

from __future__ import annotations

from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
APP_IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
APP_RUNNING = '[data-testid="stApp"][data-test-script-state="running"]'
# Streamlit reports idle before the browser has fetched the code of widgets it shows for the first time in a
# session (it loads each kind of widget on demand); until then they are grey skeletons, with nothing to focus.
NO_SKELETON_JS = "() => !document.querySelector('[data-testid=\"stSkeleton\"]')"
# A component of our own (st.components.v2: the frame player, the drawing pad, scroll-on-phones) is an empty box
# until the browser has imported its script and run it, which Streamlit does after it reports idle; each of ours marks
# the element that holds it data-component-ready="true" once it has drawn (a script that throws never does).
COMPONENTS_READY_JS = ("() => [...document.querySelectorAll('.stBidiComponent')].every("
                       "box => box.closest('[data-stale=\"true\"]') || box.querySelector('[data-component-ready]'))")


def keyed(page, key: str):
    """The element drawn under widget/element ``key`` by the latest run.

    While a run is in flight Streamlit keeps the previous run's element beside the new one
    (``data-stale="true"``), so a plain ``.st-key-…`` locator can match two elements."""
    return page.locator(f'.st-key-{key}:not([data-stale="true"])')


def wait_for_app(page, timeout_ms: int = 60_000) -> None:
    """Wait until Streamlit has finished running the script and every widget it drew is there, our own components
    included (never a fixed delay). A skeleton or a component that never draws fails the test."""
    page.wait_for_selector(APP_IDLE, timeout=timeout_ms)
    page.wait_for_function(NO_SKELETON_JS, timeout=timeout_ms)
    page.wait_for_function(COMPONENTS_READY_JS, timeout=timeout_ms)


def click_and_wait(page, locator, timeout_ms: int = 120_000) -> None:
    """Click, then wait for the rerun it starts to finish (it may finish before we look)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    locator.click()
    try:
        page.wait_for_selector(APP_RUNNING, timeout=5_000)
    except PlaywrightTimeout:
        pass  # the run was quicker than the poll
    wait_for_app(page, timeout_ms)


def open_page(page, url: str, timeout_ms: int = 60_000) -> None:
    page.goto(url)
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    # The first script run may start slightly after load: wait for content, then for idle.
    page.wait_for_selector('[data-testid="stMain"] [data-testid="stMarkdown"], '
                           '[data-testid="stMain"] [data-testid="stHeading"]', timeout=timeout_ms)
    wait_for_app(page, timeout_ms)


def assert_no_exception(page) -> None:
    errors = page.locator('[data-testid="stException"]')
    assert errors.count() == 0, errors.first.inner_text()


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot once every element has drawn (see :data:`NO_SKELETON_JS`)."""
    page.wait_for_function(NO_SKELETON_JS, timeout=30_000)
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def fill_lesson_builder(page, builder, task: str, question: str, answer: str, timeout_ms: int = 60_000) -> None:
    """Type a task, one question and its hidden answer into the lesson builder (``builder``: its container),
    each sent as a teacher sends it (Ctrl+Enter in the task's text area, Enter in a field), waiting for each rerun."""
    import re

    for label, text in ((re.compile("^Task for the students"), task), ("Question 1", question),
                        ("Answer 1 (hidden)", answer)):
        box = builder.get_by_role("textbox", name=label)
        box.fill(text)
        box.press("Control+Enter" if text == task else "Enter")
        wait_for_app(page, timeout_ms)
