"""Lessons on every page: the teacher's lesson builder, the short link a class opens, the student's and the teacher's
view of a lesson.

A page lists the controls a lesson may hide or lock as ``{name: Control(label, widget keys…)}``, calls
:func:`lesson_for` before drawing them (it shows the task and the questions as plain text and hides the hidden
controls), passes ``disabled=lesson.is_locked(name)`` to each control, and ends with :func:`lesson_panel` (the
builder). Hidden controls are still drawn, out of sight (CSS on Streamlit's ``st-key-<key>`` class), so their
values stay exactly the lesson's.

**Two kinds of lesson link.**

* The **short link** (``/forward?lesson=k7mq2xa``), when the server has its lesson store
  (:mod:`diffusion_core.access.lesson_store`, one SQLite file that every replica opens and a restart keeps): the
  page's settings, the hidden and locked controls, a task of up to 2,000 characters and questions whose answers stay
  on the server until the teacher reveals them. The teacher's own link adds ``teacher=<key>``: the key is kept in
  the session and removed from the address bar (a projected address bar must not show it). Students' pages ask the
  store every :data:`POLL_S` seconds whether the teacher revealed something (one small read,
  :meth:`~diffusion_core.access.lesson_store.LessonStore.revision`) and load the lesson again only when it did.
* The **long link** (the page's own parameters plus ``hide``, ``lock``, ``task`` and ``check``,
  :mod:`diffusion_core.access.lessons`) needs no store and always works: no questions (their answers would be in
  the link), a task of up to 300 characters.

:func:`open_lesson_link` runs before the page (``pages.presenter.presenter`` calls it from ``app.py``): a short link
is turned into the page's settings in the URL before the page reads its link. :func:`reserve_slots`, called there
too, keeps a place at the top of the sidebar (the builder's switch) and of the main area (the builder): the page
only knows its settings at its end, where :func:`lesson_panel` fills them in. :func:`pages.reader_state.mirror_in_url`
keeps a long link's lesson parameters in the URL while the student works; a short link's ``lesson`` parameter is
kept through the presenter's ``present_query`` (see :func:`kept_query`).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import NamedTuple
from urllib.parse import quote, urlencode

import streamlit as st

from diffusion_core.access import lesson_store as store_module
from diffusion_core.access.lesson_store import (
    MAX_QUESTION,
    MAX_QUESTIONS,
    LessonInputError,
    LessonStore,
    StoredLesson,
    StoreUnavailable,
    read_link_query,
)
from diffusion_core.access.lessons import MAX_TASK, Lesson, clean_task, lesson_link_query, read_lesson
from diffusion_core.access.share import MAX_QR_CHARS, public_link, public_url_problem, qr_svg, reachability
from diffusion_core.access.site_map import page as site_page
from diffusion_core.access.teaching import note_for, render_plan_html
from pages.reader_state import KEPT
from pages.safe_text import plain

NOW = "lesson_now"  # session key: the lesson of the page this run draws (reset by app.py each run)
STORED = "lesson_stored"  # session key: the stored lesson this session opened by its short link
TEACHER_KEY = "lesson_teacher_key"  # session key: that lesson's teacher key, when opened by the teacher's link
BUILD = "lesson_build"  # session key: the builder's switch
POLL_S = 3  # seconds between a student's page asking the store for reveals
PLAN_FILE = "image-space-lesson-plan.html"


class Control(NamedTuple):
    """A control a lesson can hide or lock: its label for the teacher and the widget keys it is drawn with."""

    label: str
    keys: tuple[str, ...]


# ---------------------------------------------------------------- the store and the places kept for the builder
def lesson_store() -> LessonStore | None:
    """The server's lesson store (``IMAGE_SPACE_LESSON_DB``), or None when it is turned off."""
    path = store_module.store_path()
    return None if path is None else _store_at(str(path))


@st.cache_resource(show_spinner=False, max_entries=4)
def _store_at(path: str) -> LessonStore:
    return LessonStore(path)  # one object per file: it remembers that the file is set up


SLOTS = "lesson_slots"  # session key: this run's places for the builder (set anew by every run through app.py)


def reserve_slots() -> None:
    """Keep a place at the top of the sidebar and of the main area for this run's lesson builder (called before the
    page runs; :func:`lesson_panel` fills them at the page's end, once the page's settings are known). A page run
    on its own (AppTest of one file) has none: the builder then goes where :func:`lesson_panel` is called."""
    st.session_state[SLOTS] = {"sidebar": st.sidebar.container(), "main": st.container()}


def _slot(name: str):
    return st.session_state.get(SLOTS, {}).get(name) or (st.sidebar if name == "sidebar" else st.container())


def path_of(page: str) -> str:
    """A page's URL path from the name it calls :func:`lesson_for` with ("home" is "")."""
    return "" if page == "home" else page


# ---------------------------------------------------------------- opening a short link, before the page runs
def open_lesson_link(page: str) -> None:
    """Turn ``?lesson=<id>`` (and the teacher's ``&teacher=<key>``) into the lesson's page and settings, before the
    page ``page`` (its URL path) reads its link. The teacher key stays in the session and leaves the URL."""
    query = st.query_params.to_dict()
    if "lesson" not in query:
        return
    short_id, key, problems = read_link_query(query)
    stored: StoredLesson | None = st.session_state.get(STORED)
    if short_id is not None and stored is not None and stored.short_id == short_id:
        if "teacher" in query:  # already known (or refused): the key never stays in the address bar
            del st.query_params["teacher"]
        return
    for problem in problems:
        st.warning(plain(problem), icon=":material/link_off:")
    if short_id is None:
        _drop_link_params()
        return
    store = lesson_store()
    if store is None:
        st.warning("Lessons by short link are turned off on this server (IMAGE_SPACE_LESSON_DB=off). Ask your "
                   "teacher for the long lesson link.", icon=":material/link_off:")
        _drop_link_params()
        return
    if key is not None:
        loaded, message = store.load_for_teacher(short_id, key)
        if loaded is None:  # a wrong key: say so, and show the students' view
            st.warning(plain(message), icon=":material/key_off:")
            key = None
            loaded, message = store.load(short_id)
    else:
        loaded, message = store.load(short_id)
    if loaded is None:
        st.warning(plain(message), icon=":material/link_off:")
        _drop_link_params()
        return
    st.session_state[STORED], st.session_state[TEACHER_KEY] = loaded, key
    st.session_state.pop(f"lesson_{loaded.page or 'home'}", None)  # the short link's lesson replaces a long link's
    new_query = {**loaded.settings, "lesson": loaded.short_id}
    new_query.update({k: v for k, v in query.items() if k in ("present", "step", "theme")})
    if loaded.page != page:
        st.switch_page(site_page(loaded.page).file, query_params=new_query)
    st.query_params.from_dict(new_query)  # the page reads its settings from here, in this very run


def _drop_link_params() -> None:
    for name in store_module.LINK_PARAMS:
        if name in st.query_params:
            del st.query_params[name]


def _stored_here(page: str) -> StoredLesson | None:
    stored: StoredLesson | None = st.session_state.get(STORED)
    return stored if stored is not None and stored.page == path_of(page) else None


def kept_query(page: str) -> dict[str, str]:
    """The short link's parameter to keep in the URL of ``page`` (its URL path): ``{"lesson": id}`` on the lesson's
    own page, else nothing (a student who goes to another page is on the ordinary page there)."""
    stored: StoredLesson | None = st.session_state.get(STORED)
    return {"lesson": stored.short_id} if stored is not None and stored.page == page else {}


# ---------------------------------------------------------------- what students see
def _task_box(task: str, key: str) -> None:
    with st.container(border=True, key=key):
        st.markdown("**Your task**")
        st.text(task)  # plain text, never Markdown or HTML: a stranger may have written it


def _questions_box(questions: Sequence[tuple[str, str | None]], key: str) -> None:
    """Questions as students see them: ``(question, answer or None while hidden)``."""
    with st.container(border=True, key=key):
        st.markdown("**Questions**")
        for i, (question, answer) in enumerate(questions, start=1):
            st.markdown(f"**Question {i}**")
            st.text(question)
            if answer is None:
                st.caption("The answer appears here when your teacher reveals it.")
            else:
                with st.container(key=f"{key}_answer_{i}"):
                    st.markdown(f"**Answer {i}**")
                    st.text(answer)


@st.fragment(run_every=POLL_S)
def _students_questions(short_id: str) -> None:
    """The questions, asking the store every POLL_S seconds for a reveal (the whole lesson only when it changed)."""
    stored: StoredLesson = st.session_state[STORED]
    store = lesson_store()
    if store is not None and stored.short_id == short_id:
        revision = store.revision(short_id)
        if revision is not None and revision != stored.revision:
            fresh, _ = store.load(short_id)
            if fresh is not None:
                st.session_state[STORED] = stored = fresh
    _questions_box([(q.text, q.answer) for q in stored.questions], "lesson_questions")


def lesson_for(page: str, controls: Mapping[str, Control]) -> Lesson:
    """This page's lesson for this session (a short link's, or a long link's read on the first entry); shows its task
    and questions and hides the hidden controls."""
    stored = _stored_here(page)
    if stored is not None:
        lesson, problems = stored.lesson_on_page(controls)
        shown_key = f"lesson_warned_{stored.short_id}"
        if problems and shown_key not in st.session_state:
            st.session_state[shown_key] = True
            for problem in problems:
                st.warning(plain(problem), icon=":material/link_off:")
    else:
        key = f"lesson_{page}"
        if key not in st.session_state:
            lesson, problems = read_lesson(st.query_params.to_dict(), controls)
            st.session_state[key] = lesson
            for problem in problems:
                st.warning(plain(problem), icon=":material/link_off:")
        lesson = st.session_state[key]
        st.session_state[NOW] = lesson  # its parameters stay in the URL (pages.reader_state.mirror_in_url)
    if lesson.hidden:
        hidden = ", ".join(f".st-key-{k}" for name in sorted(lesson.hidden) for k in controls[name].keys)
        st.html(f"<style>{hidden} {{ display: none !important; }}</style>")
    if stored is not None and st.session_state.get(TEACHER_KEY):
        _teacher_view(stored, lesson)
    else:
        if lesson.task:
            _task_box(lesson.task, "lesson_task")
        if stored is not None and stored.questions:
            _students_questions(stored.short_id)
    return lesson


# ---------------------------------------------------------------- the teacher's view of a stored lesson
def _short_link(page: str, short_id: str) -> str:
    return public_link(st.context.url or "", f"{page}?lesson={short_id}")


def _teacher_link(page: str, short_id: str, key: str) -> str:
    return public_link(st.context.url or "", f"{page}?lesson={short_id}&teacher={key}")


def _pre(text: str, name: str) -> None:
    """Text to copy (a link), shown as it is and wrapped anywhere, in a ``<pre class="name">`` (no st.code: its
    highlighter weighs 600 KiB)."""
    st.html(f'<pre class="lesson-link {name}" style="white-space: pre-wrap; word-break: break-all; margin: 0; '
            f'font-size: 1rem; user-select: all">{html.escape(text)}</pre>')


def show_link_for_class(link: str, key: str, *, big: bool = True) -> None:
    """The link students open, its QR code to project, and a warning when students' devices cannot reach it."""
    problem = public_url_problem()
    if problem:
        st.warning(plain(problem), icon=":material/settings:")
    found = reachability(link)
    message = plain(found.message).replace("http\\://", "http://")  # the fix's example address, linked whole
    if found.reach == "unreachable":
        st.warning(message, icon=":material/wifi_off:")
    elif found.reach == "same-network":
        st.info(message, icon=":material/wifi:")
    qr, words = st.columns([2, 3] if big else [1, 3], vertical_alignment="center")
    with qr, st.container(key=f"{key}_qr"):
        if len(link) <= MAX_QR_CHARS:  # an SVG picture: sharp at any size (st.html would strip inline SVG)
            st.image(qr_svg(link, title=f"QR code of {link}"), width="stretch", alt=f"QR code of the link {link}")
        else:
            st.caption("This link is too long for a QR code that a phone reads from a screen.")
    with words:
        st.markdown("**Open this link, or scan the code:**")
        _pre(link, key)


def _teacher_view(stored: StoredLesson, lesson: Lesson) -> None:
    """The lesson as its students see it, with the answers, the reveal buttons, the link to show and the notes."""
    if lesson.task:
        _task_box(lesson.task, "lesson_task")
    with st.container(border=True, key="lesson_teacher"):
        st.markdown(f"**Teacher view** of lesson {stored.short_id}. The answers below are for you (each stays folded "
                    "until you open it, in case this screen is projected); students see each one only after you "
                    "reveal it. Keep this tab: reloading it ends the teacher view (open your teacher link again).")
        if stored.questions:
            _teachers_questions(stored.short_id)
        with st.expander("The link and QR code for the class", icon=":material/qr_code_2:",
                         expanded=not stored.revision):
            show_link_for_class(_short_link(stored.page, stored.short_id), "lesson_class_link")
        _notes_and_plan(stored.page)


@st.fragment
def _teachers_questions(short_id: str) -> None:
    stored: StoredLesson = st.session_state[STORED]
    for i, q in enumerate(stored.questions):
        with st.container(key=f"lesson_teacher_q{i}"):
            st.markdown(f"**Question {i + 1}**")
            st.text(q.text)
            if q.revealed:
                st.markdown(f"**Answer {i + 1}** (students see it)")
                st.text(q.answer)
            else:  # folded until the teacher opens it: this screen may be the one projected (the class's QR code)
                with st.expander(f"Answer {i + 1} (hidden from students)", icon=":material/visibility_off:"):
                    st.text(q.answer)
            if q.revealed:
                st.button("Hide the answer again", key=f"lesson_hide_{i}", on_click=_set_revealed, args=(i, False),
                          icon=":material/visibility_off:")
            else:
                st.button("Reveal the answer to students", key=f"lesson_reveal_{i}", on_click=_set_revealed,
                          args=(i, True), type="primary", icon=":material/visibility:")
    if st.session_state.get("lesson_reveal_problem"):
        st.warning(plain(st.session_state.pop("lesson_reveal_problem")))


def _set_revealed(index: int, revealed: bool) -> None:
    stored: StoredLesson = st.session_state[STORED]
    key, store = st.session_state.get(TEACHER_KEY), lesson_store()
    if store is None or not key:
        return
    change = store.reveal if revealed else store.hide_answer
    problem = change(stored.short_id, key, index)
    if problem:
        st.session_state["lesson_reveal_problem"] = problem
    fresh, message = store.load_for_teacher(stored.short_id, key)
    if fresh is not None:
        st.session_state[STORED] = fresh


def _notes_and_plan(path: str) -> None:
    """The teacher notes of the step showing page ``path``, and the printable lesson plan."""
    note = note_for(path)
    if note is not None:
        with st.expander(f"Teacher notes: {note.title} ({note.minutes} min)", icon=":material/speaker_notes:"):
            notes_body(path)
    st.download_button("Download the lesson plan (HTML, to print)", render_plan_html(_app_root()),
                       file_name=PLAN_FILE, mime="text/html", icon=":material/print:", on_click="ignore",
                       key=f"lesson_plan_{path or 'home'}")


def notes_body(path: str) -> None:
    """What to show, what to say and the questions with their answers, for the step showing page ``path``."""
    note = note_for(path)
    if note is None:
        return
    st.markdown("**Say**")
    st.text(note.say)
    st.markdown("**Show**")
    for i, item in enumerate(note.show, start=1):
        st.text(f"{i}. {item}")
    st.markdown("**Ask**")
    for i, q in enumerate(note.questions, start=1):
        st.text(f"{i}. {q.ask}")
        st.text(f"Answer: {q.answer}")


def _app_root() -> str | None:
    root = public_link(st.context.url or "", "").rstrip("/")
    return root or None


# ---------------------------------------------------------------- the builder
def lesson_panel(page: str, controls: Mapping[str, Control], settings: Mapping[str, str], lesson: Lesson) -> None:
    """At the top of the sidebar: the lesson a student is in, or the switch of the teacher's lesson builder, which
    then makes a lesson of the view on screen at the top of the page."""
    with _slot("sidebar"):
        if lesson.active or _stored_here(page) is not None:
            parts = [f"{len(lesson.hidden)} control{'s' if len(lesson.hidden) != 1 else ''} hidden"] if lesson.hidden else []
            parts += [f"locked: {', '.join(controls[n].label for n in sorted(lesson.locked))}"] if lesson.locked else []
            st.caption(plain("A lesson view" + (f" ({'; '.join(parts)})" if parts else "") + "."))
            return
        on = st.toggle("Make a lesson of this page", key=BUILD, **KEPT, help="A short link or QR code for your class: "
                       "this view, with controls hidden or locked, a task, and questions whose answers you reveal.")
    if on:
        with _slot("main"):
            _builder(page, controls, settings)


def _presenting() -> bool:
    """Whether presenter mode is on (pages.presenter.ON): a link made then is for projecting, its QR code large."""
    return bool(st.session_state.get("present_on"))


def _page_url() -> str:
    """This page's address without its query ("" where the app has none, as under AppTest)."""
    return (st.context.url or "").split("?")[0]


def _add_question(page: str) -> None:
    count = f"lesson_make_{page}_n"
    st.session_state[count] = min(MAX_QUESTIONS, st.session_state.get(count, 1) + 1)


def _add_notes_questions(page: str) -> None:
    """Fill the question fields with the teacher notes' questions for this page (after any the teacher wrote)."""
    note = note_for(path_of(page))
    if note is None:
        return
    count = f"lesson_make_{page}_n"
    n = st.session_state.get(count, 1)
    filled = [i for i in range(n) if st.session_state.get(f"lesson_make_{page}_q{i}", "").strip()]
    at = (max(filled) + 1) if filled else 0
    for q in note.questions:
        if at >= MAX_QUESTIONS:
            break
        st.session_state[f"lesson_make_{page}_q{at}"] = q.ask
        st.session_state[f"lesson_make_{page}_a{at}"] = q.answer
        at += 1
    st.session_state[count] = max(n, at)


def _builder(page: str, controls: Mapping[str, Control], settings: Mapping[str, str]) -> None:
    store = lesson_store()
    unavailable = "turned off (IMAGE_SPACE_LESSON_DB=off)" if store is None else store.available()
    limit = MAX_TASK if unavailable else store_module.MAX_TASK
    names = list(controls)
    label = {name: control.label for name, control in controls.items()}.get
    prefix = f"lesson_make_{page}"
    with st.container(border=True, key="lesson_builder"):
        st.subheader("Make a lesson of this page", anchor=False)
        st.caption("Set the page up below as your students should first see it. Choose what they may not change, "
                   "write their task and questions, and make the link: it opens exactly this view.")
        left, right = st.columns([3, 2], gap="large")
        with left:
            hide = st.pills("Hidden from students", names, selection_mode="multi", format_func=label,
                            key=f"{prefix}_hide", wrap=True, **KEPT) if names else []
            lock = st.pills("Shown but locked", names, selection_mode="multi", format_func=label,
                            key=f"{prefix}_lock", wrap=True, **KEPT) if names else []
            if set(hide or []) & set(lock or []):
                st.caption("A control both hidden and locked is hidden.")
            typed = st.text_area(f"Task for the students (plain text, up to {limit:,} characters)", max_chars=limit,
                                 key=f"{prefix}_task", **KEPT,
                                 placeholder="e.g. Move t until you can no longer see the face. What is ᾱ_t there?")
            task = clean_task(typed, limit)
            if task is None:
                st.warning("The task may not contain control characters; it is left out of the lesson.")
            questions = _question_fields(prefix, page, disabled=bool(unavailable))
        made = Lesson(hidden=frozenset(hide or []), locked=frozenset(lock or []), task=task or "")
        with right:
            st.markdown("**What students will see**")
            shown = [label(n) for n in sorted(made.hidden)]
            locked = [label(n) for n in sorted(made.locked - made.hidden)]
            st.caption(plain(f"Hidden: {', '.join(shown) or 'nothing'}. Locked: {', '.join(locked) or 'nothing'}."))
            if made.task:
                _task_box(made.task, "lesson_preview_task")
            if questions:
                _questions_box([(q, None) for q, _ in questions], "lesson_preview_questions")
            if not (made.active or questions):
                st.caption("Hide or lock a control, write a task or a question to make a lesson.")
            elif len(made.task) <= MAX_TASK:
                st.link_button("Open the student view", _page_url() + "?" + urlencode(
                    lesson_link_query(settings, made), quote_via=quote), icon=":material/open_in_new:")
        if not (made.active or questions):
            return
        if unavailable:
            _long_link_only(page, settings, made, unavailable, bool(questions))
            return
        go = st.button("Make the lesson link", type="primary", icon=":material/link:", key=f"{prefix}_go")
        result_key = f"{prefix}_made"
        if go:
            try:
                short_id, key = store.create(path_of(page), settings, made, questions)
            except LessonInputError as e:
                for problem in e.problems:
                    st.warning(plain(problem))
                return
            except StoreUnavailable as e:
                st.warning(plain(str(e)))
                _long_link_only(page, settings, made, str(e), bool(questions))
                return
            st.session_state[result_key] = (short_id, key, dict(settings), made, tuple(questions))
        result = st.session_state.get(result_key)
        if result is not None:
            _made(page, result, settings, made, questions)


def _question_fields(prefix: str, page: str, disabled: bool) -> list[tuple[str, str]]:
    """The question and answer fields; returns the pairs with a question (an empty answer is refused by the store)."""
    st.markdown("**Questions**, with answers that stay hidden until you reveal them")
    if disabled:
        st.caption("Questions need the server's lesson store, which is not available here.")
        return []
    n = st.session_state.get(f"{prefix}_n", 1)
    pairs = []
    for i in range(n):
        ask, answer = st.columns(2)
        q = ask.text_input(f"Question {i + 1}", max_chars=MAX_QUESTION, key=f"{prefix}_q{i}", **KEPT)
        a = answer.text_input(f"Answer {i + 1} (hidden)", max_chars=MAX_QUESTION, key=f"{prefix}_a{i}", **KEPT)
        if q.strip() or a.strip():
            pairs.append((q, a))
    more, notes = st.columns(2)
    more.button("Add a question", key=f"{prefix}_more", on_click=_add_question, args=(page,),
                disabled=n >= MAX_QUESTIONS, icon=":material/add:")
    if note_for(path_of(page)) is not None:
        notes.button("Add the teacher notes' questions", key=f"{prefix}_notes", on_click=_add_notes_questions,
                     args=(page,), icon=":material/speaker_notes:")
    return pairs


def _made(page: str, result, settings: Mapping[str, str], lesson: Lesson, questions) -> None:
    short_id, key, made_settings, made_lesson, made_questions = result
    path = path_of(page)
    if (made_settings, made_lesson, made_questions) != (dict(settings), lesson, tuple(questions)):
        st.info("The page or the lesson changed after this link was made: make the link again to include the "
                "changes.", icon=":material/update:")
    with st.container(key="lesson_made"):
        st.success(f"Lesson {short_id} is stored on this server.", icon=":material/check_circle:")
        show_link_for_class(_short_link(path, short_id), "lesson_short", big=_presenting())
        teacher = _teacher_link(path, short_id, key)
        st.link_button("Open the teacher view", teacher, icon=":material/open_in_new:", type="primary")
        # folded: the screen may be projected, and whoever reads the key can see and reveal the answers
        with st.expander("Your teacher link (keep it off the projector)", icon=":material/key:"):
            st.caption("It shows the answers and reveals them: keep it to yourself, e.g. bookmark it or email it to "
                       "yourself. Students get the link above.")
            _pre(teacher, "lesson_teacher_link")


def _long_link_only(page: str, settings: Mapping[str, str], lesson: Lesson, why: str, has_questions: bool) -> None:
    """Without the store: the long link (settings, hidden, locked, a short task), with why there is no short one."""
    st.info(plain(f"Short links are not available: the lesson store is {why}. The long link below needs no store"
                  + (" but cannot carry questions (their answers would be in the link)." if has_questions else ".")),
            icon=":material/info:")
    if len(lesson.task) > MAX_TASK:
        st.warning(f"A long link holds a task of at most {MAX_TASK} characters: shorten the task.")
        return
    if not lesson.active:
        return
    link = public_link(st.context.url or "", path_of(page) + "?" + urlencode(lesson_link_query(settings, lesson),
                                                                             quote_via=quote))
    show_link_for_class(link, "lesson_long", big=_presenting())


