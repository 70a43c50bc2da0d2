"""Lessons under AppTest: a lesson locks, hides and shows its task as plain text; a tampered long link falls back; the
builder makes a long link without a store and a short one with it; a short link opens its page and settings, the
teacher's link shows and reveals the answers and leaves the URL."""

from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from streamlit.testing.v1 import AppTest

from diffusion_core.access.lesson_store import LessonStore
from diffusion_core.access.lessons import Lesson, lesson_link_query, read_lesson
from diffusion_core.access.site_map import page as site_page

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
    lesson = Lesson(hidden=frozenset({"seed", "T"}), locked=frozenset({"res", "schedule"}), task=task)
    at = _forward(lesson)
    assert not at.warning
    assert at.select_slider(key="fw_res").value == 64 and at.select_slider(key="fw_res").disabled
    assert at.radio(key="fw_sched").value == "linear" and at.radio(key="fw_sched").disabled
    assert not at.toggle(key="fw_colour").disabled  # not in the lesson: the student may change it
    css = _hidden_css(at)
    assert ".st-key-fw_seed" in css and ".st-key-fw_T" in css and ".st-key-fw_t" not in css
    assert at.number_input(key="fw_seed").value == 3  # hidden, still the link's value
    assert [t.value for t in at.text] == [task]  # st.text: shown exactly as written, never as Markdown
    assert all(task not in m.value for m in at.markdown)
    assert not [t for t in at.toggle if t.key == "lesson_build"]
    url = dict(at.query_params)  # the URL keeps the lesson (its check recomputed for the settings on screen)
    assert (url["hide"], url["lock"], url["task"]) == ("T,seed", "res,schedule", task)
    assert read_lesson(url, ["seed", "T", "res", "schedule"]) == (lesson, [])


def test_a_tampered_lesson_link_falls_back_with_a_message():
    lesson = Lesson(locked=frozenset({"schedule"}), task="Keep the schedule.")
    at = _forward(lesson, schedule="cosine")  # a student changed the schedule in the address bar
    assert any("check does not match" in w.value for w in at.warning)
    assert at.radio(key="fw_sched").value == "cosine" and not at.radio(key="fw_sched").disabled
    assert not at.text and not _hidden_css(at)


def test_unknown_names_in_a_lesson_are_ignored_one_by_one():
    from diffusion_core.access.lessons import checksum

    query = {**SETTINGS, "lock": "schedule,warp", "task": "Go."}
    at = _run("forward.py", {**query, "check": checksum(query)})
    assert [w.value for w in at.warning if "lock" in w.value] and at.radio(key="fw_sched").disabled
    assert [t.value for t in at.text] == ["Go."]


def _html(at: AppTest, css_class: str) -> list[str]:
    """The texts of the ``<pre class="… css_class">`` blocks the builder shows (the links to copy)."""
    found = []
    for element in at.get("html"):
        match = re.search(rf'<pre class="lesson-link {css_class}"[^>]*>(.*?)</pre>', element.proto.body, re.S)
        if match:
            found.append(html.unescape(match.group(1)))
    return found


def _build(at: AppTest, page: str = "forward") -> AppTest:
    """The teacher switches the builder on, hides the seed, locks t, writes a task and a question."""
    at.toggle(key="lesson_build").set_value(True).run()
    at.button_group(key=f"lesson_make_{page}_hide").set_value(["seed"]).run()
    at.button_group(key=f"lesson_make_{page}_lock").set_value(["schedule"]).run()
    at.text_area(key=f"lesson_make_{page}_task").set_value("Find the last t where you see a face.").run()
    return at


def test_without_a_store_the_builder_gives_the_long_link_that_reads_back_as_the_same_lesson(monkeypatch):
    monkeypatch.setenv("IMAGE_SPACE_LESSON_DB", "off")
    at = _build(_run("forward.py", SETTINGS))
    assert not at.exception
    assert any("Short links are not available" in i.value for i in at.info)
    assert not at.text_input  # no questions: their answers would be in the link
    link = _html(at, "lesson_long")[0]
    query = dict(parse_qsl(urlsplit(link).query))
    lesson, problems = read_lesson(query, ["seed", "schedule", "T"])
    assert problems == [] and lesson == Lesson(frozenset({"seed"}), frozenset({"schedule"}),
                                               "Find the last t where you see a face.")
    assert {k: query[k] for k in SETTINGS} == SETTINGS  # the view on screen, every setting


def test_the_builder_stores_a_lesson_with_a_question_behind_a_short_link(monkeypatch, tmp_path):
    monkeypatch.setenv("IMAGE_SPACE_LESSON_DB", str(tmp_path / "lessons.sqlite3"))
    at = _build(_run("forward.py", SETTINGS))
    at.text_input(key="lesson_make_forward_q0").set_value("When is the face gone?").run()
    at.text_input(key="lesson_make_forward_a0").set_value("About t = 600: SECRET.").run()
    preview = " ".join(t.value for t in at.text)
    assert "When is the face gone?" in preview and "SECRET" not in preview  # the preview is the student's view
    at.button(key="lesson_make_forward_go").click().run()
    assert not at.exception
    short, teacher = _html(at, "lesson_short")[0], _html(at, "lesson_teacher_link")[0]
    short_id = dict(parse_qsl(urlsplit(short).query))["lesson"]
    assert teacher == f"{short}&teacher={dict(parse_qsl(urlsplit(teacher).query))['teacher']}"
    stored, _ = LessonStore(tmp_path / "lessons.sqlite3").load(short_id)
    assert stored.page == "forward" and stored.lesson == Lesson(frozenset({"seed"}), frozenset({"schedule"}),
                                                                 "Find the last t where you see a face.")
    assert {k: stored.settings[k] for k in SETTINGS} == SETTINGS

    # a student opens the short link on the home page's address: the app goes to the lesson's page and settings
    student = _through_app({"lesson": short_id.upper()})
    assert student.title[0].value == site_page("forward").title
    assert dict(student.query_params) == {**stored.settings, "lesson": short_id}
    assert [t.value for t in student.text] == ["Find the last t where you see a face.", "When is the face gone?"]
    assert student.number_input(key="fw_seed").value == 3 and ".st-key-fw_seed" in _hidden_css(student)
    assert student.radio(key="fw_sched").disabled
    assert not [t for t in student.toggle if t.key == "lesson_build"]  # no builder in a lesson

    # the teacher's link: the answers, the reveal, and the key gone from the URL
    teach = _through_app({"lesson": short_id, "teacher": dict(parse_qsl(urlsplit(teacher).query))["teacher"]})
    assert "teacher" not in dict(teach.query_params)
    assert "About t = 600: SECRET." in [t.value for t in teach.text]
    teach.button(key="lesson_reveal_0").click().run()
    assert not teach.exception and teach.button(key="lesson_hide_0")
    student.run()  # the student's next run (the page polls every few seconds)
    assert "About t = 600: SECRET." in [t.value for t in student.text]


def test_a_short_link_that_is_not_there_says_so(monkeypatch, tmp_path):
    monkeypatch.setenv("IMAGE_SPACE_LESSON_DB", str(tmp_path / "lessons.sqlite3"))
    at = _through_app({"lesson": "abcdefg", "teacher": "x" * 32})
    assert any("no lesson “abcdefg”" in w.value for w in at.warning)
    assert "lesson" not in dict(at.query_params) and "teacher" not in dict(at.query_params)
    monkeypatch.setenv("IMAGE_SPACE_LESSON_DB", "off")
    at = _through_app({"lesson": "abcdefg"})
    assert any("turned off" in w.value for w in at.warning)


def _through_app(query: dict[str, str]) -> AppTest:
    at = AppTest.from_file(str(PAGES.parent / "app.py"), default_timeout=120)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


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
        assert plain.toggle(key="lesson_build"), page  # the builder's switch
        if locking:
            assert not getattr(plain, locking[1])(key=locking[2]).disabled, page
