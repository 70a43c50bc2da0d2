"""Presenter mode on every page (``present=1`` in the link, or the sidebar's toggle), drawn by ``app.py``.

The walk itself is :data:`diffusion_core.access.presenter.STEPS`; the teacher notes are
:mod:`diffusion_core.access.teaching`. In presenter mode each step is a slide for a projector:

* **Type for the back row.** The root font size follows the screen's width (:data:`~diffusion_core.access.presenter.
  BODY_PX` at 1920 pixels), and every text the app or Streamlit draws is sized from it: body text 32 px, nothing
  under 24 px (labels, inputs, tables, code, captions), captions at full contrast.
* **A slide that fits the screen.** The page's key picture and the controls it needs stay; what follows them is
  folded away (:data:`SLIDES`), one switch away ("Whole page"). Small pictures are drawn larger, with crisp pixels.
* **Previous and Next always on screen**, in a bar fixed to the bottom of the window, with the step ("Step 3 of 7"),
  the teacher notes (a popover: what to say, what to show, the questions and their answers) and the options (the
  light projector theme, the whole page, the printable lesson plan, leaving presenter mode).
* **Keys that never change a control.** A listener on the window, before any control sees the key, turns Page Down
  / Page Up (what presentation clickers send) and → / ← into Next and Previous wherever the focus is: on a slider
  that was just dragged the step moves, the slider does not. Only in a text field do the arrows keep moving the
  caret (that changes nothing). When presenter mode starts, the focus leaves the toggle (now folded away) for the
  page, so the very first key works.

The sidebar folds when presenting starts and its button (top left) opens it again: the navigation, and the lesson
builder for the step on screen (its link and QR code then show at the top of the slide).

It also runs, before the page, what the page needs of the link before it reads it: a short lesson link becomes its
page and settings (:func:`pages.lesson_panel.open_lesson_link`), and the places of the lesson builder are kept.
"""

from __future__ import annotations

from typing import NamedTuple

import streamlit as st

from diffusion_core.access.palette import ACCENT
from diffusion_core.access.presenter import (
    BODY_PX,
    DESIGN_WIDTH_PX,
    STEPS,
    read_presenting,
    read_theme,
    step_of_page,
    step_query,
)
from diffusion_core.access.share import public_link
from diffusion_core.access.site_map import page as site_page
from diffusion_core.access.teaching import note_for, render_plan_html
from pages.lesson_panel import PLAN_FILE, kept_query, notes_body, open_lesson_link, reserve_slots
from pages.reader_state import KEPT
from pages.safe_text import plain

ON, STEP, GO, LIGHT, WHOLE = "present_on", "present_step", "present_go", "present_light", "present_whole"
KEPT_QUERY = "present_query"  # the parameters app-level features keep in the URL (pages.reader_state.mirror_in_url)

class Slide(NamedTuple):
    """What stays on a step's slide: the page's blocks that are or contain one of ``keep`` (its title always stays);
    with ``deep``, the same choice is made inside those blocks too (a column keeps only its picture, not the table
    under it)."""

    keep: tuple[str, ...]
    deep: bool = False


# Everything a slide does not keep folds away until "Whole page" is on; a page where no selector matches shows whole.
# The selectors name the pages' own widget keys and elements: tests/e2e/test_e2e_presenter.py checks that each step
# still shows its key picture, and that Previous and Next stay on screen.
SLIDES: dict[str, Slide] = {
    "": Slide(("img", ".st-key-home_moving")),
    "image-space": Slide((".st-key-is_preset", ".st-key-is_w", "#how-many-images-of-this-format-are-there",
                          '[style*="2.6rem"]')),
    "forward": Slide((".st-key-fw_player", ".st-key-fw_clean"), deep=True),
    "direction": Slide((".st-key-dir_t", ".st-key-dir_field_view", ".st-key-dir_film_view"), deep=True),
    "denoiser": Slide((".st-key-den_go", ".st-key-den_label", ".st-key-den_seed", ".st-key-den_live",
                       ".st-key-den_final"), deep=True),
    "draw": Slide(('[class*="st-key-draw_pad"]', ".st-key-draw_start", ".st-key-draw_mode", ".st-key-draw_strength",
                   '[class*="st-key-draw_run"]', '[class*="st-key-draw_result"]')),
    "corner": Slide(('[data-testid="stMetric"]',)),
}
ALWAYS = ("h1", ".st-key-present_top", ".st-key-present_bar", '[class*="st-key-lesson_"]', "style", "script")
_TOP = '[data-testid="stMainBlockContainer"] > [data-testid="stVerticalBlock"]'  # the page's top-level blocks

STYLE = """<style>
html { font-size: max(16px, calc(100vw * __BODY__ / __WIDTH__)) !important; }
[data-testid="stMain"] p, [data-testid="stMain"] li, [data-testid="stMain"] label,
[data-testid="stMain"] input, [data-testid="stMain"] textarea, [data-testid="stMain"] td,
[data-testid="stMain"] th, [data-testid="stMain"] pre, [data-testid="stMain"] code,
[data-testid="stMain"] [data-testid="stMarkdownContainer"], [data-testid="stMain"] [data-testid="stText"],
[data-baseweb="popover"] p, [data-baseweb="popover"] [data-testid="stText"] {
  font-size: 1rem !important; line-height: 1.4; }
[data-testid="stMain"] [data-testid="stCaptionContainer"], [data-testid="stMain"] [data-testid="stCaptionContainer"] *,
[data-testid="stMain"] small, [data-testid="stMain"] [data-testid="stWidgetLabel"] *,
[data-testid="stMain"] [data-testid="stImageCaption"], [data-testid="stMain"] [data-testid="stSliderTickBar"] *,
[data-testid="stMain"] [data-testid="stThumbValue"], [data-testid="stMain"] [data-testid="stMetricLabel"] *,
[data-testid="stMain"] figcaption, [data-testid="stMain"] figcaption * {
  font-size: 0.8rem !important; opacity: 1 !important; color: inherit !important; }
[data-testid="stMain"] h1 { font-size: 2.2rem !important; }
[data-testid="stMain"] h2, [data-testid="stMain"] h3 { font-size: 1.35rem !important; }
[data-testid="stMain"] h4 { font-size: 1.15rem !important; }
[data-testid="stMain"] .katex { font-size: 1.1em !important; }
[data-testid="stMain"] sup, [data-testid="stMain"] sub { font-size: max(0.75rem, 0.75em) !important; }
[data-testid="stMainBlockContainer"] { padding-top: 1rem !important; padding-bottom: 6rem !important;
  max-width: none !important; }
[data-testid="stMain"] [data-testid="stImage"] img { image-rendering: pixelated; min-width: min(100%, 40vh); }
[data-testid="stHeader"] { background: transparent !important; pointer-events: none; }
[data-testid="stHeader"] :is([data-testid="stDecoration"], [data-testid="stMainMenu"], [data-testid="stAppDeployButton"],
  [data-testid="stToolbarActions"]) { display: none !important; }
[data-testid="stExpandSidebarButton"] { pointer-events: auto; }
[data-testid="stSidebarContent"] { padding-bottom: 5rem; }
[data-testid="stMain"] * { --st-base-font-size: 1rem !important; }
.st-key-present_bar { position: fixed !important; left: 0; right: 0; bottom: 0; z-index: 1000100;
  padding: 0.3rem 1.5rem 0.4rem; background: var(--present-bg, #0e1117); border-top: 3px solid __ACCENT__; }
.st-key-present_bar button { min-height: 2.2rem; }
.st-key-present_bar [data-testid="stMarkdownContainer"] p { font-size: 0.9rem !important; margin: 0; }
.st-key-present_top { border-left: 0.3rem solid __ACCENT__; padding-left: 0.8rem; }
</style>""".replace("__ACCENT__", ACCENT).replace("__BODY__", str(BODY_PX)).replace("__WIDTH__", str(DESIGN_WIDTH_PX))

# The light projector theme: dark text on white at full contrast. Streamlit draws its widgets in the (dark) theme's
# colours, so the dark surfaces are cleared and the few that carry meaning drawn again (fields, buttons); components
# (the frame player, the drawing pad) follow Streamlit's --st-* colour variables. Pictures are untouched (their pixels
# are what the page is about); charts drawn for the dark theme keep a dark panel behind them.
LIGHT_STYLE = """<style>
:root { --present-bg: #ffffff; }
.stApp *, [data-baseweb="popover"] * { --st-text-color: #000000 !important; --st-background-color: #ffffff !important;
  --st-secondary-background-color: #eef0f4 !important; --st-border-color: #4a4f5b !important;
  --st-primary-color: #2347b8 !important; }
:where(.stApp, [data-testid="stAppViewContainer"], [data-testid="stMain"], [data-testid="stHeader"],
  [data-testid="stBottom"], [data-testid="stSidebar"], [data-testid="stSidebarContent"], .st-key-present_bar,
  [data-baseweb="popover"] > div, [data-testid="stPopoverBody"]) { background: #ffffff !important; }
:where(.stApp, [data-baseweb="popover"]) :where(div, span, p, label, section, summary, details, ul, li, table, thead,
  tbody, tr, th, td, pre, code, h1, h2, h3, h4, input, textarea, button) {
  background-color: transparent !important; color: #000000 !important; }
:where(.stApp) :where([data-testid="stAlertContainer"], [data-testid="stAlertContainer"] *) {
  background-color: revert-layer !important; }
.stApp .st-key-present_bar { background-color: #ffffff !important; }
.stApp a, .stApp a * { color: #0b3ea8 !important; }
.stApp :is([data-baseweb="input"], [data-baseweb="textarea"], [data-baseweb="select"] > div, pre, code),
.stApp [data-baseweb="input"] *, .stApp [data-baseweb="textarea"] * { background-color: #e6e9f0 !important; }
.stApp :is([data-baseweb="input"], [data-baseweb="textarea"], [data-baseweb="select"] > div) {
  box-shadow: inset 0 0 0 2px #4a4f5b !important; border-radius: 0.4rem; }
.stApp [data-testid^="stBaseButton"], .stApp [data-testid="stPopover"] button {
  background-color: #eef0f4 !important; border: 2px solid #3b4a6b !important; }
.stApp [data-testid="stBaseButton-primary"] { background-color: #2347b8 !important; border-color: #2347b8 !important; }
.stApp [data-testid="stBaseButton-primary"] * { color: #ffffff !important; }
.stApp [role="slider"], .stApp [data-testid="stSlider"] div[data-rac]:has(> div > input[type="range"]) {
  background-color: #2347b8 !important; }
.stApp [data-testid="stTooltipHoverTarget"] svg, .stApp [data-testid="stTooltipHoverTarget"] svg * {
  stroke: #000000 !important; color: #000000 !important; }
.stApp [data-testid="stRadioOption"] > div > div:first-child { background-color: #ffffff !important;
  border: 2px solid #4a4f5b !important; }
.stApp [data-testid="stRadioOption"]:has(input:checked) > div > div:first-child { background-color: #2347b8 !important;
  border-color: #2347b8 !important; }
.stApp [data-testid="stRadioOption"] > div > div:first-child > div { background-color: #ffffff !important; }
.stApp [data-testid="stCheckbox"] label > div:not([data-testid]) { background-color: #9aa0ad !important; }
.stApp [data-testid="stCheckbox"] label:has(input:checked) > div:not([data-testid]) { background-color: #2347b8 !important; }
.stApp [data-testid="stCheckbox"] label > div:not([data-testid]) > div { background-color: #ffffff !important; }
[data-testid="stMain"] [data-testid="stImage"] img[src*="svg"], [data-testid="stMain"] [data-testid="stPlotlyChart"] {
  background-color: #0e1117 !important; border-radius: 0.3rem; }
</style>"""

SCRIPT = """<script>
(() => {
  const sidebar = document.querySelector('[data-testid="stSidebar"]');
  if (!window.__presenterFolded && sidebar && sidebar.getAttribute("data-collapsed") === "false") {
    window.__presenterFolded = true;
    const fold = document.querySelector('[data-testid="stSidebarCollapseButton"] button');
    if (fold) fold.click();
  }
  // presenter mode has (re)started: no control keeps the focus (the toggle that started it is folded away)
  const main = document.querySelector('[data-testid="stMain"]');
  const active = document.activeElement;
  if (active && active !== document.body && !(main && main.contains(active))) active.blur();
  if (window.__presenterKeys) return;
  window.__presenterKeys = true;
  const TEXT = 'textarea, [contenteditable="true"], input:not([type]), input[type="text"], input[type="number"], ' +
    'input[type="search"], input[type="email"], input[type="url"], input[type="tel"], input[type="password"]';
  window.addEventListener("keydown", (event) => {
    if (!document.querySelector(".st-key-present_bar") || event.altKey || event.ctrlKey || event.metaKey) return;
    const which = {PageDown: "next", ArrowRight: "next", PageUp: "prev", ArrowLeft: "prev"}[event.key];
    if (!which) return;
    let focused = document.activeElement;
    while (focused && focused.shadowRoot && focused.shadowRoot.activeElement) focused = focused.shadowRoot.activeElement;
    if (event.key.startsWith("Arrow") && focused && focused.matches(TEXT)) return;  // the caret moves, nothing else
    event.preventDefault();
    event.stopImmediatePropagation();  // before any control: a focused slider or player never sees the key
    const button = document.querySelector(`.st-key-present_${which} button`);
    if (button && !button.disabled) button.click();
  }, true);
})();
</script>"""


def slide_style(page: str) -> str:
    """CSS folding away what is not on ``page``'s slide (see :data:`SLIDES`), and sizing its pictures to the screen;
    empty for a page without a slide. Only a block where a selector matches loses anything."""
    slide = SLIDES.get(page)
    if slide is None:
        return ""
    stays, chosen = ", ".join([*slide.keep, *ALWAYS]), ", ".join(slide.keep)  # (:has may not hold another :has)
    block = '[data-testid="stVerticalBlock"]' if slide.deep else _TOP
    return (f"<style>{block}:has(> :is({chosen}), > * :is({chosen})) > :not(:is({stays})):not(:has(:is({stays}))) "
            "{ display: none !important; }\n"
            '[data-testid="stMain"] [data-testid="stImage"] img { height: min(38vh, 30rem) !important; '
            "width: auto !important; max-width: 100% !important; object-fit: contain; }\n"
            + SLIDE_FIT + SLIDE_EXTRA.get(page, "") + "</style>")


# On a slide, Streamlit's spacing (in rem, so doubled by the projector's type) gives way to the key picture: a
# narrower gap between blocks, a title without its tall padding, and the players (their pictures are drawn at a
# fixed pixel size inside their own shadow root) enlarged as a whole.
SLIDE_FIT = ('[data-testid="stMain"] [data-testid="stVerticalBlock"] { gap: 0.5rem !important; }\n'
             '[data-testid="stMain"] h1 { padding: 0.2rem 0 0.5rem !important; }\n'
             f"{', '.join(f'.st-key-{key}' for key in ('fw_player', 'den_live'))} {{ zoom: 1.35; }}\n")
# A page's own pictures drawn at a fixed size: the home page's four walks (224 px each, pages/home.py) fill the width.
SLIDE_EXTRA = {"": ".home-pair { max-width: none !important; } .home-pair figure { max-width: 12rem !important; }\n"}


def _move(by: int) -> None:
    st.session_state[STEP] = min(len(STEPS) - 1, max(0, st.session_state[STEP] + by))
    st.session_state[GO] = True


def _leave() -> None:
    st.session_state[ON] = False


def _keep_in_url(query: dict[str, str], page: str) -> None:
    """Keep ``query`` in the URL: every page that mirrors its settings adds it (pages.reader_state.mirror_in_url);
    here for the pages that mirror none (home, the glossary), written only when something differs."""
    st.session_state[KEPT_QUERY] = query
    if any(st.query_params.get(k) != v for k, v in query.items()):
        st.query_params.update(query)
    for name in ("present", "step", "theme", "lesson"):
        if name in st.query_params and name not in query:
            del st.query_params[name]


def presenter(page: str) -> None:
    """Presenter mode for the page about to run (``page``: its URL path). Call after ``st.navigation``."""
    open_lesson_link(page)  # a short lesson link becomes its page and settings before the page reads its link
    if ON not in st.session_state:  # the session's first run: the link decides
        query = st.query_params.to_dict()
        on, step, problems = read_presenting(query, page)
        theme, theme_problems = read_theme(query) if on else ("dark", [])
        st.session_state[ON], st.session_state[STEP] = on, step
        st.session_state[LIGHT] = theme == "light"
        st.session_state[GO] = on  # a link to step N opens step N's page
        for problem in problems + theme_problems:
            st.warning(plain(problem), icon=":material/link_off:")
    with st.sidebar:
        st.toggle("Presenter mode", key=ON, **KEPT, help="Large type for a projector, each step a slide, and a "
                  "step-by-step walk through the story: Page Down / Page Up or → / ← move between steps.")
    lesson_query = kept_query(page)
    if not st.session_state[ON]:
        _keep_in_url(lesson_query, page)
        reserve_slots()
        return
    if st.session_state.pop(GO, False):
        step = STEPS[st.session_state[STEP]]
        if step.page != page:
            st.switch_page(site_page(step.page).file, query_params=step_query(st.session_state[STEP]))
    elif STEPS[st.session_state[STEP]].page != page:  # the reader went to another page: the walk follows
        st.session_state[STEP] = step_of_page(page)
    index = st.session_state[STEP]
    light = st.session_state.get(LIGHT, False)
    _keep_in_url({**step_query(index, "light" if light else "dark"), **lesson_query}, page)
    styles = STYLE + (LIGHT_STYLE if light else "") + ("" if st.session_state.get(WHOLE) else slide_style(page))
    st.html(styles)
    step = STEPS[index]
    with st.container(key="present_top"):
        st.markdown(plain(step.say))
    with st.container(key="present_bar"):
        back, where, notes, options, ahead = st.columns([1.1, 3.6, 1, 1.1, 1.1], vertical_alignment="center")
        back.button("Previous", icon=":material/arrow_back:", key="present_prev", on_click=_move, args=(-1,),
                    disabled=index == 0, width="stretch")
        where.markdown(f"**Step {index + 1} of {len(STEPS)}** · {plain(step.title)}")
        with notes.popover("Notes", icon=":material/speaker_notes:", width="stretch"):
            note = note_for(step.page)
            if note is not None:
                st.markdown(f"**{plain(note.title)}**: about {note.minutes} minutes")
                notes_body(step.page)
        with options.popover("Options", icon=":material/tune:", width="stretch"):
            st.toggle("Light projector theme", key=LIGHT, **KEPT, help="Dark text on white: easier to read in a lit room.")
            st.toggle("Whole page", key=WHOLE, **KEPT, help="Show the whole page, not just this step's slide.")
            root = public_link(st.context.url or "", "").rstrip("/") or None  # each step's page address in full
            st.download_button("Lesson plan (HTML, to print)", render_plan_html(root), file_name=PLAN_FILE,
                               mime="text/html", icon=":material/print:", on_click="ignore", key="present_plan")
            st.button("Stop presenting", key="present_leave", on_click=_leave, icon=":material/close:")
        last = index == len(STEPS) - 1  # a disabled primary button draws as an empty box: the last one is plain
        ahead.button("Next", icon=":material/arrow_forward:", key="present_next", on_click=_move, args=(1,),
                     disabled=last, width="stretch", type="secondary" if last else "primary")
    st.html(SCRIPT, unsafe_allow_javascript=True, width=1)
    reserve_slots()
