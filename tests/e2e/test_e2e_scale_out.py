"""Scale out: two replicas behind deploy/nginx.conf, sticky by cookie, and what readers see when one stops.

Starts two ``streamlit run app.py`` replicas on loopback (sharing one cookie secret, as a deployment must) and
Debian's nginx with this repository's ``deploy/nginx.conf`` (its three ports replaced by free ones; pid, logs and
temp files under a temporary prefix). Readers open the forward page through the proxy in Chromium, each in its own
browser context (own cookies), until both replicas have readers; nginx's log says which replica each reader's
route went to. The websocket works through the proxy (the page renders; moving a slider reruns it and the link
follows). Then one replica is stopped: readers on the other go on unaffected, and readers of the stopped one are
moved by nginx to the live one, where their page comes back with the settings of their link.

Without /usr/sbin/nginx the test skips with the reason, unless ``CI`` is set: then it fails.
"""

from __future__ import annotations

import re
import secrets

import pytest
from conftest import streamlit_server
from nginx_proxy import Proxy, require_nginx
from playwright.sync_api import expect
from streamlit_browser import ARTIFACTS, assert_no_exception, open_page, wait_for_app

TIMEOUT_MS = 60_000
MAX_READERS = 12  # readers opened until both replicas have one (a random route each: 2^-11 to miss)


@pytest.fixture()
def nginx_binary():
    return require_nginx("the scale-out test")


def _caption(page):
    return page.locator('[data-testid="stImage"]').filter(has_text=re.compile(r"^x_t at t"))


def _move_t(page, key: str, expected: int) -> None:
    """Move the timestep slider with the keyboard (End / Home) and wait for the rerun that redraws the picture."""
    thumb = page.locator('[data-testid="stSlider"]').filter(has_text="Timestep t").get_by_role("slider")
    thumb.focus()
    page.keyboard.press(key)
    expect(_caption(page)).to_contain_text(f"x_t at t = {expected}", timeout=TIMEOUT_MS)
    wait_for_app(page)
    assert_no_exception(page)
    assert f"t={expected}" in page.url


def test_two_replicas_behind_nginx_sticky_and_failover(browser, nginx_binary, tmp_path, monkeypatch):
    ARTIFACTS.mkdir(exist_ok=True)
    monkeypatch.setenv("STREAMLIT_SERVER_COOKIE_SECRET", secrets.token_hex(32))  # shared, as deploy/ requires
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

        a_cm.__exit__(None, None, None)  # replica A goes away
        url_a = None
        for i in on[ports[1]]:  # readers on B: unaffected, same page and settings, still live
            page = readers[i][0]
            expect(_caption(page)).to_contain_text("x_t at t = 100")
            _move_t(page, "Home", 0)
        for i in on[ports[0]]:  # readers of A: reconnected to B by nginx, their settings rebuilt from the link
            page, route = readers[i]
            expect(_caption(page)).to_contain_text("x_t at t = 100", timeout=TIMEOUT_MS)
            _move_t(page, "Home", 0)
            assert ports[1] in proxy.routes()[route], "the moved reader's requests never reached the live replica"
            assert "T=100" in page.url and "res=64" in page.url
    finally:
        for context in contexts:
            context.close()
        if proxy is not None:
            proxy.stop(ARTIFACTS)
        if url_b is not None:
            b_cm.__exit__(None, None, None)
        if url_a is not None:
            a_cm.__exit__(None, None, None)
