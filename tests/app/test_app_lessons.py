"""Lesson links under AppTest: a lesson locks, hides and shows its task as plain text; a tampered one falls back."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from streamlit.testing.v1 import AppTest

from diffusion_core.access.lessons import Lesson, lesson_link_query, read_lesson

PAGES = Path(__file__).resolve().parents[2] / "pages"
SETTINGS = {"img": "photo:Astronaut", "colour": "rgb", "res": "64", "schedule": "linear", "T": "1000", "t": "400",
            "seed": "3"}


def _run(page: str, query: dict[str, str]) -> AppTest:
    # home.py links to the other pages, so it runs only inside app.py's navigation (where it is the default page)
    at = AppTest.from_file(str(PAGES.parent / "app.py" if page == "home.py" else PAGES / page), default_timeout=120)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _forward(lesson: Lesson, **edits: str) -> AppTest:
    return _run("forward.py", {**lesson_link_query(SETTINGS, lesson), **edits})


def _hidden_css(at: AppTest) -> str:
    return " ".join(h.proto.body for h in at.get("html") if "display: none" in h.proto.body)


def test_a_lesson_link_locks_hides_and_gives_the_task():
    task = "**Move** t: when is the face gone? <b>no html</b> [no](https://e.vil)"
    lesson = Lesson(hidden=frozenset({"seed", "T"}), locked=frozenset({"t", "schedule"}), task=task)
    at = _forward(lesson)
    assert not at.warning
    assert at.slider(key="fw_t").value == 400 and at.slider(key="fw_t").disabled
    assert at.radio(key="fw_sched").value == "linear" and at.radio(key="fw_sched").disabled
    assert not at.toggle(key="fw_colour").disabled  # not in the lesson: the student may change it
    css = _hidden_css(at)
    assert ".st-key-fw_seed" in css and ".st-key-fw_T" in css and ".st-key-fw_t" not in css
    assert at.number_input(key="fw_seed").value == 3  # hidden, still the link's value
    assert [t.value for t in at.text] == [task]  # st.text: shown exactly as written, never as Markdown
    assert all(task not in m.value for m in at.markdown)
    assert not [e for e in at.expander if e.label == "Make a lesson link"]
    url = dict(at.query_params)  # the URL keeps the lesson (its check recomputed for the settings on screen)
    assert (url["hide"], url["lock"], url["task"]) == ("T,seed", "schedule,t", task)
    assert read_lesson(url, ["seed", "T", "t", "schedule"]) == (lesson, [])


def test_a_tampered_lesson_link_falls_back_with_a_message():
    lesson = Lesson(locked=frozenset({"t"}), task="Keep t where it is.")
    at = _forward(lesson, t="900")  # a student moved t in the address bar
    assert any("check does not match" in w.value for w in at.warning)
    assert at.slider(key="fw_t").value == 900 and not at.slider(key="fw_t").disabled
    assert not at.text and not _hidden_css(at)


def test_unknown_names_in_a_lesson_are_ignored_one_by_one():
    from diffusion_core.access.lessons import checksum

    query = {**SETTINGS, "lock": "t,warp", "task": "Go."}
    at = _run("forward.py", {**query, "check": checksum(query)})
    assert [w.value for w in at.warning if "lock" in w.value] and at.slider(key="fw_t").disabled
    assert [t.value for t in at.text] == ["Go."]


def test_the_teachers_panel_makes_a_link_that_reads_back_as_the_same_lesson():
    at = _run("forward.py", SETTINGS)
    panel = next(e for e in at.sidebar.expander if e.label == "Make a lesson link")
    assert panel
    at.multiselect(key="lesson_make_forward_hide").set_value(["seed"]).run()
    at.multiselect(key="lesson_make_forward_lock").set_value(["t"]).run()
    at.text_area(key="lesson_make_forward_task").set_value("Find the last t where you see a face.").run()
    assert not at.exception
    link = next(c.value for c in at.code if "check=" in c.value)
    query = dict(parse_qsl(urlsplit(link).query))
    lesson, problems = read_lesson(query, ["seed", "t", "T"])
    assert problems == [] and lesson == Lesson(frozenset({"seed"}), frozenset({"t"}), "Find the last t where you see a face.")
    assert {k: query[k] for k in SETTINGS} == SETTINGS  # the view on screen, every setting


# page file -> (a control a lesson can lock, the widget kind and key that shows it)
EVERY_PAGE = {"home.py": None, "image-space.py": ("preset", "selectbox", "is_preset"),
              "denoiser.py": ("steps", "slider", "den_steps"), "direction.py": ("data", "selectbox", "dir_data"),
              "corner.py": ("calls", "select_slider", "co_calls")}


def test_every_page_takes_a_lesson():
    for page, locking in EVERY_PAGE.items():
        lesson = Lesson(locked=frozenset({locking[0]}) if locking else frozenset(), task=f"Task on {page}")
        at = _run(page, lesson_link_query({}, lesson))
        assert [t.value for t in at.text] == [f"Task on {page}"], page
        assert not [w.value for w in at.warning if "link" in w.value], page
        if locking:
            kind, key = locking[1:]
            assert getattr(at, kind)(key=key).disabled, page
        plain = _run(page, {})
        assert [e for e in plain.sidebar.expander if e.label == "Make a lesson link"], page
        if locking:
            assert not getattr(plain, locking[1])(key=locking[2]).disabled, page
