"""Teacher notes: a 45-minute lesson, two or three answered questions a step, figures from the core, labels that are
still on the pages, and a printable plan that parses, one page a step."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from diffusion_core.access import teaching
from diffusion_core.access.presenter import STEPS
from diffusion_core.access.teaching import NOTES, PAGE_ORDER, digits_of_power, render_plan_html, render_plan_markdown
from diffusion_core.forward.schedules import SCHEDULE_KINDS, NoiseSchedule
from diffusion_core.space import space_facts
from diffusion_core.space.image_space import PRESETS, digit_count

ROOT = Path(__file__).resolve().parents[2]


def test_the_lesson_takes_45_minutes():
    assert teaching.LESSON_MINUTES == 45
    assert teaching.OPENING.minutes + sum(n.minutes for n in NOTES) + teaching.CLOSING.minutes == 45
    assert teaching.total_minutes() == 45
    times = teaching.schedule()
    assert times[0][1] == 0 and times[-1][2] == 45
    assert all(a[2] == b[1] for a, b in zip(times, times[1:]))  # back to back, no gaps
    assert all(n.minutes > 0 for n in NOTES)


def test_one_note_per_step_of_the_story_in_the_new_order():
    assert tuple(n.page for n in NOTES) == PAGE_ORDER
    assert PAGE_ORDER[:3] == ("", "image-space", "forward") and PAGE_ORDER.index("direction") < PAGE_ORDER.index("denoiser")
    assert set(PAGE_ORDER) == {s.page for s in STEPS}  # the presenter walks the same pages
    assert [n.title for n in NOTES] == [next(s.title for s in STEPS if s.page == n.page) for n in NOTES]
    assert teaching.note_for("forward").page == "forward" and teaching.note_for("nowhere") is None


def _sentences(text: str) -> int:
    return len(re.findall(r"[.!?][”)]?(?=\s+[A-Z“(]|$)", text))


def test_every_step_has_what_to_show_what_to_say_and_two_or_three_answered_questions():
    for note in NOTES:
        assert note.show and all(item.strip() for item in note.show), note.page
        assert 2 <= _sentences(note.say) <= 4, (note.page, _sentences(note.say))
        assert 2 <= len(note.questions) <= 3, note.page
        for q in note.questions:
            assert q.ask.strip().endswith("?") or "?" in q.ask, q.ask
            assert len(q.answer.strip()) > 20, q.ask
    for part in (teaching.OPENING, teaching.CLOSING):
        assert part.do and 1 <= _sentences(part.say) <= 4


def test_the_article_is_named_as_the_article():
    assert teaching.ARTICLE == "How Diffusion Models Generate Images: The Math Behind AI Creativity"
    assert any(f"article “{teaching.ARTICLE}”" in n.say for n in NOTES)
    assert teaching.ARTICLE in render_plan_html() and teaching.ARTICLE in render_plan_markdown()


def test_training_and_sampling_are_told_apart_where_the_article_simplifies():
    forward = teaching.note_for("forward")
    assert "what really happens" in forward.say and "one jump" in forward.say and "every noise level" in forward.say
    assert "belong to generation, to the sampler" in forward.say
    denoiser = teaching.note_for("denoiser")
    assert any("steps are the sampler's" in q.answer for q in denoiser.questions)


def _texts(note) -> list[str]:
    return [*note.show, *(t for q in note.questions for t in (q.ask, q.answer))]


def test_every_quoted_label_is_on_a_page():
    """What to show names controls by their labels in “quotes”: each must still be in the pages' (or core's) text."""
    sources = "\n".join(p.read_text() for p in [*(ROOT / "pages").rglob("*.py"), *(ROOT / "diffusion_core").rglob("*.py")]
                        if p.name != "teaching.py")
    missing = []
    for note in NOTES:
        for text in _texts(note):
            for label in re.findall(r"“([^”]+)”", text):
                parts = [part.strip() for part in label.split("…") if part.strip()]  # "Take the … single steps"
                missing += [(note.page, label)] if not all(part in sources for part in parts) else []
    assert missing == []
    assert "100 x 100 grayscale (the article's example)" in PRESETS  # the preset the image-space note keeps


def test_the_figures_come_out_as_the_core_computes_them():
    assert teaching.GREY_DIGITS == digit_count(256, 100 * 100) == 24_083
    assert teaching.COLOUR_DIGITS == digit_count(256, 3 * 100 * 100)
    assert teaching.INDEX_DIGITS == digit_count(256, 16 * 16)
    assert teaching.DIGIT_DIGITS == digit_count(256, 28 * 28)
    assert (teaching.SAND_EXPONENT, teaching.ATOMS_EXPONENT) == (space_facts.SAND_EXPONENT, space_facts.ATOMS_EXPONENT)
    for pixels, exponent in ((teaching.ATOMS_PIXELS, teaching.ATOMS_EXPONENT), (teaching.SAND_PIXELS, teaching.SAND_EXPONENT)):
        assert 256**pixels > 10**exponent >= 256 ** (pixels - 1)
        # what the image-space page says for a strip of that many pixels, and one fewer
        assert space_facts.times_reference(digit_count(256, pixels), exponent) >= 1
        assert space_facts.times_reference(digit_count(256, pixels - 1), exponent) == 0
    assert 2**teaching.BITS_PER_VALUE == 256


def test_the_answers_state_the_computed_figures():
    space = " ".join(_texts(teaching.note_for("image-space")))
    for figure in (digit_count(256, 10_000), digit_count(256, 30_000), digit_count(256, 256), digit_count(256, 34)):
        assert f"{figure:,}" in space
    assert f"{teaching.ATOMS_PIXELS} pixels" in space and f"{teaching.SAND_PIXELS} pixels" in space
    corner = " ".join(_texts(teaching.note_for("corner")))
    assert f"{digit_count(256, 784):,} digits" in corner
    home = " ".join(_texts(teaching.note_for("")))
    assert f"{digit_count(256, 10_000):,} digits" in home and "30,000" in home


@given(st.integers(2, 300), st.integers(0, 3000))
def test_digits_of_power_agrees_with_the_certified_count(base, exponent):
    assert digits_of_power(base, exponent) == digit_count(base, exponent)


def test_the_settings_the_notes_ask_for_exist():
    from diffusion_core.forward.settings import ForwardSettings
    from diffusion_core.space.image_index import MAX_SIDE, MIN_SIDE
    from diffusion_core.toy2d.settings import SCHEDULE

    assert MIN_SIDE <= teaching.INDEX_SIDE <= MAX_SIDE  # "Side of the small image (pixels)" to 16
    assert SCHEDULE.T - 1 == 999  # the 2-D page's "Timestep t" runs from 0 to 999
    assert ForwardSettings().T == 1000  # "(with T = 1000)": the forward page's default


def test_the_forward_answers_hold_for_both_schedules():
    """'at t = T it rounds to nearly 0, while the noise has a standard deviation of about 1'"""
    for kind in SCHEDULE_KINDS:
        schedule = NoiseSchedule(kind, 1000)
        assert np.sqrt(schedule.alpha_bar[-1]) < 0.01
        assert np.sqrt(1 - schedule.alpha_bar[-1]) > 0.99
        assert schedule.alpha_bar[-1] > 0  # never exactly 0: "buried, not erased"


def _parse(document: str) -> ET.Element:
    assert document.startswith("<!DOCTYPE html>")
    return ET.fromstring(document.split("\n", 1)[1])  # the rest is well-formed XML: every tag closed, every & escaped


def test_the_plan_is_well_formed_html_with_one_page_per_step():
    document = render_plan_html()
    root = _parse(document)
    sections = root.findall(".//section")
    steps = [s for s in sections if "step" in s.get("class", "").split()]
    assert len(steps) == len(NOTES)
    assert all("sheet" in s.get("class", "").split() for s in sections)
    css = root.find(".//style").text
    assert re.search(r"\.sheet\s*\{[^}]*page-break-after:\s*always", css)
    assert re.search(r"\.sheet:last-child\s*\{[^}]*page-break-after:\s*auto", css)
    for section, note in zip(steps, NOTES):
        text = "".join(section.itertext())
        assert note.title in text and f"({note.minutes} min)" in text
        assert all(item in text for item in note.show) and note.say in text
        assert all(q.ask in text and q.answer in text for q in note.questions)
        assert "45 minutes in all" in text  # the header of every page
    cover = "".join(sections[0].itertext())
    assert "45 minutes" in cover and teaching.OPENING.say in cover
    assert teaching.CLOSING.say in "".join(sections[-1].itertext())


def test_the_plan_needs_nothing_from_outside():
    document = render_plan_html()
    root = _parse(document)
    assert root.findall(".//script") == [] and root.findall(".//link") == [] and root.findall(".//img") == []
    assert "url(" not in root.find(".//style").text and "@import" not in document
    assert not re.search(r"\b(src|href)=", document)


def test_the_plan_gives_each_page_its_address():
    root = _parse(render_plan_html("https://school.example/image-space/"))
    addresses = [p.text for p in root.iter("p") if p.get("class") == "address"]
    assert addresses == [f"https://school.example/image-space/{page}" for page in PAGE_ORDER]


def test_the_plan_in_markdown():
    text = render_plan_markdown()
    assert text.startswith("# ") and "**45 minutes**" in text
    for number, note in enumerate(NOTES, start=1):
        assert f"## Step {number}: {note.title} ({note.minutes} min" in text
        assert all(q.answer in text for q in note.questions)
    assert "## Opening (2 min)" in text and "## Closing (2 min)" in text
