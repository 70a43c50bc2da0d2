"""Handing a link to a class: a QR code to project, the address students can reach, and a warning when they cannot.

* :func:`qr_svg` / :func:`qr_png`: the link as a QR code (the ``segno`` package, pure Python), black on white with
  the standard quiet zone of 4 modules. The SVG has no fixed size (a ``viewBox`` only), so the page sizes it to the
  projector with CSS; the PNG is for downloading or printing. A short lesson link makes a small code (29 × 29 modules
  for ``http://192.168.1.20:8501/?lesson=k7mq2xa``) that phones read from the back of a room; a 700-character lesson
  link needs 101 × 101 modules, dense but still decodable at full-screen size.
* :func:`reachability` / :func:`reachability_warning`: whether students' devices can open the link at all. The
  address a page knows is the teacher's browser's: on a laptop running the app that is often ``localhost`` or
  ``127.0.0.1``, which on a student's phone means the phone itself. Those (every loopback and "this host" address,
  also written as browsers read them, e.g. ``127.1`` or ``2130706433``, and any ``*.localhost`` name) get a warning
  with the fix; a private network address (``192.168.x.x``, ``10.x.x.x``, ``172.16–31.x.x``, IPv6 ``fc00::/7``), a
  link-local one, a ``.local`` name or a name without a domain gets a note: reachable from the same network (the
  same school Wi-Fi) only, not from phones on mobile data.
* :func:`public_link`: the link students should get. ``IMAGE_SPACE_PUBLIC_URL`` (e.g.
  ``https://school.example/image-space``), when set, replaces the browser's address; it may carry a path (an app
  served under a base URL path). Without it the browser's scheme and host are used.
"""

from __future__ import annotations

import io
import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import segno

ENV_PUBLIC_URL = "IMAGE_SPACE_PUBLIC_URL"
QR_ERROR = "m"  # error correction M (15% of the code may be unreadable); segno raises it when that costs no size
QR_BORDER = 4  # modules of white around the code, the standard's quiet zone
MAX_QR_CHARS = 2_000  # longer links make codes too dense to scan from a screen (and near the format's limit)
PNG_SIZE = 800  # pixels a side of the PNG, about (whole pixels per module)

Reach = Literal["ok", "same-network", "unreachable"]


@dataclass(frozen=True)
class Reachability:
    """Whether students can open a link: ``ok``, ``same-network`` (from the server's own network only) or
    ``unreachable``, with the message to show (empty when ``ok``)."""

    reach: Reach
    host: str
    message: str


# ---------------------------------------------------------------- QR codes
def ascii_link(url: str) -> str:
    """``url`` written in ASCII only, as browsers send it: the host in IDNA (punycode), every other non-ASCII
    character percent-encoded as UTF-8. The same link; but QR readers agree on ASCII, while for other bytes many
    guess the encoding (zxing-cpp reads a lone Latin-1 byte as Shift_JIS)."""
    if url.isascii():
        return url
    parts = urlsplit(url)
    netloc = parts.netloc
    if parts.hostname and not parts.hostname.isascii():
        netloc = netloc.replace(parts.hostname, parts.hostname.encode("idna").decode("ascii"))
    keep = "!#$%&'()*+,-./:;=?@[]_~"
    return urlunsplit((parts.scheme, quote(netloc, safe=keep), quote(parts.path, safe=keep),
                       quote(parts.query, safe=keep), quote(parts.fragment, safe=keep)))


def _qr(url: str) -> segno.QRCode:
    if not isinstance(url, str) or not url:
        raise ValueError("A QR code needs a link: the link is empty.")
    url = ascii_link(url)
    if len(url) > MAX_QR_CHARS:
        raise ValueError(f"A link of {len(url):,} characters makes a QR code too dense to scan (at most "
                         f"{MAX_QR_CHARS:,}); use the short link.")
    return segno.make(url, error=QR_ERROR, micro=False, boost_error=True)


def qr_svg(url: str, title: str = "QR code of the link") -> str:
    """``url`` (see :func:`ascii_link`) as an inline SVG QR code: black modules on white, a quiet zone of 4, one SVG
    unit per module.

    No width or height, only a ``viewBox``: size it with CSS (for a projector, e.g. ``width: min(60vh, 90vw)``);
    ``shape-rendering: crispEdges`` keeps the modules sharp at any size. ``title`` is its accessible name.
    Raises ValueError for an empty link or one over :data:`MAX_QR_CHARS` characters.
    """
    svg = _qr(url).svg_inline(scale=1, border=QR_BORDER, dark="#000", light="#fff", title=title, omitsize=True,
                              svgclass="qr-code", lineclass=None)
    return svg.replace("<svg ", '<svg role="img" shape-rendering="crispEdges" ', 1)


def qr_png(url: str, size: int = PNG_SIZE) -> bytes:
    """``url`` as a PNG QR code about ``size`` pixels a side (whole pixels per module, at least 2), quiet zone 4."""
    code = _qr(url)
    modules = code.symbol_size(border=QR_BORDER)[0]
    out = io.BytesIO()
    code.save(out, kind="png", scale=max(2, size // modules), border=QR_BORDER, dark="#000", light="#fff")
    return out.getvalue()


def qr_modules(url: str) -> int:
    """Modules a side of :func:`qr_svg`'s code, quiet zone included (a page may size small codes smaller)."""
    return _qr(url).symbol_size(border=QR_BORDER)[0]


# ---------------------------------------------------------------- can students reach it?
_LOOPBACK_NAMES = ("localhost", "ip6-localhost", "ip6-loopback")
_LOCAL_SUFFIXES = (".local", ".lan", ".home.arpa", ".internal", ".intranet", ".localdomain", ".home", ".corp")
_HEX = re.compile(r"0[xX][0-9a-fA-F]*")
_THIS_NETWORK = ipaddress.IPv4Network("0.0.0.0/8")  # "this host on this network": never a server's address


class _NotAnAddress(ValueError):
    """A host that ends in a number but is no IPv4 address: browsers refuse the whole link."""


def _ipv4_as_browsers_read(host: str) -> ipaddress.IPv4Address | None:
    """The IPv4 address a browser reads ``host`` as (WHATWG URL: ``127.1``, ``0x7f.0.0.1``, ``2130706433``,
    ``0177.0.0.1`` are all 127.0.0.1), None for a name; raises _NotAnAddress for a host that ends in a number but is
    no address (``1.2.3.256``), which browsers refuse."""
    parts = host.split(".")
    if len(parts) > 1 and parts[-1] == "":
        parts.pop()
    last = parts[-1]
    if not ((last.isascii() and last.isdigit()) or _HEX.fullmatch(last)):
        return None  # a name: the last label is not a number
    if len(parts) > 4:
        raise _NotAnAddress(host)
    numbers = []
    for part in parts:
        if _HEX.fullmatch(part):
            numbers.append(int(part[2:] or "0", 16))
        elif part.isascii() and part.isdigit():
            if len(part) > 1 and part[0] == "0":
                if not set(part) <= set("01234567"):
                    raise _NotAnAddress(host)
                numbers.append(int(part, 8))
            else:
                numbers.append(int(part))
        else:
            raise _NotAnAddress(host)
    if any(n > 255 for n in numbers[:-1]) or numbers[-1] >= 256 ** (5 - len(numbers)):
        raise _NotAnAddress(host)
    value = numbers[-1] + sum(n * 256 ** (3 - i) for i, n in enumerate(numbers[:-1]))
    return ipaddress.IPv4Address(value)


def _address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return _ipv4_as_browsers_read(host)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


_FIX = ("Open the app at this computer's network address instead (the “Network URL” that streamlit run prints, "
        "such as http://192.168.1.20:8501), or have whoever runs the server set IMAGE_SPACE_PUBLIC_URL to the "
        "address students use: links and QR codes are then made with it.")


def reachability(url: str) -> Reachability:
    """Whether a student's device can open ``url``, judged from its host alone (no network is asked)."""
    try:
        parts = urlsplit(url.strip())
        host = unquote(parts.hostname or "").rstrip(".").lower()
    except (AttributeError, ValueError):
        return Reachability("unreachable", "", "This link cannot be read as a web address. " + _FIX)
    if parts.scheme not in ("http", "https") or not host:
        return Reachability("unreachable", host, "This link is not a web address with a host (http:// or https://). "
                            + _FIX)
    try:
        address = _address(host)
    except _NotAnAddress:
        return Reachability("unreachable", host, f"“{host}” is not a valid address: browsers will not open this "
                            "link. " + _FIX)
    if address is None:
        if host in _LOOPBACK_NAMES or host.endswith(".localhost"):
            return Reachability("unreachable", host, f"Students cannot open this link: “{host}” means their own "
                                "device to them, not this server. " + _FIX)
        if host.endswith(_LOCAL_SUFFIXES) or "." not in host:
            return Reachability("same-network", host, f"“{host}” is a name only the local network knows: devices "
                                "on the same network may find it (many phones cannot look up .local names), others "
                                "cannot. If students cannot open the link, use the server's IP address, or set "
                                "IMAGE_SPACE_PUBLIC_URL.")
        return Reachability("ok", host, "")
    if address.is_loopback or address.is_unspecified or (address.version == 4 and address in _THIS_NETWORK):
        return Reachability("unreachable", host, f"Students cannot open this link: {address} means their own device "
                            "to them, not this server. " + _FIX)
    if address.is_multicast or address.is_reserved:
        return Reachability("unreachable", host, f"{address} is not the address of a server. " + _FIX)
    if address.is_link_local:
        return Reachability("same-network", host, f"{address} is a self-assigned (link-local) address: only devices "
                            "on the very same network segment can reach it, and often not even they. Connect the "
                            "server to the school network, or set IMAGE_SPACE_PUBLIC_URL.")
    if not address.is_global:
        return Reachability("same-network", host, f"{address} is a private network address: students can open the "
                            "link from the same network as the server (for example the same school Wi-Fi), but not "
                            "from phones on mobile data or from home.")
    return Reachability("ok", host, "")



def reachability_warning(url: str) -> str | None:
    """The message to show beside ``url`` when some students may not reach it (see :func:`reachability`), else None."""
    found = reachability(url)
    return found.message or None


# ---------------------------------------------------------------- the link to hand out
def public_url_problem(environ: Mapping[str, str] | None = None) -> str | None:
    """Why ``IMAGE_SPACE_PUBLIC_URL`` cannot be used (it is then ignored), or None when it is unset or usable."""
    value = (os.environ if environ is None else environ).get(ENV_PUBLIC_URL, "").strip()
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"{ENV_PUBLIC_URL}={value[:80]} is not an http:// or https:// address with a host; it is ignored."
    if parts.query or parts.fragment:
        return f"{ENV_PUBLIC_URL}={value[:80]} may not hold a ? query or a # part; it is ignored."
    return None


def public_link(browser_url: str, path_and_query: str, environ: Mapping[str, str] | None = None) -> str:
    """The link to hand out for ``path_and_query`` (e.g. ``"forward?lesson=k7mq2xa"``; a leading / is optional).

    Built on ``IMAGE_SPACE_PUBLIC_URL`` when it is set and usable (its path kept: an app under a base URL path),
    else on the scheme and host of ``browser_url`` (the address the teacher's browser shows, ``st.context.url``;
    its own path and query are dropped). Without either, the link is just the path.
    """
    env = os.environ if environ is None else environ
    configured = env.get(ENV_PUBLIC_URL, "").strip()
    if configured and public_url_problem(env) is None:
        root = configured.rstrip("/")
    else:
        parts = urlsplit(browser_url or "")
        root = f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
    return f"{root}/{path_and_query.lstrip('/')}"
