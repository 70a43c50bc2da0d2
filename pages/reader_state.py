"""What a reader set survives leaving a page and coming back, and the URL always shows what is on screen.

Streamlit deletes a widget's value at the end of any run that does not draw the widget, as every run of
another page does; a page that then reads its keys crashes, and one that re-creates its widgets shows their
minimum values. Every page therefore keeps its settings the same way, in three layers:

1. **This browser session.** Every widget holding a reader's setting is created with ``**KEPT``
   (Streamlit's ``persist_state="session"``), so its value outlives page switches: the sidebar, the home
   page's links, the browser's back and forward buttons.
2. **The link.** On every entry, :func:`restore` fills the widget keys the session does not hold yet (a
   first visit, a shared link, a reload, which starts a new session) from the URL's query parameters,
   validated by the page's own parser;
3. **The defaults.** What the link does not say, or says wrongly (with a warning), takes the app's default.

After its widgets, the page calls :func:`mirror_in_url` with the settings on screen, so the link a teacher
copies is always the view they see.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import streamlit as st

from diffusion_core.access.lessons import lesson_link_query
from pages.safe_text import plain

KEPT: dict[str, Any] = {"persist_state": "session"}

# A page's reading of a link: query parameters -> ({widget key: value}, [messages about rejected values]).
LinkReader = Callable[[Mapping[str, str]], tuple[dict[str, Any], list[str]]]


def restore(read_link: LinkReader) -> None:
    """Give every widget key of this page that the session does not hold its value from the link or default.

    A value the browser sent with this run wins over the link: after its server went away, a reader's browser
    reconnects to another replica (deploy/), which starts a fresh session; the reader's next move arrives there
    with every widget's value on screen, and the link's older values must not undo it.

    Shows a warning for each value of the link that was rejected, when the link was used (as plain text: the
    messages quote the link's values, which a stranger may have written).
    """
    values, problems = read_link(st.query_params.to_dict())
    sent = _sent_by_browser()
    missing = {key: value for key, value in values.items() if key not in st.session_state and key not in sent}
    if not missing:
        return
    for key, value in missing.items():
        st.session_state[key] = value
    for problem in problems:
        st.warning(plain(problem), icon=":material/link_off:")


def _sent_by_browser() -> set[str]:
    """The keys of the widgets whose values the browser sent with this run (widget ids end with their key)."""
    try:  # Streamlit internals (pinned 1.67.0): without them, the link fills every missing key as before
        from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

        ids = get_script_run_ctx().session_state._state._new_widget_state.keys()
    except (AttributeError, ImportError):  # pragma: no cover
        return set()
    return {i.split("-", 2)[2] for i in ids if i.startswith("$$ID-") and i.count("-") >= 2}


def mirror_in_url(query: Mapping[str, str]) -> None:
    """Make the URL's query parameters exactly ``query`` (written only when they differ), plus the parameters of
    the lesson the page is in, if any (``pages.lesson_panel``: its check recomputed for the settings now shown)."""
    lesson = st.session_state.get("lesson_now")
    if lesson is not None and lesson.active:
        query = lesson_link_query(query, lesson)
    query = {**query, **st.session_state.get("present_query", {})}  # presenter mode (pages/presenter.py)
    if st.query_params.to_dict() != dict(query):
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
