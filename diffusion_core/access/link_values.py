"""Reading numbers out of a shared link, strictly: a tampered URL gives None (and the page a clear message), never a
surprise value or an exception.

Used by every page's settings (``forward``, ``likelihood`` and ``toy2d`` rooms): a link is typed by a person or
rewritten by a stranger, so only plain ASCII decimals of at most 12 characters are read (no signs, spaces,
underscores, exponents, other scripts' digits or numbers too large to matter).
"""

from __future__ import annotations


def whole_in(text: str, lo: int, hi: int) -> int | None:
    """``text`` as a plain decimal whole number in [lo, hi], else None."""
    if not (isinstance(text, str) and text.isascii() and text.isdigit() and len(text) <= 12):
        return None
    value = int(text)
    return value if lo <= value <= hi else None
