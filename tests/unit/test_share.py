"""Sharing a link with a class: QR codes that a reader (zxing-cpp) decodes to the exact link, as PNG and as SVG; a
warning for hosts students cannot reach, including the spellings browsers read as loopback; the public address."""

from __future__ import annotations

import io
import ipaddress
import re
import socket
import xml.etree.ElementTree as ET
from urllib.parse import unquote

import numpy as np
import pytest
import zxingcpp
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from PIL import Image

from diffusion_core.access.share import (
    MAX_QR_CHARS,
    ascii_link,
    public_link,
    public_url_problem,
    qr_modules,
    qr_png,
    qr_svg,
    reachability,
    reachability_warning,
)

SHORT = "http://192.168.1.20:8501/forward?lesson=k7mq2xa"
LONG = ("http://192.168.1.20:8501/forward?img=photo%3AAstronaut&colour=rgb&res=128&schedule=cosine&T=1000&t=250"
        "&seed=0&hide=seed%2CT&lock=schedule&task=" + "Move%20t%20until%20the%20face%20is%20gone." * 14 + "&check=1a2b3c4d")


def _decode(pixels: np.ndarray) -> list[str]:
    return [found.text for found in zxingcpp.read_barcodes(pixels) if found.format == zxingcpp.BarcodeFormat.QRCode]


def _png_pixels(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("L"))


def _svg_pixels(svg: str, scale: int = 8) -> np.ndarray:
    """Rasterise segno's SVG ourselves: its dark modules are horizontal 1-unit strokes in one path (M, m, h)."""
    root = ET.fromstring(svg)
    _, _, width, height = (int(v) for v in root.get("viewBox").split())
    grid = np.full((height, width), 255, np.uint8)
    dark = next(p for p in root.iter() if p.tag.endswith("path") and p.get("stroke"))
    x = y = 0.0
    for command, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?:\s(-?[\d.]+))?", dark.get("d")):
        if command == "M":
            x, y = float(a), float(b)
        elif command == "m":
            x, y = x + float(a), y + float(b)
        else:
            grid[int(y), int(x):int(x + float(a))] = 0
            x += float(a)
    return np.kron(grid, np.ones((scale, scale), np.uint8))


@pytest.mark.parametrize("url", [SHORT, LONG])
def test_the_png_decodes_to_the_exact_link(url):
    assert _decode(_png_pixels(qr_png(url))) == [url]


@pytest.mark.parametrize("url", [SHORT, LONG])
def test_the_svg_decodes_to_the_exact_link(url):
    assert len(LONG) >= 700
    assert _decode(_svg_pixels(qr_svg(url))) == [url]


def test_the_svg_is_sized_by_the_page_and_has_a_name():
    svg = qr_svg(SHORT, title="Scan to open the lesson")
    root = ET.fromstring(svg)
    assert root.get("viewBox") == f"0 0 {qr_modules(SHORT)} {qr_modules(SHORT)}"
    assert root.get("width") is None and root.get("height") is None
    assert root.get("role") == "img" and root.get("shape-rendering") == "crispEdges"
    assert next(e.text for e in root.iter() if e.tag.endswith("title")) == "Scan to open the lesson"
    assert qr_modules(SHORT) < qr_modules(LONG)  # a short link makes a coarser code, easier to scan from afar


def test_the_png_is_about_the_size_asked_for_and_black_on_white():
    pixels = _png_pixels(qr_png(SHORT, size=800))
    assert 600 <= pixels.shape[0] <= 800 and pixels.shape[0] == pixels.shape[1]
    assert set(np.unique(pixels)) == {0, 255}
    assert (pixels[:40] == 255).all()  # the quiet zone


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=160))
def test_any_ascii_link_round_trips(text):
    assert _decode(_png_pixels(qr_png(text, size=200))) == [text]


def test_a_link_with_other_scripts_is_encoded_as_browsers_send_it():
    url = "https://schüle.example/forward?task=Bewege t, bis das Gesicht weg ist – ¿qué?#ß"
    sent = ascii_link(url)
    host = "schüle.example".encode("idna").decode("ascii")
    assert sent.isascii() and sent.startswith(f"https://{host}/forward?task=Bewege%20t,%20bis")
    assert unquote(sent.split("?", 1)[1]) == url.split("?", 1)[1]
    assert _decode(_png_pixels(qr_png(url))) == [sent] and _decode(_svg_pixels(qr_svg(url))) == [sent]
    assert ascii_link(SHORT) == SHORT


def test_links_a_qr_code_cannot_carry():
    for url in ("", None, "x" * (MAX_QR_CHARS + 1)):
        with pytest.raises(ValueError):
            qr_svg(url)


# ---------------------------------------------------------------- reachability
@pytest.mark.parametrize("url, reach", [
    ("http://localhost:8501/forward", "unreachable"),
    ("http://LOCALHOST.:8501/", "unreachable"),
    ("http://app.localhost/", "unreachable"),
    ("http://127.0.0.1:8501/?lesson=k7mq2xa", "unreachable"),
    ("http://127.1:8501/", "unreachable"),
    ("http://2130706433/", "unreachable"),
    ("http://0x7f000001/", "unreachable"),
    ("http://0177.0.0.1/", "unreachable"),
    ("http://%31%32%37.0.0.1/", "unreachable"),
    ("http://[::1]:8501/", "unreachable"),
    ("http://[::ffff:127.0.0.1]:8501/", "unreachable"),
    ("http://0.0.0.0:8501/", "unreachable"),
    ("http://[::]:8501/", "unreachable"),
    ("http://224.0.0.1/", "unreachable"),
    ("http://1.2.3.256/", "unreachable"),
    ("ftp://school.example/", "unreachable"),
    ("/forward?lesson=k7mq2xa", "unreachable"),
    ("not a url", "unreachable"),
    ("http://[::1/", "unreachable"),
    ("http://192.168.1.20:8501/", "same-network"),
    ("http://10.0.0.5/", "same-network"),
    ("http://172.20.1.1/", "same-network"),
    ("http://[fd12::1]/", "same-network"),
    ("http://169.254.3.4/", "same-network"),
    ("http://[fe80::1%25eth0]:8501/", "same-network"),
    ("http://teachers-laptop:8501/", "same-network"),
    ("http://teachers-laptop.local:8501/", "same-network"),
    ("http://server.home.arpa/", "same-network"),
    ("https://school.example/image-space/forward", "ok"),
    ("http://8.8.8.8:8501/", "ok"),
    ("https://[2001:4860:4860::8888]/", "ok"),
    ("https://localhost.example.org/", "ok"),
])
def test_reachability(url, reach):
    found = reachability(url)
    assert found.reach == reach
    assert bool(found.message) == (reach != "ok") and (reachability_warning(url) is None) == (reach == "ok")


def test_the_warning_says_how_to_fix_it():
    message = reachability_warning("http://localhost:8501/forward")
    assert "IMAGE_SPACE_PUBLIC_URL" in message and "Network URL" in message and "their own device" in message
    lan = reachability_warning("http://192.168.1.20:8501/")
    assert "same school Wi-Fi" in lan and "mobile data" in lan


def _spellings(value: int) -> st.SearchStrategy[str]:
    """Ways to write an IPv4 address that browsers (and BSD's inet_aton) accept: 1 to 4 parts, decimal, 0x or 0."""
    octets = list(value.to_bytes(4, "big"))

    def write(n: int, how: str) -> str:
        return {"dec": str(n), "hex": hex(n), "oct": "0" + oct(n)[2:] if n else "0"}[how]

    def spell(parts: int, hows: list[str]) -> str:
        head = octets[: parts - 1]
        tail = int.from_bytes(bytes(octets[parts - 1:]), "big")
        return ".".join(write(n, h) for n, h in zip([*head, tail], hows))

    return st.integers(1, 4).flatmap(lambda parts: st.lists(st.sampled_from(["dec", "hex", "oct"]), min_size=parts,
                                                            max_size=parts).map(lambda hows: spell(parts, hows)))


@given(st.integers(0, 2**32 - 1).flatmap(lambda v: st.tuples(st.just(v), _spellings(v))))
def test_every_spelling_of_an_address_is_judged_as_the_address(case):
    value, host = case
    assert socket.inet_aton(host) == value.to_bytes(4, "big")  # the spelling is the address (the classic reader agrees)
    address = ipaddress.IPv4Address(value)
    assert reachability(f"http://{host}:8501/").reach == reachability(f"http://{address}:8501/").reach


@given(st.integers(0, 2**24 - 1))
def test_all_of_127_is_loopback(low):
    assert reachability(f"http://{ipaddress.IPv4Address((127 << 24) + low)}/").reach == "unreachable"


@given(st.integers(0, 2**32 - 1))
def test_public_and_private_addresses(value):
    address = ipaddress.IPv4Address(value)
    reach = reachability(f"http://{address}/").reach
    if address.is_global and not address.is_multicast and not address.is_reserved:
        assert reach == "ok"
    else:
        assert reach in ("same-network", "unreachable")
    if address.is_private and not (address.is_loopback or address.is_unspecified or address.is_link_local
                                   or address.is_reserved or address.is_multicast or value >> 24 == 0):
        assert reach == "same-network"


@given(st.lists(st.from_regex(r"[a-z][a-z0-9-]{0,10}[a-z0-9]", fullmatch=True), min_size=1, max_size=3),
       st.sampled_from(["com", "org", "ac.uk", "edu", "de", "school"]))
def test_names_in_a_public_domain_are_fine(labels, tld):
    host = ".".join([*labels, tld])
    assume(not host.endswith(".localhost"))
    assert reachability(f"https://{host}/forward").reach == "ok"


# ---------------------------------------------------------------- the public address
def test_the_browser_address_without_a_public_url():
    assert public_link("http://127.0.0.1:8501/forward?t=3", "forward?lesson=k7mq2xa", {}) == \
        "http://127.0.0.1:8501/forward?lesson=k7mq2xa"
    assert public_link("http://127.0.0.1:8501/", "/?lesson=k7mq2xa", {}) == "http://127.0.0.1:8501/?lesson=k7mq2xa"
    assert public_link("", "forward?lesson=k7mq2xa", {}) == "/forward?lesson=k7mq2xa"  # AppTest: no address at all


def test_a_public_url_replaces_the_browser_address():
    env = {"IMAGE_SPACE_PUBLIC_URL": "https://school.example/image-space/"}
    link = public_link("http://localhost:8501/forward", "forward?lesson=k7mq2xa", env)
    assert link == "https://school.example/image-space/forward?lesson=k7mq2xa"
    assert reachability_warning(link) is None and public_url_problem(env) is None


@pytest.mark.parametrize("value", ["school.example", "ftp://school.example", "https://", "https://x.example/?a=1",
                                   "https://x.example/#top"])
def test_a_public_url_that_cannot_be_used_is_ignored_with_a_message(value):
    env = {"IMAGE_SPACE_PUBLIC_URL": value}
    assert public_url_problem(env)
    assert public_link("http://10.0.0.2:8501/x", "forward", env) == "http://10.0.0.2:8501/forward"
    assert public_url_problem({}) is None and public_url_problem({"IMAGE_SPACE_PUBLIC_URL": "  "}) is None
