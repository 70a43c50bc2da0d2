"""Every page runs inside app.py's navigation, even in a server's very first run (imported first by each page)."""

from __future__ import annotations

import streamlit as st

try:  # a Streamlit internal (pinned 1.67.0): if a later version moves it, pages run as they are
    from streamlit.runtime.pages_manager import PagesManager
except ImportError:  # pragma: no cover
    PagesManager = None


def run_through_app() -> None:
    """Stop a page that Streamlit ran on its own and rerun it through app.py's ``st.navigation``.

    Until some run has called ``st.navigation``, Streamlit treats an app with a ``pages/`` folder the
    old way: a shared link such as ``/denoiser`` runs ``pages/denoiser.py`` by itself, without the page
    config and with every file of ``pages/`` listed as a page in the sidebar (helpers included). That
    is the very first visitor after a server (re)start, often the teacher opening the link they shared.
    ``PagesManager.uses_pages_directory`` is how Streamlit 1.67 marks that mode; clearing it is what
    ``st.navigation`` does, and the rerun then goes through app.py to the same page. The browser test
    ``test_shared_link_as_a_fresh_servers_first_visit`` fails if a Streamlit upgrade changes this.
    """
    if getattr(PagesManager, "uses_pages_directory", False):
        PagesManager.uses_pages_directory = False
        st.rerun()
