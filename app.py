"""Image Space: an interactive explainer of the mathematics behind diffusion models.

Run with ``streamlit run app.py``. This file only sets up the page and the navigation (the pages are listed once,
in ``diffusion_core.access.site_map``); each page lives in ``pages/``, all computation in ``diffusion_core/``, and
what tunes the server process in ``server/``.
"""

import streamlit as st

from diffusion_core.access.site_map import PAGES
from diffusion_core.live.home_walk import HOME, ICON
from pages.accessible import apply_accessibility_fixes
from pages.browser_history import keep_one_history_entry_per_page
from pages.common import skip_painting_offscreen_charts
from pages.presenter import presenter
from pages.reader_state import finish_run
from pages.reconnect import rerun_after_reconnecting
from server.heap import freeze_imported_heap
from server.memory import start_memory_trimmer

start_memory_trimmer()  # once per server, before it has made many threads: see server/memory.py
# The icon is a small PNG of our own (the home picture's 3), served by this server: a Material icon here is fetched by the
# browser from fonts.gstatic.com, which a school's network may block, and failed as a console error on every page.
# "auto" folds the sidebar on a phone's first visit (below Streamlit's 768 px breakpoint), so it does not cover the
# page; on a wider screen it is open.
st.set_page_config(page_title="Image Space", page_icon=str(HOME / ICON), layout="wide", initial_sidebar_state="auto")

navigation = st.navigation([st.Page(p.file, title=p.title, icon=p.icon, url_path=p.path or None, default=not p.path)
                            for p in PAGES])
st.session_state["lesson_now"] = None  # the page this run draws sets its lesson (pages/lesson_panel.py)
presenter(navigation.url_path)  # present=1: large type, the sidebar folded, the story step by step
with st.sidebar:
    st.caption(
        "**Image Space** shows, with exact numbers and a real trained model, how diffusion models "
        "walk from random noise to the tiny corner of image space where pictures live."
    )
    apply_accessibility_fixes()
    keep_one_history_entry_per_page()
    skip_painting_offscreen_charts()
    rerun_after_reconnecting()
navigation.run()
finish_run()  # a fresh session's first run read settings before their widgets were drawn: once more (reader_state)
freeze_imported_heap()
