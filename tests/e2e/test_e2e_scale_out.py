"""Scale out: two replicas behind deploy/nginx.conf, sticky by cookie, and what readers see when one stops.

Starts two ``streamlit run app.py`` replicas on loopback (sharing one cookie secret, as a deployment must) and
Debian's nginx with this repository's ``deploy/nginx.conf`` (its three ports replaced by free ones; pid, logs and
temp files under a temporary prefix). Readers open the forward page through the proxy in Chromium, each in its own
browser context (own cookies), until both replicas have readers; nginx's log says which replica each reader's
route went to. The websocket works through the proxy (the page renders; moving a slider reruns it and the link
follows). Then one replica is stopped: readers on the other go on unaffected, and readers of the stopped one are
moved by nginx to the live one, where their page comes back with the settings of their link.

Both replicas get the same lesson store (``IMAGE_SPACE_LESSON_DB``, as deploy/ requires): a teacher on one replica
builds a lesson with a question and gets its short link (through the proxy, so with the proxy's address); a reader on
the other replica opens it and gets the lesson's settings, task and question (not the answer); after replica A stops,
a reader moved from A to B opens it too.

Without /usr/sbin/nginx the test skips with the reason, unless ``CI`` is set: then it fails.
"""

from __future__ import annotations

import re
import secrets
import time

import pytest
from conftest import streamlit_server
from nginx_proxy import Proxy, require_nginx
from playwright.sync_api import expect
from streamlit_browser import ARTIFACTS, assert_no_exception, click_and_wait, fill_lesson_builder, keyed, open_page, wait_for_app

TIMEOUT_MS = 60_000
MAX_READERS = 12  # readers opened until both replicas have one (a random route each: 2^-11 to miss)


@pytest.fixture()
def nginx_binary():
    return require_nginx("the scale-out test")


def _caption(page):
    return page.locator('[data-testid="stImage"]').filter(has_text=re.compile(r"^x_t at t"))


def _move_t(page, key: str, expected: int) -> None:
    """Move the timestep with the keyboard (End / Home) on the forward player's scrubber, "Timestep t" (it lives in
    the player's shadow root, which role locators reach), and wait for the rerun that redraws the picture."""
    page.get_by_role("slider", name="Timestep t", exact=True).press(key)
    expect(_caption(page)).to_contain_text(f"x_t at t = {expected}", timeout=TIMEOUT_MS)
    wait_for_app(page)
    assert_no_exception(page)
    assert f"t={expected}" in page.url


def _reconnected(page, proxy: Proxy, route: str, port: int) -> None:
    """Wait until the page of a reader whose replica stopped is connected again, to the replica on ``port``: its
    route reached that replica in nginx's log (the page's reconnection asks the server over HTTP first), then the app
    says it is connected and has finished its run. (The old page stays on screen meanwhile: its picture alone does
    not tell; a key pressed on the browser's player before the reconnection moves the player, not the server.)"""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while port not in proxy.routes().get(route, set()):
        assert time.monotonic() < deadline, "the moved reader's requests never reached the live replica"
        page.wait_for_timeout(200)  # a poll of nginx's log, not a wait for the app
    page.wait_for_selector('[data-testid="stApp"][data-test-connection-state="CONNECTED"]', timeout=TIMEOUT_MS)
    wait_for_app(page, TIMEOUT_MS)


def _pick_schedule(page, name: str) -> None:
    """Pick the noise schedule ``name`` (a native radio) and wait for the rerun: the link follows."""
    click_and_wait(page, page.locator(".st-key-fw_sched").get_by_text(name, exact=True))
    expect(page).to_have_url(re.compile(rf"[?&]schedule={name}(&|$)"), timeout=TIMEOUT_MS)
    assert_no_exception(page)


TASK = "Move t until the face is gone."
QUESTION = "At which t is the face gone?"
ANSWER = "Around t = 60 of 100: SECRET-ANSWER."


def _build_lesson(context, proxy_url: str) -> str:
    """A teacher (a new tab of ``context``, so on that context's replica) builds a lesson of the forward page with a
    locked schedule, a task and a question; returns its short link."""
    page = context.new_page()
    open_page(page, f"{proxy_url}/forward?t=0&T=100&res=64", timeout_ms=TIMEOUT_MS)
    click_and_wait(page, page.get_by_test_id("stSidebar").get_by_text("Make a lesson of this page", exact=True))
    builder = keyed(page, "lesson_builder")
    click_and_wait(page, builder.get_by_test_id("stButtonGroup").nth(1).get_by_role("button", name="Noise schedule",
                                                                                    exact=True))
    fill_lesson_builder(page, builder, TASK, QUESTION, ANSWER, TIMEOUT_MS)
    click_and_wait(page, builder.get_by_role("button", name="Make the lesson link"))
    made = keyed(page, "lesson_made")
    expect(made).to_contain_text("is stored on this server", timeout=TIMEOUT_MS)
    short = made.locator("pre.lesson_short").inner_text().strip()
    assert re.fullmatch(rf"{re.escape(proxy_url)}/forward\?lesson=[2-9a-z]{{7}}", short), short  # the proxy's address
    page.close()
    return short


def _open_lesson(context, short: str) -> None:
    """A student (a new tab of ``context``) opens the short link: the lesson's settings, task and question, no answer."""
    page = context.new_page()
    open_page(page, short, timeout_ms=TIMEOUT_MS)
    assert_no_exception(page)
    expect(keyed(page, "lesson_task")).to_contain_text(TASK, timeout=TIMEOUT_MS)
    expect(keyed(page, "lesson_questions")).to_contain_text(QUESTION)
    assert "SECRET" not in page.content()
    assert "T=100" in page.url and "res=64" in page.url
    assert all(r.is_disabled() for r in page.locator(".st-key-fw_sched").get_by_role("radio").all())
    page.close()


def test_two_replicas_behind_nginx_sticky_and_failover(browser, nginx_binary, tmp_path, monkeypatch):
    ARTIFACTS.mkdir(exist_ok=True)
    monkeypatch.setenv("STREAMLIT_SERVER_COOKIE_SECRET", secrets.token_hex(32))  # shared, as deploy/ requires
    monkeypatch.setenv("IMAGE_SPACE_LESSON_DB", str(tmp_path / "lessons.sqlite3"))  # one store for both, as well
    monkeypatch.delenv("IMAGE_SPACE_PUBLIC_URL", raising=False)
    a_cm, b_cm = streamlit_server("replica-a.log"), streamlit_server("replica-b.log")
    url_a, url_b = a_cm.__enter__(), None
    contexts, proxy = [], None
    try:
        url_b = b_cm.__enter__()
        ports = [int(url_a.rsplit(":", 1)[1]), int(url_b.rsplit(":", 1)[1])]
        proxy = Proxy(tmp_path / "nginx", ports)
        readers: list[tuple[object, str]] = []  # (page, route cookie)
        on: dict[int, list[int]] = {ports[0]: [], ports[1]: []}
        while not (on[ports[0]] and on[ports[1]]):
            assert len(readers) < MAX_READERS, f"every reader was routed to one replica: {proxy.routes()}"
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            contexts.append(context)
            page = context.new_page()
            open_page(page, f"{proxy.url}/forward?t=0&T=100&res=64")
            expect(_caption(page)).to_contain_text("x_t at t = 0", timeout=TIMEOUT_MS)
            assert_no_exception(page)
            route = next(c["value"] for c in context.cookies() if c["name"] == "image_space_route")
            replicas = proxy.routes().get(route, set())
            assert len(replicas) == 1, f"one reader's requests went to {replicas}: not sticky"
            on[replicas.pop()].append(len(readers))
            readers.append((page, route))

        for page, _ in readers:  # the websocket works through the proxy: a widget change reruns the page
            _move_t(page, "End", 100)

        # a lesson made on replica A opens on replica B (one store for both)
        a_context, b_context = (readers[on[port][0]][0].context for port in ports)
        short = _build_lesson(a_context, proxy.url)
        _open_lesson(b_context, short)
        assert proxy.routes()[readers[on[ports[1]][0]][1]] == {ports[1]}, "the student's tab left replica B"

        a_cm.__exit__(None, None, None)  # replica A goes away
        url_a = None
        for i in on[ports[1]]:  # readers on B: unaffected, same page and settings, still live
            page = readers[i][0]
            expect(_caption(page)).to_contain_text("x_t at t = 100")
            _move_t(page, "Home", 0)
        for i in on[ports[0]]:  # readers of A: reconnected to B by nginx, their settings rebuilt from the link
            page, route = readers[i]
            expect(_caption(page)).to_contain_text("x_t at t = 100", timeout=TIMEOUT_MS)
            _reconnected(page, proxy, route, ports[1])
            assert "T=100" in page.url and "res=64" in page.url
            _pick_schedule(page, "linear")  # a native widget first: see test_the_first_move_of_the_player_after_...
            _move_t(page, "Home", 0)
        _open_lesson(a_context, short)  # A's reader, now on B, opens the lesson made on A
    finally:
        for context in contexts:
            context.close()
        if proxy is not None:
            proxy.stop(ARTIFACTS)
        if url_b is not None:
            b_cm.__exit__(None, None, None)
        if url_a is not None:
            a_cm.__exit__(None, None, None)


def test_the_first_move_of_the_player_after_a_failover_reaches_the_server(browser, nginx_binary, tmp_path, monkeypatch):
    """After the reader's replica stops and nginx moves the page to the other, the first move of the forward player's
    scrubber reaches the new server. It did not (strict xfail until 2026-12-07: the scrubber showed t = 0, the page's
    picture stayed at t = 100): in a session's first run the player's report can be read only once the player is
    drawn (pages/frame_player._mount read it before, found nothing, and took the link's t)."""
    monkeypatch.setenv("STREAMLIT_SERVER_COOKIE_SECRET", secrets.token_hex(32))
    servers = [streamlit_server("replica-a.log"), streamlit_server("replica-b.log")]
    ports, running, proxy, context = [], [], None, None
    try:
        for server in servers:
            ports.append(int(server.__enter__().rsplit(":", 1)[1]))
            running.append(ports[-1])
        proxy = Proxy(tmp_path / "nginx", ports)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        open_page(page, f"{proxy.url}/forward?t=0&T=100&res=64")
        _move_t(page, "End", 100)
        route = next(c["value"] for c in context.cookies() if c["name"] == "image_space_route")
        (first,) = proxy.routes()[route]
        servers[ports.index(first)].__exit__(None, None, None)  # the reader's replica goes away
        running.remove(first)
        _reconnected(page, proxy, route, running[0])
        _move_t(page, "Home", 0)
    finally:
        if context is not None:
            context.close()
        if proxy is not None:
            proxy.stop()
        for server, port in zip(servers, ports):
            if port in running:
                server.__exit__(None, None, None)
