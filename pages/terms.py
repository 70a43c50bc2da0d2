"""Words on this page: each page lists the glossary terms it uses, with their plain definitions, near its top.

A page calls :func:`words_on_this_page` with the names of the terms (``diffusion_core.access.glossary``) its text
uses; ``tests/app/test_app_glossary.py`` reads every page's text and fails when a page uses a term it does not list
here, so a new sentence cannot bring in an undefined word.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from diffusion_core.access.glossary import term
from diffusion_core.access.site_map import page as site_page
from pages.common import link_to

BOX_LABEL = "Words on this page"


def words_on_this_page(names: Sequence[str]) -> None:
    """A folded box defining each term in ``names`` in one plain sentence, with a link to the whole glossary. Each
    term's name links to its entry there (``glossary#glossary-<name>``, relative to the page, so it holds under any
    base path); Streamlit opens such a link in a new tab, and this page, its settings and results stay as they are."""
    with st.expander(BOX_LABEL, icon=":material/menu_book:"):
        for name in names:
            entry = term(name)
            st.markdown(f"[**{entry.name}**]({site_page('glossary').path}#{entry.anchor}): {entry.plain}")
        st.caption("A word's name opens its entry, with its formula where it has one, in a new tab.")
        link_to("glossary", "All words and symbols")
