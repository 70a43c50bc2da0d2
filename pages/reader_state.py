"""What a reader set survives leaving a page and coming back, and the URL always shows what is on screen.

Streamlit deletes a widget's value at the end of any run that does not draw the widget, as every run of
another page does; a page that then reads its keys crashes, and one that re-creates its widgets shows their
minimum values. Every page therefore keeps its settings the same way, in three layers:

1. **This browser session.** Every widget holding a reader's setting is created with ``**KEPT``
   (Streamlit's ``persist_state="session"``), so its value outlives page switches: the sidebar, the home
   page's links, the browser's back and forward buttons.
2. **The link.** On every entry, :func:`restore` fills the widget keys the session does not hold yet (a
   first visit, a shared link, a reload, which starts a new session) from the URL's query parameters,
   validated by the page's own table of link parameters (``diffusion_core.access.link_values``);
3. **The defaults.** What the link does not say, or says wrongly (with a warning), takes the app's default.

Each page declares its settings once, as a :class:`PageSettings`: how its link is read and written (its settings
class) and which widget shows each field (a :class:`Widget`, converting the value each way where the widget shows
it differently). ``PageSettings.restore`` fills the widgets from the link, ``PageSettings.shown`` reads the
settings back from the widgets, and ``PageSettings.mirror`` (:func:`mirror_in_url`) writes them into the URL once
per run, so the link a teacher copies is always the view they see.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Generic, TypeVar

import streamlit as st

from diffusion_core.access.lessons import lesson_link_query
from pages.safe_text import plain

KEPT: dict[str, Any] = {"persist_state": "session"}
S = TypeVar("S")

# A page's reading of a link: query parameters -> ({widget key: value}, [messages about rejected values]).
LinkReader = Callable[[Mapping[str, str]], tuple[dict[str, Any], list[str]]]


def restore(read_link: LinkReader) -> None:
    """Give every widget key of this page that the session does not hold its value from the link or default.

    A value the browser sent with this run wins over the link: after its server went away, a reader's browser
    reconnects to another replica (deploy/), which starts a fresh session; the reader's next move arrives there
    with every widget's value on screen, and the link's older values must not undo it. In that first run the session
    can read such a value only once its widget is drawn (``st.session_state[key]`` raises KeyError before, and the
    page's code reads some settings before their widgets: the model before the sidebar draws its picker): until
    then the key reads as the link's value, which is what the page showed before the move, and
    :func:`finish_run` runs the page once more, so what it shows is computed from the values on screen.

    Shows a warning for each value of the link that was rejected, when the link was used (as plain text: the
    messages quote the link's values, which a stranger may have written).
    """
    values, problems = read_link(st.query_params.to_dict())
    sent = _sent_by_browser()
    unreadable = {key: value for key, value in values.items() if key in sent and key not in st.session_state}
    if unreadable and _readable_until_drawn(unreadable):
        st.session_state[RERUN_ONCE] = tuple(unreadable)
    missing = {key: value for key, value in values.items() if key not in st.session_state and key not in sent}
    if not missing:
        return
    for key, value in missing.items():
        st.session_state[key] = value
    for problem in problems:
        st.warning(plain(problem), icon=":material/link_off:")


RERUN_ONCE = "reader_state_rerun_once"  # the keys restore let this run read before their widgets were drawn
WRITE_URL_AGAIN = "reader_state_write_url_again"  # set by finish_run: the URL must be sent even if unchanged


def _readable_until_drawn(values: Mapping[str, Any]) -> bool:
    """Make each key of ``values`` readable as that value until its widget is drawn, which then shows the value the
    browser sent (see :func:`restore`). Streamlit internals (pinned 1.67.0): a key's value kept from an earlier run
    (the session's "old state"), which a widget's value sent with this run takes precedence over. False if they
    are not there (the page's reads of those keys then fail as before)."""
    old_state = _old_state()
    if old_state is None:  # pragma: no cover
        return False
    old_state.update(values)
    return True


def _old_state() -> dict[str, Any] | None:
    session = _session_internals()
    return None if session is None else session._old_state


def _session_internals() -> Any:
    """This run's Streamlit SessionState object, or None where Streamlit's internals (pinned 1.67.0) differ."""
    try:
        from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

        return get_script_run_ctx().session_state._state
    except (AttributeError, ImportError):  # pragma: no cover
        return None


def finish_run() -> None:
    """At the end of the app's run: run again once if :func:`restore` let this run read values its widgets had
    not drawn yet (a fresh session's first run: the widgets now hold the values the browser sent). The URL this
    run wrote was lost with the rerun (seen in tests/e2e/test_e2e_restart.py), so the next run writes it again
    (:func:`mirror_in_url`). The values :func:`_readable_until_drawn` lent go first: kept, they would
    stand in for the widgets' values in the next run."""
    held = st.session_state.pop(RERUN_ONCE, None)
    if held:
        old_state = _old_state() or {}
        for key in held:
            old_state.pop(key, None)
        st.session_state[WRITE_URL_AGAIN] = True
        st.rerun()


def _same(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class Widget:
    """The widget that shows one setting: its key, and how a setting's value becomes the widget's and back."""

    key: str
    show: Callable[[Any], Any] = _same  # the setting's value -> the widget's
    read: Callable[[Any], Any] = _same  # the widget's value -> the setting's


def _typed(value: Any, like: Any) -> Any:
    """``value`` as the type of ``like`` (a number input may hand back 3.0 for 3; a list for a tuple)."""
    for kind in (bool, int, float, tuple):
        if isinstance(like, kind):
            return kind(value)
    return value


@dataclass(frozen=True)
class PageSettings(Generic[S]):
    """A page's settings, declared once: how its link is read and written, and which widget holds each field.

    ``read_link(query) -> (settings, messages)`` and ``write_link(settings) -> query`` come from the page's settings
    class; ``widgets`` maps each field of the settings to its :class:`Widget`; ``extra(settings)`` gives the values
    of further widget keys a link sets (a photo picker switched to the bundled photo); ``settle(settings)`` gives the
    settings as the page shows them (a data set's picture is never recoloured).
    """

    read_link: Callable[[Mapping[str, str]], tuple[S, list[str]]]
    write_link: Callable[[S], dict[str, str]]
    widgets: Mapping[str, Widget]
    extra: Callable[[S], Mapping[str, Any]] = field(default=lambda settings: {})
    settle: Callable[[S], S] = _same

    def key(self, name: str) -> str:
        """The widget key of the field ``name``."""
        return self.widgets[name].key

    def restore(self) -> None:
        """Fill the widgets the session does not hold yet from the link (see :func:`restore`)."""
        def values(query: Mapping[str, str]) -> tuple[dict[str, Any], list[str]]:
            settings, problems = self.read_link(query)
            shown = {w.key: w.show(getattr(settings, name)) for name, w in self.widgets.items()}
            return {**shown, **self.extra(settings)}, problems
        restore(values)

    def put(self, settings: S) -> None:
        """Show ``settings`` in the widgets (in a widget's callback, before the widgets of the next run exist)."""
        for name, w in self.widgets.items():
            st.session_state[w.key] = w.show(getattr(settings, name))

    def shown(self) -> S:
        """The settings the widgets hold now (also inside a fragment's rerun); a field whose widget the session does not
        hold (it is drawn only for some choices) keeps its default."""
        defaults, _ = self.read_link({})
        ss = st.session_state
        values = {name: _typed(w.read(ss[w.key]), getattr(defaults, name))
                  for name, w in self.widgets.items() if w.key in ss}
        return self.settle(replace(defaults, **values))

    def mirror(self, settings: S) -> dict[str, str]:
        """Write ``settings`` into the URL (:func:`mirror_in_url`); returns their query parameters."""
        query = self.write_link(settings)
        mirror_in_url(query)
        return query


def _sent_by_browser() -> set[str]:
    """The keys of the widgets whose values the browser sent with this run (widget ids end with their key); none
    where Streamlit's internals differ (the link then fills every missing key, as before)."""
    session = _session_internals()
    ids = getattr(getattr(session, "_new_widget_state", None), "keys", lambda: ())()
    return {i.split("-", 2)[2] for i in ids if i.startswith("$$ID-") and i.count("-") >= 2}


def mirror_in_url(query: Mapping[str, str]) -> None:
    """Make the URL's query parameters exactly ``query`` (written only when they differ), plus the parameters of
    the lesson the page is in, if any (``pages.lesson_panel``: its check recomputed for the settings now shown)."""
    lesson = st.session_state.get("lesson_now")
    if lesson is not None and lesson.active:
        query = lesson_link_query(query, lesson)
    query = {**query, **st.session_state.get("present_query", {})}  # presenter mode (pages/presenter.py)
    if st.session_state.pop(WRITE_URL_AGAIN, False) or st.query_params.to_dict() != dict(query):
        st.query_params.from_dict(query)


def keep_class_choice(key: str, names_id: str, choices: Sequence[int], default: int) -> int:
    """Keep a class picker's choice (the selectbox under ``key``, labelled by class names) when its names change, and
    return it. Call before the picker is drawn; ``names_id`` names the set of class names (a model, a data set).

    Streamlit 1.67 leaves a selectbox's old label on screen when its labels change under the same value ("7: 7"
    when the digits model gives way to Fashion-MNIST's "7: Sneaker") and sends that label back with the next run.
    It is no longer an option, so the choice is lost (the denoiser fell back to "none") or arrives as the label text
    itself ("0: blob 1", which crashed the 2-D page). Setting the value again when the names change makes Streamlit
    send the new label to the browser. A value that is no choice (label text, another set's class) becomes the class
    its label names, if that is a choice here, else ``default``.
    """
    ss = st.session_state
    value = ss.get(key, default)
    if not isinstance(value, int):
        head = str(value).split(":", 1)[0]
        value = int(head) if head.isascii() and head.isdigit() else default
    if value not in choices:
        value = default
    names_key = f"{key}__names"
    if ss.get(names_key) != names_id or ss.get(key) != value:
        ss[key] = value
        ss[names_key] = names_id
    return value
