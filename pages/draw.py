"""Draw your own: the reader's picture as the start of the walk (issue 29). Being built this session."""

import streamlit as st

from diffusion_core.access.site_map import page as site_page
from pages.app_entry import run_through_app

run_through_app()
st.title(site_page("draw").title)
