"""The deploy recipe's compression and caching, through the real nginx on loopback (issue 30).

``deploy/nginx.conf`` runs as written in front of one replica (``nginx_proxy.py``: its ports replaced by free ones).
Through it, Streamlit's JavaScript and the page itself arrive gzip-compressed (Streamlit sends them uncompressed, so
the proxy must), byte for byte the file the replica serves; Streamlit's hashed files under ``/static/`` carry
``Cache-Control: public, max-age=31536000, immutable``, while entry pages, ``/_stcore/health`` and the page Streamlit
answers for an unknown ``/static/`` name do not. Streamlit 1.67 already sends that long header for its hashed files,
so a replica that sends only ``public`` (as the Tornado-based Streamlits did) stands in for one test: the recipe
itself must set it. In Chromium, the app loads and runs through the proxy with its bundles compressed, and a second
visit asks nginx for none of them.

Without /usr/sbin/nginx the tests skip with the reason, unless ``CI`` is set: then they fail. ``NGINX_CONF=FILE``
runs them against another recipe (e.g. ``git show <commit>:deploy/nginx.conf`` saved, to see them fail on an old one).
"""

from __future__ import annotations

import gzip
import re
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from nginx_proxy import Proxy, require_nginx
from streamlit_browser import ARTIFACTS, assert_no_exception, open_page

YEAR_S = 31_536_000
STATIC_JS = re.compile(r'src="\./(static/js/index\.[\w-]+\.js)"')  # the entry bundle named by Streamlit's index.html


def fetch(url: str, gzip_ok: bool = True, via: str | None = None) -> tuple[int, dict[str, str], bytes]:
    """(status, headers with lower-case names, body as sent) of a GET, asking for gzip or for no encoding.

    ``via``: a Via header, as a request that came through a school's proxy carries (nginx's gzip_proxied)."""
    req = urllib.request.Request(url, headers={"Accept-Encoding": "gzip" if gzip_ok else "identity",
                                               **({"Via": via} if via else {})})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, _merged(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, _merged(e.headers), e.read()


def _merged(headers) -> dict[str, str]:
    """Headers by lower-case name; a header sent twice is joined with ", ", as a browser would read it."""
    return {k.lower(): ", ".join(headers.get_all(k)) for k in set(headers.keys())}


def cache_control(headers: dict[str, str]) -> dict[str, str | None]:
    """The Cache-Control directives of a response: {"max-age": "31536000", "immutable": None, ...}."""
    out: dict[str, str | None] = {}
    for part in headers.get("cache-control", "").split(","):
        if part.strip():
            name, _, value = part.strip().partition("=")
            out[name.lower()] = value or None
    return out


def long_cached(headers: dict[str, str]) -> bool:
    cc = cache_control(headers)
    return "immutable" in cc or int(cc.get("max-age") or 0) > 0


def assert_kept_a_year(headers: dict[str, str], what: str) -> None:
    cc = cache_control(headers)
    assert {"public", "immutable"} <= cc.keys() and int(cc.get("max-age") or 0) >= YEAR_S, (
        f"{what}: Cache-Control {headers.get('cache-control')!r}, want 'public, max-age={YEAR_S}, immutable'")
    assert headers["cache-control"].count("max-age") == 1, f"{what}: two Cache-Control headers merged"


def unzipped(headers: dict[str, str], body: bytes) -> bytes:
    return gzip.decompress(body) if headers.get("content-encoding") == "gzip" else body


@pytest.fixture(scope="module")
def proxy(app_url, tmp_path_factory):
    """The recipe in front of one replica: the test session's ``streamlit run app.py``."""
    require_nginx("the deploy headers test")
    proxy = Proxy(tmp_path_factory.mktemp("nginx") / "prefix", [int(app_url.rsplit(":", 1)[1])])
    yield proxy
    proxy.stop(ARTIFACTS, tag="nginx-headers")


def test_text_is_gzipped_and_hashed_files_are_kept_a_year(proxy):
    status, headers, body = fetch(f"{proxy.url}/")
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert headers.get("content-encoding") == "gzip", f"the page came uncompressed: {headers}"
    assert "accept-encoding" in headers.get("vary", "").lower()
    assert not long_cached(headers) and "no-cache" in cache_control(headers), headers.get("cache-control")
    bundle = STATIC_JS.search(unzipped(headers, body).decode()).group(1)

    _, plain_headers, plain = fetch(f"{proxy.url}/{bundle}", gzip_ok=False)
    status, headers, body = fetch(f"{proxy.url}/{bundle}", via="1.1 school-proxy")
    assert status == 200 and "javascript" in headers["content-type"]
    assert headers.get("content-encoding") == "gzip", f"{bundle} came uncompressed (through a proxy): {headers}"
    assert plain_headers.get("content-encoding") is None and gzip.decompress(body) == plain
    assert len(body) * 2.5 < len(plain), f"{bundle}: {len(body):,} bytes gzipped of {len(plain):,}"
    assert_kept_a_year(headers, bundle)
    assert "set-cookie" not in headers, "a hashed file should set no cookie (shared caches keep no such response)"

    page = unzipped(*fetch(f"{proxy.url}/")[1:]).decode()
    for path in ("static/css/", "static/media/"):  # the stylesheet and a font the page names, kept a year too
        name = re.search(rf'href="\./({path}[^"]+)"', page).group(1)
        status, headers, _ = fetch(f"{proxy.url}/{name}")
        assert status == 200
        assert_kept_a_year(headers, name)
        if name.endswith(".css"):
            assert headers.get("content-encoding") == "gzip", f"{name} came uncompressed"


@pytest.mark.parametrize("path", ["/", "/forward", "/_stcore/health", "/static/js/no-such-chunk.0123abcd.js"])
def test_entry_pages_health_and_unknown_static_names_are_not_kept(proxy, path):
    """Entry pages and /_stcore/* must be asked again on every visit; so must the index.html that Streamlit answers
    for a /static/ name it does not have (a chunk of another version during a rolling upgrade)."""
    status, headers, _ = fetch(f"{proxy.url}{path}")
    assert status == 200
    assert not long_cached(headers), f"{path}: Cache-Control {headers.get('cache-control')!r}"


class _OldReplica(BaseHTTPRequestHandler):
    """A replica that sends hashed files with ``Cache-Control: public`` alone, as the Tornado-based Streamlits did."""

    def do_GET(self):  # noqa: N802 (http.server's name)
        if self.path.startswith("/static/js/app."):
            body, kind, cache = b"console.log('a hashed bundle');\n" * 200, "application/javascript", "public"
        else:  # Streamlit's answer to anything else: its index.html
            body, kind, cache = b"<!doctype html><title>app</title>" + b" " * 2000, "text/html", "no-cache"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Cache-Control", cache)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_the_recipe_itself_keeps_hashed_files_a_year(tmp_path):
    require_nginx("the deploy headers test")
    replica = ThreadingHTTPServer(("127.0.0.1", 0), _OldReplica)
    threading.Thread(target=replica.serve_forever, daemon=True).start()
    proxy = Proxy(tmp_path / "nginx", [replica.server_address[1]])
    try:
        status, headers, body = fetch(f"{proxy.url}/static/js/app.0123abcd.js")
        assert status == 200 and headers.get("content-encoding") == "gzip"
        assert_kept_a_year(headers, "a hashed bundle from a replica that says only 'public'")
        for path in ("/static/js/missing.0123abcd.js", "/forward"):
            status, headers, _ = fetch(f"{proxy.url}{path}")
            assert status == 200 and not long_cached(headers), f"{path}: {headers.get('cache-control')!r}"
    finally:
        proxy.stop()
        replica.shutdown()
        replica.server_close()


def test_the_app_runs_in_chromium_through_the_proxy_and_a_second_visit_reuses_its_bundles(proxy, page):
    bundles: dict[str, dict[str, str]] = {}  # url -> response headers, of every JavaScript file the page loaded
    page.on("response", lambda r: bundles.__setitem__(r.url, r.headers) if "/static/js/" in r.url else None)
    open_page(page, f"{proxy.url}/forward?t=0&T=100&res=64")
    assert_no_exception(page)
    assert len(bundles) > 10, f"Chromium fetched {len(bundles)} bundles"
    # nginx leaves answers under gzip_min_length (1 KiB) as they are: nothing to gain
    plain = [url for url, h in bundles.items() if h.get("content-encoding") != "gzip"
             and int(h.get("content-length", 1 << 30)) >= 1024]
    assert not plain, f"bundles that came uncompressed: {plain[:5]}"

    log = proxy.prefix / "logs" / "access.log"
    seen = len(log.read_text().splitlines())
    open_page(page, f"{proxy.url}/forward?t=0&T=100&res=64")  # a second visit, same browser
    assert_no_exception(page)
    again = [line for line in log.read_text().splitlines()[seen:] if "GET /static/" in line]
    assert not again, f"the second visit asked nginx for hashed files again: {again[:3]}"
