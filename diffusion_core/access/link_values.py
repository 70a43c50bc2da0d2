"""A page's link, read and written by one table: which settings it carries, how each value is read, what it defaults to.

A shared link is typed by a person or rewritten by a stranger, so it is read strictly and never raises: every value
is judged on its own by its :class:`Param`, a value that cannot be used is replaced by its default, and the reader is
told so in one message per value, always worded by :func:`ignored` (the value quoted at most :data:`QUOTED`
characters, why it was refused, and that the default stands). Numbers are plain ASCII decimals of at most 12
characters (no signs, spaces, underscores, exponents, other scripts' digits, nan or inf).

Each page's settings class (``forward``, ``live``, ``toy2d``, ``likelihood``, ``space`` rooms) declares its table as
a tuple of :class:`Param` rows and reads and writes its link with :func:`read_link` and :func:`write_link`. A row's
reader sees the settings read so far, so a value may depend on an earlier one (t on T, the steps on the sampler, a
class on the data set); so may a default (the model's own guidance).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

S = TypeVar("S")
QUOTED = 40  # a rejected value is quoted at most this many characters
MAX_CHARS = 12  # a number longer than this is too large to matter


class Rejected(ValueError):
    """A link's value that cannot be used; the message says what to use instead, as a sentence."""


def ignored(key: str, text: str, why: str) -> str:
    """The one message for a rejected value: ``Ignored key=value in the link: why Using the default instead.``"""
    shown = text if len(text) <= QUOTED else text[:QUOTED] + "…"
    return f"Ignored {key}={shown} in the link: {why} Using the default instead."


def whole_in(text: str, lo: int, hi: int) -> int | None:
    """``text`` as a plain decimal whole number in [lo, hi], else None."""
    if not (isinstance(text, str) and text.isascii() and text.isdigit() and len(text) <= MAX_CHARS):
        return None
    value = int(text)
    return value if lo <= value <= hi else None


def decimal_in(text: str, lo: float, hi: float) -> float | None:
    """``text`` as a plain decimal number such as 1.5 in [lo, hi], else None."""
    whole, _, fraction = text.partition(".") if isinstance(text, str) else ("", "", "")
    plain = whole.isascii() and whole.isdigit() and (not fraction or (fraction.isascii() and fraction.isdigit()))
    if not (plain and len(text) <= MAX_CHARS):
        return None
    value = float(text)
    return value if lo <= value <= hi else None


@dataclass(frozen=True)
class Param:
    """One setting a link carries.

    ``name``: the query parameter; ``field``: the settings field it fills ("" when ``read`` returns several fields
    as a mapping); ``read(text, settings so far)``: the value, or :class:`Rejected`; ``write(settings)``: the text,
    or None to leave the parameter out (default: ``str`` of the field); ``default(settings so far)``: the field's
    value when the link does not say it or says it wrongly (default: the field's value in the settings it starts from).
    """

    name: str
    field: str
    read: Callable[[str, Any], Any]
    write: Callable[[Any], str | None] | None = None
    default: Callable[[Any], Any] | None = None

    def text(self, settings: Any) -> str | None:
        return str(getattr(settings, self.field)) if self.write is None else self.write(settings)


def read_link(query: Mapping[str, str], start: S, params: Sequence[Param]) -> tuple[S, list[str]]:
    """The settings a link asks for, from ``start`` (the defaults), row by row; and one message per rejected value.

    Parameters not in the table are ignored."""
    settings, problems = start, []
    for p in params:
        if p.default is not None:
            settings = replace(settings, **{p.field: p.default(settings)})
        if p.name not in query:
            continue
        text = query[p.name]
        try:
            value = p.read(text, settings)
        except Rejected as why:
            problems.append(ignored(p.name, text, str(why)))
            continue
        settings = replace(settings, **(value if not p.field else {p.field: value}))
    return settings, problems


def write_link(settings: Any, params: Sequence[Param]) -> dict[str, str]:
    """The link's query parameters for ``settings``, in the table's order."""
    return {p.name: text for p in params if (text := p.text(settings)) is not None}


# ---------------------------------------------------------------- readers for the common kinds of value

def _listed(values: Iterable[Any]) -> str:
    items = [str(v) for v in values]
    return " or ".join(items) if len(items) <= 2 else ", ".join(items[:-1]) + " or " + items[-1]


def choice(options: Iterable[str], why: str | None = None) -> Callable[[str, Any], str]:
    """One of ``options``, exactly as written."""
    allowed = tuple(options)
    message = why or f"use {_listed(allowed) or 'nothing: none is available'}."

    def read(text: str, _settings: Any) -> str:
        if text not in allowed:
            raise Rejected(message)
        return text
    return read


def number_in(choices: Iterable[int]) -> Callable[[str, Any], int]:
    """One of the whole numbers ``choices``."""
    allowed = tuple(choices)

    def read(text: str, _settings: Any) -> int:
        value = whole_in(text, min(allowed), max(allowed))
        if value not in allowed:
            raise Rejected(f"use one of {', '.join(map(str, allowed))}.")
        return value
    return read


def whole(lo: int, hi: int | Callable[[Any], int], why: str | None = None) -> Callable[[str, Any], int]:
    """A whole number from ``lo`` to ``hi`` (``hi`` may be a function of the settings read so far)."""
    def read(text: str, settings: Any) -> int:
        top = hi(settings) if callable(hi) else hi
        value = whole_in(text, lo, top)
        if value is None:
            raise Rejected(why.format(lo=lo, hi=top) if why else f"use a whole number from {lo} to {top}.")
        return value
    return read


def decimal(lo: float, hi: float, step: float | None = None) -> Callable[[str, Any], float]:
    """A plain decimal number from ``lo`` to ``hi`` (a multiple of ``step``, if given)."""
    def read(text: str, _settings: Any) -> float:
        value = decimal_in(text, lo, hi)
        if value is None or (step is not None and value / step != round(value / step)):
            steps = f" in steps of {step:g}" if step is not None else ""
            raise Rejected(f"use a number from {lo:g} to {hi:g}{steps}.")
        return value
    return read


def flag(on: str = "1", off: str = "0", why: str | None = None) -> Callable[[str, Any], bool]:
    """``on`` or ``off``, as True or False."""
    def read(text: str, _settings: Any) -> bool:
        if text not in (on, off):
            raise Rejected(why or f"use {on} or {off}.")
        return text == on
    return read


def shown_number(value: float) -> str:
    """A float as a link writes it: 1.5, 3, 0.25 (no trailing zeros)."""
    return f"{value:g}"
