"""Presenter mode through app.py: the link turns it on, Next and Previous walk the story, the URL keeps the flag."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def _app(query: dict[str, str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _indicator(at: AppTest) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("**Step "))


def test_present_1_shows_the_walk_and_next_goes_to_the_next_page():
    at = _app({"present": "1"})
    assert _indicator(at) == "**Step 1 of 7** · An image is a grid of integers"
    assert at.button(key="present_prev").disabled and not at.button(key="present_next").disabled
    assert at.toggle(key="present_on").value
    assert dict(at.query_params)["present"] == "1"
    at.button(key="present_next").click().run()
    assert not at.exception
    assert at.title[0].value == "How large is image space?"
    assert _indicator(at).startswith("**Step 2 of 7**")
    assert dict(at.query_params)["present"] == "1" and dict(at.query_params)["step"] == "2"
    at.button(key="present_prev").click().run()
    assert at.title[0].value == "Image Space" and _indicator(at).startswith("**Step 1 of 7**")


def test_a_step_in_the_link_opens_that_step_and_leaving_ends_it():
    at = _app({"present": "1", "step": "3"})
    assert at.title[0].value == "The forward process" and _indicator(at).startswith("**Step 3 of 7**")
    at.button(key="present_leave").click().run()
    assert not at.exception and not at.toggle(key="present_on").value
    assert not [m for m in at.markdown if m.value.startswith("**Step ")]
    assert "present" not in dict(at.query_params)


def test_a_bad_flag_falls_back_with_a_message():
    at = _app({"present": "please"})
    assert any("present=please" in w.value for w in at.warning)
    assert not at.toggle(key="present_on").value


def test_without_the_flag_nothing_changes_until_the_toggle():
    at = _app({})
    assert not [m for m in at.markdown if m.value.startswith("**Step ")]
    at.toggle(key="present_on").set_value(True).run()
    assert _indicator(at).startswith("**Step 1 of 7**")


def _styles(at: AppTest) -> str:
    return " ".join(h.proto.body for h in at.get("html") if "<style>" in h.proto.body)


def test_each_step_has_its_teacher_notes_its_slide_and_the_plan():
    from diffusion_core.access.teaching import note_for

    at = _app({"present": "1", "step": "3"})
    note = note_for("forward")
    texts = [t.value for t in at.text]
    assert note.say in texts and f"Answer: {note.questions[0].answer}" in texts  # in the Notes popover
    assert ".st-key-fw_player" in _styles(at)  # the slide keeps the player, the rest folds away
    assert at.get("download_button") and not at.toggle(key="present_light").value
    at.toggle(key="present_whole").set_value(True).run()
    assert ".st-key-fw_player" not in _styles(at)  # the whole page


def test_the_light_projector_theme_from_the_link_and_from_the_toggle():
    at = _app({"present": "1", "theme": "light"})
    assert at.toggle(key="present_light").value and "--present-bg: #ffffff" in _styles(at)
    assert dict(at.query_params)["theme"] == "light"
    at.toggle(key="present_light").set_value(False).run()
    assert "--present-bg: #ffffff" not in _styles(at) and "theme" not in dict(at.query_params)
    at = _app({"present": "1", "theme": "sepia"})
    assert any("theme=sepia" in w.value for w in at.warning) and not at.toggle(key="present_light").value


def test_the_last_steps_next_is_disabled_and_still_readable():
    """A disabled primary button draws as an empty box (seen on the projector): the last step's Next is a plain one."""
    at = _app({"present": "1", "step": "7"})
    assert _indicator(at).startswith("**Step 7 of 7**")
    nxt = at.button(key="present_next")
    assert nxt.disabled and nxt.proto.type == "secondary"
    at = _app({"present": "1", "step": "6"})
    assert at.button(key="present_next").proto.type == "primary" and not at.button(key="present_next").disabled
