"""Image Space: an interactive explainer of the mathematics behind diffusion models.

Run with ``streamlit run app.py``. This file only sets up the page and the navigation; each
page lives in ``pages/`` and all computation in ``diffusion_core/``.
"""

import streamlit as st

from pages.accessible import apply_accessibility_fixes
from pages.browser_history import keep_one_history_entry_per_page
from pages.common import skip_painting_offscreen_charts
from pages.heap import freeze_imported_heap
from pages.memory import start_memory_trimmer
from pages.presenter import presenter

start_memory_trimmer()  # once per server, before it has made many threads: see pages/memory.py
st.set_page_config(page_title="Image Space", page_icon=":material/grain:", layout="wide", initial_sidebar_state="expanded")

PAGES = [
    st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
    st.Page("pages/image-space.py", title="How large is image space?", icon=":material/grid_on:", url_path="image-space"),
    st.Page("pages/forward.py", title="The forward process", icon=":material/blur_on:", url_path="forward"),
    st.Page("pages/denoiser.py", title="Live denoiser", icon=":material/auto_awesome:", url_path="denoiser"),
    st.Page("pages/direction.py", title="Which direction to move", icon=":material/explore:", url_path="direction"),
    st.Page("pages/corner.py", title="How tiny is the corner?", icon=":material/filter_center_focus:", url_path="corner"),
]

navigation = st.navigation(PAGES)
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
navigation.run()
freeze_imported_heap()
