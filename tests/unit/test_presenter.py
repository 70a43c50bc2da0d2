"""The presenter's walk covers the story in order, and its link parameters are read strictly."""

from __future__ import annotations

from pathlib import Path

from diffusion_core.access.lessons import UNCHECKED
from diffusion_core.access.presenter import (
    BODY_PX,
    DESIGN_WIDTH_PX,
    PRESENT_PARAMS,
    SMALLEST_PX,
    STEPS,
    read_presenting,
    read_theme,
    step_of_page,
    step_query,
)
from diffusion_core.access.site_map import PAGES

ROOT = Path(__file__).resolve().parents[2]


def test_the_walk_visits_every_page_of_the_navigation_in_its_order():
    """The steps' pages are the app's pages in the order the navigation lists them (home first), and each step is
    titled as its page is, unless it has a title of its own (home's)."""
    story = [p for p in PAGES if p.path != "glossary"]  # the glossary is a reference, not a step of the story
    assert [s.page for s in STEPS] == [p.path for p in story]
    assert all((s.own_title or s.title == p.title) and len(s.say) > 40 for s, p in zip(STEPS, story))
    assert all((ROOT / p.file).is_file() for p in PAGES)
    assert "site_map import PAGES" in (ROOT / "app.py").read_text()  # the navigation is built from the same list


def test_present_and_step():
    assert read_presenting({}, "forward") == (False, 2, [])
    assert read_presenting({"present": "1"}, "forward") == (True, 2, [])
    assert read_presenting({"present": "1", "step": "4"}, "") == (True, 3, [])
    assert read_presenting({"present": "0", "step": "4"}, "") == (False, 0, [])


def test_bad_values_fall_back_with_a_message():
    on, step, problems = read_presenting({"present": "yes", "step": "2"}, "denoiser")
    assert (on, step) == (False, 4) and len(problems) == 1 and "present=yes" in problems[0]
    for bad in ("0", "8", "-1", "1e1", "٣", "9" * 50):
        on, step, problems = read_presenting({"present": "1", "step": bad}, "corner")
        assert (on, step) == (True, 6) and len(problems) == 1 and problems[0].startswith(f"Ignored step={bad[:40]}")


def test_step_query_round_trips():
    for i, s in enumerate(STEPS):
        assert step_of_page(s.page) == i
        assert read_presenting(step_query(i), "elsewhere")[:2] == (True, i)


def test_the_projector_theme_is_read_strictly_and_kept_in_the_step_query():
    assert read_theme({}) == ("dark", []) and read_theme({"theme": "light"}) == ("light", [])
    assert read_theme({"theme": "dark"}) == ("dark", [])
    theme, problems = read_theme({"theme": "Light<b>"})
    assert theme == "dark" and len(problems) == 1 and problems[0].startswith("Ignored theme=Light<b>")
    assert step_query(2, "light") == {"present": "1", "step": "3", "theme": "light"}
    assert "theme" not in step_query(2) and read_theme(step_query(4, "light"))[0] == "light"


def test_the_presenters_parameters_never_break_a_lesson_links_check():
    """A lesson link opened in presenter mode (any step, either theme) keeps its lesson: the check skips them."""
    assert set(PRESENT_PARAMS) <= set(UNCHECKED) and "theme" in PRESENT_PARAMS


def test_the_type_sizes_are_the_issues():
    assert (BODY_PX, SMALLEST_PX, DESIGN_WIDTH_PX) == (32, 24, 1920)
