"""The image-space page in Streamlit's AppTest: presets, bad sizes, bad indices and tampered links.

Numbers shown or downloaded are checked against oracles outside diffusion_core: Python's ``int``, ``pow`` and
tests/unit/power_oracles.py (decimal at two precisions, residues of the whole text modulo large primes); images
against the pixels the page actually served (tests/app/apptest_media.py).
"""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path

import numpy as np
import pytest
from apptest_media import index_image, plus_one_caption, shown_index_image
from streamlit.testing.v1 import AppTest

from tests.unit.power_oracles import assert_is_power_text, leading_digits_oracle, trailing_digits_oracle

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "image-space.py")


@pytest.fixture
def unlimited_int_str():
    """Let int -> str write any length for the oracle, restoring Python's limit afterwards."""
    old = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)
    yield
    sys.set_int_max_str_digits(old)


def run_page(**query) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def page_text(at: AppTest) -> str:
    return "\n".join([str(e.value) for kind in ("markdown", "caption", "latex", "code", "metric", "info")
                      for e in at.get(kind)] + monospace_boxes(at))


def monospace_boxes(at: AppTest) -> list[str]:
    """The text of the page's monospace boxes (pages.common.monospace: an HTML <pre>), unescaped, in page order."""
    return [html.unescape(m.group(1)) for e in at.html for m in re.finditer(r"<pre[^>]*>(.*?)</pre>", e.value, re.S)]


def seed_verdicts(at: AppTest) -> list[str]:
    """The Verdict column of the markdown table of the article's numbers."""
    table = next(m.value for m in at.markdown if m.value.startswith("| What |"))
    return [row.strip("|").split("|")[-1].strip() for row in table.splitlines()[2:]]


def assert_healthy(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert "Every image is one number" in [h.value for h in at.header]  # the last section still renders


def test_default_is_the_articles_example():
    at = run_page()
    assert_healthy(at)
    text = page_text(at)
    assert "24,083 digits" in text and "25098809281053900700418323276699651673899690511737" in text
    assert not at.error and not at.warning
    assert dict(at.query_params) == {"w": "100", "h": "100", "colour": "gray", "bits": "8"}
    assert seed_verdicts(at) == ["holds"] * 6  # words, not an emoji a machine without an emoji font shows as a box
    assert not at.code and not at.table and not at.dataframe  # issue 30: no highlighter or data grid for digits
    assert not [e for e in at.expander if e.label.startswith("All ") and e.proto.expanded]  # the digits start folded


@pytest.mark.parametrize(("preset", "digits"), [
    ("100 x 100 RGB", "72,248"), ("28 x 28 MNIST digit", "1,889"), ("12 MP photo (4000 x 3000 RGB)", "86,696,639"),
    ("1080p frame (1920 x 1080 RGB)", "14,981,180"), ("4K frame (3840 x 2160 RGB)", "59,924,717"),
    ("Gigapixel panorama (40000 x 25000 RGB)", "7,224,719,896"),
])
def test_presets(preset, digits):
    at = run_page()
    at.selectbox(key="is_preset").set_value(preset).run()
    assert_healthy(at)
    assert f"{digits} digits" in page_text(at)
    assert not at.error


def test_changing_colour_and_bits_updates_the_count_and_url():
    at = run_page()
    at.radio(key="is_colour").set_value("RGB").run()
    assert "72,248 digits" in page_text(at) and at.selectbox(key="is_preset").value == "100 x 100 RGB"
    at.radio(key="is_bits").set_value(16).run()
    assert "144,495 digits" in page_text(at) and at.selectbox(key="is_preset").value == "Custom"
    assert at.query_params["bits"] == "16" and at.query_params["colour"] == "rgb"


@pytest.mark.parametrize(("width", "message"), [
    ("0", "at least 1"), ("-5", "at least 1"), ("12.5", "whole number"), ("abc", "whole number"), ("", "empty"),
    ("1000000000000", "10^18"),
])
def test_bad_width_shows_an_error_and_the_page_keeps_working(width, message):
    at = run_page()
    if message == "10^18":
        at.text_input(key="is_h").set_value("1000000000000").run()
    at.text_input(key="is_w").set_value(width).run()
    assert_healthy(at)
    assert any(message in e.value for e in at.error), [e.value for e in at.error]
    at.text_input(key="is_w").set_value("28").run()
    at.text_input(key="is_h").set_value("28").run()
    assert not at.error and "1,889 digits" in page_text(at)
    assert at.selectbox(key="is_preset").value == "28 x 28 MNIST digit"


def test_the_whole_number_can_be_prepared_for_download(served_media, unlimited_int_str):
    """The downloaded file is exactly the 24,083 digits of 256**10000 as Python writes them, and stays so."""
    at = run_page()
    at.button(key="is_prepare").click().run()
    assert_healthy(at)
    download = at.download_button(key="is_download")
    served = served_media[download.proto.url]
    assert served.content == str(256**10_000).encode("ascii")
    assert (served.filename, served.mimetype) == ("256^10000.txt", "text/plain")
    assert download.proto.label == "Download 256^10000.txt (0.0 MB)"
    at.toggle(key="ix_show_all").set_value(True).run()  # a rerun replays the cached file (and its progress bar)
    assert_healthy(at)
    assert served_media[at.download_button(key="is_download").proto.url].content == served.content


def test_a_number_of_millions_of_digits_is_written_out_exactly(served_media):
    """640 x 480 RGB: 256**921600, 2,219,434 digits, written by a worker process; every digit is checked.

    Too long for Python's quadratic int -> str: length, head, tail and the residues of the whole text modulo three
    large primes are compared with decimal, pow() and pow(256, n, p) (tests/unit/power_oracles.py).
    """
    at = run_page(w="640", h="480", colour="rgb", bits="8")
    at.button(key="is_prepare").click().run()
    assert_healthy(at)
    download = at.download_button(key="is_download")
    served = served_media[download.proto.url]
    assert (served.filename, served.mimetype) == ("256^921600.txt", "text/plain")
    assert download.proto.label == "Download 256^921600.txt (2.2 MB)"
    text = served.content.decode("ascii")
    assert len(text) == 2_219_434
    assert_is_power_text(text, 256, 921_600)


def test_the_largest_allowed_size():
    """65536**(10**18): the digit count, and the first and last 50 digits shown, against decimal and pow()."""
    at = run_page(w="1000000000", h="1000000000", colour="gray", bits="16")
    assert_healthy(at)
    assert not at.warning and not at.error
    assert "4,816,479,930,623,699,124 digits" in page_text(at)
    head, tail = monospace_boxes(at)[:2]  # the "First 50 digits" and "Last 50 digits" blocks
    assert head == leading_digits_oracle(65536, 10**18) == "26291920813369891037194657551395754976146976071891"
    assert tail == trailing_digits_oracle(65536, 10**18)


def test_too_long_numbers_are_refused_with_a_reason():
    at = run_page()
    at.selectbox(key="is_preset").set_value("Gigapixel panorama (40000 x 25000 RGB)").run()
    assert any("at most 100,000,000 digits" in i.value for i in at.info)
    assert "is_prepare" not in [b.key for b in at.button]


@pytest.mark.parametrize(("text", "message"), [
    ("12a3", "“a” is not a digit"), ("-1", "“-” is not a digit"), ("9" * 1000, "at most 617"),
    ("9" * 617, "too large"),
])
def test_bad_index_text(text, message):
    at = run_page()
    at.text_area(key="ix_text").set_value(text).run()
    assert_healthy(at)
    assert any(message in e.value for e in at.error), [e.value for e in at.error]


def test_random_index_and_index_plus_one(served_media):
    """The random index is a 16 x 16 index; the page draws exactly its pixels, those of index + 1, and says
    which pixels adding 1 changed (oracles: the base-256 digits of the int, by Python's to_bytes)."""
    at = run_page()
    at.button(key="ix_random").click().run()
    assert_healthy(at)
    assert not at.error
    text = at.text_area(key="ix_text").value
    assert text.isdigit() and 0 <= int(text) < 256**256  # 617 digits at most: within int()'s default limit
    index = int(text)
    assert np.array_equal(shown_index_image(served_media, at, "this index"), index_image(index))
    assert np.array_equal(shown_index_image(served_media, at, "index + 1"), index_image(index + 1))
    assert plus_one_caption(index) in [c.value for c in at.caption]


def test_picture_index_round_trips_and_carry_is_explained(served_media):
    """The picture's index, turned back into an image, is the picture itself: the same pixels served."""
    at = run_page()
    at.button(key="ix_use_picture").click().run()
    assert not at.error and not at.exception
    picture = shown_index_image(served_media, at, "16 × 16 grayscale")
    assert np.array_equal(shown_index_image(served_media, at, "this index"), picture)
    index = int(at.text_area(key="ix_text").value)
    assert np.array_equal(index_image(index), picture)  # and the text is that picture's base-256 number
    assert at.metric[0].value == f"{len(str(index)):,}"
    assert plus_one_caption(index) in [c.value for c in at.caption]
    at.slider(key="ix_size").set_value(8).run()  # the 16x16 index is too long for 8x8 images
    assert any("at most 155" in e.value or "too large" in e.value for e in at.error)
    at.text_area(key="ix_text").set_value("255").run()
    assert any("rolled it over" in c.value for c in at.caption)
    at.text_area(key="ix_text").set_value(str(256**64 - 1)).run()
    assert any("last index" in i.value for i in at.info)


@pytest.mark.parametrize("query", [
    {"w": "abc"}, {"w": "0"}, {"h": "-3"}, {"colour": "cmyk"}, {"bits": "3"}, {"bits": "x"},
    {"w": "1000000000000", "h": "1000000000000"}, {"w": "9" * 5000},
])
def test_tampered_links_warn_and_fall_back_to_defaults(query):
    at = run_page(**query)
    assert_healthy(at)
    named = "The format in this link is not valid" if len(query) == 2 else f"Ignored {next(iter(query))}="
    assert len(at.warning) == 1 and named in at.warning[0].value
    assert "24,083 digits" in page_text(at)


def test_one_bad_value_in_a_link_keeps_the_good_ones():
    """A teacher's typo in one parameter costs only that parameter: the width and height still arrive."""
    at = run_page(w="640", h="480", colour="cmyk")
    assert_healthy(at)
    assert [w.value for w in at.warning] == ["Ignored colour=cmyk in the link: use gray, rgb, rgba. "
                                             "Using the default instead."]
    assert dict(at.query_params) == {"w": "640", "h": "480", "colour": "gray", "bits": "8"}
    assert "739,812 digits" in page_text(at)  # 256^(640·480), grayscale


def test_a_shared_link_restores_its_settings():
    at = run_page(w="28", h="28", colour="gray", bits="8")
    assert not at.warning and "1,889 digits" in page_text(at)
    assert at.selectbox(key="is_preset").value == "28 x 28 MNIST digit"
    at = run_page(w="640", h="480", colour="rgba", bits="16")
    assert at.radio(key="is_colour").value == "RGBA" and at.radio(key="is_bits").value == 16
    assert at.text_input(key="is_w").value == "640"


def test_a_pasted_index_is_parsed_once_not_on_every_rerun(monkeypatch):
    import diffusion_core.space.image_index as image_index

    calls = []
    real = image_index.parse_index
    monkeypatch.setattr(image_index, "parse_index", lambda *a: calls.append(a) or real(*a))
    at = run_page()
    at.text_area(key="ix_text").input("0" * 30_000 + "12345").run()
    for flip in (True, False, True):  # reruns that do not touch the index
        at.toggle(key="ix_show_all").set_value(flip).run()
    assert_healthy(at)
    assert len(calls) == 1
    assert "Adding 1 changed only the last pixel (row 16, column 16): 57 → 58." in page_text(at)  # 12345 = 48·256 + 57


def _png(width: int, height: int, colour: bool) -> bytes:
    import io

    from PIL import Image

    rng = np.random.default_rng(width * 1000 + height)
    pixels = rng.integers(0, 256, (height, width, 3) if colour else (height, width), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


def test_upload_mode_shows_no_other_pictures_index_until_a_file_arrives():
    """Issue 27: after "Upload your own" the bundled photo's picker and its 616-digit index used to stay on screen."""
    at = run_page()
    assert at.metric[0].value == "616"  # the bundled photo's index
    at.radio(key="ix_source").set_value("Upload your own").run()
    assert_healthy(at)
    assert not at.metric, "an index is shown, but no picture has arrived"
    assert "ix_sample" not in [s.key for s in at.selectbox]  # the bundled photo's picker is gone, not greyed
    assert any("Upload a picture" in i.value for i in at.info)
    assert at.button(key="ix_use_picture").disabled


def test_a_colour_upload_says_how_it_is_reduced():
    """Issue 27: a colour 120 x 100 upload became a 16 x 16 grey picture without a word."""
    at = run_page()
    at.radio(key="ix_source").set_value("Upload your own").run()
    at.file_uploader(key="ix_upload").upload("wide.png", _png(120, 100, colour=True), "image/png").run()
    assert_healthy(at)
    assert not at.error
    said = [c.value for c in at.caption if c.value.startswith("The picture, 120 × 100 colour pixels")]
    assert said == ["The picture, 120 × 100 colour pixels, becomes a 16 × 16 grey one: each pixel's red, green and "
                    "blue are mixed into one grey value (0.299 R + 0.587 G + 0.114 B), its middle 100 × 100 square is "
                    "cut out and that square is shrunk to 16 × 16 pixels. A colour picture has an index too (three "
                    "values a pixel, red, green and blue, read the same way): at 16 × 16 it would have up to 1,850 "
                    "digits instead of up to 617."]
    assert at.metric[0].value != ""
    at.slider(key="ix_size").set_value(8).run()  # the words follow the size
    assert any("shrunk to 8 × 8 pixels" in c.value and "up to 463 digits instead of up to 155" in c.value for c in at.caption)


def test_a_bad_upload_shows_no_index():
    at = run_page()
    at.radio(key="ix_source").set_value("Upload your own").run()
    at.file_uploader(key="ix_upload").upload("bad.png", b"not a picture at all", "image/png").run()
    assert_healthy(at)
    assert len(at.error) == 1 and "bad.png" in at.error[0].value and "bundled photo" in at.error[0].value
    assert not at.metric


def test_a_grey_upload_is_read_as_it_is():
    at = run_page()
    at.radio(key="ix_source").set_value("Upload your own").run()
    at.file_uploader(key="ix_upload").upload("grey.png", _png(16, 16, colour=False), "image/png").run()
    assert_healthy(at)
    assert "The picture is 16 × 16 grey pixels already: its index is read as it is." in [c.value for c in at.caption]
