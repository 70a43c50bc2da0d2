"""Numbers read from a shared link: plain ASCII decimals in range, and None for everything a stranger might type."""

from __future__ import annotations

import pytest

from diffusion_core.access.link_values import whole_in


@pytest.mark.parametrize(("text", "value"), [("0", 0), ("7", 7), ("0042", 42), ("999", 999)])
def test_plain_decimals_in_range_are_read(text, value):
    assert whole_in(text, 0, 999) == value


@pytest.mark.parametrize("text", ["", "-3", "+3", " 3", "3 ", "1_000", "1e3", "3.0", "١٢", "٣", "1000", "9" * 13,
                                  "nan", "0x10"])
def test_anything_else_is_none(text):
    assert whole_in(text, 0, 999) is None


def test_a_non_string_is_none():
    assert whole_in(["3"], 0, 9) is None  # a repeated query parameter arrives as a list in some readers


# ---------------------------------------------------------------- every page's link, read by the one table mechanism

from dataclasses import dataclass  # noqa: E402

from diffusion_core.access.link_values import (  # noqa: E402
    Param,
    Rejected,
    decimal_in,
    ignored,
    read_link,
    whole,
    write_link,
)
from diffusion_core.forward.settings import ForwardSettings  # noqa: E402
from diffusion_core.likelihood.settings import CornerSettings  # noqa: E402
from diffusion_core.live.generation_settings import GenerationSettings  # noqa: E402
from diffusion_core.space.settings import DEFAULT, spec_from_query, to_query  # noqa: E402
from diffusion_core.toy2d.settings import DirectionSettings  # noqa: E402

MODELS, SIZES, PHOTOS = ["digits", "fashion"], {"digits": 1000, "fashion": 1000, "emoji": 348}, ["Astronaut", "Camera"]
# page -> (read a query, the defaults' query): every settings class of the app, read through its own table
PAGES = {
    "image-space": (spec_from_query, to_query(DEFAULT)),
    "forward": (lambda q: ForwardSettings.from_query(q, PHOTOS, SIZES), ForwardSettings().to_query()),
    "denoiser": (lambda q: GenerationSettings.from_query(q, MODELS), GenerationSettings().to_query()),
    "direction": (DirectionSettings.from_query, DirectionSettings().to_query()),
    "corner": (lambda q: CornerSettings.from_query(q, MODELS, SIZES, PHOTOS), CornerSettings().to_query()),
}
# what strangers put in links: empty, signs, exponents, a googol, nan, inf, 5,000 characters, Arabic-Indic digits,
# a path, a script tag, a Markdown link
AWKWARD = ("", "-3", "abc", "1e100", "10" + "0" * 100, "nan", "inf", "9" * 5000, "\u0663", "../../etc/passwd",
           "<script>alert(1)</script>", "[x](https://e.vil)")


@pytest.mark.parametrize("page", list(PAGES))
def test_every_parameter_of_every_page_refuses_every_awkward_value_alone(page):
    """Alone in the link, each awkward value of each parameter is refused in one message of the one format, quoting
    it briefly, and the settings are the defaults (their link the defaults' link)."""
    read, defaults = PAGES[page]
    failures = []
    for key in defaults:
        for value in AWKWARD:
            settings, problems = read({key: value})
            query = to_query(settings) if page == "image-space" else settings.to_query()
            prefix = f"Ignored {key}={value[:40]}{'…' if len(value) > 40 else ''} in the link: "
            if len(problems) != 1 or not problems[0].startswith(prefix) or query != defaults:
                failures.append(f"{key}={value[:20]!r}: {problems} {query}")
            elif not problems[0].endswith(" Using the default instead.") or "9" * 41 in problems[0]:
                failures.append(f"{key}={value[:20]!r}: worded {problems[0][:120]!r}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("page", list(PAGES))
def test_the_defaults_link_reads_back_as_the_defaults(page):
    read, defaults = PAGES[page]
    settings, problems = read(defaults)
    assert problems == [] and (to_query(settings) if page == "image-space" else settings.to_query()) == defaults


@dataclass(frozen=True)
class _Two:
    top: int = 10
    below: int = 5


TWO = (Param("top", "top", whole(1, 100)),
       Param("below", "below", whole(0, lambda s: s.top), default=lambda s: min(s.below, s.top)))


def test_a_row_reads_against_the_rows_before_it_and_defaults_follow_them():
    assert read_link({"top": "3"}, _Two(), TWO) == (_Two(3, 3), [])  # the default below is kept under top
    assert read_link({"top": "50", "below": "40"}, _Two(), TWO) == (_Two(50, 40), [])
    settings, problems = read_link({"top": "3", "below": "4", "other": "x"}, _Two(), TWO)
    assert settings == _Two(3, 3) and problems == [ignored("below", "4", "use a whole number from 0 to 3.")]
    assert write_link(_Two(7, 2), TWO) == {"top": "7", "below": "2"}


def test_the_message_quotes_briefly_and_says_the_default_stands():
    assert ignored("w", "9" * 50, "use 1.") == f"Ignored w={'9' * 40}… in the link: use 1. Using the default instead."
    with pytest.raises(Rejected):
        whole(0, 9)("10", None)


@pytest.mark.parametrize(("text", "value"), [("0", 0.0), ("1.5", 1.5), ("8", 8.0), ("0.25", 0.25)])
def test_plain_decimal_numbers_are_read(text, value):
    assert decimal_in(text, 0, 8) == value


@pytest.mark.parametrize("text", ["", ".5", "-1", "+1", "1e0", "nan", "inf", "8.5", "1.2.3", "٣", " 1"])
def test_anything_else_is_not_a_decimal(text):
    assert decimal_in(text, 0, 8) is None
