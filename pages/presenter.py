"""Presenter mode on every page (``present=1`` in the link, or the sidebar's toggle), drawn by ``app.py``.

Large type, the sidebar folded away (its fold button brings it back), and above the page a bar with the step
indicator, the step's talking point and Previous / Next buttons; the walk itself is
:data:`diffusion_core.access.presenter.STEPS`. Streamlit has no global key handler: a small script listens for
Page Down / Page Up (what presentation remotes send), and for the arrow keys when no slider, field or list has the
focus, and clicks the matching button, which stays an ordinary button for Tab and Enter or Space.
"""

from __future__ import annotations

import streamlit as st

from diffusion_core.access.palette import ACCENT
from diffusion_core.access.presenter import STEPS, read_presenting, step_of_page, step_query
from diffusion_core.access.site_map import page as site_page
from pages.reader_state import KEPT
from pages.safe_text import plain

ON, STEP, GO = "present_on", "present_step", "present_go"

STYLE = """<style>
[data-testid="stMain"] p, [data-testid="stMain"] li, [data-testid="stMain"] label,
[data-testid="stMain"] [data-testid="stCaptionContainer"] { font-size: 1.3rem !important; line-height: 1.5; }
[data-testid="stMain"] h1 { font-size: 3.4rem !important; }
[data-testid="stMain"] h2, [data-testid="stMain"] h3 { font-size: 2.2rem !important; }
[data-testid="stMain"] h4 { font-size: 1.7rem !important; }
.st-key-present_bar { border-bottom: 2px solid __ACCENT__; padding-bottom: 0.5rem; }
</style>""".replace("__ACCENT__", ACCENT)

SCRIPT = """<script>
(() => {
  const sidebar = document.querySelector('[data-testid="stSidebar"]');
  if (!window.__presenterFolded && sidebar && sidebar.getAttribute("data-collapsed") === "false") {
    window.__presenterFolded = true;
    const fold = document.querySelector('[data-testid="stSidebarCollapseButton"] button');
    if (fold) fold.click();
  }
  if (window.__presenterKeys) return;
  window.__presenterKeys = true;
  document.addEventListener("keydown", (event) => {
    const busy = document.activeElement && document.activeElement.matches(
      'input, textarea, select, [role="slider"], [role="combobox"], [role="listbox"], [contenteditable="true"]');
    let which = null;
    if (event.key === "PageDown" || (event.key === "ArrowRight" && !busy)) which = "next";
    if (event.key === "PageUp" || (event.key === "ArrowLeft" && !busy)) which = "prev";
    const button = which && document.querySelector(`.st-key-present_${which} button`);
    if (button && !button.disabled) { event.preventDefault(); button.click(); }
  });
})();
</script>"""


def _move(by: int) -> None:
    st.session_state[STEP] = min(len(STEPS) - 1, max(0, st.session_state[STEP] + by))
    st.session_state[GO] = True


def _leave() -> None:
    st.session_state[ON] = False


def presenter(page: str) -> None:
    """Presenter mode for the page about to run (``page``: its URL path). Call after ``st.navigation``."""
    if ON not in st.session_state:  # the session's first run: the link decides
        on, step, problems = read_presenting(st.query_params.to_dict(), page)
        st.session_state[ON], st.session_state[STEP] = on, step
        st.session_state[GO] = on  # a link to step N opens step N's page
        for problem in problems:
            st.warning(plain(problem), icon=":material/link_off:")
    with st.sidebar:
        st.toggle("Presenter mode", key=ON, **KEPT, help="Large type, the sidebar folded, and a step-by-step walk through the "
                  "story: Page Down / Page Up (or → / ← when no control has the focus) move between steps.")
    if not st.session_state[ON]:
        st.session_state.pop("present_query", None)
        return
    if st.session_state.pop(GO, False):
        step = STEPS[st.session_state[STEP]]
        if step.page != page:
            st.switch_page(site_page(step.page).file, query_params=step_query(st.session_state[STEP]))
    elif STEPS[st.session_state[STEP]].page != page:  # the reader went to another page: the walk follows
        st.session_state[STEP] = step_of_page(page)
    index = st.session_state[STEP]
    st.session_state["present_query"] = step_query(index)  # kept in the URL by pages.reader_state.mirror_in_url
    if page == "":  # the home page mirrors no settings of its own
        st.query_params.update(step_query(index))
    st.html(STYLE)
    with st.container(key="present_bar"):
        back, where, ahead, leave = st.columns([1, 4, 1, 1.2], vertical_alignment="center")
        back.button("Previous", icon=":material/arrow_back:", key="present_prev", on_click=_move, args=(-1,),
                    disabled=index == 0, width="stretch")
        where.markdown(f"**Step {index + 1} of {len(STEPS)}** · {plain(STEPS[index].title)}")
        ahead.button("Next", icon=":material/arrow_forward:", key="present_next", on_click=_move, args=(1,),
                     disabled=index == len(STEPS) - 1, width="stretch")
        leave.button("Stop presenting", key="present_leave", on_click=_leave, width="stretch")
        st.caption(plain(STEPS[index].say))
    st.html(SCRIPT, unsafe_allow_javascript=True, width=1)
