"""Words on this page: each page lists the glossary terms it uses, with their plain definitions, near its top.

A page calls :func:`words_on_this_page` with the names of the terms (``diffusion_core.access.glossary``) its text
uses; ``tests/app/test_app_glossary.py`` reads every page's text and fails when a page uses a term it does not list
here, so a new sentence cannot bring in an undefined word.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from diffusion_core.access.glossary import term
from pages.common import link_to

BOX_LABEL = "Words on this page"


def words_on_this_page(names: Sequence[str]) -> None:
    """A folded box defining each term in ``names`` in one plain sentence, with a link to the whole glossary."""
    with st.expander(BOX_LABEL, icon=":material/menu_book:"):
        for name in names:
            entry = term(name)
            st.markdown(f"**{entry.name}**: {entry.plain}")
        link_to("glossary", "All words and symbols")
