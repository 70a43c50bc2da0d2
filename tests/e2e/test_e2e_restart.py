"""A server restart under a reader (a deploy, a crash, or a replica that fails over, deploy/): the reader's browser
reconnects to a new server, which starts a fresh session. Every page must take the reader's next move as it would
have before, with no error, and the link must follow it.

Two things went wrong there (seen 2026-12-07, each failing this test before its fix):
* Streamlit's fresh session knows a widget only once the run has drawn it: before that, ``st.session_state[key]`` of
  a value the browser sent raises KeyError. The draw page read its steps, the denoiser its model, before drawing
  their widgets, and showed "This app has encountered an error" (fixed in pages/reader_state.restore; the forward
  player's first report was lost the same way: test_e2e_scale_out).
* Streamlit runs nothing after reconnecting until the reader moves, and drops a fragment's rerun that the fresh
  session has never run: the denoiser's seed (in a fragment) went back to its old value in the link, and its
  Generate did nothing (fixed by pages/reconnect: one full run once connected again).
"""

from __future__ import annotations

import pytest
from conftest import _free_port, streamlit_server
from streamlit_browser import assert_no_exception, click_and_wait, open_page, wait_for_app

from diffusion_core.access.site_map import PAGES

CONNECTED = '[data-testid="stApp"][data-test-connection-state="CONNECTED"]'
# Counts the script runs the page sees start from now on (a run can be over before a poll would see it).
COUNT_RUNS_JS = """() => { window.runsSeen = 0; const app = document.querySelector('[data-testid="stApp"]');
  new MutationObserver(() => { if (app.getAttribute('data-test-script-state') === 'running') window.runsSeen += 1; })
    .observe(app, {attributes: true, attributeFilter: ['data-test-script-state']}); }"""
TIMEOUT_MS = 180_000
# Every page with a number input (a move the test can make and read back): its first one, in the main area or the
# sidebar, stepped up with its + button.
WITH_A_NUMBER = [entry.path for entry in PAGES if entry.path in
                 {"forward", "direction", "denoiser", "draw", "corner"}]


def _number(page):
    return page.locator('[data-testid="stNumberInput"]').filter(
        has=page.locator('[data-testid="stNumberInputStepUp"]:not([disabled])')).first


def _step_up(page) -> str:
    """Press + on the page's first number input and wait for the rerun; returns the value it shows then."""
    number = _number(page)
    click_and_wait(page, number.get_by_test_id("stNumberInputStepUp"), TIMEOUT_MS)
    assert_no_exception(page)
    return number.locator("input").input_value()


@pytest.mark.parametrize("path", WITH_A_NUMBER)
def test_the_readers_next_move_after_a_server_restart(browser, path):
    port = _free_port()
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        with streamlit_server(f"restart-{path}-before.log", port=port) as url:
            open_page(page, f"{url}/{path}", timeout_ms=TIMEOUT_MS)
            before = _step_up(page)
            page.evaluate(COUNT_RUNS_JS)
        with streamlit_server(f"restart-{path}-after.log", port=port):
            page.wait_for_selector(CONNECTED, timeout=TIMEOUT_MS)
            page.wait_for_function("() => window.runsSeen > 0", timeout=TIMEOUT_MS)  # the run asked for on reconnection
            wait_for_app(page, TIMEOUT_MS)
            after = _step_up(page)
            assert float(after) > float(before), (before, after)  # the move reached the new server and stayed
            page.reload()
            wait_for_app(page, TIMEOUT_MS)
            assert_no_exception(page)
            assert _number(page).locator("input").input_value() == after  # the link followed the move
    finally:
        context.close()
