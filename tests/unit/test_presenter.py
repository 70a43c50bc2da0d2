"""The presenter's walk covers the story in order, and its link parameters are read strictly."""

from __future__ import annotations

import re
from pathlib import Path

from diffusion_core.access.presenter import STEPS, read_presenting, step_of_page, step_query

ROOT = Path(__file__).resolve().parents[2]


def test_the_walk_visits_every_page_of_the_navigation_in_its_order():
    """The steps' pages are the app's pages in the order app.py lists them (home first)."""
    listed = re.findall(r'st\.Page\("pages/([\w-]+)\.py"', (ROOT / "app.py").read_text())
    assert [s.page or "home" for s in STEPS] == listed
    assert all(s.title and len(s.say) > 40 for s in STEPS)


def test_present_and_step():
    assert read_presenting({}, "forward") == (False, 2, [])
    assert read_presenting({"present": "1"}, "forward") == (True, 2, [])
    assert read_presenting({"present": "1", "step": "4"}, "") == (True, 3, [])
    assert read_presenting({"present": "0", "step": "4"}, "") == (False, 0, [])


def test_bad_values_fall_back_with_a_message():
    on, step, problems = read_presenting({"present": "yes", "step": "2"}, "denoiser")
    assert (on, step) == (False, 3) and len(problems) == 1 and "present=yes" in problems[0]
    for bad in ("0", "7", "-1", "1e1", "٣", "9" * 50):
        on, step, problems = read_presenting({"present": "1", "step": bad}, "corner")
        assert (on, step) == (True, 5) and len(problems) == 1 and problems[0].startswith(f"Ignored step={bad[:40]}")


def test_step_query_round_trips():
    for i, s in enumerate(STEPS):
        assert step_of_page(s.page) == i
        assert read_presenting(step_query(i), "elsewhere")[:2] == (True, i)
