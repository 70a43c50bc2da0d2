"""Lesson links on every page: the teacher's "Make a lesson link" panel, and the student's view of such a link.

A page lists the controls a lesson may hide or lock as ``{name: Control(label, widget keys…)}``, calls
:func:`lesson_for` before drawing them (it reads the link once per session through
:func:`diffusion_core.access.lessons.read_lesson`, warns about what it rejected, shows the task as plain text and
hides the hidden controls), passes ``disabled=lesson.is_locked(name)`` to each control, and ends with
:func:`lesson_panel`. Hidden controls are still drawn, out of sight (CSS on Streamlit's ``st-key-<key>`` class), so
their values stay exactly the link's. :func:`pages.reader_state.mirror_in_url` keeps the lesson's parameters in the
URL while the student works.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple
from urllib.parse import quote, urlencode

import streamlit as st

from diffusion_core.access.lessons import MAX_TASK, Lesson, clean_task, lesson_link_query, read_lesson
from pages.reader_state import KEPT
from pages.safe_text import plain

NOW = "lesson_now"  # session key: the lesson of the page this run draws (reset by app.py each run)


class Control(NamedTuple):
    """A control a lesson can hide or lock: its label for the teacher and the widget keys it is drawn with."""

    label: str
    keys: tuple[str, ...]


def lesson_for(page: str, controls: Mapping[str, Control]) -> Lesson:
    """This page's lesson for this session (read from the link on the first entry); applies its task and hiding."""
    key = f"lesson_{page}"
    if key not in st.session_state:
        lesson, problems = read_lesson(st.query_params.to_dict(), controls)
        st.session_state[key] = lesson
        for problem in problems:
            st.warning(plain(problem), icon=":material/link_off:")
    lesson: Lesson = st.session_state[key]
    st.session_state[NOW] = lesson
    if lesson.hidden:
        hidden = ", ".join(f".st-key-{k}" for name in sorted(lesson.hidden) for k in controls[name].keys)
        st.html(f"<style>{hidden} {{ display: none !important; }}</style>")
    if lesson.task:
        with st.container(border=True, key="lesson_task"):
            st.markdown("**Your task**")
            st.text(lesson.task)  # plain text, never Markdown or HTML: a stranger may have written it
    return lesson


def _page_url() -> str:
    """This page's address without its query ("" where the app has none, as under AppTest)."""
    return (st.context.url or "").split("?")[0]


def lesson_panel(page: str, controls: Mapping[str, Control], settings: Mapping[str, str], lesson: Lesson) -> None:
    """In the sidebar: the lesson a student is in, or the teacher's panel making a link of the view on screen."""
    with st.sidebar:
        if lesson.active:
            parts = [f"{len(lesson.hidden)} control{'s' if len(lesson.hidden) != 1 else ''} hidden"] if lesson.hidden else []
            parts += [f"locked: {', '.join(controls[n].label for n in sorted(lesson.locked))}"] if lesson.locked else []
            st.caption(plain("A lesson view" + (f" ({'; '.join(parts)})" if parts else "") + "."))
            return
        with st.expander("Make a lesson link", icon=":material/school:"):
            st.caption("Set the page up as your students should first see it, choose what they may change, and write "
                       "their task. The link below opens exactly this view.")
            names = list(controls)
            label = {name: control.label for name, control in controls.items()}.get
            hide = st.multiselect("Hidden", names, format_func=label, key=f"lesson_make_{page}_hide", **KEPT) if names else []
            lock = st.multiselect("Shown but locked", [n for n in names if n not in hide], format_func=label,
                                  key=f"lesson_make_{page}_lock", **KEPT) if names else []
            typed = st.text_area("Task for the students (plain text)", max_chars=MAX_TASK, key=f"lesson_make_{page}_task", **KEPT,
                                 placeholder="e.g. Move t until you can no longer see the face. What is ᾱ_t there?")
            task = clean_task(typed)
            if task is None:
                st.warning("The task may not contain control characters; it is left out of the link.")
            made = Lesson(hidden=frozenset(hide), locked=frozenset(lock), task=task or "")
            if not made.active:
                st.caption("Hide or lock a control, or write a task, to make a lesson link.")
                return
            link = _page_url() + "?" + urlencode(lesson_link_query(settings, made), quote_via=quote)
            st.code(link, language=None, wrap_lines=True)
            st.link_button("Open the lesson view", link, icon=":material/open_in_new:")
